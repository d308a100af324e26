"""The rule planner's reader for import goals (journey 2): a CSV file or a Sales Navigator search.

A goal is an import when it names a lead file (`./leads.csv`, `"~/Downloads/Berlin CTOs.csv"`),
or asks to import or upload from a CSV, a spreadsheet or Sales Navigator. The path and the URL
are copied as written; the journey reads the file and checks the URL before any request. The
list comes from the goal's words (`into a new list called "Berlin CTOs"`, `into my Fintech CTOs
list`), as do a maximum (`max 200`, `up to 50 leads`), columns the goal assigns (`the "Org"
column is the company`) and whether leads already in other lists are kept. Imports from a CRM
or another tool have no documented endpoint: they are refused with what to do instead.
"""

from __future__ import annotations

import re

from agent.csv_files import ImportField
from agent.plans import ImportLeadsPlan, PlannerOutput, UnsupportedGoal
from agent.schemas import WorkspaceContext

MAX_RESULTS = 2500

_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
# Files people call lead files, CSV or not: the journey says why a non-CSV one cannot be used.
_FILE_EXTENSIONS = r"(?:csv|tsv|txt|xlsx|xls|numbers|ods|pdf|json|docx?)"
_QUOTED_PATH = re.compile(rf"[\"']([^\"'\n]+\.{_FILE_EXTENSIONS})[\"']", re.IGNORECASE)
_BARE_PATH = re.compile(
    rf"(?:(?<=\s)|(?<=^)|(?<=\())([^\s\"'()]+\.{_FILE_EXTENSIONS})(?=$|[\s,;:)!?]|\.(?:\s|$))",
    re.IGNORECASE,
)
_LINKEDIN_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)*linkedin\.com/[^\s\"'<>]*", re.IGNORECASE)

_IMPORT_VERB = re.compile(
    r"\b(?:import(?:s|ing)?|upload(?:s|ing)?|load|bring\s+in|pull\s+in|add|put|copy|move|"
    r"save|get)\b",
    re.IGNORECASE,
)
_CSV_WORDS = re.compile(r"\b(?:csv|tsv|spreadsheet|excel|sheet|file)\b", re.IGNORECASE)
_SALES_NAV_WORDS = re.compile(r"\bsales\s*nav(?:igator)?\b|\bsalesnav\b", re.IGNORECASE)
_OTHER_SOURCES = re.compile(
    r"\b(?P<tool>hubspot|salesforce|apollo|pipedrive|zoominfo|close\.com|outreach\.io|"
    r"lemlist|airtable|notion|google\s+sheets?|crm)\b",
    re.IGNORECASE,
)
_LAUNCH = re.compile(
    r"\b(?:launch|start|run|send)\b[^.!?]{0,40}\b(?:campaign|outreach|sequence)s?\b", re.IGNORECASE
)

_QUOTED = r"[\"']([^\"'\n]+)[\"']"
_LIST_NAME_QUOTED = [
    re.compile(rf"\blists?\s*(?:called|named|titled)?\s*:?\s*{_QUOTED}", re.IGNORECASE),
    re.compile(rf"\b(?:called|named|titled)\s+{_QUOTED}", re.IGNORECASE),
    re.compile(rf"{_QUOTED}\s+(?:lead\s+)?list\b", re.IGNORECASE),
    re.compile(rf"\b(?:into|to|in)\s+(?:the\s+|my\s+|our\s+)?{_QUOTED}", re.IGNORECASE),
]
_NAME_STOP = (
    r"(?=$|[.,;!?]|\s+(?:with|from|and|using|but|max|maximum|up\s+to|at\s+most|limit|"
    r"capped|keeping|including|skipping|please|then)\b)"
)
_LIST_NAME_BARE = [
    re.compile(
        rf"\blist\s+(?:called|named|titled)\s+(?P<name>[^\"'\s][^\"'\n]*?){_NAME_STOP}",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:into|to|in)\s+(?:the\s+|my\s+|our\s+|a\s+|an\s+)?(?:new\s+|existing\s+)?"
        r"(?P<name>[A-Za-z0-9](?:(?!\b(?:into|to|in|from)\b)[\w&+./' -]){0,60}?)\s+"
        r"(?:lead\s+)?list\b",
        re.IGNORECASE,
    ),
]
_NOT_A_NAME = re.compile(r"^(?:a|an|the|my|our|new|existing|lead|leads|this|that)$", re.IGNORECASE)
_NEW_LIST = re.compile(
    r"\bnew\s+(?:lead\s+)?list\b|\bcreate\s+(?:a\s+)?(?:new\s+)?list\b|\bfresh\s+list\b",
    re.IGNORECASE,
)
_EXISTING_LIST = re.compile(
    r"\bexisting\s+(?:lead\s+)?list\b|\b(?:into|to|in)\s+(?:the|my|our)\s+[^.!?]{0,60}?\blist\b",
    re.IGNORECASE,
)
_MAX_PATTERNS = [
    re.compile(r"\bmax(?:_?results)?\s*[=:]\s*(?P<n>\d[\d,]*)", re.IGNORECASE),
    re.compile(
        r"\b(?:max(?:imum)?(?:\s+of)?|up\s+to|at\s+most|no\s+more\s+than|limit(?:ed)?\s+"
        r"(?:to|of|at)?|cap(?:ped)?\s+at|the\s+first|first|top)\s+(?P<n>\d[\d,]*)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?P<n>\d[\d,]*)\s+(?:leads?|people|results|profiles|contacts|prospects|rows)\b",
        re.IGNORECASE,
    ),
]
_FIELD_WORDS = (
    r"(?P<field>e-?mail(?:\s+address)?|first\s+name|given\s+name|last\s+name|surname|"
    r"company(?:\s+name)?|employer|organi[sz]ation|job\s+title|title|position|role|"
    r"linked\s?in(?:\s+(?:url|profile(?:\s+url)?|link))?|headline)"
)
_COLUMN_HINTS = [
    re.compile(
        rf"{_QUOTED}\s+column\s+(?:is|holds|has|contains|means|=)\s+(?:the\s+)?(?:lead'?s\s+)?"
        rf"{_FIELD_WORDS}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bcolumn\s+{_QUOTED}\s+(?:is|holds|has|contains|means)\s+(?:the\s+)?{_FIELD_WORDS}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:map|use|treat|read)\s+(?:the\s+)?(?:column\s+)?{_QUOTED}(?:\s+column)?\s+"
        rf"(?:to|as|for)\s+(?:the\s+)?{_FIELD_WORDS}",
        re.IGNORECASE,
    ),
]
_KEEP_EXISTING = re.compile(
    r"\b(?:include|keep|import|add)\b[^.!?]{0,40}\b(?:already\s+(?:in|on)|in\s+(?:my\s+|our\s+)?"
    r"other\s+lists|existing\s+(?:leads|customers|contacts))|\b(?:don'?t|do\s+not|without)\s+"
    r"skip(?:ping)?\b|\bwith\s+duplicates\b|\beven\s+if\s+they'?re\s+already\b",
    re.IGNORECASE,
)


def read_import_leads_goal(
    goal: str, masked: str, context: WorkspaceContext | None
) -> PlannerOutput | None:
    """The import plan a goal asks for, a refusal for an undocumented source, or None."""
    del context  # The audience of an import is whoever is in the file: nothing to judge.
    text = goal.translate(_CURLY)
    path = _file_path(text)
    url = _sales_nav_url(text)
    # Numbers and names are read with the path and the URL blanked out.
    rest = _blank(text, [path, url])
    has_verb = _IMPORT_VERB.search(rest) is not None

    if _LAUNCH.search(rest) and not has_verb:
        return None
    if path is not None and (has_verb or re.search(r"\blist\b", rest, re.IGNORECASE)):
        return _plan(text, rest, source="csv", file_path=path)
    if url is not None and (has_verb or _SALES_NAV_WORDS.search(rest)) and _is_sales(url, rest):
        return _plan(text, rest, source="sales_nav", sales_nav_url=url)
    if not has_verb:
        return None
    if _SALES_NAV_WORDS.search(rest):
        return _plan(text, rest, source="sales_nav")
    if other := _OTHER_SOURCES.search(rest):
        tool = other.group("tool")
        return _refusal(
            f"Puffle documents list imports from a CSV file or a Sales Navigator people search "
            f"only, not from {tool}. Export the leads from {tool} as a CSV file and import that "
            "file."
        )
    if _CSV_WORDS.search(rest) and re.search(r"\bleads?|contacts?|list\b", rest, re.IGNORECASE):
        return _plan(text, rest, source="csv")
    return None


def _plan(
    text: str,
    rest: str,
    *,
    source: str,
    file_path: str | None = None,
    sales_nav_url: str | None = None,
) -> PlannerOutput:
    max_results = _max_results(rest)
    if max_results is not None and not 1 <= max_results <= MAX_RESULTS:
        if source == "sales_nav":
            return _refusal(f"Puffle imports between 1 and {MAX_RESULTS:,} leads at a time.")
        max_results = None
    list_name = _list_name(text, [file_path, sales_nav_url])
    new_list: bool | None = None
    if _NEW_LIST.search(rest):
        new_list = True
    elif list_name is not None and _EXISTING_LIST.search(rest):
        new_list = False
    plan = ImportLeadsPlan(
        source="sales_nav" if source == "sales_nav" else "csv",
        file_path=file_path,
        sales_nav_url=sales_nav_url,
        list_name=list_name,
        new_list=new_list,
        max_results=max_results,
        column_mapping=_column_hints(text),
        skip_existing=_KEEP_EXISTING.search(rest) is None,
    )
    return PlannerOutput(
        plan=plan,
        icp_verdict="unknown",
        icp_reason="An import brings in whoever the file or search holds; it is not judged.",
    )


def _refusal(reason: str) -> PlannerOutput:
    return PlannerOutput(
        plan=UnsupportedGoal(reason=reason),
        icp_verdict="unknown",
        icp_reason="No audience to judge.",
    )


def _file_path(text: str) -> str | None:
    if quoted := _QUOTED_PATH.search(text):
        return quoted.group(1).strip()
    if bare := _BARE_PATH.search(text):
        return bare.group(1)
    return None


def _sales_nav_url(text: str) -> str | None:
    match = _LINKEDIN_URL.search(text)
    if match is None:
        return None
    url = match.group(0).rstrip(".,;:!?")
    # Sales Navigator queries are full of parentheses; only an unmatched one closes the sentence.
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:!?")
    return url


def _is_sales(url: str, rest: str) -> bool:
    """A Sales Navigator URL, or any LinkedIn URL the goal says is one (checked later)."""
    return "/sales" in url.lower() or _SALES_NAV_WORDS.search(rest) is not None


def _blank(text: str, pieces: list[str | None]) -> str:
    for piece in pieces:
        if piece:
            text = text.replace(piece, " ")
    return text


def _list_name(text: str, exclude: list[str | None]) -> str | None:
    skip = {piece.strip().lower() for piece in exclude if piece}
    for pattern in _LIST_NAME_QUOTED:
        for match in pattern.finditer(text):
            name = match.group(1).strip()
            if name and name.lower() not in skip and not _QUOTED_PATH.fullmatch(f'"{name}"'):
                return name
    bare_text = _blank(text, [*exclude])
    bare_text = re.sub(_QUOTED, " ", bare_text)
    for pattern in _LIST_NAME_BARE:
        match = pattern.search(bare_text)
        if match is None:
            continue
        name = " ".join(match.group("name").split()).strip(" -")
        name = re.sub(r"^(?:(?:a|an|the|my|our|new|existing)\s+)+", "", name, flags=re.IGNORECASE)
        if name and not _NOT_A_NAME.match(name):
            return name
    return None


def _max_results(rest: str) -> int | None:
    for pattern in _MAX_PATTERNS:
        if match := pattern.search(rest):
            return int(match.group("n").replace(",", ""))
    return None


def _column_hints(text: str) -> dict[str, ImportField]:
    hints: dict[str, ImportField] = {}
    for pattern in _COLUMN_HINTS:
        for match in pattern.finditer(text):
            hints[match.group(1).strip()] = _field(match.group("field"))
    return hints


def _field(words: str) -> ImportField:
    lowered = " ".join(words.lower().split())
    if "mail" in lowered:
        return "email"
    if "linked" in lowered:
        return "linkedin_url"
    if lowered in {"first name", "given name"}:
        return "first_name"
    if lowered in {"last name", "surname"}:
        return "last_name"
    if lowered == "headline":
        return "headline"
    if lowered in {"job title", "title", "position", "role"}:
        return "position"
    return "company"

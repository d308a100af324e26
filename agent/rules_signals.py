"""The rule planner's reader for signal goals (journey 4).

A goal is about signals when it names signals (or intent data, trigger events), or asks to track
companies that are hiring, raising money or changing leaders. It reads:

- changes to types: "enable/disable the funding signal", "add keywords "A", "B" to the hiring
  signal", "track companies hiring a Head of Payments" (hiring, enabled, with that keyword);
- new types: "create a signal called "Treasury pain" for "cash forecasting", "FX exposure"";
- the feed's filters: a window ("last 7 days", "this week"), types ("funding signals"), a minimum
  score ("score above 80"), and how many to list ("top 5").

A goal that only changes types does not read the feed unless it also asks to see signals.
"""

from __future__ import annotations

import re

from agent.plans import NewSignalType, PlannerOutput, SignalsPlan, SignalTypeChange
from agent.schemas import WorkspaceContext

_TYPE_WORDS = (
    r"hiring|funding|fundraising|leadership(?:\s+change)?|management(?:\s+change)?|"
    r"job\s+changes?|competitors?(?:\s+mentions?)?"
)
_SIGNAL_INTENT = re.compile(
    r"\bsignals?\b|\bintent\s+data\b|\btrigger\s+events?\b|"
    r"\b(?:track|watch|monitor|follow|alert\s+me\s+(?:about|to))\s+(?:companies|firms|startups|"
    r"teams|accounts)\b",
    re.IGNORECASE,
)
_ENABLE = re.compile(
    rf"\b(?:enable|turn\s+on|switch\s+on|activate|start\s+tracking|track)\s+(?:the\s+|my\s+)?"
    rf"(?P<type>{_TYPE_WORDS})\s+signals?\b",
    re.IGNORECASE,
)
_DISABLE = re.compile(
    rf"\b(?:disable|turn\s+off|switch\s+off|deactivate|stop\s+tracking|mute|pause)\s+"
    rf"(?:the\s+|my\s+)?(?P<type>{_TYPE_WORDS})\s+signals?\b",
    re.IGNORECASE,
)
_ADD_KEYWORDS = re.compile(
    rf"\badd\s+(?:the\s+)?(?:keywords?|terms?)\s+(?P<keywords>.+?)\s+to\s+(?:the\s+|my\s+)?"
    rf"(?P<type>{_TYPE_WORDS}|[\w ]+?)\s+(?:signal|type)",
    re.IGNORECASE,
)
_TRACK_HIRING = re.compile(
    r"\b(?:track|watch|monitor|follow|find|alert\s+me\s+(?:about|to))\s+(?:companies|firms|"
    r"startups|teams|accounts)\s+(?:that\s+are\s+|who\s+are\s+)?hiring\s+"
    r"(?:an?\s+|for\s+(?:an?\s+)?"
    r")?(?P<role>.+?)(?=\s*[,.;!?]|\s+and\s|\s+in\s+the\s|$)",
    re.IGNORECASE,
)
_TRACK_FUNDING = re.compile(
    r"\b(?:track|watch|monitor|follow)\s+(?:companies|firms|startups)\s+(?:that\s+)?"
    r"(?:rais(?:e|ed|ing)|(?:got|get|getting)\s+funded|fundrais)",
    re.IGNORECASE,
)
_CREATE = re.compile(
    r"\b(?:create|add|make|set\s+up)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:custom\s+)?signal(?:\s+type)?"
    r"\s+(?:called|named|for)\s+\x00+",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"\b(?:last|past|previous)\s+(?P<n>\d+)\s+(?P<unit>days?|weeks?|months?)\b|"
    r"\b(?P<word>this\s+week|last\s+week|past\s+week|today|last\s+24\s+hours|this\s+month|"
    r"last\s+month|past\s+month|yesterday)\b",
    re.IGNORECASE,
)
_MIN_SCORE = re.compile(
    r"\bscor(?:e|es|ing)\s*(?P<op>above|over|greater\s+than|higher\s+than|more\s+than|>=|>|"
    r"of\s+at\s+least|at\s+least|of|from|>=?)\s*(?P<n>\d{1,3})\b|"
    r"\b(?P<n2>\d{1,3})\s*\+\s*(?:score|points)\b|"
    r"\bmin(?:imum)?\s+score\s+(?:of\s+)?(?P<n3>\d{1,3})",
    re.IGNORECASE,
)
_TOP = re.compile(r"\btop\s+(?P<n>\d{1,3})\b|\b(?P<n2>\d{1,3})\s+(?:strongest|best)\b", re.I)
_FEED_TYPE = re.compile(rf"\b(?P<type>{_TYPE_WORDS})\s+signals\b", re.IGNORECASE)
_READ_WORDS = re.compile(
    r"\b(?:show|list|read|what|which|give|summari[sz]e|strongest|best|top|feed|latest|recent|"
    r"new|any|see|check|only|find)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
_SOURCE_WORDS = {
    "reddit": "reddit",
    "news": "news",
    "hacker news": "hacker_news",
    "twitter": "x_twitter",
    "linkedin posts": "linkedin_posts",
    "linkedin jobs": "linkedin_jobs",
    "g2": "g2_capterra",
}


def read_signals_goal(
    goal: str, masked: str, context: WorkspaceContext | None
) -> PlannerOutput | None:
    """A signals plan when the goal is about signals; else None."""
    del context  # signal types are judged by Puffle's scorer, not against the ICP here
    if not _SIGNAL_INTENT.search(masked) or re.search(r"\bcampaigns?\b", masked, re.IGNORECASE):
        return None

    changes = _changes(goal, masked)
    create = _creations(goal, masked)
    feed_types = [_type_label(m.group("type")) for m in _FEED_TYPE.finditer(masked)]
    writes = bool(changes or create)
    plan = SignalsPlan(
        changes=changes,
        create=create,
        read_feed=not writes or bool(_READ_WORDS.search(_without_changes(masked))),
        since_days=_since_days(masked),
        feed_types=list(dict.fromkeys(feed_types)),
        min_score=_min_score(masked),
        top=_top(masked),
    )
    return PlannerOutput(
        plan=plan, icp_verdict="unknown", icp_reason="Reading signals has no audience to judge."
    )


def _changes(goal: str, masked: str) -> list[SignalTypeChange]:
    changes: dict[str, SignalTypeChange] = {}

    def change_for(label: str) -> SignalTypeChange:
        return changes.setdefault(label, SignalTypeChange(signal_type=label))

    for match in _ENABLE.finditer(masked):
        change_for(_type_label(match.group("type"))).enable = True
    for match in _DISABLE.finditer(masked):
        change_for(_type_label(match.group("type"))).enable = False
    for match in _ADD_KEYWORDS.finditer(masked):
        keywords = _phrases(goal, masked, match.start("keywords"), match.end("keywords"))
        change = change_for(_type_label(match.group("type")))
        change.add_keywords += keywords
    for match in _TRACK_HIRING.finditer(masked):
        change = change_for("hiring")
        change.enable = True
        change.add_keywords.append(" ".join(match.group("role").split()))
    if _TRACK_FUNDING.search(masked):
        change_for("funding").enable = True
    return list(changes.values())


def _creations(goal: str, masked: str) -> list[NewSignalType]:
    created: list[NewSignalType] = []
    spans = [
        (m.start(), m.end(), (m.group(1) or m.group(2) or "").strip())
        for m in _QUOTED.finditer(goal)
    ]
    for match in _CREATE.finditer(masked):
        name_at = match.group(0).index("\x00") + match.start()
        following = [span for span in spans if name_at <= span[0] < name_at + 300]
        if not following or not following[0][2]:
            continue
        name_end, name = following[0][1], following[0][2]
        quotes = [text for _, _, text in following[1:]]
        rest = masked[name_end : name_end + 200]
        keywords = [q for q in quotes if q and q != name] or [name]
        sources = [
            source
            for word, source in _SOURCE_WORDS.items()
            if re.search(rf"\b{word}\b", rest, re.IGNORECASE)
        ]
        fields: dict[str, object] = {"name": name, "keywords": list(dict.fromkeys(keywords))}
        if sources:
            fields["sources"] = sources
        created.append(NewSignalType.model_validate(fields))
    return created


def _phrases(goal: str, masked: str, start: int, end: int) -> list[str]:
    """Quoted texts between `start` and `end`, else the words split on commas and "and"."""
    quoted = [
        (m.group(1) or m.group(2) or "").strip()
        for m in _QUOTED.finditer(goal)
        if start <= m.start() < end
    ]
    if quoted:
        return [q for q in quoted if q]
    words = re.split(r"\s*,\s*|\s+and\s+", masked[start:end])
    return [w.strip(" '\"") for w in words if w.strip(" '\"")]


def _type_label(words: str) -> str:
    lowered = " ".join(words.lower().split())
    if lowered.startswith(("hiring",)):
        return "hiring"
    if lowered.startswith(("funding", "fundraising")):
        return "funding"
    if lowered.startswith(("leadership", "management", "job change")):
        return "management_change"
    if lowered.startswith("competitor"):
        return "competitor_mentions"
    return lowered


def _without_changes(masked: str) -> str:
    for pattern in (_ENABLE, _DISABLE, _ADD_KEYWORDS, _TRACK_HIRING, _TRACK_FUNDING, _CREATE):
        masked = pattern.sub(" ", masked)
    return masked


def _since_days(masked: str) -> int | None:
    match = _WINDOW.search(masked)
    if match is None:
        return None
    if match.group("n"):
        days_per_unit = {"d": 1, "w": 7, "m": 30}[match.group("unit")[0].lower()]
        return min(365, max(1, int(match.group("n")) * days_per_unit))
    word = " ".join(match.group("word").lower().split())
    return {"today": 1, "last 24 hours": 1, "yesterday": 2}.get(word, 30 if "month" in word else 7)


def _min_score(masked: str) -> int | None:
    match = _MIN_SCORE.search(masked)
    if match is None:
        return None
    value = int(match.group("n") or match.group("n2") or match.group("n3"))
    operator = " ".join((match.group("op") or "").lower().split())
    # Scores are whole numbers, so "above 80" starts at 81.
    strict = operator in {"above", "over", "greater than", "higher than", "more than", ">"}
    return min(100, value + 1 if strict else value)


def _top(masked: str) -> int:
    match = _TOP.search(masked)
    if match is None:
        return 10
    return max(1, min(100, int(match.group("n") or match.group("n2"))))

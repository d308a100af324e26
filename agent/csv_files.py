"""Reading people's lead files the way they really are, before anything is uploaded.

A file from a CRM export or a spreadsheet is rarely a clean UTF-8 comma CSV. `read_leads_file`
detects the encoding (charset-normalizer: UTF-8 with or without a BOM, UTF-16, Windows-1252,
Latin-1) and the dialect (clevercsv: comma, semicolon, tab, pipe, or an Excel `sep=` line),
finds the header even below a few lines of notes, maps header names in other spellings and
languages to the lead fields, and cleans every row: quoted newlines, duplicate and empty
columns, blank rows, rows that name nobody, the same person twice. Cells a spreadsheet would run
as formulas are neutralised with a leading single quote and reported.

What comes out (`LeadsFile`) re-writes itself as a clean UTF-8 comma CSV with one column per lead
field (`to_csv`), split into uploads under Puffle's 10 MB limit (`batches`), so the server sees
one consistent file whatever the person had. A file that cannot be used raises `CsvFileError`,
whose message names what was wrong, before any request is made.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from agent.errors import UsageError

ImportField = Literal[
    "email", "first_name", "last_name", "company", "position", "linkedin_url", "headline"
]
IMPORT_FIELDS: tuple[ImportField, ...] = (
    "first_name",
    "last_name",
    "email",
    "company",
    "position",
    "linkedin_url",
    "headline",
)
IDENTITY_FIELDS: tuple[ImportField, ...] = ("email", "linkedin_url")

# Puffle's documented cap on one uploaded file; a batch stays a tenth below it, for the
# multipart envelope and for a server that counts megabytes in powers of two.
MAX_UPLOAD_BYTES = 10 * 1000 * 1000
BATCH_BYTES = 9 * 1000 * 1000
# More uploads than this for one file is a job for a person, not a loop.
MAX_BATCHES = 20

_ENCODINGS = ["utf_8", "utf_16", "cp1252", "latin_1"]
_DELIMITERS = [",", ";", "\t", "|"]
_DIALECT_SAMPLE = 32 * 1024
# The header is looked for among the first rows only: notes above it are short.
_HEADER_SEARCH_ROWS = 30
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CsvFileError(UsageError):
    """A lead file that cannot be imported; the message says what is wrong with it."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


# Header names, normalised (lower case, accents folded, separators as spaces), per field.
_NAME_ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "e mail", "email address", "e mail address", "emailaddress", "mail",
        "mail address", "work email", "business email", "email 1", "primary email",
        "contact email", "e mail adresse", "emailadresse", "mailadresse", "courriel",
        "adresse e mail", "adresse email", "correo", "correo electronico", "email personal",
        "indirizzo email", "e mailadres",
    ),
    "first_name": (
        "first name", "firstname", "first", "given name", "forename", "fname", "vorname",
        "prenom", "nombre", "nome", "voornaam", "contact first name",
    ),
    "last_name": (
        "last name", "lastname", "last", "surname", "family name", "lname", "nachname",
        "nom", "nom de famille", "apellido", "apellidos", "cognome", "achternaam",
        "contact last name",
    ),
    "full_name": (
        "name", "full name", "fullname", "contact name", "contact", "person", "lead name",
        "nombre completo", "nom complet", "vollstandiger name", "nome completo",
    ),
    "company": (
        "company", "company name", "companyname", "organization", "organisation",
        "organization name", "organisation name", "org", "account", "account name",
        "employer", "current company", "firma", "firmenname", "unternehmen", "societe",
        "entreprise", "empresa", "compania", "azienda", "bedrijf", "organisatie",
    ),
    "position": (
        "title", "job title", "jobtitle", "position", "role", "job", "job role",
        "designation", "current title", "current role", "current position", "position title",
        "berufsbezeichnung", "titel", "funktion", "poste", "fonction", "titre du poste",
        "cargo", "puesto", "ruolo", "functie",
    ),
    "linkedin_url": (
        "linkedin", "linkedin url", "linkedin profile", "linkedin profile url", "profile url",
        "linkedin link", "li url", "linkedin profil", "person linkedin url", "linkedin address",
        "url linkedin", "profil linkedin", "perfil de linkedin", "linkedin profile link",
    ),
    "headline": ("headline", "linkedin headline", "tagline", "titular"),
}  # fmt: skip
# For headers no alias names: a word that gives the field away.
_NAME_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\blinked ?in\b"), "linkedin_url"),
    (re.compile(r"\be ?mail\b|\bcourriel\b|\bcorreo\b"), "email"),
    (re.compile(r"\bfirst name\b|\bvorname\b|\bprenom\b"), "first_name"),
    (re.compile(r"\blast name\b|\bnachname\b|\bsurname\b"), "last_name"),
    (re.compile(r"\bcompany\b|\bfirma\b|\borgani[sz]ation\b|\bempresa\b"), "company"),
    (re.compile(r"\bjob title\b|\bposition\b"), "position"),
]
_ALIAS_FIELD: dict[str, str] = {
    alias: name for name, aliases in _NAME_ALIASES.items() for alias in aliases
}

_EMAIL = re.compile(r"^[^@\s'\"<>,;]+@[^@\s'\"<>,;]+\.[^@\s'\"<>,;]{2,}$")
_LINKEDIN = re.compile(
    r"^https?://(?:[a-z]{2,3}\.|www\.)?linkedin\.com/(?:in|pub|sales/lead|sales/people)/\S+$",
    re.IGNORECASE,
)
_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\s*$", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: str


@dataclass(frozen=True)
class NeutralisedCell:
    row: int
    column: str
    original: str


@dataclass(frozen=True)
class Lead:
    """One person to import, from spreadsheet row `row` (1-based, as a spreadsheet shows it)."""

    row: int
    values: dict[ImportField, str]


@dataclass(frozen=True)
class CsvBatch:
    number: int
    rows: int
    first_row: int
    last_row: int
    content: bytes


@dataclass(frozen=True)
class LeadsFile:
    path: str
    sha256: str
    size_bytes: int
    encoding: str
    delimiter: str
    header_row: int
    # Source header → lead field, for every column that is imported.
    columns: dict[str, ImportField]
    # Headers that are not imported, with why.
    ignored_columns: dict[str, str]
    leads: list[Lead]
    skipped: list[SkippedRow]
    neutralised: list[NeutralisedCell]
    notes: list[str] = field(default_factory=list[str])
    # Uploads already split, by (rows, limit): every node of a run asks for the same ones.
    _batches: dict[tuple[int | None, int], list[CsvBatch]] = field(
        default_factory=dict[tuple[int | None, int], list[CsvBatch]], repr=False, compare=False
    )

    @cached_property
    def fields(self) -> list[ImportField]:
        """The lead fields the re-written file has a column for, in a fixed order."""
        present = set(self.columns.values())
        for lead in self.leads:
            present.update(lead.values)
        return [name for name in IMPORT_FIELDS if name in present]

    def to_csv(self, leads: Iterable[Lead] | None = None) -> bytes:
        """A UTF-8, comma-separated CSV of `leads` (all by default) with a header row."""
        chosen = self.leads if leads is None else list(leads)
        return self._header_line() + b"".join(self._lines(chosen))

    def batches(self, rows: int | None = None, limit: int = BATCH_BYTES) -> list[CsvBatch]:
        """The first `rows` leads (all by default) as uploads of at most `limit` bytes each."""
        key = (rows, limit)
        if key not in self._batches:
            self._batches[key] = self._split(
                self.leads if rows is None else self.leads[:rows], limit
            )
        return self._batches[key]

    def _split(self, chosen: list[Lead], limit: int) -> list[CsvBatch]:
        header = self._header_line()
        batches: list[CsvBatch] = []
        lines: list[bytes] = []
        leads: list[Lead] = []
        size = len(header)
        for lead, line in zip(chosen, self._lines(chosen), strict=True):
            if len(header) + len(line) > limit:
                raise CsvFileError(
                    self.path, f"row {lead.row} alone is larger than one upload may be"
                )
            if leads and size + len(line) > limit:
                batches.append(_batch(len(batches) + 1, leads, header + b"".join(lines)))
                lines, leads, size = [], [], len(header)
            lines.append(line)
            leads.append(lead)
            size += len(line)
        if leads:
            batches.append(_batch(len(batches) + 1, leads, header + b"".join(lines)))
        if len(batches) > MAX_BATCHES:
            raise CsvFileError(
                self.path,
                f"would take {len(batches)} uploads of up to {limit // 1_000_000} MB; more than "
                f"{MAX_BATCHES} is too many for one import. Split the file and import the parts.",
            )
        return batches

    def _lines(self, leads: list[Lead]) -> list[bytes]:
        """Each lead as one encoded CSV record (a record may hold quoted line breaks)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        lines: list[bytes] = []
        for lead in leads:
            writer.writerow([lead.values.get(name, "") for name in self.fields])
            lines.append(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
        return lines

    def _header_line(self) -> bytes:
        return _csv_line(list(self.fields))

    def skipped_by_reason(self) -> dict[str, list[int]]:
        grouped: dict[str, list[int]] = {}
        for skipped in self.skipped:
            grouped.setdefault(skipped.reason, []).append(skipped.row)
        return grouped


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue().encode("utf-8")


def _batch(number: int, leads: list[Lead], content: bytes) -> CsvBatch:
    return CsvBatch(
        number=number,
        rows=len(leads),
        first_row=leads[0].row,
        last_row=leads[-1].row,
        content=content,
    )


def read_leads_file(
    path: str | Path, column_hints: Mapping[str, ImportField] | None = None
) -> LeadsFile:
    """Read, check and clean a lead file; `CsvFileError` says what is wrong when it cannot.

    `column_hints` maps header names (as the person wrote them) to lead fields and wins over
    detection: "the Org column is the company".
    """
    shown = str(path)
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise CsvFileError(shown, "no such file")
    if not resolved.is_file():
        raise CsvFileError(shown, "is a folder, not a file")
    try:
        data = resolved.read_bytes()
    except OSError as exc:
        raise CsvFileError(
            shown, f"cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    hints = tuple(sorted((column_hints or {}).items()))
    return _read_bytes(shown, data, hashlib.sha256(data).hexdigest(), hints)


@lru_cache(maxsize=4)
def _read_bytes(
    path: str, data: bytes, sha256: str, hints: tuple[tuple[str, ImportField], ...]
) -> LeadsFile:
    text, encoding = _decode(path, data)
    text, delimiter = _dialect(text)
    records = _records(text, delimiter)

    header_index = _find_header(path, records)
    header = [_clean_header(cell) for cell in records[header_index]]
    body = records[header_index + 1 :]
    if not any(cell.strip() for record in body for cell in record):
        raise CsvFileError(path, "has a header row but no rows of leads under it")
    mapping = _map_columns(header, body, dict(hints))
    present = set(mapping.columns.values())
    if not present & {"email", "linkedin_url"}:
        names = ", ".join(f"'{name}'" for name in header if name) or "none"
        raise CsvFileError(
            path,
            f"has no email or LinkedIn URL column (columns: {names}); Puffle tells leads apart "
            'by one of them. Add one, or name the column in the goal (the "Mail" column is '
            "the email).",
        )

    leads, skipped, neutralised = _clean_rows(header, body, mapping, header_index + 2)
    return LeadsFile(
        path=path,
        sha256=sha256,
        size_bytes=len(data),
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_index + 1,
        columns={header[index]: name for index, name in mapping.columns.items()},
        ignored_columns=mapping.ignored,
        leads=leads,
        skipped=skipped,
        neutralised=neutralised,
        notes=mapping.notes,
    )


# Bytes to text


def _decode(path: str, data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise CsvFileError(path, "is empty")
    if problem := _binary_format(data):
        raise CsvFileError(path, problem)

    import charset_normalizer  # loaded only when a file is read

    match = charset_normalizer.from_bytes(data, cp_isolation=_ENCODINGS).best()
    if match is None:
        raise CsvFileError(
            path, "is not text in any encoding a CSV export uses (UTF-8, UTF-16, Windows-1252)"
        )
    encoding = match.encoding
    if encoding == "utf_8" and match.bom:
        encoding = "utf_8_sig"
    text = str(match)
    if "\x00" in text:
        raise CsvFileError(path, "is not a CSV file: it holds binary data")
    return text.translate(_INVISIBLE), encoding


def _binary_format(data: bytes) -> str | None:
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return (
            "is an Excel workbook (.xlsx) or another zip file, not a CSV: open it and save it as "
            "'CSV UTF-8', then import that file"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "is an old Excel workbook (.xls), not a CSV: save it as 'CSV UTF-8' and import that"
    if head.startswith(b"%PDF"):
        return "is a PDF, not a CSV file"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "is an image, not a CSV file"
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data[:4096] and not utf16:
        return "is not a CSV file: it holds binary data"
    return None


# Text to records


def _dialect(text: str) -> tuple[str, str]:
    """The text without an Excel `sep=` line, and the delimiter."""
    first_line, _, rest = text.partition("\n")
    if sep := _SEP_LINE.match(first_line.rstrip("\r")):
        return rest, sep.group(1)

    # clevercsv takes a second to load; only runs that read a file pay for it.
    import clevercsv

    sample = text[:_DIALECT_SAMPLE]
    if len(text) > _DIALECT_SAMPLE:
        sample = sample[: sample.rfind("\n") + 1] or sample
    dialect = clevercsv.Detector().detect(sample, delimiters=_DELIMITERS)
    if dialect is None or dialect.delimiter not in _DELIMITERS:
        return text, _most_common_delimiter(sample)
    return text, dialect.delimiter


def _most_common_delimiter(sample: str) -> str:
    counts = {delimiter: sample.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _records(text: str, delimiter: str) -> list[list[str]]:
    import clevercsv
    from clevercsv.dialect import SimpleDialect

    dialect = SimpleDialect(delimiter=delimiter, quotechar='"', escapechar="")
    return [list(record) for record in clevercsv.reader(io.StringIO(text, newline=""), dialect)]


# The header


def _normalise_name(name: str) -> str:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    folded = unicodedata.normalize("NFKD", spaced)
    plain = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    plain = plain.replace("ß", "ss")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _clean_header(cell: str) -> str:
    return " ".join(cell.split()).strip("'\"")


def _alias_field(name: str) -> str | None:
    return _ALIAS_FIELD.get(_normalise_name(name))


def _word_field(name: str) -> str | None:
    normalised = _normalise_name(name)
    return next((field for pattern, field in _NAME_WORDS if pattern.search(normalised)), None)


def _find_header(path: str, records: list[list[str]]) -> int:
    """The first of the top rows that names the most known columns."""
    best_index, best_score = -1, 0.0
    for index, record in enumerate(records[:_HEADER_SEARCH_ROWS]):
        exact = {field for cell in record if cell.strip() and (field := _alias_field(cell))}
        # A short header no alias names ("Work Email (primary)") counts for half.
        loose = {
            field
            for cell in record
            if len(_normalise_name(cell).split()) <= 3 and (field := _word_field(cell))
        } - exact
        score = len(exact) + 0.5 * len(loose)
        filled = sum(1 for cell in record if cell.strip())
        if score > best_score and (filled >= 2 or len(record) == 1):
            best_index, best_score = index, score
    if best_index < 0:
        looked_for = "email, first name, last name, company, title, LinkedIn URL"
        raise CsvFileError(
            path,
            f"no header row found: none of the first {_HEADER_SEARCH_ROWS} rows names a column "
            f"the agent knows ({looked_for}, in English, German, French, Spanish…)",
        )
    return best_index


@dataclass
class _ColumnMapping:
    # Column index → lead field, for the columns that are imported.
    columns: dict[int, ImportField]
    # Columns holding whole names, imported as first and last name.
    full_names: set[int]
    ignored: dict[str, str]
    notes: list[str]


def _map_columns(
    header: list[str], body: list[list[str]], hints: dict[str, ImportField]
) -> _ColumnMapping:
    hint_by_name = {_normalise_name(name): target for name, target in hints.items()}
    filled = [any(_cell(record, index).strip() for record in body) for index in range(len(header))]

    by_index: dict[int, str] = {}
    for index, name in enumerate(header):
        normalised = _normalise_name(name)
        if normalised in hint_by_name:
            by_index[index] = hint_by_name[normalised]
        elif target := _alias_field(name):
            by_index[index] = target
    taken = set(by_index.values())
    for index, name in enumerate(header):
        if index in by_index or not name:
            continue
        normalised = _normalise_name(name)
        for pattern, target in _NAME_WORDS:
            if target not in taken and pattern.search(normalised):
                by_index[index] = target
                taken.add(target)
                break

    ignored: dict[str, str] = {}
    notes: list[str] = []
    missing_hints = [name for name in hints if _normalise_name(name) not in _header_names(header)]
    if missing_hints:
        notes.append(
            "The goal named columns the file does not have: "
            + ", ".join(f"'{name}'" for name in missing_hints)
        )
    columns: dict[int, ImportField] = {}
    full_names: set[int] = set()
    for index, name in enumerate(header):
        label = name or f"column {index + 1}"
        target = by_index.get(index)
        if not filled[index]:
            ignored[label] = "empty"
        elif target is None:
            ignored[label] = "not a lead field" if name else "no header"
        elif target == "full_name":
            if {"first_name", "last_name"} & set(by_index.values()):
                ignored[label] = "first and last name columns are used instead"
            else:
                columns[index] = "first_name"
                full_names.add(index)
                notes.append(f"'{name}' holds full names; they are split into first and last.")
        else:
            columns[index] = _as_field(target)

    for target in IMPORT_FIELDS:
        sources = [header[index] for index, name in columns.items() if name == target]
        if len(sources) > 1:
            shown = " and ".join(f"'{source}'" for source in sources)
            notes.append(
                f"Columns {shown} both hold {target.replace('_', ' ')}: each row keeps the "
                "first that is filled in."
            )
    return _ColumnMapping(columns, full_names, ignored, notes)


def _as_field(name: str) -> ImportField:
    for candidate in IMPORT_FIELDS:
        if candidate == name:
            return candidate
    raise ValueError(f"{name} is not a lead field")


def _header_names(header: list[str]) -> set[str]:
    return {_normalise_name(name) for name in header}


def _cell(record: list[str], index: int) -> str:
    return record[index] if index < len(record) else ""


# Rows


def _clean_rows(
    header: list[str], body: list[list[str]], mapping: _ColumnMapping, first_row: int
) -> tuple[list[Lead], list[SkippedRow], list[NeutralisedCell]]:
    leads: list[Lead] = []
    skipped: list[SkippedRow] = []
    neutralised: list[NeutralisedCell] = []
    seen_emails: dict[str, int] = {}
    seen_urls: dict[str, int] = {}

    for offset, record in enumerate(body):
        row = first_row + offset
        if not any(cell.strip() for cell in record):
            skipped.append(SkippedRow(row, "blank row"))
            continue

        values: dict[ImportField, str] = {}
        for index, target in mapping.columns.items():
            raw = _cell(record, index)
            value, was_formula = _clean_value(raw)
            if not value or target in values:
                continue
            if was_formula:
                neutralised.append(NeutralisedCell(row, header[index], raw.strip()))
            if index in mapping.full_names:
                first, _, last = value.partition(" ")
                values["first_name"] = first
                if last:
                    values["last_name"] = last
                continue
            values[target] = value

        problems = _check_identity(values)
        if "email" not in values and "linkedin_url" not in values:
            skipped.append(SkippedRow(row, problems or "no email and no LinkedIn URL"))
            continue
        duplicate = _duplicate_of(values, seen_emails, seen_urls)
        if duplicate is not None:
            skipped.append(SkippedRow(row, f"same person as row {duplicate}"))
            continue
        if "email" in values:
            seen_emails[values["email"]] = row
        if "linkedin_url" in values:
            seen_urls[_url_key(values["linkedin_url"])] = row
        leads.append(Lead(row=row, values=values))
    return leads, skipped, neutralised


def _clean_value(raw: str) -> tuple[str, bool]:
    """The cell as one trimmed line, quoted when a spreadsheet would run it as a formula."""
    value = " ".join(raw.replace("\u00a0", " ").split())
    if not value:
        return "", False
    if raw.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value, True
    return value, False


def _check_identity(values: dict[ImportField, str]) -> str | None:
    """Drop an email or LinkedIn URL that is not one; the reason when nothing usable is left."""
    problems: list[str] = []
    if email := values.get("email"):
        if _EMAIL.match(email):
            values["email"] = email.lower()
        else:
            del values["email"]
            problems.append(f"'{email}' is not an email address")
    if url := values.get("linkedin_url"):
        normalised = _normalise_linkedin(url)
        if normalised is None:
            del values["linkedin_url"]
            problems.append(f"'{url}' is not a LinkedIn profile URL")
        else:
            values["linkedin_url"] = normalised
    if "email" in values or "linkedin_url" in values:
        return None
    return "; ".join(problems) or None


def _normalise_linkedin(url: str) -> str | None:
    candidate = url.strip()
    if candidate.lower().startswith(("linkedin.com/", "www.linkedin.com/")):
        candidate = "https://" + candidate
    candidate = candidate.split("?", 1)[0]
    return candidate if _LINKEDIN.match(candidate) else None


def _url_key(url: str) -> str:
    return url.lower().rstrip("/").replace("http://", "https://").replace("://www.", "://")


def _duplicate_of(
    values: dict[ImportField, str], emails: dict[str, int], urls: dict[str, int]
) -> int | None:
    if (email := values.get("email")) and email in emails:
        return emails[email]
    if (url := values.get("linkedin_url")) and _url_key(url) in urls:
        return urls[_url_key(url)]
    return None

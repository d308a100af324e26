"""Reading lead files as people's files really are: encodings, dialects, headers, dirty rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from agent.csv_files import (
    MAX_BATCHES,
    CsvFileError,
    ImportField,
    LeadsFile,
    read_leads_file,
)

ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@engines.example"}


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _values(leads_file: LeadsFile) -> list[dict[ImportField, str]]:
    return [lead.values for lead in leads_file.leads]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", ""), ("utf-8", "\ufeff"), ("cp1252", ""), ("latin-1", "")],
    ids=["utf-8", "utf-8-bom", "windows-1252", "latin-1"],
)
def test_encodings_are_detected_and_accents_survive(
    tmp_path: Path, encoding: str, prefix: str
) -> None:
    """Accented names read the same whatever the file's encoding, and a BOM is not a header."""
    text = f"{prefix}Prénom,Nom,Email,Société\nRené,Müller,rene@cafe.example,Café Zürich\n"

    leads_file = read_leads_file(_write(tmp_path, text, encoding))

    assert _values(leads_file) == [
        {
            "first_name": "René",
            "last_name": "Müller",
            "email": "rene@cafe.example",
            "company": "Café Zürich",
        }
    ]
    assert "Prénom" in leads_file.columns


def test_windows_1252_punctuation_is_read_as_such(tmp_path: Path) -> None:
    """Curly quotes, dashes and the euro sign of Windows-1252 come out as those characters."""
    text = "Name,Email,Company\nJosé García,jose@x.example,“Smart” Café \u2013 Bar €\n"

    leads_file = read_leads_file(_write(tmp_path, text, "cp1252"))

    assert leads_file.encoding == "cp1252"
    assert leads_file.leads[0].values["company"] == "“Smart” Café \u2013 Bar €"


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_the_dialect_is_detected(tmp_path: Path, delimiter: str) -> None:
    """Comma, semicolon, tab and pipe files all read into the same leads."""
    rows = [["First Name", "Last Name", "Email"], ["Ada", "Lovelace", "ada@engines.example"]]
    rows.append(["Alan", "Turing", "alan@bletchley.example"])
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"

    leads_file = read_leads_file(_write(tmp_path, text))

    assert leads_file.delimiter == delimiter
    assert [lead.values["email"] for lead in leads_file.leads] == [
        "ada@engines.example",
        "alan@bletchley.example",
    ]


def test_an_excel_sep_line_sets_the_delimiter(tmp_path: Path) -> None:
    """`sep=;` on the first line, as Excel writes it, is the delimiter and not the header."""
    text = "sep=;\nFirst Name;Email;Company\nAda;ada@engines.example;Engines, Ltd\n"

    leads_file = read_leads_file(_write(tmp_path, text))

    assert leads_file.delimiter == ";"
    assert leads_file.leads[0].values["company"] == "Engines, Ltd"


def test_notes_above_the_header_are_skipped(tmp_path: Path) -> None:
    """An export that starts with notes finds its header further down; rows count from there."""
    text = (
        "Contacts export, all owners\n"
        "Generated 2026-11-30 by Maya\n"
        "\n"
        "First Name,Last Name,Email Address,Company Name\n"
        "Ada,Lovelace,ada@engines.example,Analytical Engines\n"
    )

    leads_file = read_leads_file(_write(tmp_path, text))

    assert leads_file.header_row == 4
    assert leads_file.leads[0].row == 5
    assert leads_file.leads[0].values == {**ADA, "company": "Analytical Engines"}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("First Name", "first_name"),
        ("first_name", "first_name"),
        ("firstName", "first_name"),
        ("Vorname", "first_name"),
        ("Prénom", "first_name"),
        ("Nombre", "first_name"),
        ("Surname", "last_name"),
        ("Nachname", "last_name"),
        ("Email Address", "email"),
        ("E-Mail", "email"),
        ("Courriel", "email"),
        ("Correo electrónico", "email"),
        ("Firma", "company"),
        ("Company Name", "company"),
        ("Société", "company"),
        ("Empresa", "company"),
        ("Job Title", "position"),
        ("Position", "position"),
        ("LinkedIn Profile URL", "linkedin_url"),
        ("linkedin", "linkedin_url"),
        ("Headline", "headline"),
        ("Work Email (primary)", "email"),
    ],
)
def test_header_spellings_and_languages_map_to_lead_fields(
    tmp_path: Path, header: str, field: ImportField
) -> None:
    """Each spelling or language of a header is read as its lead field."""
    value = "https://www.linkedin.com/in/ada" if field == "linkedin_url" else "x@y.example"
    if field not in {"email", "linkedin_url"}:
        value = "Value"
    identity = "" if field == "email" else ",Email"
    identity_value = "" if field == "email" else ",ada@engines.example"
    text = f"{header}{identity}\n{value}{identity_value}\n"

    leads_file = read_leads_file(_write(tmp_path, text))

    assert leads_file.columns[header] == field
    assert leads_file.leads[0].values[field] == value


def test_quoted_newlines_stay_inside_their_cell(tmp_path: Path) -> None:
    """A quoted cell spanning lines is one value (on one line), and the next row is intact."""
    text = (
        "First Name,Email,Company,Headline\n"
        'Ada,ada@engines.example,"Analytical\nEngines","Builds engines\r\nand poems"\n'
        "Alan,alan@bletchley.example,Bletchley Park,Breaks codes\n"
    )

    leads_file = read_leads_file(_write(tmp_path, text))

    assert [lead.values["company"] for lead in leads_file.leads] == [
        "Analytical Engines",
        "Bletchley Park",
    ]
    assert leads_file.leads[0].values["headline"] == "Builds engines and poems"


def test_duplicate_columns_keep_the_first_filled_value(tmp_path: Path) -> None:
    """Two columns for one field: each row keeps the first that is filled, and a note says so."""
    text = (
        "Email,Name,E-Mail\n"
        "ada@engines.example,Ada Lovelace,other@engines.example\n"
        ",Alan Turing,alan@bletchley.example\n"
    )

    leads_file = read_leads_file(_write(tmp_path, text))

    assert [lead.values["email"] for lead in leads_file.leads] == [
        "ada@engines.example",
        "alan@bletchley.example",
    ]
    assert any("both hold email" in note for note in leads_file.notes)


def test_full_names_are_split_into_first_and_last(tmp_path: Path) -> None:
    """A single name column fills first and last name."""
    leads_file = read_leads_file(
        _write(tmp_path, "Name,Email\nAda King Lovelace,ada@engines.example\n")
    )

    assert leads_file.leads[0].values["first_name"] == "Ada"
    assert leads_file.leads[0].values["last_name"] == "King Lovelace"


def test_empty_and_unknown_columns_are_left_out(tmp_path: Path) -> None:
    """Columns with no values, no header or no lead field are not imported, with the reason."""
    text = "First Name,,Email,Fax,Notes\nAda,,ada@engines.example,,likes engines\n"

    leads_file = read_leads_file(_write(tmp_path, text))

    assert leads_file.fields == ["first_name", "email"]
    assert leads_file.ignored_columns == {
        "column 2": "empty",
        "Fax": "empty",
        "Notes": "not a lead field",
    }


def test_blank_rows_are_skipped_and_reported(tmp_path: Path) -> None:
    """Rows of nothing but separators or spaces are skipped as blank, by row number."""
    text = "First Name,Email\n\n , \nAda,ada@engines.example\n,,\n"

    leads_file = read_leads_file(_write(tmp_path, text))

    assert _values(leads_file) == [{"first_name": "Ada", "email": "ada@engines.example"}]
    assert leads_file.skipped_by_reason() == {"blank row": [2, 3, 5]}


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised_and_flagged(tmp_path: Path, prefix: str) -> None:
    """A cell a spreadsheet would run as a formula gets a leading quote and is reported."""
    payload = f"{prefix}cmd|' /C calc'!A0"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["First Name", "Email", "Company"], ["Ada", "ada@engines.example", payload]]
    )

    leads_file = read_leads_file(_write(tmp_path, buffer.getvalue()))

    company = leads_file.leads[0].values["company"]
    assert company.startswith("'")
    assert company[1:] == " ".join(payload.split())
    assert [(cell.row, cell.column) for cell in leads_file.neutralised] == [(2, "Company")]


def test_rows_without_an_identity_or_seen_before_are_skipped(tmp_path: Path) -> None:
    """No email and no LinkedIn URL, a bad email, or the same person twice: skipped, with why."""
    text = (
        "First Name,Email,LinkedIn\n"
        "Ada,ADA@Engines.example,\n"
        "Grace,,\n"
        "Alan,not-an-email,\n"
        "Ada again,ada@engines.example,\n"
        "Linus,,linkedin.com/in/linus\n"
    )

    leads_file = read_leads_file(_write(tmp_path, text))

    assert [lead.values["first_name"] for lead in leads_file.leads] == ["Ada", "Linus"]
    assert leads_file.leads[0].values["email"] == "ada@engines.example"
    assert leads_file.leads[1].values["linkedin_url"] == "https://linkedin.com/in/linus"
    assert leads_file.skipped_by_reason() == {
        "no email and no LinkedIn URL": [3],
        "'not-an-email' is not an email address": [4],
        "same person as row 2": [5],
    }


def test_the_goal_can_name_a_column(tmp_path: Path) -> None:
    """A column the goal assigns ("the Org column is the company") wins over detection."""
    text = "Mail,Org\nada@engines.example,Analytical Engines\n"

    leads_file = read_leads_file(_write(tmp_path, text), {"Org": "company"})

    assert leads_file.leads[0].values == {
        "email": "ada@engines.example",
        "company": "Analytical Engines",
    }


def test_the_rewritten_file_is_clean_utf8_comma_csv(tmp_path: Path) -> None:
    """What is uploaded is UTF-8, comma-separated, one column per lead field, quotes where due."""
    text = "Vorname;Nachname;E-Mail;Firma\nJörg;Müller;jm@acme.example;Foo, Bar & Co\n"
    leads_file = read_leads_file(_write(tmp_path, text, "cp1252"))

    content = leads_file.to_csv().decode("utf-8")

    assert list(csv.reader(io.StringIO(content))) == [
        ["first_name", "last_name", "email", "company"],
        ["Jörg", "Müller", "jm@acme.example", "Foo, Bar & Co"],
    ]


def test_batches_stay_under_the_limit_and_keep_every_row(tmp_path: Path) -> None:
    """Each batch is a whole CSV with its header, under the limit, and no row is lost."""
    rows = "".join(f"Lead{n},lead{n}@example.com,Company {n}\n" for n in range(200))
    leads_file = read_leads_file(_write(tmp_path, "First Name,Email,Company\n" + rows))

    batches = leads_file.batches(limit=2_000)

    assert len(batches) > 1
    assert all(len(batch.content) <= 2_000 for batch in batches)
    assert sum(batch.rows for batch in batches) == 200
    for batch in batches:
        records = list(csv.reader(io.StringIO(batch.content.decode())))
        assert records[0] == ["first_name", "email", "company"]
        assert len(records) == batch.rows + 1
    assert batches[0].first_row == 2


def test_a_file_needing_too_many_batches_is_refused(tmp_path: Path) -> None:
    """More uploads than one import should make is an error that says to split the file."""
    rows = "".join(f"Lead{n},lead{n}@example.com\n" for n in range(400))
    leads_file = read_leads_file(_write(tmp_path, "First Name,Email\n" + rows))

    with pytest.raises(CsvFileError, match=f"more than {MAX_BATCHES} is too many"):
        leads_file.batches(limit=200)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel workbook"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is a PDF"),
        (b"\x00\x01\x02\x03binary\x00\xff", "holds binary data"),
        (b"   \n\n", "is empty"),
        (b"Contacts export\nnothing here,either\n1,2\n", "no header row found"),
        (b"First Name,Company\nAda,Engines\n", "has no email or LinkedIn URL column"),
        (b"First Name,Email\n", "no rows of leads"),
    ],
    ids=["xlsx", "xls", "pdf", "binary", "empty", "no-header", "no-identity", "no-rows"],
)
def test_bad_files_name_what_is_wrong(tmp_path: Path, content: bytes, problem: str) -> None:
    """A file the agent cannot import raises an error naming the file and its problem."""
    path = tmp_path / "leads.csv"
    path.write_bytes(content)

    with pytest.raises(CsvFileError, match=problem) as caught:
        read_leads_file(path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    """A path that does not exist says so."""
    with pytest.raises(CsvFileError, match="no such file"):
        read_leads_file(tmp_path / "nowhere.csv")

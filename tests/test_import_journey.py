"""Journey 2 through the whole graph: CSV and Sales Navigator imports on the embedded sandbox."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agent.clock import FakeClock
from agent.pauses import HumanAnswer
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from graphs.import_leads import reconcile_mapping
from sandbox import Sandbox

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
READ_ONLY_POSTS = {"/api/credits/preview"}
SALES_NAV_URL = "https://www.linkedin.com/sales/search/people?query=(keywords%3ACTO)"
BOOT = ["get_onboarding_status", "get_context"]

Person = tuple[str, str, str, str]
PEOPLE: list[Person] = [
    ("Jörg", "Müller", "joerg.mueller@acme.example", "ACME GmbH"),
    ("Zoë", "Brontë", "zoe@haworth.example", "Haworth & Söhne"),
    ("José", "García", "jose.garcia@iberia.example", "Compañía Ibérica"),
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def runner(clock: FakeClock) -> AsyncIterator[AgentRunner]:
    settings = Settings()
    async with AgentRunner(settings, target=embedded_target(settings, clock=clock)) as agent:
        yield agent


def _sandbox(runner: AgentRunner) -> Sandbox:
    return runner.target.sandbox


def _writes(runner: AgentRunner, workspace: str) -> list[str]:
    return [
        f"{request.method} {request.path}"
        for request in _sandbox(runner).requests(workspace)
        if request.method in WRITE_METHODS and request.path not in READ_ONLY_POSTS
    ]


def _people_in(runner: AgentRunner, workspace: str, list_name: str) -> list[Person]:
    """The list's rows as the sandbox holds them: first, last, email, company."""
    return [
        (
            row["profileData"]["firstName"],
            row["profileData"]["lastName"],
            row["profileData"]["email"],
            row["profileData"]["currentCompany"],
        )
        for row in _sandbox(runner).list_rows(workspace, list_name)
    ]


def _operations(report: dict[str, Any]) -> list[str]:
    return [call["operation"] for call in report["calls"]]


async def _approve(runner: AgentRunner, report: dict[str, Any]) -> dict[str, Any]:
    assert report["status"] == "paused", report["summary"]
    assert report["pause"]["kind"] == "approval_required", report["summary"]
    return await runner.resume(report["run_id"], HumanAnswer(answer="approve"))


async def _import(runner: AgentRunner, goal: str, workspace: str = "demo") -> dict[str, Any]:
    return await _approve(runner, await runner.start(goal, workspace))


def _csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _standard(people: list[Person], header: list[str], delimiter: str = ",") -> str:
    return _csv_text([header, *[list(person) for person in people]], delimiter)


# Each file quirk, imported and read back


QUIRKS: dict[str, tuple[bytes, list[Person]]] = {
    "utf-8 with BOM": (
        ("\ufeff" + _standard(PEOPLE, ["First Name", "Last Name", "Email", "Company"])).encode(),
        PEOPLE,
    ),
    "utf-8 without BOM": (
        _standard(PEOPLE, ["First Name", "Last Name", "Email", "Company"]).encode(),
        PEOPLE,
    ),
    "windows-1252": (
        _standard(PEOPLE, ["First Name", "Last Name", "Email", "Company"]).encode("cp1252"),
        PEOPLE,
    ),
    "latin-1": (
        _standard(PEOPLE, ["First Name", "Last Name", "Email", "Company"]).encode("latin-1"),
        PEOPLE,
    ),
    "semicolons": (
        _standard(PEOPLE, ["Vorname", "Nachname", "E-Mail", "Firma"], ";").encode("cp1252"),
        PEOPLE,
    ),
    "tabs": (
        _standard(PEOPLE, ["Prénom", "Nom", "Courriel", "Société"], "\t").encode(),
        PEOPLE,
    ),
    "notes above the header": (
        (
            "HubSpot export - contacts\r\nOwner: Maya, 30 Nov 2026\r\n\r\n"
            + _standard(PEOPLE, ["first_name", "last_name", "Email Address", "Company Name"])
        ).encode(),
        PEOPLE,
    ),
    "spanish headers": (
        _standard(PEOPLE, ["Nombre", "Apellido", "Correo", "Empresa"]).encode(),
        PEOPLE,
    ),
    "quoted newlines": (
        _csv_text(
            [
                ["First Name", "Last Name", "Email", "Company", "Headline"],
                ["Jörg", "Müller", "joerg.mueller@acme.example", "ACME\nGmbH", "CTO\nat ACME"],
                ["Zoë", "Brontë", "zoe@haworth.example", "Haworth & Söhne", "Writer"],
            ]
        ).encode(),
        PEOPLE[:2],
    ),
    "duplicate columns": (
        _csv_text(
            [
                ["First Name", "Last Name", "Email", "Company", "E-Mail"],
                ["Jörg", "Müller", "", "ACME GmbH", "joerg.mueller@acme.example"],
                ["Zoë", "Brontë", "zoe@haworth.example", "Haworth & Söhne", "old@haworth.example"],
            ]
        ).encode(),
        PEOPLE[:2],
    ),
    "empty columns and blank rows": (
        _csv_text(
            [
                ["First Name", "", "Last Name", "Email", "Fax", "Company"],
                ["Jörg", "", "Müller", "joerg.mueller@acme.example", "", "ACME GmbH"],
                ["", "", "", "", "", ""],
                [],
                ["Zoë", "", "Brontë", "zoe@haworth.example", "", "Haworth & Söhne"],
            ]
        ).encode(),
        PEOPLE[:2],
    ),
    "formula cells": (
        _csv_text(
            [
                ["First Name", "Last Name", "Email", "Company"],
                ["Jörg", "Müller", "joerg.mueller@acme.example", '=HYPERLINK("http://x","ACME")'],
                ["Zoë", "Brontë", "zoe@haworth.example", "@SUM(1+1)"],
            ]
        ).encode(),
        [
            ("Jörg", "Müller", "joerg.mueller@acme.example", '\'=HYPERLINK("http://x","ACME")'),
            ("Zoë", "Brontë", "zoe@haworth.example", "'@SUM(1+1)"),
        ],
    ),
}


@pytest.mark.parametrize("quirk", list(QUIRKS))
async def test_each_file_quirk_imports_the_right_people(
    runner: AgentRunner, tmp_path: Path, quirk: str
) -> None:
    """Whatever the file's quirk, the list ends up with exactly its people, spelled right."""
    content, expected = QUIRKS[quirk]
    (tmp_path / "leads.csv").write_bytes(content)

    report = await _import(runner, 'Import ./leads.csv into a new list called "Quirks"')

    assert report["status"] == "completed", report["summary"]
    assert report["result"]["imported"] == len(expected)
    assert _people_in(runner, "demo", "Quirks") == expected


async def test_formula_cells_are_flagged_in_the_approval_and_the_report(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """The person sees which cells were neutralised before approving, and again after."""
    (tmp_path / "leads.csv").write_bytes(QUIRKS["formula cells"][0])

    paused = await runner.start('Import ./leads.csv into a new list called "Quirks"', "demo")
    report = await _approve(runner, paused)

    assert (
        "neutralised with a leading quote: row 2 'Company', row 3 'Company'"
        in (paused["pause"]["message"])
    )
    assert report["result"]["neutralised_cells"] == [
        {"row": 2, "column": "Company"},
        {"row": 3, "column": "Company"},
    ]


# CSV into a new list


async def test_a_new_list_is_created_priced_and_reported(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """Rows are imported and charged one IMPORT_LEAD each; skips are reported with why."""
    rows = [
        ["Contacts export"],
        [],
        ["First Name", "Last Name", "Email", "Company"],
        *[list(person) for person in PEOPLE],
        ["Grace", "Hopper", "", "Navy"],
        ["Priya", "Raman", "priya.raman@clearvault.example", "Clearvault Payments"],
        ["Jörg", "Müller", "joerg.mueller@acme.example", "ACME GmbH"],
    ]
    (tmp_path / "berlin.csv").write_text(_csv_text(rows), encoding="utf-8")

    paused = await runner.start('Import ./berlin.csv into a new list called "Berlin CTOs"', "demo")
    assert _writes(runner, "demo") == []
    assert paused["pause"]["details"]["quote"]["total"] == 4
    report = await _approve(runner, paused)

    result = report["result"]
    assert (result["imported"], result["list"]["name"], result["list"]["rows"]) == (
        3,
        "Berlin CTOs",
        3,
    )
    assert {item["reason"]: item["count"] for item in result["skipped_reasons"]} == {
        "no email and no LinkedIn URL": 1,
        "same person as row 4": 1,
        "already in another of your lists": 1,
    }
    assert _people_in(runner, "demo", "Berlin CTOs") == PEOPLE
    assert report["credits"] == {"quoted": 4, "spent": 3}
    assert _sandbox(runner).ledger("demo")[-1]["action"] == "IMPORT_LEAD"
    assert _sandbox(runner).credits_balance("demo") == 997
    assert _operations(report) == [
        *BOOT,
        "list_lists",
        "get_credits_config",
        "preview_credits",
        "list_lists",
        "preview_new_list_import",
        "confirm_new_list_import",
        "list_rows",
    ]


async def test_a_new_list_whose_name_exists_fills_the_existing_one(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """ "A new list called X" when X exists adds to X (free), rather than making a second X."""
    (tmp_path / "leads.csv").write_text(_standard(PEOPLE, ["Name", "Surname", "Email", "Org"]))

    report = await _import(runner, 'Import ./leads.csv into a new list called "Fintech CTOs"')

    assert report["status"] == "completed"
    assert [item["name"] for item in _sandbox(runner).lists("demo")].count("Fintech CTOs") == 1
    assert len(_people_in(runner, "demo", "Fintech CTOs")) == 28
    assert any("already exists" in note for note in report["notes"])


# CSV into an existing list


async def test_an_existing_list_gets_new_rows_merges_known_ones_and_costs_nothing(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """Into an existing list the import is free; a person already on it is merged, not added."""
    rows = [
        ["First Name", "Last Name", "Email", "Company", "Title"],
        *[[*person, "CTO"] for person in PEOPLE[:2]],
        ["Ben", "Hartley", "ben.hartley@quantix.example", "Quantix", "Engineering Manager"],
    ]
    (tmp_path / "webinar.csv").write_text(_csv_text(rows), encoding="utf-8")

    paused = await runner.start(
        "Upload ./webinar.csv to my Webinar attendees - October list", "demo"
    )
    assert "documents imports into an existing list as free" in paused["pause"]["message"]
    report = await _approve(runner, paused)

    assert (report["result"]["imported"], report["result"]["updated"]) == (2, 1)
    assert "1 was already on the list and merged." in report["result"]["summary"]
    people = _people_in(runner, "demo", "Webinar attendees - October")
    assert len(people) == 14
    assert people[-2:] == PEOPLE[:2]
    assert report["credits"] == {"quoted": 0, "spent": 0}
    assert _sandbox(runner).credits_balance("demo") == 1000
    assert "preview_list_import" in _operations(report)
    assert "confirm_list_import" in _operations(report)


async def test_an_unknown_existing_list_names_the_lists_that_exist(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """An existing list the workspace lacks pauses `not_found` with the names, before writing."""
    (tmp_path / "leads.csv").write_text(_standard(PEOPLE, ["First Name", "Last", "Email", "Co"]))

    report = await runner.start("Import ./leads.csv into my Berlin CTOs list", "demo")

    assert report["pause"]["kind"] == "not_found"
    assert "Fintech CTOs" in report["pause"]["details"]["existing_lists"]
    assert _writes(runner, "demo") == []


# Short of credits, denied, bad input


async def test_short_credits_offer_a_batch_that_fits_and_spend_nothing(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """12 rows on 5 credits: 7 short, 5 fit, nothing spent; the batch of 5 then runs whole."""
    people = [(f"Lead{n}", "Tester", f"lead{n}@tester.example", "Testing Co") for n in range(12)]
    (tmp_path / "leads.csv").write_text(_standard(people, ["First", "Last", "Email", "Company"]))

    short = await runner.start('Import ./leads.csv into a new list called "Batch"', "low_credits")

    pause = short["pause"]
    assert pause["kind"] == "insufficient_credits"
    assert (pause["details"]["shortfall"], pause["details"]["batch_that_fits"]) == (7, 5)
    assert _sandbox(runner).ledger("low_credits") == []
    assert _writes(runner, "low_credits") == []

    quoted = await runner.resume(short["run_id"], HumanAnswer(answer="smaller_batch", batch_size=5))
    report = await _approve(runner, quoted)

    assert report["result"]["imported"] == 5
    assert _people_in(runner, "low_credits", "Batch") == people[:5]
    assert report["credits"]["spent"] == 5
    assert _sandbox(runner).credits_balance("low_credits") == 0


async def test_a_denied_approval_writes_nothing(runner: AgentRunner, tmp_path: Path) -> None:
    """Deny at the approval: stopped, no upload, no list, no credits."""
    (tmp_path / "leads.csv").write_text(_standard(PEOPLE, ["First", "Last", "Email", "Company"]))
    lists_before = _sandbox(runner).lists("demo")

    paused = await runner.start('Import ./leads.csv into a new list called "Denied"', "demo")
    report = await runner.resume(paused["run_id"], HumanAnswer(answer="deny"))

    assert report["status"] == "stopped"
    assert _writes(runner, "demo") == []
    assert _sandbox(runner).lists("demo") == lists_before
    assert _sandbox(runner).ledger("demo") == []


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook"),
        (b"Notes only\nnothing,here\n", "no header row found"),
        (b"First Name,Company\nAda,Engines\n", "has no email or LinkedIn URL column"),
    ],
    ids=["not-csv", "no-header", "no-identity"],
)
async def test_a_bad_file_pauses_before_any_import_call(
    runner: AgentRunner, tmp_path: Path, content: bytes, problem: str
) -> None:
    """A file the agent cannot read pauses `invalid_input` naming the problem; only boot ran."""
    (tmp_path / "leads.csv").write_bytes(content)

    report = await runner.start('Import ./leads.csv into a new list called "Bad"', "demo")

    assert report["pause"]["kind"] == "invalid_input"
    assert problem in report["pause"]["message"]
    assert "./leads.csv" in report["pause"]["message"]
    assert ".." not in report["pause"]["message"].replace("./", "")
    assert _operations(report) == BOOT


async def test_a_bad_file_can_be_swapped_for_a_good_one(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """Answering the pause with another file path carries on to the approval."""
    (tmp_path / "leads.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "good.csv").write_text(_standard(PEOPLE, ["First", "Last", "Email", "Company"]))

    paused = await runner.start('Import "./leads.pdf" into a new list called "Swap"', "demo")
    answer = HumanAnswer(answer="edit", parameters={"file_path": "./good.csv"})
    report = await _approve(runner, await runner.resume(paused["run_id"], answer))

    assert _people_in(runner, "demo", "Swap") == PEOPLE
    assert report["status"] == "completed"


async def test_a_file_changed_after_approval_is_not_uploaded(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """The approved file is the uploaded file: a change in between pauses, unsent."""
    path = tmp_path / "leads.csv"
    path.write_text(_standard(PEOPLE, ["First", "Last", "Email", "Company"]))

    paused = await runner.start('Import ./leads.csv into a new list called "Changed"', "demo")
    path.write_text(_standard(PEOPLE[:1], ["First", "Last", "Email", "Company"]))
    report = await runner.resume(paused["run_id"], HumanAnswer(answer="approve"))

    assert report["pause"]["kind"] == "invalid_input"
    assert "changed after you approved" in report["pause"]["message"]
    assert not any("import" in write for write in _writes(runner, "demo"))


async def test_a_file_deleted_after_approval_pauses_instead_of_failing(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """The file gone between approval and upload: a pause that names it, nothing uploaded."""
    path = tmp_path / "leads.csv"
    path.write_text(_standard(PEOPLE, ["First", "Last", "Email", "Company"]))

    paused = await runner.start('Import ./leads.csv into a new list called "Gone"', "demo")
    path.unlink()
    report = await runner.resume(paused["run_id"], HumanAnswer(answer="approve"))

    assert report["pause"]["kind"] == "invalid_input"
    assert "no such file" in report["pause"]["message"]
    assert not any("import" in write for write in _writes(runner, "demo"))


async def test_a_file_over_10_mb_goes_up_in_batches_approved_once(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """An 11 MB file: priced whole, approved once, two uploads under 10 MB, every row in."""
    # Long rows: over 10 MB with few enough of them to keep the test quick.
    about = "Builds payment infrastructure for mid-market fintech teams; " * 11
    people = [
        (f"Lead{n}", "Volume", f"lead{n}@volume.example", f"Company {n}", about)
        for n in range(16_000)
    ]
    header = ["First", "Last", "Email", "Company", "Headline"]
    (tmp_path / "big.csv").write_text(_csv_text([header, *[list(p) for p in people]]))
    assert (tmp_path / "big.csv").stat().st_size > 10_000_000

    paused = await runner.start("Import ./big.csv into my Webinar attendees - October list", "demo")
    assert "goes up in 2 batches" in paused["pause"]["message"]
    assert paused["pause"]["details"]["quote_if_charged"]["total"] == 16_000
    report = await _approve(runner, paused)

    assert (report["result"]["imported"], report["result"]["batches"]) == (16_000, 2)
    uploads = [
        request.path
        for request in _sandbox(runner).requests("demo")
        if request.method in {"POST", "PUT"} and request.path.endswith("/import")
    ]
    assert len(uploads) == 4
    stored = _people_in(runner, "demo", "Webinar attendees - October")
    assert len(stored) == 12 + 16_000
    assert (stored[12], stored[-1]) == (people[0][:4], people[-1][:4])


def test_puffle_suggestions_are_checked_against_the_file() -> None:
    """Agreement stands, a custom column stands, a wrong or missing target is corrected."""
    mapping, notes = reconcile_mapping(
        ["first_name", "email", "company", "position"],
        {"first_name": "first_name", "email": "new:email", "company": "domain"},
    )

    assert mapping == {
        "first_name": "first_name",
        "email": "new:email",
        "company": "company",
        "position": "role",
    }
    assert len(notes) == 3


# Sales Navigator


async def test_a_sales_nav_import_fills_the_list_and_stops_when_it_stops_growing(
    runner: AgentRunner, clock: FakeClock
) -> None:
    """25 leads arrive on the sandbox clock; the agent polls with the backoff and reports them."""
    goal = f'Import up to 25 leads from {SALES_NAV_URL} into a new list called "SN CTOs"'

    paused = await runner.start(goal, "demo")
    assert paused["pause"]["details"]["quote"]["total"] == 25
    report = await _approve(runner, paused)

    result = report["result"]
    assert (result["arrived"], result["was_capped"], result["list"]["rows"]) == (25, False, 25)
    assert len(_people_in(runner, "demo", "SN CTOs")) == 25
    assert report["credits"]["spent"] == 25
    assert _sandbox(runner).credits_balance("demo") == 975
    assert clock.sleeps[-5:] == [2.0, 4.0, 8.0, 16.0, 30.0]
    assert _operations(report)[-6:] == ["start_sales_nav_import", *["list_rows"] * 5]


async def test_a_sales_nav_import_capped_by_credits_says_so(
    runner: AgentRunner,
) -> None:
    """Credits spent elsewhere while paused: Puffle caps the import, and the report says so."""
    paused = await runner.start(f"Import 25 leads from Sales Navigator: {SALES_NAV_URL}", "demo")
    _sandbox(runner).spend_credits("demo", 990)
    report = await _approve(runner, paused)

    assert (report["result"]["arrived"], report["result"]["was_capped"]) == (10, True)
    assert "capped" in report["summary"]
    assert _sandbox(runner).credits_balance("demo") == 0


async def test_sales_nav_short_of_credits_offers_a_batch_and_spends_nothing(
    runner: AgentRunner,
) -> None:
    """25 leads on 5 credits: a batch of 5 is offered before anything starts."""
    report = await runner.start(f"Import 25 leads from Sales Nav {SALES_NAV_URL}", "low_credits")

    assert report["pause"]["kind"] == "insufficient_credits"
    assert report["pause"]["details"]["batch_that_fits"] == 5
    assert _writes(runner, "low_credits") == []
    assert _sandbox(runner).ledger("low_credits") == []


async def test_without_sales_nav_access_the_run_asks_a_person_to_connect(
    runner: AgentRunner,
) -> None:
    """No LinkedIn account with Sales Navigator: `oauth_required`, and nothing written."""
    report = await runner.start(f"Import 25 leads from {SALES_NAV_URL}", "no_senders")

    assert report["pause"]["kind"] == "oauth_required"
    assert "retry" in report["pause"]["answers"]
    assert _operations(report)[-1] == "get_sales_nav_access"
    assert _writes(runner, "no_senders") == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://www.linkedin.com/sales/search/company?query=(x)", "account (company) search"),
        ("https://www.linkedin.com/sales/lists/people/123", "saved Sales Navigator list"),
        ("https://www.linkedin.com/in/jane-doe", "not a Sales Navigator people search"),
    ],
    ids=["account-search", "lead-list", "profile"],
)
async def test_urls_that_are_not_people_searches_are_refused_before_any_call(
    runner: AgentRunner, url: str, problem: str
) -> None:
    """Account searches, saved lists and other pages pause with why, after boot only."""
    report = await runner.start(f"Import leads from Sales Navigator {url}", "demo")

    assert report["pause"]["kind"] == "invalid_input"
    assert problem in report["pause"]["message"]
    assert _operations(report) == BOOT

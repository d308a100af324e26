"""The sandbox's import endpoints against the documented contract and the agent's models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from agent import operations as ops
from agent.clock import FakeClock
from sandbox import Sandbox
from sandbox._imports import sales_nav_result_count

CSV = b"first_name,last_name,email,company\r\nJorg,Muller,jm@acme.example,ACME\r\n"
MAPPING = {"first_name": "first_name", "last_name": "last_name", "email": "email"}
PEOPLE_SEARCH = "https://www.linkedin.com/sales/search/people?query=(keywords%3ACTO)"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


def _client(sandbox: Sandbox, workspace: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox",
        headers={"Authorization": f"Bearer {sandbox.api_key_for(workspace)}"},
    )


@pytest.fixture
async def demo(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(sandbox, "demo") as client:
        yield client


def _accepted(operation: ops.Operation[Any, Any], response: httpx.Response) -> Any:
    assert response.is_success, response.text
    model: type[BaseModel] = operation.response_model
    model.model_validate(response.json())
    return response.json()


def _upload(content: bytes = CSV) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("leads.csv", content, "text/csv")}


async def _list_id(client: httpx.AsyncClient, name: str) -> str:
    lists = (await client.get("/api/lists")).json()["lists"]
    return next(item["id"] for item in lists if item["name"] == name)


async def test_a_new_list_preview_suggests_a_mapping_and_writes_nothing(
    sandbox: Sandbox, demo: httpx.AsyncClient
) -> None:
    """The multipart preview answers columns, mapping, first rows, count and csvText only."""
    before = sandbox.lists("demo")

    body = _accepted(
        ops.PREVIEW_NEW_LIST_IMPORT,
        await demo.post("/api/lists/create-with-import", files=_upload()),
    )

    assert body["dataType"] == "people"
    assert body["personMapping"] == {**MAPPING, "company": "company"}
    assert (body["totalRows"], body["fileName"]) == (1, "leads.csv")
    assert body["previewRows"][0]["email"] == "jm@acme.example"
    assert sandbox.lists("demo") == before


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"json": {"file": "first_name\nAda"}}, "file"),
        ({"files": _upload(b"x" * (10 * 1024 * 1024 + 1))}, "max 10 MB"),
        ({"files": _upload(b"\xff\xfe\x00\x00binary")}, "UTF-8 CSV"),
    ],
    ids=["json-not-multipart", "over-10-mb", "not-utf8"],
)
async def test_a_preview_refuses_what_the_docs_refuse(
    demo: httpx.AsyncClient, request_kwargs: dict[str, Any], message: str
) -> None:
    """JSON instead of multipart, a file over 10 MB or unreadable bytes answer 400."""
    response = await demo.post("/api/lists/create-with-import", **request_kwargs)

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


async def test_confirming_a_new_list_creates_it_and_charges_per_row(
    sandbox: Sandbox, demo: httpx.AsyncClient
) -> None:
    """The confirm makes the list, writes its rows and debits IMPORT_LEAD per imported row."""
    preview = (await demo.post("/api/lists/create-with-import", files=_upload())).json()

    body = _accepted(
        ops.CONFIRM_NEW_LIST_IMPORT,
        await demo.put(
            "/api/lists/create-with-import",
            json={"name": "Imported", "csvText": preview["csvText"], "personMapping": MAPPING},
        ),
    )

    assert (body["imported"], body["total"]) == (1, 1)
    rows = _accepted(ops.LIST_ROWS, await demo.get(f"/api/lists/{body['listId']}/rows"))["rows"]
    assert rows[0]["profileData"]["email"] == "jm@acme.example"
    assert sandbox.ledger("demo") == [
        {"action": "IMPORT_LEAD", "count": 1, "credits": 1, "at": sandbox.clock.time()}
    ]


async def test_short_credits_truncate_a_new_list_import_and_none_is_a_402(
    sandbox: Sandbox,
) -> None:
    """5 credits import 5 of 8 rows (still a success); at 0 credits the confirm is a 402."""
    rows = "".join(f"Lead{n},T,l{n}@x.example,X\r\n" for n in range(8))
    csv_text = "first_name,last_name,email,company\r\n" + rows
    confirm = {"name": "Eight", "csvText": csv_text, "personMapping": MAPPING}
    async with _client(sandbox, "low_credits") as low:
        first = await low.put("/api/lists/create-with-import", json=confirm)
        second = await low.put("/api/lists/create-with-import", json={**confirm, "name": "More"})

    assert (first.json()["imported"], first.json()["total"]) == (5, 8)
    assert second.status_code == 402
    assert sandbox.credits_balance("low_credits") == 0


async def test_an_existing_list_import_is_free_and_merges_duplicates(
    sandbox: Sandbox, demo: httpx.AsyncClient
) -> None:
    """Into an existing list: new rows added, a known person merged, no credit taken."""
    list_id = await _list_id(demo, "Webinar attendees - October")
    content = (
        b"first_name,last_name,email,company\r\n"
        b"Ben,Hartley,ben@quantix.example,Quantix\r\n"
        b"Ada,Lovelace,ada@engines.example,Engines\r\n"
    )
    preview = _accepted(
        ops.PREVIEW_LIST_IMPORT,
        await demo.post(f"/api/lists/{list_id}/import", files=_upload(content)),
    )

    body = _accepted(
        ops.CONFIRM_LIST_IMPORT,
        await demo.put(
            f"/api/lists/{list_id}/import",
            json={"csv_text": preview["csv_text"], "mapping": preview["auto_mapping"]},
        ),
    )

    assert (body["imported"], body["updated"], body["total"]) == (1, 1, 2)
    assert len(body["rowIds"]) == 2
    assert sandbox.credits_balance("demo") == 1000
    rows = (await demo.get(f"/api/lists/{list_id}/rows", params={"limit": 500})).json()
    assert rows["total"] == 13


async def test_people_in_other_lists_are_skipped_unless_asked(demo: httpx.AsyncClient) -> None:
    """`skipExistingCustomers` (default true) skips people already in another list."""
    csv_text = "first_name,last_name,company\r\nPriya,Raman,Clearvault Payments\r\n"
    mapping = {"first_name": "first_name", "last_name": "last_name", "company": "company"}
    confirm = {"csvText": csv_text, "personMapping": mapping}

    skipped = await demo.put("/api/lists/create-with-import", json={"name": "A", **confirm})
    kept = await demo.put(
        "/api/lists/create-with-import",
        json={"name": "B", **confirm, "skipExistingCustomers": False},
    )

    assert (skipped.json()["imported"], skipped.json()["crossListSkipped"]) == (0, 1)
    assert (kept.json()["imported"], kept.json()["crossListSkipped"]) == (1, 0)


async def test_sales_nav_access_is_per_workspace(sandbox: Sandbox, demo: httpx.AsyncClient) -> None:
    """`demo` has a LinkedIn account with Sales Navigator; `no_senders` has none."""
    access = _accepted(ops.GET_SALES_NAV_ACCESS, await demo.get("/api/lists/sales-nav-access"))
    async with _client(sandbox, "no_senders") as none:
        without = (await none.get("/api/lists/sales-nav-access")).json()

    assert access["hasSalesNavigator"] is True
    assert access["account"]["providerAccountId"] == "unipile_acc_ledgerline01"
    assert without == {"hasSalesNavigator": False, "account": None}


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/sales/search/company?query=(x)",
        "https://www.linkedin.com/in/someone",
        "https://example.com/sales/search/people",
    ],
)
async def test_sales_nav_takes_people_searches_only(demo: httpx.AsyncClient, url: str) -> None:
    """Account searches, profiles and other hosts answer 400."""
    response = await demo.post("/api/lists/import-sales-nav", json={"url": url})

    assert response.status_code == 400


async def test_sales_nav_refuses_a_list_of_another_workspace(
    sandbox: Sandbox, demo: httpx.AsyncClient
) -> None:
    """A `listId` the caller does not own answers 403."""
    async with _client(sandbox, "low_credits") as other:
        foreign = await _list_id(other, "Fintech CTOs")

    response = await demo.post(
        "/api/lists/import-sales-nav", json={"url": PEOPLE_SEARCH, "listId": foreign}
    )

    assert response.status_code == 403


async def test_sales_nav_fills_the_list_on_the_clock_and_charges_each_row(
    sandbox: Sandbox, demo: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Nothing at first, then a row every two seconds, each charged, until the maximum."""
    started = _accepted(
        ops.START_SALES_NAV_IMPORT,
        await demo.post(
            "/api/lists/import-sales-nav", json={"url": PEOPLE_SEARCH, "maxResults": 20}
        ),
    )
    rows_path = f"/api/lists/{started['listId']}/rows"

    counts: list[int] = []
    for _ in range(5):
        counts.append((await demo.get(rows_path)).json()["total"])
        clock.advance(15)

    assert started["wasCapped"] is False
    assert counts == [0, 5, 12, 20, 20]
    assert sandbox.credits_balance("demo") == 980
    assert sales_nav_result_count(PEOPLE_SEARCH) >= 30


async def test_sales_nav_is_capped_by_the_balance_and_a_402_at_zero(sandbox: Sandbox) -> None:
    """5 credits cap a 25-lead import at 5 (`wasCapped`); at 0 the start is a 402."""
    async with _client(sandbox, "low_credits") as low:
        capped = await low.post(
            "/api/lists/import-sales-nav", json={"url": PEOPLE_SEARCH, "maxResults": 25}
        )
        sandbox.spend_credits("low_credits", 5)
        refused = await low.post("/api/lists/import-sales-nav", json={"url": PEOPLE_SEARCH})

    assert (capped.json()["maxResults"], capped.json()["wasCapped"]) == (5, True)
    assert refused.status_code == 402

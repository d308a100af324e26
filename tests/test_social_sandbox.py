"""The sandbox's calendar, settings and v1 signal endpoints answer as the docs describe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from agent.clock import FakeClock
from sandbox import Sandbox

NOW = datetime(2027, 3, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=FakeClock(start=NOW.timestamp()))


@pytest.fixture
async def demo(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox.test",
        headers={"Authorization": f"Bearer {sandbox.api_key_for('demo')}"},
    ) as http:
        yield http


def _post(account_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "content": "Hello",
        "account_ids": [account_id],
        "status": "scheduled",
        "scheduled_at": "2027-03-28T07:00:00Z",
        **changes,
    }


async def _account_id(demo: httpx.AsyncClient) -> str:
    return (await demo.get("/api/calendar/accounts")).json()["accounts"][0]["id"]


async def test_settings_give_the_seeded_timezone(demo: httpx.AsyncClient) -> None:
    """demo set Europe/Berlin itself, so it is not the default."""
    settings = (await demo.get("/api/settings")).json()

    assert settings["timezone"] == {"timezone": "Europe/Berlin", "isDefault": False}


async def test_the_calendar_is_created_once_on_first_read(demo: httpx.AsyncClient) -> None:
    """Two reads give the same calendar, named as Puffle names it."""
    first = (await demo.get("/api/calendar")).json()["calendar"]
    second = (await demo.get("/api/calendar")).json()["calendar"]

    assert first == second
    assert first["name"] == "My Content Calendar"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scheduled_at": "2027-03-27T09:58:00Z"}, "scheduled_at must be in the future"),
        ({"content": "x" * 3001}, "linkedin allows 3000"),
        ({"content": ""}, "content is required"),
        ({"scheduled_at": None}, "scheduled_at is required"),
        ({"account_ids": ["not-an-account"]}, "unknown account ids"),
    ],
)
async def test_invalid_posts_are_refused_with_400(
    demo: httpx.AsyncClient, sandbox: Sandbox, changes: dict[str, Any], message: str
) -> None:
    """Past times, over-length or empty content and unknown accounts answer 400, store nothing."""
    answer = await demo.post("/api/calendar/posts", json=_post(await _account_id(demo), **changes))

    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]
    assert sandbox.social_posts("demo") == []


async def test_a_post_within_the_grace_minute_is_accepted(demo: httpx.AsyncClient) -> None:
    """30 s ago is inside the documented one-minute grace."""
    answer = await demo.post(
        "/api/calendar/posts",
        json=_post(await _account_id(demo), scheduled_at="2027-03-27T09:59:30Z"),
    )

    assert answer.status_code == 200
    assert answer.json()["post"]["late_post_id"].startswith("late_")


async def test_the_scheduled_list_is_ordered_by_time(demo: httpx.AsyncClient) -> None:
    """Posts come back by scheduled_at ascending, drafts filtered out by status."""
    account_id = await _account_id(demo)
    for when in ("2027-03-30T07:00:00Z", "2027-03-28T07:00:00Z"):
        await demo.post("/api/calendar/posts", json=_post(account_id, scheduled_at=when))
    await demo.post("/api/calendar/posts", json=_post(account_id, status="draft"))

    posts = (await demo.get("/api/calendar/posts", params={"status": "scheduled"})).json()["posts"]

    assert [p["scheduled_at"] for p in posts] == ["2027-03-28T07:00:00Z", "2027-03-30T07:00:00Z"]
    assert posts[0]["account_display_name"] == "Lena Hoffmann"


def _new_type(name: str, keywords: list[str] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "keywords": keywords or ["k"],
        "search_instructions": "find",
        "scoring_criteria": "score",
        "sources": ["news"],
    }


async def test_a_duplicate_type_name_is_409(demo: httpx.AsyncClient) -> None:
    """Names are unique per workspace: the seeded 'Payments pain' cannot be created again."""
    answer = await demo.post("/api/v1/signals/types", json=_new_type("Payments pain"))

    assert answer.status_code == 409


async def test_the_21st_type_and_the_51st_keyword_are_400(
    demo: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """At most 20 types and 50 keywords per type."""
    too_many_keywords = await demo.post(
        "/api/v1/signals/types", json=_new_type("Wide", [f"k{n}" for n in range(51)])
    )
    for n in range(15):
        assert (
            await demo.post("/api/v1/signals/types", json=_new_type(f"T{n}"))
        ).status_code == 200
    twenty_first = await demo.post("/api/v1/signals/types", json=_new_type("One more"))

    assert too_many_keywords.status_code == 400
    assert twenty_first.status_code == 400
    assert "Maximum of 20" in twenty_first.json()["error"]["message"]
    assert len(sandbox.signal_types("demo")) == 20


async def test_built_ins_keep_their_name_and_sources(demo: httpx.AsyncClient) -> None:
    """Renaming a built-in or changing its sources is 400; enabling it is fine."""
    hiring = (await demo.get("/api/v1/signals/types")).json()["signal_types"][0]
    path = f"/api/v1/signals/types/{hiring['id']}"

    renamed = await demo.patch(path, json={"name": "Jobs"})
    resourced = await demo.patch(path, json={"sources": ["reddit"]})
    disabled = await demo.patch(path, json={"enabled": False})

    assert (renamed.status_code, resourced.status_code) == (400, 400)
    assert disabled.json()["enabled"] is False


async def test_the_feed_filters_and_cursor(demo: httpx.AsyncClient) -> None:
    """Funding only, newest first, two per page: the cursor walks all three funding signals."""
    titles: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"signal_type": "funding", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await demo.get("/api/v1/signals", params=params)).json()
        titles += [s["title"] for s in page["signals"]]
        cursor = page["pagination"]["cursor"]
        if not page["pagination"]["has_more"]:
            break

    assert titles == [
        "Northgate Ledger raises a $40M Series B",
        "Coinrail closes its seed round",
        "Openmint raises $12M",
    ]

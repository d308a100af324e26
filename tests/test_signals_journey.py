"""Journey 4 through the whole graph: signal types and the feed, embedded sandbox, fake clock."""

from __future__ import annotations

from typing import Any

import httpx

from agent.pauses import HumanAnswer
from agent.runner import AgentRunner
from sandbox import Sandbox

WRITE_ROUTES = ("POST /api/v1/signals/types", "PATCH /api/v1/signals/types/{id}")


def _sandbox(runner: AgentRunner) -> Sandbox:
    return runner.target.sandbox


def _requests(runner: AgentRunner, workspace: str = "demo") -> list[str]:
    return [str(r.route) for r in _sandbox(runner).requests(workspace)]


def _writes(runner: AgentRunner, workspace: str = "demo") -> list[str]:
    return [route for route in _requests(runner, workspace) if route.startswith(("POST", "PATCH"))]


def _type(runner: AgentRunner, label: str) -> dict[str, Any]:
    return next(t for t in _sandbox(runner).signal_types("demo") if t["label"] == label)


async def _api(sandbox: Sandbox, method: str, path: str, body: Any = None) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox.test",
        headers={"Authorization": f"Bearer {sandbox.api_key_for('demo')}"},
    ) as http:
        return await http.request(method, path, json=body)


async def test_a_pure_read_needs_no_approval_and_applies_the_filters(
    runner: AgentRunner,
) -> None:
    """Last 7 days, hiring only, score above 80: exactly the two seeded signals that qualify."""
    report = await runner.start(
        "show me the hiring signals from the last 7 days with score above 80", "demo"
    )

    assert report["status"] == "completed", report["summary"]
    assert [(s["company"], s["score"]) for s in report["result"]["signals"]] == [
        ("Ledgerwise", 95),
        ("Clearvault Payments", 92),
    ]
    assert report["result"]["feed"]["filters"]["signal_types"] == ["hiring"]
    assert "Ledgerwise" in report["result"]["summary"]
    assert _writes(runner) == []


async def test_the_feed_is_paged_with_its_cursor_until_done(runner: AgentRunner) -> None:
    """Twelve live signals in pages of ten: two pages, every signal once, the dismissed one not."""
    report = await runner.start("show me the top 20 signals", "demo")

    feed = report["result"]["feed"]
    assert (feed["pages"], feed["matched"], feed["complete"]) == (2, 12, True)
    titles = [s["title"] for s in report["result"]["signals"]]
    assert len(titles) == len(set(titles)) == 12
    assert "Sterling Rails is hiring a CTO" not in titles
    assert [s["score"] for s in report["result"]["signals"]][:3] == [95, 92, 91]
    paths = [r.path for r in _sandbox(runner).requests("demo") if r.path == "/api/v1/signals"]
    assert len(paths) == 2


async def test_a_minimum_score_stops_paging_once_scores_fall_below_it(
    runner: AgentRunner,
) -> None:
    """Sorted by score, the first page already ends under 81, so one page is read."""
    report = await runner.start("only signals with score above 80", "demo")

    feed = report["result"]["feed"]
    assert feed["pages"] == 1
    assert [s["score"] for s in report["result"]["signals"]] == [95, 92, 91, 88, 85, 81]


async def test_enabling_a_type_waits_for_approval_then_patches_it(runner: AgentRunner) -> None:
    """'enable the funding signal' shows the change, writes nothing, then enables on approve."""
    paused = await runner.start("enable the funding signal", "demo")

    assert paused["pause"]["kind"] == "approval_required"
    [change] = paused["pause"]["details"]["changes"]
    assert (change["label"], change["set"], change["was"]) == (
        "funding",
        {"enabled": True},
        {"enabled": False},
    )
    assert "no credit cost" in paused["pause"]["message"]
    assert paused["pause"]["details"]["chain"] == ["PATCH /api/v1/signals/types/{type_id}"]
    assert _writes(runner) == []

    report = await runner.resume(paused["run_id"], HumanAnswer(answer="approve"))

    assert report["status"] == "completed"
    assert _type(runner, "funding")["enabled"] is True
    assert _writes(runner) == ["PATCH /api/v1/signals/types/{type_id}"]


async def test_tracking_a_role_adds_it_to_the_hiring_keywords(runner: AgentRunner) -> None:
    """'track companies hiring a Head of Payments' appends the role to hiring's keywords."""
    paused = await runner.start("track companies hiring a Head of Payments", "demo")
    await runner.resume(paused["run_id"], HumanAnswer(answer="approve"))

    assert _type(runner, "hiring")["keywords"] == [
        "payments engineer",
        "fintech",
        "head of engineering",
        "Head of Payments",
    ]


async def test_too_many_keywords_pause_and_write_nothing(runner: AgentRunner) -> None:
    """3 keywords plus 48 new ones is 51, over the 50 a type holds: limit_exceeded, no write."""
    keywords = ", ".join(f"term{n}" for n in range(48))

    report = await runner.start(f"add keywords {keywords} to the hiring signal", "demo")

    assert report["pause"]["kind"] == "limit_exceeded"
    assert "51 keywords" in report["pause"]["message"]
    assert _writes(runner) == []
    assert len(_type(runner, "hiring")["keywords"]) == 3


async def test_too_many_types_pause_and_create_none(runner: AgentRunner) -> None:
    """With 19 types, creating two more would make 21: nothing is created."""
    sandbox = _sandbox(runner)
    for n in range(14):
        created = await _api(
            sandbox,
            "POST",
            "/api/v1/signals/types",
            {
                "name": f"Custom {n}",
                "keywords": [f"k{n}"],
                "search_instructions": "find",
                "scoring_criteria": "score",
                "sources": ["news"],
            },
        )
        assert created.status_code == 200
    assert len(sandbox.signal_types("demo")) == 19

    report = await runner.start(
        'create a signal called "Treasury pain" for "cash forecasting" and '
        'create a signal called "FX exposure"',
        "demo",
    )

    assert report["pause"]["kind"] == "limit_exceeded"
    assert "Puffle allows 20" in report["pause"]["message"]
    assert len(sandbox.signal_types("demo")) == 19
    # Only the 14 set-up creates reached the sandbox; the agent sent none.
    assert _writes(runner).count("POST /api/v1/signals/types") == 14


async def test_a_name_taken_meanwhile_answers_409_and_the_existing_type_is_used(
    runner: AgentRunner,
) -> None:
    """Created by someone between approval and write: 409, then the existing type is reported."""
    sandbox = _sandbox(runner)
    paused = await runner.start(
        'create a signal called "Treasury pain" for "cash forecasting" on reddit', "demo"
    )
    assert paused["pause"]["details"]["changes"][0]["set"] == {
        "keywords": ["cash forecasting"],
        "sources": ["reddit"],
    }
    taken = await _api(
        sandbox,
        "POST",
        "/api/v1/signals/types",
        {
            "name": "Treasury pain",
            "keywords": ["treasury"],
            "search_instructions": "find",
            "scoring_criteria": "score",
            "sources": ["news"],
        },
    )
    assert taken.status_code == 200

    report = await runner.resume(paused["run_id"], HumanAnswer(answer="approve"))

    assert report["status"] == "completed", report["summary"]
    [change] = report["result"]["changes"]
    assert (change["existed"], change["result"]["id"]) == (True, taken.json()["id"])
    statuses = [r.status for r in sandbox.requests("demo") if r.route == WRITE_ROUTES[0]]
    assert statuses == [200, 409]
    assert [t["label"] for t in sandbox.signal_types("demo")].count("Treasury pain") == 1


async def test_an_unknown_type_pauses_with_the_existing_ones(runner: AgentRunner) -> None:
    """A type that does not exist is named, with the workspace's types, and nothing is written."""
    report = await runner.start("add keywords treasury to the stablecoin signal", "demo")

    assert report["pause"]["kind"] == "not_found"
    assert "hiring" in report["pause"]["details"]["existing_types"]
    assert _writes(runner) == []


async def test_creating_a_type_that_exists_writes_nothing_and_says_so(
    runner: AgentRunner,
) -> None:
    """'Payments pain' is already a type: no approval, no write, and the summary names it."""
    report = await runner.start('create a signal called "Payments pain"', "demo")

    assert report["status"] == "completed"
    assert "Already existed, left as they are: Payments pain." in report["result"]["summary"]
    assert _writes(runner) == []

"""Journey 5 through the whole graph: scheduling a post on the embedded sandbox, fake clock."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from agent.clock import FakeClock
from agent.pauses import HumanAnswer
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from prompts import load_prompt
from sandbox import Sandbox
from tests.test_model_endpoint import FakeModelEndpoint, ScriptedAnswer, tool_answer

POST_TEXT = "We just shipped instant reconciliation for payment teams."


def _epoch(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


@pytest.fixture
def clock() -> FakeClock:
    # Saturday 2027-03-27 10:00 UTC: Europe moves its clocks forward the next night.
    return FakeClock(start=_epoch(2027, 3, 27, 10))


@pytest.fixture
async def runner(clock: FakeClock) -> AsyncIterator[AgentRunner]:
    settings = Settings()
    async with AgentRunner(settings, target=embedded_target(settings, clock=clock)) as agent:
        yield agent


def _sandbox(runner: AgentRunner) -> Sandbox:
    return runner.target.sandbox


def _routes(runner: AgentRunner, workspace: str) -> list[str]:
    return [str(r.route) for r in _sandbox(runner).requests(workspace)]


async def _approve(runner: AgentRunner, report: dict[str, Any]) -> dict[str, Any]:
    assert report["pause"]["kind"] == "approval_required", report["summary"]
    return await runner.resume(report["run_id"], HumanAnswer(answer="approve"))


@pytest.mark.parametrize(
    ("start", "workspace", "goal", "expected_utc"),
    [
        # Berlin springs forward on 2027-03-28: 09:00 is CEST (+2).
        (
            _epoch(2027, 3, 27, 10),
            "demo",
            f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"',
            "2027-03-28T07:00:00Z",
        ),
        # Berlin falls back on 2027-10-31: 09:00 is CET (+1).
        (
            _epoch(2027, 10, 30, 10),
            "demo",
            f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"',
            "2027-10-31T08:00:00Z",
        ),
        # New York (the default zone of low_credits) springs forward on 2027-03-14: EDT (-4).
        (
            _epoch(2027, 3, 13, 15),
            "low_credits",
            f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"',
            "2027-03-14T13:00:00Z",
        ),
        # New York falls back on 2027-11-07: EST (-5).
        (
            _epoch(2027, 11, 6, 15),
            "low_credits",
            f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"',
            "2027-11-07T14:00:00Z",
        ),
        # An explicit zone beats the workspace's: New York time from the Berlin workspace.
        (
            _epoch(2027, 3, 10, 12),
            "demo",
            f'Schedule "{POST_TEXT}" on 2027-03-14 at 09:30 America/New_York',
            "2027-03-14T13:30:00Z",
        ),
        # Two real hours from 01:30 CET on the night of the jump is 04:30 CEST.
        (
            _epoch(2027, 3, 28, 0, 30),
            "demo",
            f'Post on LinkedIn in two hours: "{POST_TEXT}"',
            "2027-03-28T02:30:00Z",
        ),
    ],
)
async def test_the_exact_utc_instant_reaches_the_sandbox_across_dst(
    start: float, workspace: str, goal: str, expected_utc: str
) -> None:
    """The post is stored scheduled at the wall-clock time in the right zone, DST included."""
    settings = Settings()
    target = embedded_target(settings, clock=FakeClock(start=start))
    async with AgentRunner(settings, target=target) as runner:
        report = await _approve(runner, await runner.start(goal, workspace))

        assert report["status"] == "completed", report["summary"]
        [stored] = _sandbox(runner).social_posts(workspace)
        assert (stored["status"], stored["scheduled_at"]) == ("scheduled", expected_utc)
        assert stored["content"] == POST_TEXT
        assert report["result"]["post"]["scheduled_at"] == expected_utc
        assert report["result"]["post"]["confirmed"] is True


async def test_the_chain_is_the_documented_one_and_the_approval_shows_both_zones(
    runner: AgentRunner,
) -> None:
    """Calendar, accounts, settings, approval with local and UTC time, create, verify."""
    paused = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"', "demo"
    )

    details = paused["pause"]["details"]
    assert details["scheduled_local"] == "2027-03-28T09:00:00+02:00"
    assert details["scheduled_at"] == "2027-03-28T07:00:00Z"
    assert (details["timezone"], details["timezone_is_default"]) == ("Europe/Berlin", False)
    assert details["account"]["name"] == "Lena Hoffmann"
    assert details["content"] == POST_TEXT
    assert "POST /api/calendar/posts" in details["chain"]
    assert "no credit cost" in paused["pause"]["message"]
    assert _sandbox(runner).social_posts("demo") == []

    report = await _approve(runner, paused)

    operations = [call["operation"] for call in report["calls"]]
    assert operations[2:] == [
        "get_calendar",
        "list_social_accounts",
        "get_settings",
        "list_social_posts",
        "create_social_post",
        "list_social_posts",
    ]


async def test_a_default_timezone_is_named_for_confirmation(runner: AgentRunner) -> None:
    """low_credits never set its timezone: the approval says it is New York by default."""
    paused = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"', "low_credits"
    )

    assert paused["pause"]["kind"] == "approval_required"
    assert paused["pause"]["details"]["timezone_is_default"] is True
    assert "America/New_York, Puffle's default" in paused["pause"]["message"]
    assert "confirm" in paused["pause"]["message"]


async def test_a_past_time_is_refused_before_any_write(runner: AgentRunner) -> None:
    """A date already gone pauses with invalid_time and nothing is posted."""
    report = await runner.start(f'Schedule "{POST_TEXT}" on 2027-03-20 at 09:00', "demo")

    assert report["pause"]["kind"] == "invalid_time"
    assert "is in the past" in report["pause"]["message"]
    assert "POST /api/calendar/posts" not in _routes(runner, "demo")
    assert _sandbox(runner).social_posts("demo") == []


async def test_over_length_content_is_refused_before_any_calendar_call(
    runner: AgentRunner,
) -> None:
    """3,001 characters for LinkedIn stop the journey before it touches the calendar."""
    long_text = "x" * 3001

    report = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{long_text}"', "demo"
    )

    assert report["pause"]["kind"] == "limit_exceeded"
    assert report["pause"]["details"] == {"length": 3001, "limit": 3000, "platform": "linkedin"}
    assert _routes(runner, "demo") == ["GET /api/onboarding/status", "GET /api/context"]


async def test_an_x_post_over_280_characters_is_refused(runner: AgentRunner) -> None:
    """X allows 280 characters; 281 pause before any calendar call."""
    report = await runner.start(f'tweet "{"y" * 281}" tomorrow at noon', "demo")

    assert report["pause"]["details"]["limit"] == 280
    assert not any("calendar" in route for route in _routes(runner, "demo"))


async def test_no_connected_account_asks_for_oauth_and_never_calls_it(
    runner: AgentRunner,
) -> None:
    """no_social has no calendar account: oauth_required, and no /api/late path is called."""
    report = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"', "no_social"
    )

    assert report["pause"]["kind"] == "oauth_required"
    assert report["pause"]["answers"] == ["retry", "deny"]
    routes = _routes(runner, "no_social")
    assert routes[-2:] == ["GET /api/calendar", "GET /api/calendar/accounts"]
    assert not any("/api/late" in r.path for r in _sandbox(runner).requests("no_social"))


async def test_a_topic_without_a_model_pauses_for_the_content(runner: AgentRunner) -> None:
    """With no model configured, a post to be written pauses with edit, before any call."""
    report = await runner.start(
        "write a post about our new reconciliation API and schedule it for Friday 10am", "demo"
    )

    assert report["pause"]["kind"] == "not_found"
    assert "content must be given" in report["pause"]["message"]
    assert "edit" in report["pause"]["answers"]

    edited = await runner.resume(
        report["run_id"], HumanAnswer(answer="edit", parameters={"content": POST_TEXT})
    )
    finished = await _approve(runner, edited)
    [stored] = _sandbox(runner).social_posts("demo")
    assert (stored["content"], stored["scheduled_at"]) == (POST_TEXT, "2027-04-02T08:00:00Z")
    assert finished["result"]["post"]["content_source"] == "goal"


async def test_an_identical_scheduled_post_is_not_created_twice(runner: AgentRunner) -> None:
    """A post already scheduled with the same text, account and time is reused."""
    sandbox = _sandbox(runner)
    paused = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"', "demo"
    )
    account_id = paused["pause"]["details"]["account"]["id"]
    # An earlier attempt created it, and its answer was lost.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox.test",
        headers={"Authorization": f"Bearer {sandbox.api_key_for('demo')}"},
    ) as http:
        created = await http.post(
            "/api/calendar/posts",
            json={
                "content": POST_TEXT,
                "account_ids": [account_id],
                "status": "scheduled",
                "scheduled_at": "2027-03-28T07:00:00Z",
            },
        )
    assert created.status_code == 200

    report = await _approve(runner, paused)

    assert [p["id"] for p in sandbox.social_posts("demo")] == [created.json()["post"]["id"]]
    assert report["result"]["post"]["reused"] is True
    assert "create_social_post" not in [call["operation"] for call in report["calls"]]


async def test_an_x_post_without_an_x_account_asks_for_oauth(runner: AgentRunner) -> None:
    """demo has only LinkedIn connected, so an X post pauses with oauth_required."""
    report = await runner.start('Schedule an X post for tomorrow at 7am: "Ship it"', "demo")

    assert report["pause"]["kind"] == "oauth_required"
    assert "X/Twitter" in report["pause"]["message"]


async def test_a_model_writes_the_post_from_the_fenced_topic() -> None:
    """With a model, the topic goes in fenced as data and the model's text is scheduled."""
    written = "Reconciliation used to take days. Our new API closes the books in minutes."
    endpoint = FakeModelEndpoint(
        [
            tool_answer(
                "PlannerOutput",
                {
                    "plan": {
                        "journey": "social_post",
                        "when": "Friday 10am",
                        "topic": "our new reconciliation API",
                    }
                },
            ),
            ScriptedAnswer(content=written),
        ]
    )
    settings = Settings()
    target = embedded_target(settings, clock=FakeClock(start=_epoch(2027, 3, 27, 10)))
    async with AgentRunner(settings, target=target, chat_model=endpoint.chat_model()) as runner:
        paused = await runner.start(
            "write a post about our new reconciliation API and schedule it for Friday 10am", "demo"
        )
        assert paused["pause"]["details"]["content"] == written
        report = await _approve(runner, paused)

        [stored] = _sandbox(runner).social_posts("demo")
    assert (stored["content"], stored["scheduled_at"]) == (written, "2027-04-02T08:00:00Z")
    assert report["result"]["post"]["content_source"] == "model"
    system, user = endpoint.requests[1]["messages"]
    assert system["content"] == load_prompt("write_social_post")
    assert "<topic>\nour new reconciliation API\n</topic>" in user["content"]


# Edits redo only what they change

WRITTEN = "Reconciliation used to take days. Our new API closes the books in minutes."
TOPIC_GOAL = "write a post about our new reconciliation API and schedule it for {when}"
# The reads an edit must not repeat when it leaves their answers standing.
READS = ("GET /api/calendar", "GET /api/calendar/accounts", "GET /api/settings")


def _topic_endpoint(when: str) -> FakeModelEndpoint:
    """A model that plans a post about a topic, then writes it once; a third call fails the run."""
    plan = {"journey": "social_post", "when": when, "topic": "our new reconciliation API"}
    return FakeModelEndpoint(
        [tool_answer("PlannerOutput", {"plan": plan}), ScriptedAnswer(content=WRITTEN)]
    )


@asynccontextmanager
async def _runner_with(endpoint: FakeModelEndpoint) -> AsyncGenerator[AgentRunner]:
    settings = Settings()
    target = embedded_target(settings, clock=FakeClock(start=_epoch(2027, 3, 27, 10)))
    async with AgentRunner(settings, target=target, chat_model=endpoint.chat_model()) as runner:
        yield runner


def _read_counts(runner: AgentRunner) -> dict[str, int]:
    routes = _routes(runner, "demo")
    return {read: routes.count(read) for read in READS}


async def _edit(runner: AgentRunner, report: dict[str, Any], **parameters: Any) -> dict[str, Any]:
    return await runner.resume(report["run_id"], HumanAnswer(answer="edit", parameters=parameters))


async def test_a_new_time_for_an_invalid_time_keeps_the_written_post_and_the_reads() -> None:
    """A past time edited to a future one: no second model call, no second read, same text."""
    endpoint = _topic_endpoint("2020-01-01 at 09:00")
    async with _runner_with(endpoint) as runner:
        refused = await runner.start(TOPIC_GOAL.format(when="2020-01-01 at 09:00"), "demo")
        assert refused["pause"]["kind"] == "invalid_time"
        assert len(endpoint.requests) == 2

        paused = await _edit(runner, refused, when="tomorrow at 9")

        assert len(endpoint.requests) == 2
        assert _read_counts(runner) == dict.fromkeys(READS, 1)
        details = paused["pause"]["details"]
        assert (details["content"], details["when"]) == (WRITTEN, "tomorrow at 9")
        assert details["scheduled_at"] == "2027-03-28T07:00:00Z"
        assert "tomorrow" not in paused["pause"]["message"]  # the instant, not the phrase
        assert "Sunday 28 March 2027, 09:00" in paused["pause"]["message"]
        assert _sandbox(runner).social_posts("demo") == []

        report = await _approve(runner, paused)

        [stored] = _sandbox(runner).social_posts("demo")
    assert (stored["content"], stored["scheduled_at"]) == (WRITTEN, "2027-03-28T07:00:00Z")
    assert report["result"]["post"]["content_source"] == "model"
    assert len(endpoint.requests) == 2


async def test_a_text_edit_at_the_approval_is_scheduled_without_a_model_call() -> None:
    """The edited text replaces the model's, re-shown for approval, with no call to the model."""
    endpoint = _topic_endpoint("Friday 10am")
    edited_text = "Month-end close in minutes, not days: our reconciliation API is live."
    async with _runner_with(endpoint) as runner:
        first = await runner.start(TOPIC_GOAL.format(when="Friday 10am"), "demo")
        assert first["pause"]["details"]["content"] == WRITTEN

        paused = await _edit(runner, first, content=edited_text)

        assert paused["pause"]["kind"] == "approval_required"
        assert paused["pause"]["details"]["content"] == edited_text
        assert edited_text in paused["pause"]["message"]
        assert paused["pause"]["details"]["scheduled_at"] == "2027-04-02T08:00:00Z"
        assert _read_counts(runner) == dict.fromkeys(READS, 1)
        assert _sandbox(runner).social_posts("demo") == []

        await _approve(runner, paused)

        [stored] = _sandbox(runner).social_posts("demo")
    assert (stored["content"], stored["scheduled_at"]) == (edited_text, "2027-04-02T08:00:00Z")
    assert len(endpoint.requests) == 2


async def test_an_over_length_edited_text_is_refused_before_any_write() -> None:
    """3,001 edited characters pause with limit_exceeded; nothing is posted, no model call."""
    endpoint = _topic_endpoint("Friday 10am")
    async with _runner_with(endpoint) as runner:
        first = await runner.start(TOPIC_GOAL.format(when="Friday 10am"), "demo")

        refused = await _edit(runner, first, content="x" * 3001)

        assert refused["pause"]["kind"] == "limit_exceeded"
        assert refused["pause"]["details"] == {
            "length": 3001,
            "limit": 3000,
            "platform": "linkedin",
        }
        assert "POST /api/calendar/posts" not in _routes(runner, "demo")
        assert _sandbox(runner).social_posts("demo") == []

        fixed = await _edit(runner, refused, content=POST_TEXT)
        await _approve(runner, fixed)

        [stored] = _sandbox(runner).social_posts("demo")
    assert stored["content"] == POST_TEXT
    assert len(endpoint.requests) == 2


async def test_a_new_platform_rechecks_the_account_and_the_length_only(
    runner: AgentRunner,
) -> None:
    """An edit to X re-reads the accounts (demo has no X account); calendar and settings stay."""
    paused = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{POST_TEXT}"', "demo"
    )

    report = await _edit(runner, paused, platform="twitter")

    assert report["pause"]["kind"] == "oauth_required"
    assert "X/Twitter" in report["pause"]["message"]
    assert _read_counts(runner) == {
        "GET /api/calendar": 1,
        "GET /api/calendar/accounts": 2,
        "GET /api/settings": 1,
    }
    assert _sandbox(runner).social_posts("demo") == []


async def test_a_new_platform_too_short_for_the_text_is_refused_before_the_accounts(
    runner: AgentRunner,
) -> None:
    """A 300-character LinkedIn post edited to X exceeds 280 before any account is re-read."""
    long_text = "z" * 300
    paused = await runner.start(
        f'schedule a LinkedIn post for tomorrow at 9: "{long_text}"', "demo"
    )

    report = await _edit(runner, paused, platform="twitter")

    assert report["pause"]["kind"] == "limit_exceeded"
    assert report["pause"]["details"]["limit"] == 280
    assert _read_counts(runner) == dict.fromkeys(READS, 1)

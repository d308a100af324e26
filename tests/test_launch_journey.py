"""Journey 1 through the whole graph, against the embedded sandbox on a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from agent.clock import FakeClock
from agent.pauses import HumanAnswer
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from sandbox import FaultRule, Sandbox, SandboxTimings

MAIN_GOAL = "Launch a LinkedIn campaign to the Fintech CTOs list"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Side-effect-free POSTs: the credit preview and the filter parser write nothing.
READ_ONLY_POSTS = {"/api/credits/preview", "/api/leads/parse-filters"}


@pytest.fixture
async def runner() -> AsyncIterator[AgentRunner]:
    settings = Settings()
    async with AgentRunner(settings, target=embedded_target(settings, clock=FakeClock())) as agent:
        yield agent


def _sandbox(runner: AgentRunner) -> Sandbox:
    return runner.target.sandbox


def _writes(runner: AgentRunner, workspace: str) -> list[str]:
    return [
        f"{request.method} {request.path}"
        for request in _sandbox(runner).requests(workspace)
        if request.method in WRITE_METHODS and request.path not in READ_ONLY_POSTS
    ]


async def _approve(runner: AgentRunner, report: dict[str, Any]) -> dict[str, Any]:
    assert report["pause"]["kind"] == "approval_required", report["summary"]
    return await runner.resume(report["run_id"], HumanAnswer(answer="approve"))


async def test_main_goal_launches_an_active_campaign_with_25_leads(runner: AgentRunner) -> None:
    """The README's goal ends with one active LinkedIn campaign holding the list's 25 leads."""
    paused = await runner.start(MAIN_GOAL, "demo")
    assert _writes(runner, "demo") == []

    report = await _approve(runner, paused)

    assert report["status"] == "completed"
    assert report["journey"] == "launch_campaign"
    campaign = report["result"]["campaign"]
    assert (campaign["status"], campaign["leads"], campaign["channel"]) == (
        "active",
        25,
        "linkedin",
    )
    [stored] = _sandbox(runner).campaigns("demo")
    assert (stored["id"], stored["status"], stored["leads_count"]) == (campaign["id"], "active", 25)
    assert [node["type"] for node in stored["sequence_nodes"]][-1] == "end"


async def test_boot_comes_first_and_the_chain_is_the_documented_one(runner: AgentRunner) -> None:
    """Onboarding status, then context, then the journey's documented chain, nothing extra."""
    report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    operations = [call["operation"] for call in report["calls"]]
    assert operations[:2] == ["get_onboarding_status", "get_context"]
    without_polls = [op for op in operations if op != "get_campaign"]
    assert without_polls == [
        "get_onboarding_status",
        "get_context",
        "list_senders",
        "list_lists",
        "list_campaigns",
        "create_campaign",
        "update_campaign",
        "import_campaign_leads_from_list",
        "generate_messages",
        "validate_campaign",
        "launch_campaign",
    ]


async def test_not_onboarded_pauses_before_any_write(runner: AgentRunner) -> None:
    """A workspace without onboarding stops at boot with `onboarding_incomplete`."""
    report = await runner.start(MAIN_GOAL, "not_onboarded")

    assert report["status"] == "paused"
    assert report["pause"]["kind"] == "onboarding_incomplete"
    assert _writes(runner, "not_onboarded") == []
    assert [call["operation"] for call in report["calls"]] == ["get_onboarding_status"]


async def test_an_audience_outside_the_icp_pauses_before_any_write(runner: AgentRunner) -> None:
    """Dentists do not fit a fintech ICP: `icp_mismatch`, and nothing is written."""
    report = await runner.start("Find 30 dentists in Ohio and launch a LinkedIn campaign", "demo")

    assert report["pause"]["kind"] == "icp_mismatch"
    assert _writes(runner, "demo") == []


async def test_short_credits_give_the_shortfall_and_a_batch_that_fits(runner: AgentRunner) -> None:
    """5 credits for a 50-lead search: 45 short, 5 fit, and nothing is spent."""
    goal = "Find 50 fintech CTOs and launch a LinkedIn campaign"

    report = await runner.start(goal, "low_credits")

    pause = report["pause"]
    assert pause["kind"] == "insufficient_credits"
    assert (pause["details"]["shortfall"], pause["details"]["batch_that_fits"]) == (45, 5)
    assert "smaller_batch" in pause["answers"]
    assert _sandbox(runner).credits_balance("low_credits") == 5
    assert _sandbox(runner).ledger("low_credits") == []
    assert _writes(runner, "low_credits") == []


async def test_the_smaller_batch_that_fits_runs_whole(runner: AgentRunner) -> None:
    """Answering with the batch that fits searches 5 people, spends 5 credits and launches."""
    goal = "Find 50 fintech CTOs and launch a LinkedIn campaign"
    short = await runner.start(goal, "low_credits")

    quoted = await runner.resume(short["run_id"], HumanAnswer(answer="smaller_batch", batch_size=5))
    report = await _approve(runner, quoted)

    assert report["status"] == "completed"
    assert report["result"]["campaign"]["leads"] == 5
    assert report["credits"]["spent"] == 5
    assert _sandbox(runner).credits_balance("low_credits") == 0


async def test_an_unknown_list_names_the_lists_that_exist(runner: AgentRunner) -> None:
    """`not_found` lists the workspace's lists, and an edit to a real one carries on."""
    report = await runner.start("Launch a LinkedIn campaign to the Fintech CEOs list", "demo")

    assert report["pause"]["kind"] == "not_found"
    assert sorted(report["pause"]["details"]["existing_lists"]) == [
        "Fintech CTOs",
        "Webinar attendees - October",
    ]

    edited = await runner.resume(
        report["run_id"], HumanAnswer(answer="edit", parameters={"list_name": "Fintech CTOs"})
    )
    assert (await _approve(runner, edited))["result"]["campaign"]["leads"] == 25


async def test_no_connected_sender_asks_a_person_to_connect_one(runner: AgentRunner) -> None:
    """Without a LinkedIn sender the run pauses `oauth_required` and never calls an OAuth path."""
    report = await runner.start(MAIN_GOAL, "no_senders")

    assert report["pause"]["kind"] == "oauth_required"
    assert not any("unipile" in request.path for request in _sandbox(runner).requests())


async def test_denying_the_approval_writes_nothing(runner: AgentRunner) -> None:
    """A declined approval stops the run with the workspace untouched."""
    paused = await runner.start(MAIN_GOAL, "demo")

    report = await runner.resume(paused["run_id"], HumanAnswer(answer="deny"))

    assert report["status"] == "stopped"
    assert _sandbox(runner).campaigns("demo") == []


async def test_a_goal_without_an_endpoint_says_what_the_agent_can_do(runner: AgentRunner) -> None:
    """Deleting the workspace has no documented endpoint: `no_documented_endpoint`."""
    report = await runner.start("Delete my whole workspace and all its data", "demo")

    assert report["pause"]["kind"] == "no_documented_endpoint"
    assert "launch" in report["pause"]["message"]
    assert ".." not in report["pause"]["message"]
    assert _writes(runner, "demo") == []


@pytest.mark.parametrize(
    ("route", "status", "kind"),
    [
        ("POST /api/campaigns", 500, "server_error"),
        ("POST /api/campaigns/{campaign_id}/launch", 500, "server_error"),
        ("POST /api/campaigns/{campaign_id}/leads/import-from-list", 403, "forbidden"),
        ("GET /api/campaigns/{campaign_id}/validate", 404, "not_found"),
    ],
)
async def test_a_persistent_failure_pauses_and_a_retry_never_duplicates(
    runner: AgentRunner, route: str, status: int, kind: str
) -> None:
    """Each failure pauses with its kind and correlation id; retrying ends with one campaign."""
    times = 2 if status >= 500 else 1
    _sandbox(runner).add_fault(FaultRule(route=route, nth=1, times=times, status=status))
    paused = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert paused["pause"]["kind"] == kind
    assert paused["pause"]["correlation_id"].startswith("corr_")
    report = await runner.resume(paused["run_id"], HumanAnswer(answer="retry"))

    assert report["status"] == "completed"
    [campaign] = _sandbox(runner).campaigns("demo")
    assert campaign["status"] == "active"


async def test_a_launch_answered_409_is_watched_not_repeated(runner: AgentRunner) -> None:
    """A 409 on launch means one is under way: the agent polls it instead of launching again."""
    sandbox = _sandbox(runner)
    sandbox.add_fault(FaultRule(route="POST /api/campaigns/{campaign_id}/launch", status=409))

    report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert report["status"] == "completed"
    launches = [r for r in sandbox.requests("demo") if r.path.endswith("/launch")]
    # The injected 409 answered without launching, so the agent launched exactly once more.
    assert [r.status for r in launches] == [409, 200]
    assert len(sandbox.campaigns("demo")) == 1


async def test_a_second_run_warns_and_names_the_campaign_it_will_make(runner: AgentRunner) -> None:
    """Running the goal again warns of the live campaign and shows the free name it will use."""
    first = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))
    second_approval = await runner.start(MAIN_GOAL, "demo")
    second = await _approve(runner, second_approval)

    pause = second_approval["pause"]
    assert pause["details"]["campaign_name"] == "Fintech CTOs - LinkedIn (2)"
    assert "'Fintech CTOs - LinkedIn' is already active" in pause["message"]

    names = [first["result"]["campaign"]["name"], second["result"]["campaign"]["name"]]
    assert names == ["Fintech CTOs - LinkedIn", "Fintech CTOs - LinkedIn (2)"]


async def test_a_launch_that_never_activates_times_out_with_the_correlation_id() -> None:
    """A launch stuck in `launching` ends in `async_timeout` after the backoff schedule."""
    settings = Settings(PUFFLE_AGENT_LAUNCH_POLL_CEILING=120)  # pyright: ignore[reportCallIssue]
    clock = FakeClock()
    sandbox = Sandbox(clock=clock, timings=SandboxTimings(launch_seconds=10_000))
    target = embedded_target(settings, sandbox=sandbox)

    async with AgentRunner(settings, target=target) as runner:
        report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert report["pause"]["kind"] == "async_timeout"
    launch_call = next(c for c in report["calls"] if c["operation"] == "launch_campaign")
    assert report["pause"]["correlation_id"] == launch_call["correlation_id"]
    # 2 + 4 + 8 + 16 + 30 + 30 + 30 = 120 s waited; one more 30 s wait would pass the ceiling.
    assert clock.sleeps[-7:] == [2, 4, 8, 16, 30, 30, 30]
    assert sum(1 for c in report["calls"] if c["operation"] == "get_campaign") == 7


async def test_a_puffle_ai_goal_runs_whole_on_the_template(runner: AgentRunner) -> None:
    """Asking for Puffle's per-lead AI messages falls back before any write, and says so."""
    goal = "Launch a LinkedIn campaign to the Fintech CTOs list with AI-personalised messages"

    report = await _approve(runner, await runner.start(goal, "demo"))

    assert report["status"] == "completed"
    assert report["credits"]["spent"] == 0
    assert any("not supported yet" in note for note in report["notes"])
    assert _sandbox(runner).ledger("demo") == []


@pytest.mark.parametrize(
    "goal",
    [
        "Launch an email campaign to the Fintech CTOs list",
        'Email the Webinar attendees - October list saying "Thanks for joining!" then "Any '
        'questions about the session?"',
    ],
)
async def test_email_campaigns_pass_the_pre_launch_check_and_go_active(
    runner: AgentRunner, goal: str
) -> None:
    """Every email in the sequence carries a subject, so Puffle's check passes first time."""
    report = await _approve(runner, await runner.start(goal, "demo"))

    assert report["status"] == "completed", report["summary"]
    assert report["result"]["campaign"]["channel"] == "email"
    [campaign] = _sandbox(runner).campaigns("demo")
    emails = [node for node in campaign["sequence_nodes"] if node["type"] == "email"]
    assert all(node["subject"] for node in emails)
    assert sum(1 for c in report["calls"] if c["operation"] == "validate_campaign") == 1


async def test_a_daily_limit_goes_to_email_campaigns_and_is_explained_on_linkedin(
    runner: AgentRunner,
) -> None:
    """Email campaigns get the goal's daily limit; a LinkedIn one says why it has none."""
    email = await _approve(
        runner, await runner.start("Email the Fintech CTOs list, max 20 per day", "demo")
    )
    linkedin = await _approve(runner, await runner.start(f"{MAIN_GOAL}, max 20 per day", "demo"))

    by_channel = {c["type"]: c for c in _sandbox(runner).campaigns("demo")}
    assert by_channel["email"]["daily_limit"] == 20
    assert email["status"] == linkedin["status"] == "completed"
    assert any("daily limit for email campaigns only" in note for note in linkedin["notes"])

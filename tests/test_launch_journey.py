"""Journey 1 through the whole graph, against the embedded sandbox on a fake clock."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from agent.clock import FakeClock
from agent.pauses import AnswerKind, HumanAnswer
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from graphs.state import THREAD_KEYS, RunState, new_goal_state
from sandbox import FaultRule, Sandbox, SandboxTimings
from tests.test_model_endpoint import FakeModelEndpoint, tool_answer

MAIN_GOAL = "Launch a LinkedIn campaign to the Fintech CTOs list"
AI_GOAL = (
    "Launch a LinkedIn campaign to the Fintech CTOs list and let Puffle's AI write a personal "
    "message for each lead"
)
NODE_PATH = "/api/campaigns/{campaign_id}/sequence/nodes/{node_id}"
GENERATE_PATH = "/api/campaigns/{campaign_id}/generate-messages"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Side-effect-free POSTs: the credit preview and the filter parser write nothing.
READ_ONLY_POSTS = {"/api/credits/preview", "/api/leads/parse-filters"}


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


async def test_a_search_is_counted_as_spent_when_it_completes(runner: AgentRunner) -> None:
    """Saving the results keeps failing after Puffle billed the search: the report says so."""
    sandbox = _sandbox(runner)
    route = "POST /api/leads/search/{search_id}/add-to-list"
    sandbox.add_fault(FaultRule(route=route, status=500, times=2))

    quoted = await runner.start("Find 40 fintech CTOs and launch a LinkedIn campaign", "demo")
    report = await _approve(runner, quoted)

    assert report["pause"]["kind"] == "server_error"
    billed = sum(line["credits"] for line in sandbox.ledger("demo"))
    assert billed == 40
    assert report["credits"]["spent"] == billed


async def test_a_smaller_batch_ends_with_its_goal_in_a_chat_thread(runner: AgentRunner) -> None:
    """The next goal of the thread is priced for its whole audience, not the last answer's 5."""
    goal = "Find 50 fintech CTOs and launch a LinkedIn campaign"
    short = await runner.start(goal, "low_credits", thread_id="chat")
    quoted = await runner.resume(short["run_id"], HumanAnswer(answer="smaller_batch", batch_size=5))
    assert (await _approve(runner, quoted))["status"] == "completed"

    second = await runner.start(
        "Launch a LinkedIn campaign to the Fintech CTOs list", "low_credits", thread_id="chat"
    )

    assert second["pause"]["kind"] == "approval_required"
    assert second["pause"]["details"]["leads"] == 25


def test_a_new_goal_resets_every_key_but_the_thread_ones() -> None:
    """A key added to `RunState` must be reset for each goal or kept on purpose, never forgotten."""
    reset = set(new_goal_state("a goal", "demo", 0))

    assert reset | THREAD_KEYS == set(RunState.__annotations__)
    assert not reset & THREAD_KEYS


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


async def test_a_puffle_ai_goal_prices_configures_generates_once_and_launches(
    runner: AgentRunner,
) -> None:
    """The approval prices 25 AI messages; the run briefs the AI step, pays 50 once, launches."""
    paused = await runner.start(AI_GOAL, "demo")

    details = paused["pause"]["details"]
    assert details["quote"]["lines"] == [
        {"action": "AI_MESSAGE_GENERATION", "count": 25, "cost_per_unit": 2, "credits": 50}
    ]
    chain = details["chain"]
    assert chain.index(f"PUT {NODE_PATH}") > chain.index("PATCH /api/campaigns/{campaign_id}")
    assert chain.index(f"PUT {NODE_PATH}") < chain.index(f"POST {GENERATE_PATH}")
    assert "Fintech CTOs" in details["ai_step"]["purpose"]
    assert _writes(runner, "demo") == []

    report = await _approve(runner, paused)

    assert report["status"] == "completed", report["summary"]
    operations = [call["operation"] for call in report["calls"]]
    assert operations.count("update_sequence_node") == 1
    assert operations.index("update_sequence_node") < operations.index("generate_messages")
    routes = [request.route for request in _sandbox(runner).requests("demo")]
    assert routes.count(f"POST {GENERATE_PATH}") == 2
    assert report["credits"] == {"quoted": 50, "spent": 50}
    assert [(e["action"], e["count"], e["credits"]) for e in _sandbox(runner).ledger("demo")] == [
        ("AI_MESSAGE_GENERATION", 25, 50)
    ]
    [campaign] = _sandbox(runner).campaigns("demo")
    assert campaign["status"] == "active"
    assert [node["type"] for node in campaign["sequence_nodes"]] == [
        "connection_request",
        "delay",
        "ai",
        "end",
    ]
    [ai_node] = [node for node in campaign["sequence_nodes"] if node["type"] == "ai"]
    assert ai_node["ai_node"]["purpose"] == details["ai_step"]["purpose"]
    # A resolved connection note and an AI-written message for each of the 25 leads.
    assert campaign["messages_count"] == 50


async def test_denying_a_puffle_ai_approval_writes_and_spends_nothing(runner: AgentRunner) -> None:
    """Declining the AI quote stops the run: no campaign, no node brief, no credits."""
    paused = await runner.start(AI_GOAL, "demo")

    report = await runner.resume(paused["run_id"], HumanAnswer(answer="deny"))

    assert report["status"] == "stopped"
    assert _writes(runner, "demo") == []
    assert _sandbox(runner).campaigns("demo") == []
    assert _sandbox(runner).ledger("demo") == []


async def test_short_credits_for_ai_messages_pause_before_any_write(runner: AgentRunner) -> None:
    """5 credits for 25 AI messages (50): 45 short, 2 leads fit, nothing written or spent."""
    report = await runner.start(AI_GOAL, "low_credits")

    pause = report["pause"]
    assert pause["kind"] == "insufficient_credits"
    assert (pause["details"]["shortfall"], pause["details"]["batch_that_fits"]) == (45, 2)
    assert _writes(runner, "low_credits") == []
    assert _sandbox(runner).ledger("low_credits") == []


async def test_a_400_on_the_ai_brief_pauses_with_its_correlation_id_and_names_the_draft(
    runner: AgentRunner,
) -> None:
    """Puffle refusing the AI step's brief leaves a named draft, nothing generated or paid."""
    _sandbox(runner).add_fault(FaultRule(route=f"PUT {NODE_PATH}", status=400))

    report = await _approve(runner, await runner.start(AI_GOAL, "demo"))

    pause = report["pause"]
    assert pause["kind"] == "launch_blocked"
    put = next(call for call in report["calls"] if call["operation"] == "update_sequence_node")
    assert pause["correlation_id"] == put["correlation_id"]
    [campaign] = _sandbox(runner).campaigns("demo")
    assert campaign["status"] == "draft"
    assert f"'{campaign['name']}' (id {campaign['id']}) stays a draft" in pause["message"]
    assert "retry" not in pause["answers"]
    assert [call["method"] for call in report["calls"]].count("PUT") == 1
    assert not any(call["operation"] == "launch_campaign" for call in report["calls"])
    assert _sandbox(runner).ledger("demo") == []


class ProcessDied(Exception):
    """The agent's process dying mid-run: nothing the agent catches or records."""


class DiesOnce(httpx.AsyncBaseTransport):
    """The sandbox's transport, except that the process dies once at a chosen request.

    With `after_answer` the request reaches the sandbox first, so its write has happened and only
    the agent's record of it is lost.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        method: str,
        path_part: str,
        *,
        body_contains: bytes = b"",
        after_answer: bool,
    ) -> None:
        self._inner = inner
        self._method = method
        self._path_part = path_part
        self._body_contains = body_contains
        self._after_answer = after_answer
        self._armed = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        chosen = (
            request.method == self._method
            and self._path_part in request.url.path
            and self._body_contains in request.content
        )
        if self._armed and chosen:
            self._armed = False
            if self._after_answer:
                await self._inner.handle_async_request(request)
            raise ProcessDied(f"died at {request.method} {request.url.path}")
        return await self._inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("method", "path_part", "body_contains", "after_answer"),
    [
        pytest.param("PUT", "/sequence/nodes/", b"", True, id="after-the-brief-was-written"),
        pytest.param("POST", "/generate-messages", b"generate_ai", False, id="before-generating"),
    ],
)
async def test_a_run_resumed_after_a_crash_briefs_once_and_pays_once(
    method: str, path_part: str, body_contains: bytes, after_answer: bool
) -> None:
    """A new process carries the run on from its checkpoint: one PUT, one generation, 50 spent."""
    settings = Settings()
    sandbox = Sandbox(clock=FakeClock())
    healthy = embedded_target(settings, sandbox=sandbox)
    assert healthy.transport is not None
    dying = dataclasses.replace(
        healthy,
        transport=DiesOnce(
            healthy.transport,
            method,
            path_part,
            body_contains=body_contains,
            after_answer=after_answer,
        ),
    )

    async with AgentRunner(settings, target=dying) as first_process:
        paused = await first_process.start(AI_GOAL, "demo")
        with pytest.raises(ProcessDied):
            await first_process.resume(paused["run_id"], HumanAnswer(answer="approve"))
    async with AgentRunner(settings, target=healthy) as second_process:
        assert (await second_process.phase(paused["run_id"]))[0] == "interrupted"
        report = await second_process.carry_on(paused["run_id"])

    assert report["status"] == "completed", report["summary"]
    routes = [request.route for request in sandbox.requests("demo")]
    assert routes.count(f"PUT {NODE_PATH}") == 1
    assert [(e["action"], e["count"], e["credits"]) for e in sandbox.ledger("demo")] == [
        ("AI_MESSAGE_GENERATION", 25, 50)
    ]
    [campaign] = sandbox.campaigns("demo")
    assert (campaign["status"], campaign["messages_count"]) == ("active", 50)


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


LIST_ROUTE = "GET /api/lists"
CAMPAIGN_ROUTE = "GET /api/campaigns/{campaign_id}"
LAUNCH_ROUTE = "POST /api/campaigns/{campaign_id}/launch"
IMPORT_ROUTE = "POST /api/campaigns/{campaign_id}/leads/import-from-list"


def _routes_since(runner: AgentRunner, workspace: str, start: int) -> list[str]:
    return [str(request.route) for request in _sandbox(runner).requests(workspace)[start:]]


def _model_runner(plan: dict[str, Any]) -> AgentRunner:
    """An agent on a fresh embedded sandbox whose (fake) model planner answers with `plan`."""
    answer = {"plan": plan, "icp_verdict": "unknown", "icp_reason": "Judged by the fake model."}
    chat_model = FakeModelEndpoint([tool_answer("PlannerOutput", answer)]).chat_model()
    settings = Settings()
    target = embedded_target(settings, clock=FakeClock())
    return AgentRunner(settings, target=target, chat_model=chat_model)


@pytest.mark.parametrize(
    "goal",
    [
        pytest.param("email the Fintech CTOs, max 20 per day", id="no-word-list"),
        pytest.param("Launch a LinkedIn campaign to the 📈 Fintech CTOs 🚀 list", id="emoji"),
        pytest.param("Message the fintech ctos!", id="other-case-and-punctuation"),
    ],
)
async def test_an_audience_naming_a_saved_list_goes_to_that_list_for_free(
    runner: AgentRunner, goal: str
) -> None:
    """Naming a saved list, however it is spelled, uses the list: no search, nothing spent."""
    paused = await runner.start(goal, "demo")

    pause = paused["pause"]
    assert pause["kind"] == "approval_required", paused["summary"]
    assert "from the list 'Fintech CTOs'" in pause["message"]
    assert (pause["details"]["quote"], pause["details"]["audience"]) == (None, "Fintech CTOs")
    operations = {call["operation"] for call in paused["calls"]}
    assert not operations & {"parse_lead_filters", "preview_credits"}

    report = await _approve(runner, paused)

    assert report["status"] == "completed", report["summary"]
    assert (report["result"]["campaign"]["leads"], report["result"]["list"]) == (25, "Fintech CTOs")
    assert report["credits"] == {"quoted": 0, "spent": 0}
    assert not any("/api/leads/search" in request.path for request in _sandbox(runner).requests())


async def test_a_list_reference_that_names_no_list_pauses_with_the_lists_there_are(
    runner: AgentRunner,
) -> None:
    """An audience ending in "list" that names none of the lists is `not_found`, never a search."""
    report = await runner.start("Launch a LinkedIn campaign to the 📈 Fintech CEOs 🚀 list", "demo")

    assert report["pause"]["kind"] == "not_found"
    assert sorted(report["pause"]["details"]["existing_lists"]) == [
        "Fintech CTOs",
        "Webinar attendees - October",
    ]
    assert not any(call["operation"] == "parse_lead_filters" for call in report["calls"])


@pytest.mark.parametrize(
    ("goal", "leads"),
    [
        pytest.param("Find 40 fintech CTOs in Berlin and launch a LinkedIn campaign", 40, id="new"),
        # A list has this very name, but the goal asks to find people, not to use the list.
        pytest.param("Find 50 fintech CTOs and launch a LinkedIn campaign", 50, id="list-name"),
    ],
)
async def test_a_goal_that_asks_to_find_people_stays_a_paid_search(
    runner: AgentRunner, goal: str, leads: int
) -> None:
    """Finding people is a lead search, priced per lead, even when a list shares the words."""
    report = await runner.start(goal, "demo")

    details = report["pause"]["details"]
    assert report["pause"]["kind"] == "approval_required"
    assert details["quote"]["lines"][0]["action"] == "FIND_PERSON"
    assert details["leads"] == leads
    assert not any(call["operation"] == "list_lists" for call in report["calls"])


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        pytest.param({"search_query": "Fintech CTOs"}, "approval_required", id="names-a-list"),
        pytest.param({"search_query": "Fintech CEOs list"}, "not_found", id="names-no-list"),
        pytest.param({"list_name": "📈 fintech ctos list"}, "approval_required", id="list-name"),
    ],
)
async def test_a_model_plan_naming_a_saved_list_gets_the_list(
    plan: dict[str, Any], expected: str
) -> None:
    """The journey, not the rule reader, matches audiences to lists, so a model's plan too."""
    full_plan = {"journey": "launch_campaign", "channel": "email", **plan}

    async with _model_runner(full_plan) as model_runner:
        report = await model_runner.start("email the Fintech CTOs", "demo")

    assert report["planner"] == "model"
    assert report["pause"]["kind"] == expected
    if expected == "approval_required":
        assert report["pause"]["details"]["quote"] is None
        assert "from the list 'Fintech CTOs'" in report["pause"]["message"]
    assert not any(call["operation"] == "parse_lead_filters" for call in report["calls"])


async def test_an_email_daily_cap_is_shown_before_approval_and_in_the_report(
    runner: AgentRunner,
) -> None:
    """The cap Puffle will apply is in the approval text and details, and in the final report."""
    paused = await runner.start("Email the Fintech CTOs list, max 20 per day", "demo")

    assert "at most 20 emails a day" in paused["pause"]["message"]
    assert paused["pause"]["details"]["daily_limit"] == 20

    report = await _approve(runner, paused)

    assert report["result"]["campaign"]["daily_limit"] == 20
    assert "at most 20 emails a day" in report["summary"]


async def test_a_linkedin_daily_cap_says_before_approval_that_it_is_not_applied(
    runner: AgentRunner,
) -> None:
    """LinkedIn takes no daily cap: the approval itself says so, and promises none."""
    paused = await runner.start(f"{MAIN_GOAL}, max 20 per day", "demo")

    pause = paused["pause"]
    assert "the 20-a-day limit is not applied" in pause["message"]
    assert "emails a day" not in pause["message"]
    assert pause["details"]["daily_limit"] is None


async def test_running_a_goal_again_takes_over_its_draft_and_skips_the_work_done(
    runner: AgentRunner,
) -> None:
    """A launch that failed twice leaves a full draft; the re-run reads it, checks it, launches."""
    sandbox = _sandbox(runner)
    sandbox.add_fault(FaultRule(route=LAUNCH_ROUTE, status=500, times=2))
    first = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))
    assert first["pause"]["kind"] == "server_error"
    start = len(sandbox.requests("demo"))

    again = await runner.start(MAIN_GOAL, "demo")
    [draft] = sandbox.campaigns("demo")
    assert f"(id {draft['id']})" in again["pause"]["message"]
    assert again["pause"]["details"]["chain"][0] == CAMPAIGN_ROUTE
    report = await _approve(runner, again)

    assert report["status"] == "completed", report["summary"]
    routes = _routes_since(runner, "demo", start)
    polls = report["result"]["polls"]
    assert routes == [
        "GET /api/onboarding/status",
        "GET /api/context",
        "GET /api/accounts",
        LIST_ROUTE,
        "GET /api/campaigns",
        CAMPAIGN_ROUTE,
        "GET /api/campaigns/{campaign_id}/validate",
        LAUNCH_ROUTE,
        *[CAMPAIGN_ROUTE] * polls,
    ]
    assert len(routes) == 8 + polls
    [campaign] = sandbox.campaigns("demo")
    assert (campaign["id"], campaign["status"], campaign["leads_count"]) == (
        draft["id"],
        "active",
        25,
    )


async def test_running_a_goal_again_finishes_only_what_its_draft_lacks(
    runner: AgentRunner,
) -> None:
    """A draft whose leads never came in gets them once; the sequence is not written again."""
    sandbox = _sandbox(runner)
    sandbox.add_fault(FaultRule(route=IMPORT_ROUTE, status=403))
    first = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))
    assert first["pause"]["kind"] == "forbidden"
    start = len(sandbox.requests("demo"))

    report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert report["status"] == "completed", report["summary"]
    routes = _routes_since(runner, "demo", start)
    assert routes.count(IMPORT_ROUTE) == 1
    assert "POST /api/campaigns" not in routes
    assert "PATCH /api/campaigns/{campaign_id}" not in routes
    assert routes.count("POST /api/campaigns/{campaign_id}/generate-messages") == 1
    [campaign] = sandbox.campaigns("demo")
    assert (campaign["status"], campaign["leads_count"]) == ("active", 25)


async def test_an_unread_goal_is_not_called_impossible(runner: AgentRunner) -> None:
    """A goal the rule reader cannot read says so; an impossible one keeps its own wording."""
    unread = await runner.start("Lancez une campagne LinkedIn vers la liste Fintech CTOs", "demo")
    impossible = await runner.start("Delete my workspace", "demo")

    assert unread["pause"]["kind"] == impossible["pause"]["kind"] == "no_documented_endpoint"
    assert unread["pause"]["message"].startswith("The goal could not be read: ")
    assert "No documented Puffle endpoint" not in unread["pause"]["message"]
    assert impossible["pause"]["message"].startswith("No documented Puffle endpoint can do this")


@pytest.mark.parametrize("answer", ["deny", "approve"])
async def test_a_reused_draft_with_more_leads_than_approved_asks_before_launching(
    runner: AgentRunner, answer: AnswerKind
) -> None:
    """An earlier run's draft holds 25 leads; the new goal approved 5: the person decides."""
    sandbox = _sandbox(runner)
    sandbox.add_fault(
        FaultRule(route="POST /api/campaigns/{campaign_id}/launch", status=500, times=2)
    )
    first = await _approve(
        runner, await runner.start("Launch a LinkedIn campaign to the Fintech CTOs list", "demo")
    )
    await runner.resume(first["run_id"], HumanAnswer(answer="deny"))

    smaller = "Launch a LinkedIn campaign to 5 leads from the Fintech CTOs list"
    blocked = await _approve(runner, await runner.start(smaller, "demo"))

    assert blocked["pause"]["kind"] == "launch_blocked"
    assert blocked["pause"]["details"] == {"leads_on_campaign": 25, "leads_approved": 5}
    # The read that found the 25 leads, so Puffle support can look it up.
    assert blocked["pause"]["correlation_id"] == blocked["calls"][-1]["correlation_id"]
    launches = [r for r in sandbox.requests("demo") if r.route and r.route.endswith("/launch")]
    assert len(launches) == 2

    report = await runner.resume(blocked["run_id"], HumanAnswer(answer=answer))
    [campaign] = sandbox.campaigns("demo")
    if answer == "deny":
        assert report["status"] == "stopped"
        assert campaign["status"] == "draft"
    else:
        assert report["status"] == "completed"
        assert (campaign["status"], campaign["leads_count"]) == ("active", 25)

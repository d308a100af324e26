"""An unfinished run names what it left in Puffle and the approved steps it never ran.

Whole-graph runs on the embedded sandbox (fake clock), with faults injected where a journey has
already written something; the expected objects are read back from the sandbox itself.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from agent.pauses import HumanAnswer
from agent.runner import AgentRunner
from graphs.journeys import JOURNEY_GRAPHS
from graphs.left_behind import JOURNEY_LEDGERS
from sandbox import FaultRule, Sandbox

MAIN_GOAL = "Launch a LinkedIn campaign to the Fintech CTOs list"
CAMPAIGN_NAME = "Fintech CTOs - LinkedIn"
LAUNCH = "POST /api/campaigns/{campaign_id}/launch"
# The chain the approval of MAIN_GOAL shows, in order.
LAUNCH_CHAIN = [
    "POST /api/campaigns",
    "PATCH /api/campaigns/{campaign_id}",
    "POST /api/campaigns/{campaign_id}/leads/import-from-list",
    "POST /api/campaigns/{campaign_id}/generate-messages",
    "GET /api/campaigns/{campaign_id}/validate",
    LAUNCH,
    "GET /api/campaigns/{campaign_id}",
]
RESUME_ADVICE = (
    "once the pause is answered the run goes on to launch it; or deny, and delete it in Puffle"
)
RERUN_ADVICE = (
    "running the same goal again picks this draft up and launches it, or delete it in Puffle"
)


def _sandbox(runner: AgentRunner) -> Sandbox:
    return runner.target.sandbox


async def _approve(runner: AgentRunner, report: dict[str, Any]) -> dict[str, Any]:
    assert report["pause"]["kind"] == "approval_required", report["summary"]
    return await runner.resume(report["run_id"], HumanAnswer(answer="approve"))


def _draft(campaign_id: str, with_leads: str, advice: str) -> dict[str, Any]:
    return {
        "kind": "campaign",
        "id": campaign_id,
        "name": CAMPAIGN_NAME,
        "state": "draft",
        "change": "created",
        "what_you_can_do": advice,
        "message": (
            f"draft campaign '{CAMPAIGN_NAME}' (id {campaign_id}) was created{with_leads} but not "
            f"launched; {advice}"
        ),
    }


async def test_a_launch_that_keeps_failing_names_the_draft_and_the_steps_left(
    runner: AgentRunner,
) -> None:
    """500 twice on launch: the pause names the 25-lead draft, and launch onwards as not done."""
    _sandbox(runner).add_fault(FaultRule(route=LAUNCH, times=2, status=500))

    report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert (report["status"], report["pause"]["kind"]) == ("paused", "server_error")
    [stored] = _sandbox(runner).campaigns("demo")
    assert (stored["status"], stored["leads_count"]) == ("draft", 25)
    assert report["left_behind"] == [_draft(stored["id"], " with 25 leads", RESUME_ADVICE)]
    assert report["not_done"] == [LAUNCH, "GET /api/campaigns/{campaign_id}"]
    key = _sandbox(runner).api_key_for("demo")
    assert key not in json.dumps(report)


async def test_a_later_pause_denied_leaves_the_draft_and_a_rerun_launches_it(
    runner: AgentRunner,
) -> None:
    """Deny after the draft exists: `stopped` names it, and running the goal again launches it."""
    _sandbox(runner).add_fault(FaultRule(route=LAUNCH, times=2, status=500))
    paused = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    report = await runner.resume(paused["run_id"], HumanAnswer(answer="deny"))

    assert report["status"] == "stopped"
    [stored] = _sandbox(runner).campaigns("demo")
    assert report["left_behind"] == [_draft(stored["id"], " with 25 leads", RERUN_ADVICE)]
    assert report["not_done"] == [LAUNCH, "GET /api/campaigns/{campaign_id}"]

    again = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert again["status"] == "completed"
    [relaunched] = _sandbox(runner).campaigns("demo")
    assert (relaunched["id"], relaunched["status"]) == (stored["id"], "active")


async def test_a_failure_after_the_draft_exists_names_it_with_the_correlation_id(
    runner: AgentRunner,
) -> None:
    """422 on the sequence: `failed` with the correlation id, the bare draft, the rest not done."""
    _sandbox(runner).add_fault(FaultRule(route="PATCH /api/campaigns/{campaign_id}", status=422))

    report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert report["status"] == "failed"
    failed_call = next(call for call in report["calls"] if call["status"] == 422)
    assert report["error"]["correlation_id"] == failed_call["correlation_id"]
    assert report["summary"].count(failed_call["correlation_id"]) == 1
    assert ".." not in report["summary"]
    [stored] = _sandbox(runner).campaigns("demo")
    assert report["left_behind"] == [_draft(stored["id"], "", RERUN_ADVICE)]
    assert report["not_done"] == LAUNCH_CHAIN[1:]


async def test_a_failure_before_any_write_leaves_nothing(runner: AgentRunner) -> None:
    """400 on creating the campaign: nothing is left behind and the whole chain is not done."""
    _sandbox(runner).add_fault(FaultRule(route="POST /api/campaigns", status=400))

    report = await _approve(runner, await runner.start(MAIN_GOAL, "demo"))

    assert report["status"] == "failed"
    assert _sandbox(runner).campaigns("demo") == []
    assert report["left_behind"] == []
    assert report["not_done"] == LAUNCH_CHAIN


async def test_a_completed_run_and_an_unanswered_approval_list_nothing(
    runner: AgentRunner,
) -> None:
    """Before the approval nothing was approved or written; after a full launch nothing is left."""
    paused = await runner.start(MAIN_GOAL, "demo")
    report = await _approve(runner, paused)

    assert (paused["left_behind"], paused["not_done"]) == ([], [])
    assert report["status"] == "completed"
    assert (report["left_behind"], report["not_done"]) == ([], [])


async def test_a_later_goal_in_the_same_thread_does_not_inherit_the_earlier_leftovers(
    runner: AgentRunner,
) -> None:
    """In a chat thread, a goal paused before its journey reports none of the last goal's draft."""
    _sandbox(runner).add_fault(FaultRule(route="PATCH /api/campaigns/{campaign_id}", status=422))
    first = await _approve(runner, await runner.start(MAIN_GOAL, "demo", thread_id="chat"))
    assert [item["kind"] for item in first["left_behind"]] == ["campaign"]

    second = await runner.start(
        "Find 30 dentists in Ohio and launch a LinkedIn campaign", "demo", thread_id="chat"
    )

    assert second["pause"]["kind"] == "icp_mismatch"
    assert (second["left_behind"], second["not_done"]) == ([], [])


def _long_csv(rows: int) -> str:
    # Long rows: over the 10 MB upload limit with few enough of them to keep the test quick.
    about = "Builds payment infrastructure for mid-market fintech teams; " * 11
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["First", "Last", "Email", "Company", "Headline"])
    for n in range(rows):
        writer.writerow([f"Lead{n}", "Volume", f"lead{n}@volume.example", f"Company {n}", about])
    return buffer.getvalue()


async def test_an_import_failing_after_its_list_exists_names_the_list(
    runner: AgentRunner, tmp_path: Path
) -> None:
    """Batch 2's confirm keeps failing: the new list holding batch 1 is named, with the rest."""
    (tmp_path / "big.csv").write_text(_long_csv(16_000))
    sandbox = _sandbox(runner)
    sandbox.set_credits("demo", 20_000)
    sandbox.add_fault(FaultRule(route="PUT /api/lists/{list_id}/import", times=2, status=500))
    goal = 'Import ./big.csv into a new list called "Volume leads"'

    report = await _approve(runner, await runner.start(goal, "demo"))

    assert (report["status"], report["pause"]["kind"]) == ("paused", "server_error")
    [created] = [item for item in sandbox.lists("demo") if item["name"] == "Volume leads"]
    rows = len(sandbox.list_rows("demo", "Volume leads"))
    assert 0 < rows < 16_000
    advice = (
        "resuming the run imports the rest of the file into it; or deny, and delete the list "
        "in Puffle"
    )
    assert report["left_behind"] == [
        {
            "kind": "lead_list",
            "id": created["id"],
            "name": "Volume leads",
            "state": f"{rows} leads",
            "change": "created",
            "what_you_can_do": advice,
            "message": (
                f"list 'Volume leads' (id {created['id']}) was created and {rows} leads were "
                f"imported into it, 1 of 2 batches of the file; {advice}"
            ),
        }
    ]
    assert report["not_done"] == [
        "PUT /api/lists/{list_id}/import",
        "GET /api/lists/{list_id}/rows",
    ]


async def test_a_half_applied_signals_change_names_the_type_it_changed(
    runner: AgentRunner,
) -> None:
    """The enable went through, the create keeps failing: the enabled type is named, with undo."""
    _sandbox(runner).add_fault(FaultRule(route="POST /api/v1/signals/types", times=2, status=500))
    goal = 'enable the funding signal and create a signal called "FX exposure"'

    report = await _approve(runner, await runner.start(goal, "demo"))

    assert (report["status"], report["pause"]["kind"]) == ("paused", "server_error")
    [funding] = [t for t in _sandbox(runner).signal_types("demo") if t["label"] == "funding"]
    assert funding["enabled"] is True
    assert report["left_behind"] == [
        {
            "kind": "signal_type",
            "id": funding["id"],
            "name": "funding",
            "state": "enabled",
            "change": "changed",
            "what_you_can_do": "to undo it, disable it in Puffle",
            "message": (
                f"signal type 'funding' (id {funding['id']}) was changed; to undo it, disable it "
                "in Puffle"
            ),
        }
    ]
    assert report["not_done"] == ["POST /api/v1/signals/types"]


@pytest.mark.parametrize("journey", sorted(JOURNEY_GRAPHS))
def test_every_journey_has_a_ledger_whose_keys_its_state_declares(journey: str) -> None:
    """A renamed state key fails here instead of silently emptying the report's `left_behind`."""
    channels = set(JOURNEY_GRAPHS[journey]().channels)

    assert set(JOURNEY_LEDGERS[journey].keys) <= channels

"""The eval suite: the shipped scenarios pass, broken agents fail them, reports leak no key."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, get_args

import pytest
from typer.testing import CliRunner

import graphs.escalation
from agent.pauses import PauseKind
from agent.settings import Settings
from evals.cli import DEFAULT_CASSETTES, DEFAULT_SCENARIOS, eval_app
from evals.reports import suite_json, write_junit
from evals.runner import run_scenario, run_suite
from evals.scenario import Expectations, PlannerChoice, Scenario, find_scenarios, load_scenario
from evals.scoring import Call, Observation, score
from sandbox import Sandbox

JOURNEY_ONE = DEFAULT_SCENARIOS / "launch-saved-list-approved.yaml"
DENIED = DEFAULT_SCENARIOS / "launch-saved-list-denied.yaml"
# Every pause kind must have a scenario, so a new kind without one fails here. This one is proven
# by journey tests only (tests/test_signals_journey.py).
PAUSE_KINDS_WITHOUT_SCENARIO = {"limit_exceeded"}
PAUSE_KINDS_COVERED = set(get_args(PauseKind)) - PAUSE_KINDS_WITHOUT_SCENARIO


def _settings(tmp_path: Path) -> Settings:
    return Settings().model_copy(update={"state_dir": tmp_path / "evals-state"})


async def test_every_shipped_scenario_passes_once() -> None:
    """The whole suite (k=1) passes on the embedded sandbox; CI runs exactly this."""
    suite = await run_suite([DEFAULT_SCENARIOS], k=1)

    broken = {r.scenario: r.runs[0].failures for r in suite.failed}
    assert broken == {}
    assert len(suite.scenarios) >= 40
    assert suite.pass_k == 1.0


def test_scenarios_cover_every_pause_kind_and_error_status() -> None:
    """The scenario files expect each pause kind and inject every status of the error table."""
    scenarios = [load_scenario(path) for path in find_scenarios([DEFAULT_SCENARIOS])]

    pauses = {p.kind for s in scenarios for p in (s.expect.pauses or [])}
    statuses = {(f.status, f.times, f.retry_after is not None) for s in scenarios for f in s.faults}
    assert pauses >= PAUSE_KINDS_COVERED
    assert {status for status, _, _ in statuses} >= {400, 401, 403, 404, 409, 422, 429, 500}
    assert {(429, 1, True), (429, 1, False), (500, 1, False), (500, 2, False)} <= statuses


async def test_an_agent_that_skips_the_approval_fails_the_scenarios(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A graph that approves its own quotes breaks the deny and the approval scenarios."""
    real_interrupt = graphs.escalation.interrupt

    def approve_itself(pause: dict[str, Any]) -> Any:
        if pause.get("kind") == "approval_required":
            return {"answer": "approve"}
        return real_interrupt(pause)

    monkeypatch.setattr(graphs.escalation, "interrupt", approve_itself)

    denied = await run_scenario(load_scenario(DENIED), _settings(tmp_path))
    approved = await run_scenario(load_scenario(JOURNEY_ONE), _settings(tmp_path))

    assert not denied.passed
    assert "pauses: expected ['approval_required'], got none" in denied.failures
    assert any(f.startswith("state: campaign must not exist") for f in denied.failures)
    assert any(f.startswith("forbidden call made: POST /api/campaigns") for f in denied.failures)
    assert approved.failures == ["pauses: expected ['approval_required'], got none"]


async def test_a_planner_that_picks_the_wrong_list_fails_on_state(tmp_path: Path) -> None:
    """A scripted plan for the wrong list launches 12 leads, and the 25-lead check says so."""
    scenario = load_scenario(JOURNEY_ONE)
    wrong_plan = PlannerChoice(
        kind="scripted",
        output={
            "plan": {
                "journey": "launch_campaign",
                "channel": "linkedin",
                "list_name": "Webinar attendees - October",
            },
            "icp_verdict": "fits",
        },
    )

    run = await run_scenario(
        scenario.model_copy(update={"planner": wrong_plan}), _settings(tmp_path)
    )

    assert not run.passed
    assert (
        "state: expected 1 x campaign(status='active', leads_count=25, type='linkedin'), found 0"
        in run.failures
    )
    assert run.model_calls == 1


def test_a_second_launch_is_scored_as_a_failure() -> None:
    """Two launch calls against `call_counts: 1` and two campaigns against `count: 1` both fail."""
    expect = Expectations.model_validate(
        {
            "status": "completed",
            "exists": [{"kind": "campaign", "where": {"status": "active"}, "count": 1}],
            "call_counts": {"POST /api/campaigns/{campaign_id}/launch": 1},
            "credits": {"at_most": 0},
        }
    )
    launch = Call(
        "POST", "/api/campaigns/c1/launch", 200, "POST /api/campaigns/{campaign_id}/launch"
    )
    seen = Observation(
        report={"status": "completed"},
        pauses=[],
        calls=[launch, launch],
        objects={"campaign": [{"status": "active"}, {"status": "active"}]},
        credits_spent=3,
    )

    assert score(expect, seen) == [
        "state: expected 1 x campaign(status='active'), found 2",
        "credits: expected at most 0 spent, got 3",
        "call count: expected 1 x POST /api/campaigns/{campaign_id}/launch, got 2",
    ]


async def test_reports_and_junit_never_hold_a_sandbox_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The JSON report and the JUnit file of a failing and a passing run contain no API key."""
    keys: list[str] = []
    import evals.runner

    real_build = evals.runner.build_sandbox

    def remember_keys(scenario: Scenario, clock: Any) -> Sandbox:
        sandbox = real_build(scenario, clock)
        keys.extend(sandbox.api_key_for(name) for name in sandbox.workspaces)
        return sandbox

    monkeypatch.setattr(evals.runner, "build_sandbox", remember_keys)
    failing = tmp_path / "failing.yaml"
    failing.write_text(
        JOURNEY_ONE.read_text(encoding="utf-8")
        .replace("name: launch-saved-list-approved", "name: failing-on-purpose")
        .replace("answers: [approve]", "answers: [deny]"),
        encoding="utf-8",
    )

    suite = await run_suite([JOURNEY_ONE, failing], k=1, settings=_settings(tmp_path))
    junit = tmp_path / "evals.xml"
    write_junit(suite, junit)
    text = json.dumps(suite_json(suite)) + junit.read_text(encoding="utf-8")

    assert len(keys) == 12
    assert [key for key in keys if key in text] == []
    assert "pk_test_" not in text
    # The file was written by this test a moment ago.
    root = ET.parse(junit).getroot()  # noqa: S314
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    [failure] = root.iter("failure")
    assert failure.get("message") == "status: expected completed, got stopped " + (
        "(Stopped at your answer; nothing further was written.)"
    )
    assert "call log:\nGET /api/onboarding/status -> 200" in (failure.text or "")


def test_the_cli_prints_json_and_writes_junit(tmp_path: Path) -> None:
    """`eval PATH --json --junit FILE` exits 0 on a pass and writes both outputs."""
    junit = tmp_path / "out.xml"

    result = CliRunner().invoke(
        eval_app,
        [str(DEFAULT_SCENARIOS / "launch-not-onboarded.yaml"), "--json", "--junit", str(junit)],
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["pass_k"], data["scenarios"][0]["runs"][0]["pauses"]) == (
        1.0,
        ["onboarding_incomplete"],
    )
    assert ET.parse(junit).getroot().get("failures") == "0"  # noqa: S314 - written by this test


def test_a_scenario_file_with_a_typo_names_the_file(tmp_path: Path) -> None:
    """An unknown expectation key is rejected, and the error says which file."""
    broken = tmp_path / "typo.yaml"
    broken.write_text(
        "name: typo\njourney: launch_campaign\ngoal: x\nexpect: {statuss: completed}\n",
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match=r"(?s)typo\.yaml.*statuss"):
        load_scenario(broken)


@pytest.mark.parametrize(
    ("files_part", "complaint"),
    [
        pytest.param("filez: {leads.csv: 'email\\n'}\n", "filez", id="misspelt-key"),
        pytest.param("files: {leeds.csv: 'email\\n'}\n", "leads.csv", id="misspelt-name"),
        pytest.param("files: {../leads.csv: 'email\\n'}\n", "plain name", id="a-folder"),
    ],
)
def test_a_scenario_whose_files_do_not_add_up_is_rejected(
    tmp_path: Path, files_part: str, complaint: str
) -> None:
    """A misspelt `files` key, a goal naming a file not given, or a path out of the folder."""
    broken = tmp_path / "files.yaml"
    broken.write_text(
        "name: files\njourney: import_leads\ngoal: Import {files}/leads.csv into a new list\n"
        f"{files_part}expect: {{status: completed}}\n",
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match=rf"(?s)files\.yaml.*{re.escape(complaint)}"):
        load_scenario(broken)


def test_files_are_written_for_the_run_and_named_in_goal_and_answers(tmp_path: Path) -> None:
    """`{files}` becomes the run's folder in the goal, an edit and a scripted plan."""
    scenario = Scenario.model_validate(
        {
            "name": "files",
            "journey": "import_leads",
            "goal": "Import {files}/leads.csv into a new list",
            "files": {"leads.csv": "email\r\na@b.example\n", "other.csv": "email\n"},
            "planner": {
                "kind": "scripted",
                "output": {
                    "plan": {
                        "journey": "import_leads",
                        "source": "csv",
                        "file_path": "{files}/leads.csv",
                    },
                    "icp_verdict": "unknown",
                },
            },
            "answers": [{"edit": {"file_path": "{files}/other.csv"}}, "approve"],
            "expect": {"status": "completed"},
        }
    )

    ready = scenario.with_files_in(tmp_path)

    assert (tmp_path / "leads.csv").read_bytes() == b"email\r\na@b.example\n"
    assert ready.goal == f"Import {tmp_path}/leads.csv into a new list"
    assert ready.answers[0].parameters == {"file_path": f"{tmp_path}/other.csv"}
    assert ready.answers[1].answer == "approve"
    assert ready.planner.output is not None
    assert ready.planner.output["plan"]["file_path"] == f"{tmp_path}/leads.csv"


async def test_shipped_cassettes_replay_with_no_network() -> None:
    """The recorded cassettes replay to a pass with no server running."""
    suite = await run_suite([DEFAULT_CASSETTES], k=1, mode="replay")

    assert {r.scenario: r.runs[0].failures for r in suite.scenarios} == {
        "replay-launch-saved-list": [],
        "replay-reply-inbox": [],
        "replay-search-denied": [],
    }


async def test_a_request_missing_from_the_cassette_fails_the_run(tmp_path: Path) -> None:
    """A cassette cut short makes the replay fail and say the request is not in it."""
    source = DEFAULT_CASSETTES / "replay-search-denied.yaml"
    scenario_file = tmp_path / source.name
    scenario_file.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    cassette = source.with_name("replay-search-denied.cassette.yaml").read_text(encoding="utf-8")
    # Keep only the first recorded exchange: the second request finds no answer.
    head, first, *_ = cassette.split("\n- request:")
    first_only = f"{head}\n- request:{first}\nversion: 1\n"
    (tmp_path / "replay-search-denied.cassette.yaml").write_text(first_only, encoding="utf-8")

    run = await run_scenario(load_scenario(scenario_file), _settings(tmp_path), mode="replay")

    assert not run.passed
    assert "not in the cassette replay-search-denied.cassette.yaml" in run.failures[0]


def test_cassettes_hold_no_key_email_or_phone() -> None:
    """Recorded cassettes carry a scrubbed Authorization header and no address or number."""
    for cassette in DEFAULT_CASSETTES.glob("*.cassette.yaml"):
        text = cassette.read_text(encoding="utf-8")

        assert "pk_test_" not in text
        assert re.search(r"[\w.+-]+@(?!example\.invalid)[\w-]+\.[\w.]+", text) is None
        assert "Bearer <scrubbed>" in text

"""The `puffle-agent` command as a user runs it: a real process, exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox.child import served_sandbox

MAIN_GOAL = "Launch a LinkedIn campaign to the Fintech CTOs list"


def _cli(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PUFFLE_AGENT_EMBEDDED_CLOCK_SPEED": "2000", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def _report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_readme_main_command_launches_the_campaign() -> None:
    """`run GOAL --yes --json` exits 0 with an active 25-lead LinkedIn campaign."""
    result = _cli("run", MAIN_GOAL, "--yes", "--json")

    assert result.returncode == 0, result.stderr
    report = _report(result)
    assert (report["status"], report["journey"]) == ("completed", "launch_campaign")
    campaign = report["result"]["campaign"]
    assert (campaign["status"], campaign["leads"]) == ("active", 25)


def test_without_yes_and_without_a_terminal_the_run_stops_at_the_pause() -> None:
    """No `--yes` and no terminal: exit 3 at the approval pause, nothing written."""
    result = _cli("run", MAIN_GOAL, "--json")

    assert result.returncode == 3
    report = _report(result)
    assert report["pause"]["kind"] == "approval_required"
    assert {call["method"] for call in report["calls"]} <= {"GET"}


def test_a_workspace_that_is_not_onboarded_exits_3_without_writing() -> None:
    """`--workspace not_onboarded` pauses with `onboarding_incomplete` and makes no write."""
    result = _cli("run", MAIN_GOAL, "--workspace", "not_onboarded", "--json", "--yes")

    assert result.returncode == 3
    report = _report(result)
    assert report["pause"]["kind"] == "onboarding_incomplete"
    assert all(call["method"] == "GET" for call in report["calls"])


def test_yes_on_a_pause_that_is_not_an_approval_says_why_it_did_not_answer() -> None:
    """Without a terminal, `--yes` left an escalation open: the advice must not be "pass --yes"."""
    result = _cli("run", MAIN_GOAL, "--workspace", "not_onboarded", "--yes")

    assert result.returncode == 3
    assert "--yes answers approvals only, not onboarding_incomplete" in result.stderr
    assert "pass --yes" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "   "), "the goal is empty"),
        (("run", MAIN_GOAL, "--workspace", "nowhere"), "unknown sandbox workspace 'nowhere'"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(args: tuple[str, ...], message: str) -> None:
    """Bad input is named on stderr with exit code 2, and no traceback."""
    result = _cli(*args)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_prints_the_chain_and_cost_without_writing() -> None:
    """`plan` lists the operations to come and the estimated credits for a paid search."""
    result = _cli("plan", "Find 40 fintech CTOs and launch a LinkedIn campaign", "--json")

    assert result.returncode == 0, result.stderr
    dry_run = json.loads(result.stdout)
    assert dry_run["estimated_credits"] == 40
    assert dry_run["chain"][0] == "POST /api/leads/search"
    assert "POST /api/campaigns/{campaign_id}/launch" in dry_run["chain"]
    assert not any(call.startswith(("PATCH", "PUT")) for call in dry_run["calls_made"])


def test_against_a_served_sandbox_failures_show_the_correlation_id(tmp_path: Path) -> None:
    """A launch failing twice with 500 pauses `server_error` and prints its correlation id."""
    fault = "POST /api/campaigns/{campaign_id}/launch#1x2=500"
    with served_sandbox("--fault", fault) as sandbox:
        env = {"PUFFLE_BASE_URL": sandbox.base_url, "PUFFLE_API_KEY": sandbox.keys["demo"]}
        result = _cli("run", MAIN_GOAL, "--yes", env=env)

    assert result.returncode == 3
    assert "server_error" in result.stdout
    assert "Correlation id: corr_" in result.stdout


def test_a_paused_run_prints_and_carries_what_it_left_in_puffle(tmp_path: Path) -> None:
    """Under the pause: the draft it left and the steps not done; `--json` carries the same."""
    fault = "POST /api/campaigns/{campaign_id}/launch#1x4=500"
    with served_sandbox("--fault", fault) as sandbox:
        env = {"PUFFLE_BASE_URL": sandbox.base_url, "PUFFLE_API_KEY": sandbox.keys["demo"]}
        human = _cli("run", MAIN_GOAL, "--yes", env=env)
        # The second run picks up the first one's draft, and its launch fails the same way.
        scripted = _cli("run", MAIN_GOAL, "--yes", "--json", env=env)

    assert (human.returncode, scripted.returncode) == (3, 3)
    [draft] = _report(scripted)["left_behind"]
    assert (draft["kind"], draft["name"], draft["state"]) == (
        "campaign",
        "Fintech CTOs - LinkedIn",
        "draft",
    )
    assert _report(scripted)["not_done"] == [
        "POST /api/campaigns/{campaign_id}/launch",
        "GET /api/campaigns/{campaign_id}",
    ]
    printed = human.stdout.splitlines()
    shown = printed[printed.index("Left in Puffle:") :]
    assert shown[:5] == [
        "Left in Puffle:",
        f"  {draft['message']}",
        "Not done (approved, never ran):",
        "  POST /api/campaigns/{campaign_id}/launch",
        "  GET /api/campaigns/{campaign_id}",
    ]


def test_chat_resumes_its_thread_across_a_pause() -> None:
    """In chat, the answer to the approval pause resumes the same run to the launch."""
    result = _cli("chat", stdin=f"{MAIN_GOAL}\napprove\n\n")

    assert result.returncode == 0, result.stderr
    assert "Paused — approval_required" in result.stdout
    assert "is active with 25 leads" in result.stdout


def test_goal_text_is_printed_literally_not_as_markup() -> None:
    """Brackets in a goal or list name never break or restyle the output."""
    result = _cli("run", "Launch a LinkedIn campaign to the [/foo] list")

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "[/foo]" in result.stdout
    assert "Answers: " in result.stdout
    assert "No terminal to ask on" in result.stderr


def test_the_eval_command_runs_a_scenario() -> None:
    """`puffle-agent eval FILE --json` scores the scenario and exits 0 when it passes."""
    scenario = Path(__file__).parent.parent / "evals" / "scenarios"
    first = sorted(scenario.glob("*.yaml"))[0]

    result = _cli("eval", str(first), "--json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pass_k"] == 1.0

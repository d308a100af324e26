"""The API key never leaves the Authorization header: not in logs, reports, checkpoints or output.

Each test first shows the key was really used (Puffle accepted the requests), then scans
everything the run wrote for it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from agent.clock import FakeClock
from agent.logging import configure_logging
from agent.pauses import HumanAnswer
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from sandbox import FaultRule
from sandbox.child import served_sandbox

MAIN_GOAL = "Launch a LinkedIn campaign to the Fintech CTOs list"


def _files_under(directory: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in directory.rglob("*") if path.is_file()}


async def test_logs_reports_and_checkpoints_never_hold_the_key(tmp_path: Path) -> None:
    """Debug logs with bodies, the reports and the checkpoint files are free of the key."""
    logs = io.StringIO()
    configure_logging("DEBUG", stream=logs)
    settings = Settings(PUFFLE_AGENT_LOG_BODIES=True)  # pyright: ignore[reportCallIssue]
    target = embedded_target(settings, clock=FakeClock())
    target.sandbox.add_fault(
        FaultRule(route="POST /api/campaigns/{campaign_id}/launch", status=500)
    )
    key = target.keys["demo"].get_secret_value()

    async with AgentRunner(settings, target=target) as runner:
        paused = await runner.start(MAIN_GOAL, "demo")
        report = await runner.resume(paused["run_id"], HumanAnswer(answer="approve"))

    assert report["status"] == "completed"
    assert all(request.workspace == "demo" for request in target.sandbox.requests("demo"))
    assert "puffle.request" in logs.getvalue()
    written = {"logs": logs.getvalue().encode(), "report": json.dumps(report).encode()}
    written |= _files_under(settings.state_dir)
    assert any(name.endswith("checkpoints.sqlite") for name in written)
    leaks = [name for name, content in written.items() if key.encode() in content]
    assert leaks == []


def test_the_cli_never_prints_the_key_even_when_puffle_rejects_it(tmp_path: Path) -> None:
    """Against a served sandbox, stdout, stderr and the state dir hold neither key."""
    state_dir = tmp_path / "state"
    wrong_key = "pk_test_this-key-is-revoked-and-must-stay-secret"
    with served_sandbox() as sandbox:
        outputs: list[str] = []
        for key in (sandbox.keys["demo"], wrong_key):
            result = subprocess.run(
                [sys.executable, "-m", "agent.cli", "run", MAIN_GOAL, "--yes", "--json"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                env={
                    **os.environ,
                    "PUFFLE_BASE_URL": sandbox.base_url,
                    "PUFFLE_API_KEY": key,
                    "PUFFLE_AGENT_LOG_LEVEL": "DEBUG",
                    "PUFFLE_AGENT_LOG_BODIES": "1",
                    "PUFFLE_AGENT_STATE_DIR": str(state_dir),
                },
            )
            outputs += [result.stdout, result.stderr]
        good_run, rejected_run = (json.loads(outputs[0]), json.loads(outputs[2]))

    assert good_run["status"] == "completed"
    assert rejected_run["pause"]["kind"] == "missing_key"
    written = [text.encode() for text in outputs] + list(_files_under(state_dir).values())
    for key in (sandbox.keys["demo"], wrong_key):
        assert not any(key.encode() in content for content in written)

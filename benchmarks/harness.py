"""Driving one goal on the embedded sandbox with a FakeClock, and the small statistics used.

Each run gets its own sandbox, clock and checkpoint directory, so runs never see each other's
campaigns or threads, and nothing lands in the project's `.puffle-agent` directory.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.clock import FakeClock
from agent.pauses import HumanAnswer
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from sandbox import ALL_SEEDS, RecordedRequest, Sandbox, SandboxTimings


@dataclass
class Drive:
    """What one goal did: its final report, every pause it met, the log, and the CPU it took."""

    report: dict[str, Any]
    pauses: list[dict[str, Any]]
    requests: list[RecordedRequest]
    cpu_seconds: float
    sandbox: Sandbox


@dataclass
class Spread:
    """The median of several runs and their range."""

    median: float
    low: float
    high: float
    samples: list[float] = field(default_factory=list[float])

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        values = list(samples)
        return cls(statistics.median(values), min(values), max(values), values)

    def text(self, digits: int = 0) -> str:
        middle = f"{self.median:.{digits}f}"
        if self.low == self.high:
            return middle
        return f"{middle} ({self.low:.{digits}f}-{self.high:.{digits}f})"

    def as_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.low, "max": self.high, "runs": self.samples}


def settings_for(state_dir: Path, **overrides: float) -> Settings:
    """Default settings with checkpoints in `state_dir` and any poll ceilings overridden."""
    return Settings.model_validate({"PUFFLE_AGENT_STATE_DIR": str(state_dir)}).model_copy(
        update=overrides
    )


Answer = Callable[[dict[str, Any]], HumanAnswer | None]


def approve_all(pause: dict[str, Any]) -> HumanAnswer | None:
    """Approve an approval pause; any other pause ends the drive where it stands."""
    if pause.get("kind") == "approval_required":
        return HumanAnswer(answer="approve")
    return None


async def drive(
    goal: str,
    workspace: str,
    *,
    answer: Answer = approve_all,
    timings: SandboxTimings | None = None,
    chat_model: BaseChatModel | None = None,
    ceilings: dict[str, float] | None = None,
    profile: Callable[[bool], None] | None = None,
) -> Drive:
    """Run `goal` to its end, answering pauses with `answer`; CPU counts start/resume only.

    `profile(True)` / `profile(False)` bracket the same span, so a profiler sees the run and
    not the sandbox's seeding or the runner's setup.
    """
    clock = FakeClock()
    sandbox = Sandbox(clock=clock, seeds=ALL_SEEDS, timings=timings)
    with tempfile.TemporaryDirectory(prefix="puffle-bench-") as state_dir:
        settings = settings_for(Path(state_dir), **(ceilings or {}))
        target = embedded_target(settings, sandbox=sandbox)
        async with AgentRunner(settings, target=target, chat_model=chat_model) as runner:
            pauses: list[dict[str, Any]] = []
            cpu = 0.0
            report: dict[str, Any] = {}
            for step in range(10):
                if profile is not None:
                    profile(True)
                began = time.process_time()
                if step == 0:
                    report = await runner.start(goal, workspace)
                else:
                    reply = answer(pauses[-1])
                    assert reply is not None
                    report = await runner.resume(report["run_id"], reply)
                cpu += time.process_time() - began
                if profile is not None:
                    profile(False)
                pause = report.get("pause")
                if report["status"] != "paused" or not pause or answer(pause) is None:
                    break
                pauses.append(pause)
    return Drive(report, pauses, sandbox.requests(workspace), cpu, sandbox)


def routes(requests: Sequence[RecordedRequest]) -> list[str]:
    return [request.route or f"{request.method} {request.path}" for request in requests]

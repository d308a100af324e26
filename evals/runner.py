"""Running scenarios: each one k times, each time on a fresh sandbox, then scored and tallied.

A run builds a sandbox in the scenario's starting state on a `FakeClock` (no real waiting), runs
the goal through `AgentRunner` on the embedded target, answers each pause with the scenario's next
answer, and scores what the run left behind. `run_suite` does that for every scenario file and
reports pass^1 (the share of single runs that passed) and pass^k (the share of scenarios whose k
runs all passed). Replay and record modes (see `evals.cassettes`) go through the same loop with a
different target.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from agent.clock import FakeClock
from agent.errors import UsageError
from agent.model import ModelUsage, make_chat_model
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings
from evals.fake_model import ScriptedChatEndpoint
from evals.sandbox_state import build_sandbox, objects_of, spent_credits
from evals.scenario import ObjectKind, Scenario, find_scenarios, load_scenario
from evals.scoring import Call, Observation, score

RunMode = Literal["sandbox", "replay", "record"]
PlannerMode = Literal["scenario", "live"]
OBJECT_KINDS: tuple[ObjectKind, ...] = ("campaign", "list", "signal_type", "social_post")
# A run that pauses more often than this is looping; the scenario fails instead of hanging.
MAX_PAUSES = 12


@dataclass
class RunResult:
    """One run of one scenario."""

    scenario: str
    journey: str
    attempt: int
    failures: list[str]
    status: str
    pauses: list[str]
    calls: list[Call]
    polls: int
    model_calls: int
    tokens: int
    credits: int | None
    wall_seconds: float
    notes: list[str] = field(default_factory=list[str])

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class ScenarioResult:
    """The k runs of one scenario."""

    scenario: str
    journey: str
    source: str
    runs: list[RunResult]

    @property
    def passes(self) -> int:
        return sum(1 for run in self.runs if run.passed)

    @property
    def pass_1(self) -> float:
        return self.passes / len(self.runs) if self.runs else 0.0

    @property
    def passed_all(self) -> bool:
        return bool(self.runs) and all(run.passed for run in self.runs)


@dataclass
class SuiteResult:
    """Every scenario's runs, with the suite's pass^1 and pass^k."""

    k: int
    scenarios: list[ScenarioResult]

    @property
    def pass_1(self) -> float:
        runs = [run for result in self.scenarios for run in result.runs]
        return sum(1 for run in runs if run.passed) / len(runs) if runs else 0.0

    @property
    def pass_k(self) -> float:
        if not self.scenarios:
            return 0.0
        return sum(1 for result in self.scenarios if result.passed_all) / len(self.scenarios)

    @property
    def failed(self) -> list[ScenarioResult]:
        return [result for result in self.scenarios if not result.passed_all]


def suite_settings(state_dir: Path) -> Settings:
    """The environment's settings, with checkpoints kept in the suite's scratch directory."""
    return Settings().model_copy(update={"state_dir": state_dir})


async def run_suite(
    paths: list[Path],
    k: int = 1,
    *,
    mode: RunMode = "sandbox",
    planner: PlannerMode = "scenario",
    settings: Settings | None = None,
    on_run: Callable[[RunResult], None] | None = None,
) -> SuiteResult:
    """Run every scenario under `paths` k times and score each run."""
    if k < 1:
        raise ValueError("k must be at least 1")
    scenarios = [load_scenario(path) for path in find_scenarios(paths)]
    if not scenarios:
        raise ValueError(f"no scenario files under {', '.join(map(str, paths))}")

    results: list[ScenarioResult] = []
    with tempfile.TemporaryDirectory(prefix="puffle-evals-") as scratch:
        base = settings or suite_settings(Path(scratch))
        for scenario in scenarios:
            runs: list[RunResult] = []
            for attempt in range(1, k + 1):
                run = await run_scenario(
                    scenario, base, attempt=attempt, mode=mode, planner=planner
                )
                if on_run is not None:
                    on_run(run)
                runs.append(run)
            results.append(
                ScenarioResult(scenario.name, scenario.journey, str(scenario.source or ""), runs)
            )
    return SuiteResult(k=k, scenarios=results)


async def run_scenario(
    scenario: Scenario,
    settings: Settings,
    *,
    attempt: int = 1,
    mode: RunMode = "sandbox",
    planner: PlannerMode = "scenario",
) -> RunResult:
    """One run of one scenario, scored."""
    settings = _with_limits(scenario, settings)
    if planner != "live" and scenario.planner.kind != "live":
        # Without this an AgentRunner given no model builds the environment's model itself.
        settings = settings.model_copy(update={"model": None})
    usage = ModelUsage()
    started = time.perf_counter()
    try:
        with _files_written(scenario) as ready:
            chat_model = _chat_model(ready, settings, usage, planner)
            if mode == "sandbox":
                seen = await _run_on_sandbox(ready, settings, chat_model)
            else:
                # Imported here: vcrpy is only needed when a cassette is involved.
                from evals.cassettes import run_on_cassette

                seen = await run_on_cassette(
                    ready, settings, chat_model, record=mode == "record", drive=drive
                )
        failures = score(scenario.expect, seen)
    except Exception as error:
        seen = Observation(report={"status": "crashed"}, pauses=[], calls=[])
        failures = [f"the run raised {type(error).__name__}: {error}"]
    wall = time.perf_counter() - started

    usage_now = usage.snapshot()
    return RunResult(
        scenario=scenario.name,
        journey=scenario.journey,
        attempt=attempt,
        failures=failures,
        status=str(seen.report.get("status")),
        pauses=[str(pause.get("kind")) for pause in seen.pauses],
        calls=seen.calls,
        polls=count_polls(seen.calls),
        model_calls=usage_now.calls,
        tokens=usage_now.total_tokens,
        credits=seen.credits_spent,
        wall_seconds=wall,
        notes=seen.notes,
    )


@contextmanager
def _files_written(scenario: Scenario) -> Generator[Scenario]:
    """The scenario, with its files (if it has any) in a folder of their own for one run."""
    if not scenario.files:
        yield scenario
        return
    with tempfile.TemporaryDirectory(prefix="puffle-eval-files-") as folder:
        yield scenario.with_files_in(Path(folder))


async def _run_on_sandbox(
    scenario: Scenario, settings: Settings, chat_model: BaseChatModel | None
) -> Observation:
    clock = FakeClock()
    sandbox = build_sandbox(scenario, clock)
    requests_before = len(sandbox.requests())
    ledger_before = len(sandbox.ledger(scenario.workspace))
    target = embedded_target(settings, sandbox=sandbox)

    async with AgentRunner(settings, target=target, chat_model=chat_model) as runner:
        report, pauses = await drive(runner, scenario)

    operations = _operations_by_request(report)
    calls = [
        Call(
            method=request.method,
            path=request.path,
            status=request.status,
            route=request.route,
            operation=operations.get((request.method, request.path)),
        )
        for request in sandbox.requests()[requests_before:]
    ]
    return Observation(
        report=report,
        pauses=pauses,
        calls=calls,
        objects={kind: objects_of(sandbox, scenario.workspace, kind) for kind in OBJECT_KINDS},
        credits_spent=spent_credits(sandbox.ledger(scenario.workspace)[ledger_before:]),
    )


async def drive(
    runner: AgentRunner, scenario: Scenario
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start the goal and answer each pause in order until the answers or the pauses run out."""
    report = await runner.start(scenario.goal, scenario.workspace)
    pauses: list[dict[str, Any]] = []
    answers = list(scenario.answers)

    while report["status"] == "paused" and len(pauses) < MAX_PAUSES:
        pauses.append(report["pause"])
        if not answers:
            break
        answer = answers.pop(0).to_human_answer()
        try:
            report = await runner.resume(report["run_id"], answer)
        except UsageError as error:
            # The scenario's answer does not fit the pause reached: a different path than
            # the author expected, which the pause expectations then report.
            report = {**report, "answer_error": str(error)}
            break
    return report, pauses


def _operations_by_request(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(call["method"], call["path"]): call["operation"] for call in report.get("calls", [])}


def calls_from_report(report: dict[str, Any]) -> list[Call]:
    """The call log as the agent recorded it (used where no sandbox saw the calls)."""
    return [
        Call(
            method=call["method"],
            path=call["path"],
            status=int(call["status"] or 0),
            operation=call["operation"],
        )
        for call in report.get("calls", [])
    ]


def count_polls(calls: list[Call]) -> int:
    """Reads of a resource already read in this run: the agent waiting on something."""
    seen: set[tuple[str, str]] = set()
    polls = 0
    for call in calls:
        if call.method != "GET":
            continue
        key = (call.method, call.path)
        polls += key in seen
        seen.add(key)
    return polls


def _with_limits(scenario: Scenario, settings: Settings) -> Settings:
    limits = scenario.limits
    update: dict[str, float] = {}
    if limits.launch_poll_ceiling is not None:
        update["launch_poll_ceiling_seconds"] = limits.launch_poll_ceiling
    if limits.search_poll_ceiling is not None:
        update["search_poll_ceiling_seconds"] = limits.search_poll_ceiling
    if limits.research_poll_ceiling is not None:
        update["research_poll_ceiling_seconds"] = limits.research_poll_ceiling
    return settings.model_copy(update=update)


def _chat_model(
    scenario: Scenario, settings: Settings, usage: ModelUsage, planner: PlannerMode
) -> BaseChatModel | None:
    kind = "live" if planner == "live" else scenario.planner.kind
    if kind == "rules":
        return None
    if kind == "scripted":
        assert scenario.planner.output is not None, "the schema requires output for scripted"
        endpoint = ScriptedChatEndpoint(scenario.planner.output, scenario.planner.replies)
        return endpoint.chat_model(usage)
    if settings.model is None:
        raise RuntimeError("the live planner needs a model: set PUFFLE_AGENT_MODEL")
    return make_chat_model(settings, usage=usage)

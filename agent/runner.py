"""Runs goals through the graph: builds the client, planner and checkpointer, starts and resumes.

`AgentRunner` owns what one process needs: the HTTP transport (the embedded sandbox when no
`PUFFLE_BASE_URL` is set), the model, and a checkpointer: SQLite for `run` and `chat`, PostgreSQL
when a headless worker passes a database URL. A run is a LangGraph thread; `start` advances it
until it finishes or pauses, `resume` answers the pause, `carry_on` continues a run that stopped
mid-step (its worker died) from its last checkpoint.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import httpx
import structlog
from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command, StateSnapshot
from pydantic import SecretStr

from agent.client import PuffleClient
from agent.clock import Clock, ScaledClock, SystemClock
from agent.errors import ConfigurationError, UsageError
from agent.logging import register_secret
from agent.model import make_chat_model
from agent.pauses import HumanAnswer
from agent.planners import make_planner
from agent.ratelimit import RateLimiter
from agent.settings import Settings
from graphs import RunContext, build_agent_graph, build_report
from graphs.left_behind import JourneyTrail, ledger_keys
from graphs.state import new_goal_state
from sandbox import ALL_SEEDS, Sandbox

log = structlog.get_logger("puffle_agent.run")

EMBEDDED_BASE_URL = "http://puffle-sandbox.invalid"

# Where a run stands in its checkpoints: never started, waiting for a human, stopped between two
# steps without pausing (its process died), or finished.
RunPhase = Literal["absent", "paused", "interrupted", "finished"]
LimiterFactory = Callable[[SecretStr, Clock], RateLimiter]


@dataclass
class PuffleTarget:
    """Where this process's Puffle calls go."""

    base_url: str
    transport: httpx.AsyncBaseTransport | None
    clock: Clock
    keys: dict[str, SecretStr]
    embedded: bool
    # The in-process sandbox itself, when embedded: tests and reports read its state.
    sandbox: Any = None


def embedded_target(
    settings: Settings, clock: Clock | None = None, sandbox: Sandbox | None = None
) -> PuffleTarget:
    """The sandbox mounted in-process, every seed loaded, simulated time sped up."""
    clock = sandbox.clock if sandbox else (clock or ScaledClock(settings.embedded_clock_speed))
    sandbox = sandbox or Sandbox(clock=clock, seeds=ALL_SEEDS)
    keys = {name: SecretStr(sandbox.api_key_for(name)) for name in sandbox.workspaces}
    return PuffleTarget(
        base_url=EMBEDDED_BASE_URL,
        transport=httpx.ASGITransport(app=sandbox.app),
        clock=clock,
        keys=keys,
        embedded=True,
        sandbox=sandbox,
    )


def remote_target(settings: Settings) -> PuffleTarget:
    assert settings.puffle_base_url is not None
    keys: dict[str, SecretStr] = {}
    if settings.puffle_api_key is not None:
        keys["default"] = settings.puffle_api_key
    return PuffleTarget(
        base_url=settings.puffle_base_url,
        transport=None,
        clock=(
            SystemClock()
            if settings.target_clock_speed == 1.0
            else ScaledClock(settings.target_clock_speed)
        ),
        keys=keys,
        embedded=False,
    )


def key_for_workspace(target: PuffleTarget, workspace: str) -> SecretStr | None:
    """A workspace's key: `PUFFLE_API_KEY_<NAME>` first, then the default key."""
    if target.embedded:
        if workspace not in target.keys:
            raise UsageError(
                f"unknown sandbox workspace '{workspace}'; choose one of "
                f"{', '.join(sorted(target.keys))}"
            )
        return target.keys[workspace]
    variable = "PUFFLE_API_KEY_" + "".join(c if c.isalnum() else "_" for c in workspace).upper()
    if value := os.environ.get(variable):
        return SecretStr(value)
    return target.keys.get("default")


class AgentRunner:
    """Runs goals in one process.

    `database_url` puts checkpoints in PostgreSQL (headless workers) instead of the SQLite file;
    `limiter_factory` gives each client its rate limiter (one shared across processes, for
    workers) instead of the per-process one.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        target: PuffleTarget | None = None,
        chat_model: BaseChatModel | None = None,
        progress: Callable[[str], None] | None = None,
        database_url: str | None = None,
        limiter_factory: LimiterFactory | None = None,
    ) -> None:
        self.settings = settings
        self.database_url = database_url
        self.limiter_factory = limiter_factory
        self.target = target or (
            embedded_target(settings) if settings.uses_embedded_sandbox else remote_target(settings)
        )
        self.chat_model = chat_model if chat_model is not None else make_chat_model(settings)
        self.progress = progress
        self._stack = AsyncExitStack()
        self._graph: Any = None
        for key in self.target.keys.values():
            register_secret(key.get_secret_value())
        if settings.openai_api_key is not None:
            register_secret(settings.openai_api_key.get_secret_value())

    async def __aenter__(self) -> AgentRunner:
        saver: Any
        if self.database_url is not None:
            # Imported here: only headless workers keep checkpoints in PostgreSQL, and the import
            # costs every other command most of a second.
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

            saver = await self._stack.enter_async_context(
                AsyncPostgresSaver.from_conn_string(self.database_url)
            )
        else:
            self.settings.state_dir.mkdir(parents=True, exist_ok=True)
            saver = await self._stack.enter_async_context(
                AsyncSqliteSaver.from_conn_string(str(self.settings.checkpoint_path))
            )
        self._graph = build_agent_graph(checkpointer=saver)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    @property
    def planner_name(self) -> str:
        return "model" if self.chat_model is not None else "rules"

    async def start(
        self, goal: str, workspace: str, thread_id: str | None = None
    ) -> dict[str, Any]:
        """Begin a goal on a new thread (or a chat's thread) and run until done or paused."""
        if not goal.strip():
            raise UsageError("the goal is empty; say what the agent should do")
        thread_id = thread_id or uuid.uuid4().hex
        existing = await self._graph.aget_state(self._config(thread_id))
        calls_start = len(existing.values.get("calls", [])) if existing.values else 0
        run_input = new_goal_state(goal.strip(), workspace, calls_start)
        return await self._advance(run_input, workspace, thread_id)

    async def resume(self, thread_id: str, answer: HumanAnswer) -> dict[str, Any]:
        state = await self._graph.aget_state(self._config(thread_id))
        if not state.values:
            raise UsageError(f"no run with id {thread_id}")
        pause = _pending_pause(state)
        if pause is None:
            raise UsageError(f"run {thread_id} is not waiting for an answer")
        if answer.answer not in pause.get("answers", []):
            raise UsageError(
                f"'{answer.answer}' does not answer a {pause.get('kind')} pause; it accepts "
                f"{', '.join(pause.get('answers', []))}"
            )
        workspace = str(state.values.get("workspace", "demo"))
        return await self._advance(Command(resume=answer.model_dump()), workspace, thread_id)

    async def phase(self, thread_id: str) -> tuple[RunPhase, int]:
        """Where the run stands, and how many pauses the human has answered so far."""
        state = await self._graph.aget_state(self._config(thread_id), subgraphs=True)
        if not state.values:
            return "absent", 0
        answered = len(_merged_values(state).get("pauses_answered", []))
        if _innermost_pause(state) is not None:
            return "paused", answered
        return ("interrupted" if state.next else "finished"), answered

    async def carry_on(self, thread_id: str) -> dict[str, Any]:
        """Continue a run that stopped between steps, from its last checkpoint."""
        state = await self._graph.aget_state(self._config(thread_id))
        if not state.values:
            raise UsageError(f"no run with id {thread_id}")
        workspace = str(state.values.get("workspace", "demo"))
        return await self._advance(None, workspace, thread_id)

    async def _advance(self, graph_input: Any, workspace: str, thread_id: str) -> dict[str, Any]:
        structlog.contextvars.bind_contextvars(run_id=thread_id, thread_id=thread_id)
        client = self._client(workspace)
        try:
            context = RunContext(
                client=client,
                planner=make_planner(self.chat_model),
                chat_model=self.chat_model,
                clock=self.target.clock,
                launch_poll_ceiling=self.settings.launch_poll_ceiling_seconds,
                search_poll_ceiling=self.settings.search_poll_ceiling_seconds,
                research_poll_ceiling=self.settings.research_poll_ceiling_seconds,
                progress=self.progress or (lambda _message: None),
            )
            await self._graph.ainvoke(
                graph_input, self._config(thread_id), context=context, durability="sync"
            )
        finally:
            if client is not None:
                await client.aclose()
        return await self.report(thread_id)

    async def report(self, thread_id: str) -> dict[str, Any]:
        config = self._config(thread_id)
        state = await self._graph.aget_state(config, subgraphs=True)
        values = _merged_values(state)
        pause = _pending_pause(state)
        # A completed run left nothing unfinished, so its journey's checkpoints are not read.
        completed = pause is None and values.get("outcome") == "completed"
        trail = None if completed else await self._journey_trail(config, state, values)
        report = build_report(values, pause=pause, trail=trail)  # type: ignore[arg-type]
        report["run_id"] = thread_id
        if report["planner"] == "rules":
            report["notes"] = [
                "No model is configured: the rule-based planner read the goal.",
                *report["notes"],
            ]
        log.info(
            "run.report",
            status=report["status"],
            journey=report["journey"],
            calls=len(report["calls"]),
        )
        return report

    async def _journey_trail(
        self, config: dict[str, Any], state: StateSnapshot, values: dict[str, Any]
    ) -> JourneyTrail | None:
        """The current goal's journey state (only the keys its ledger lists) and its approval.

        A journey's own keys never reach the parent's state, so they are read from the journey's
        checkpoints: the live ones of a journey that is paused or was interrupted, else the last
        ones it wrote before it ended.
        """
        journey = ((values.get("plan") or {}).get("plan") or {}).get("journey")
        if not isinstance(journey, str):
            return None
        journey_state = _journey_task_state(state, journey) or await self._ended_journey_state(
            config, journey
        )
        if journey_state is None:
            return None

        newest_first = [
            snapshot
            async for snapshot in self._graph.aget_state_history(
                _whole_history(journey_state.config)
            )
        ]

        chain, calls_before = _accepted_approval(newest_first[::-1])
        kept = {key: journey_state.values.get(key) for key in ledger_keys(journey)}
        return JourneyTrail(
            journey=journey,
            values={key: value for key, value in kept.items() if value is not None},
            approved_chain=chain,
            calls_before_approval=calls_before,
        )

    async def _ended_journey_state(
        self, config: dict[str, Any], journey: str
    ) -> StateSnapshot | None:
        """The journey's final state, through the parent checkpoint that ran it."""
        async for snapshot in self._graph.aget_state_history(config):
            if journey in snapshot.next:
                ran = await self._graph.aget_state(snapshot.config, subgraphs=True)
                return _journey_task_state(ran, journey)
            if (snapshot.metadata or {}).get("source") == "input":
                # The current goal began here (a chat thread holds earlier goals) without
                # reaching its journey.
                return None
        return None

    def _client(self, workspace: str) -> PuffleClient | None:
        key = key_for_workspace(self.target, workspace)
        if key is None:
            return None
        # A workspace's own key is read from the environment only now: redact it from here on.
        register_secret(key.get_secret_value())
        limiter = self.limiter_factory(key, self.target.clock) if self.limiter_factory else None
        return PuffleClient(
            self.target.base_url,
            key,
            transport=self.target.transport,
            clock=self.target.clock,
            limiter=limiter,
            timeout=self.settings.request_timeout_seconds,
            log_bodies=self.settings.log_bodies,
        )

    @staticmethod
    def _config(thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}


def _pending_pause(state: Any) -> dict[str, Any] | None:
    for task in state.tasks:
        for pending in task.interrupts:
            return dict(pending.value)
        if task.state is not None and (inner := _pending_pause(task.state)) is not None:
            return inner
    return None


def _innermost_pause(state: Any) -> dict[str, Any] | None:
    """The pause the deepest graph still waits on.

    A process that dies after a subgraph took its answer leaves the parent's task listing the
    old interrupt, while the subgraph's own checkpoints have moved past it: they decide.
    """
    for task in state.tasks:
        if task.state is not None:
            return _innermost_pause(task.state)
        for pending in task.interrupts:
            return dict(pending.value)
    return None


def _journey_task_state(state: StateSnapshot, journey: str) -> StateSnapshot | None:
    for task in state.tasks:
        if task.name == journey and isinstance(task.state, StateSnapshot):
            return task.state
    return None


def _whole_history(config: Any) -> dict[str, Any]:
    """`config` without its checkpoint id: a history listing reads every checkpoint of its graph."""
    configurable = {k: v for k, v in config["configurable"].items() if k != "checkpoint_id"}
    return {"configurable": configurable}


def _accepted_approval(chronological: list[StateSnapshot]) -> tuple[list[str], frozenset[str]]:
    """The chain of the last approval the human accepted, and the ids of the calls before it.

    An approval pause sits in the checkpoint just before `ask_human` runs; the answer lands in the
    checkpoint after it.
    """
    chain: list[str] = []
    calls_before: frozenset[str] = frozenset()
    for asked, answered in pairwise(chronological):
        pause = asked.values.get("pause") or {}
        answer = (answered.values.get("answer") or {}).get("answer")
        if pause.get("kind") == "approval_required" and answer == "approve":
            chain = [str(step) for step in pause.get("details", {}).get("chain", [])]
            calls_before = frozenset(call["id"] for call in asked.values.get("calls", []))
    return chain, calls_before


def _merged_values(state: Any) -> dict[str, Any]:
    """Parent values overlaid with those of a paused subgraph (which hold the latest calls)."""
    values = dict(state.values)
    for task in state.tasks:
        if task.state is not None:
            values.update(_merged_values(task.state))
    return values


def check_settings(settings: Settings) -> None:
    if settings.model and settings.openai_api_key is None and settings.openai_base_url is None:
        raise ConfigurationError(
            "PUFFLE_AGENT_MODEL is set but neither OPENAI_API_KEY nor OPENAI_BASE_URL is"
        )

"""The wrapper every graph node that talks to Puffle goes through.

It turns run errors into the pauses the error table prescribes, moves the HTTP client's call
records into the state's call log, and writes one log line per node step.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.errors import RunError
from graphs.context import RunContext
from graphs.escalation import STOP, error_pause

log = structlog.get_logger("puffle_agent.graph")

NodeResult = Command[str] | dict[str, Any]
NodeFunction = Callable[[Any, Runtime[RunContext]], Awaitable[NodeResult]]
# What `step` hands to `StateGraph.add_node`: LangGraph's node protocols cannot be spelled for a
# wrapper whose state parameter is deliberately untyped, so the wrapped node is typed loosely.
GraphNode = Any


def step(name: str) -> Callable[[NodeFunction], GraphNode]:
    def wrap(node: NodeFunction) -> GraphNode:
        # `state` is deliberately untyped: LangGraph reads a node's first annotation as its
        # input schema, and the wrapped node must see its own graph's whole state.
        async def run(state: Any, runtime: Runtime[RunContext]) -> NodeResult:
            started = time.perf_counter()
            try:
                result = await node(state, runtime)
            except RunError as error:
                paused = error_pause(error, retry_node=name)
                result = paused or Command(
                    update={
                        "outcome": "failed",
                        "error": {
                            "message": str(error),
                            "correlation_id": getattr(error, "correlation_id", None),
                        },
                    },
                    goto=STOP,
                )

            client = runtime.context.client
            calls = client.take_calls() if client is not None else []
            result = _with_calls(result, calls)
            log.info(
                "graph.node",
                node=name,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                calls=len(calls),
                goto=result.goto if isinstance(result, Command) else None,
            )
            return result

        run.__name__ = name
        return run

    return wrap


def _with_calls(result: NodeResult, calls: list[Any]) -> NodeResult:
    if not calls:
        return result
    if isinstance(result, Command):
        update = dict(result.update or {})
        update["calls"] = calls
        return Command(update=update, goto=result.goto)
    return {**result, "calls": calls}

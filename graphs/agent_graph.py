"""The parent graph: boot → understand → journey, with human pauses on the way.

The report is built from the final (or paused) checkpoint by `graphs.report.build_report`, so a
paused run and a finished one are reported the same way.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from graphs.boot import boot
from graphs.context import RunContext
from graphs.escalation import STOP, ask_human, stop
from graphs.journeys import JOURNEY_GRAPHS
from graphs.state import RunState
from graphs.understand import understand


def build_agent_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(RunState, context_schema=RunContext)
    graph.add_node("boot", boot)
    graph.add_node("understand", understand)
    for journey, build_journey in JOURNEY_GRAPHS.items():
        graph.add_node(journey, build_journey())
        graph.add_edge(journey, END)
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)

    graph.add_edge(START, "boot")
    graph.add_edge(STOP, END)
    return graph.compile(checkpointer=checkpointer, name="puffle_agent")

"""The parent graph: boot → understand → journey → report, with human pauses on the way."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from graphs.boot import boot
from graphs.context import RunContext
from graphs.escalation import STOP, ask_human, stop
from graphs.launch_campaign import build_launch_campaign_graph
from graphs.report import build_report
from graphs.state import RunState
from graphs.understand import understand


async def report(state: RunState) -> dict[str, Any]:
    return {"result": build_report(state, pause=None)["result"]}


def build_agent_graph(
    checkpointer: BaseCheckpointSaver[Any] | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    graph = StateGraph(RunState, context_schema=RunContext)
    graph.add_node("boot", boot)
    graph.add_node("understand", understand)
    graph.add_node("launch_campaign", build_launch_campaign_graph())
    graph.add_node("ask_human", ask_human)
    graph.add_node(STOP, stop)
    graph.add_node("report", report)

    graph.add_edge(START, "boot")
    graph.add_edge("launch_campaign", "report")
    graph.add_edge(STOP, "report")
    graph.add_edge("report", END)
    return graph.compile(checkpointer=checkpointer, name="puffle_agent")

"""LangGraph state machines of puffle-agent: boot, understand, journeys, pauses, report."""

from graphs.agent_graph import build_agent_graph
from graphs.context import RunContext
from graphs.report import build_report
from graphs.state import RunState

__all__ = ["RunContext", "RunState", "build_agent_graph", "build_report"]

"""The journeys the agent can run: each a compiled subgraph, added to the parent as a node.

A journey's node name is its plan's `journey` value, so `understand` routes a plan to its
journey without knowing the journeys. Adding a journey means a plan model in `agent.plans`, a
subgraph builder here, and a line in `CAPABILITIES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from graphs.launch_campaign import build_launch_campaign_graph

JourneyBuilder = Callable[[], CompiledStateGraph[Any, Any, Any, Any]]

JOURNEY_GRAPHS: dict[str, JourneyBuilder] = {
    "launch_campaign": build_launch_campaign_graph,
}

# What the agent can do, in words for a person; shown when a goal has no documented endpoint.
CAPABILITIES: list[str] = [
    "launch a LinkedIn or email campaign to a saved lead list or to the results of a lead search",
]

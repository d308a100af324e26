"""The journeys the agent can run: each a compiled subgraph, added to the parent as a node.

A journey's node name is its plan's `journey` value, so `understand` routes a plan to its
journey without knowing the journeys. Adding a journey means a plan model in `agent.plans`, a
subgraph builder here, and a line in `CAPABILITIES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from graphs.deep_research import build_deep_research_graph
from graphs.import_leads import build_import_leads_graph
from graphs.launch_campaign import build_launch_campaign_graph
from graphs.reply_inbox import build_reply_inbox_graph
from graphs.signals import build_signals_graph
from graphs.social_post import build_social_post_graph

JourneyBuilder = Callable[[], CompiledStateGraph[Any, Any, Any, Any]]

JOURNEY_GRAPHS: dict[str, JourneyBuilder] = {
    "launch_campaign": build_launch_campaign_graph,
    "import_leads": build_import_leads_graph,
    "deep_research": build_deep_research_graph,
    "reply_inbox": build_reply_inbox_graph,
    "signals": build_signals_graph,
    "social_post": build_social_post_graph,
}

# What the agent can do, in words for a person; shown when a goal has no documented endpoint.
CAPABILITIES: list[str] = [
    "launch a LinkedIn or email campaign to a saved lead list or to the results of a lead search",
    "import leads into a new or existing list from a CSV file or a Sales Navigator people search",
    "write a deep research report on people, by LinkedIn profile URL",
    "summarise who replied to your launched campaigns and what they want (read-only)",
    "tune signal types (enable, add keywords, create) and summarise the strongest signals",
    "schedule a LinkedIn or X post on a connected account at an exact time",
]

"""What a run carries besides its state: clients, planner, clock and knobs.

LangGraph hands this to every node as the runtime context. It is rebuilt for every invocation
(a resume may happen in another process, with the key looked up again), so nothing here is ever
checkpointed; the key in particular lives only inside the HTTP client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from agent.client import PuffleClient
from agent.clock import Clock, SystemClock
from agent.planners import Planner


def _ignore_progress(_message: str) -> None:
    return None


@dataclass
class RunContext:
    client: PuffleClient | None
    planner: Planner
    chat_model: BaseChatModel | None = None
    clock: Clock = field(default_factory=SystemClock)
    launch_poll_ceiling: float = 600.0
    search_poll_ceiling: float = 600.0
    research_poll_ceiling: float = 1500.0
    # Called with a short sentence while the run waits on Puffle, so a person sees it move.
    progress: Callable[[str], None] = _ignore_progress

    def require_client(self) -> PuffleClient:
        if self.client is None:
            # Boot pauses with `missing_key` before any node that needs the client runs.
            raise RuntimeError("no Puffle client: the run has no API key")
        return self.client

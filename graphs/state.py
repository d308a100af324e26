"""The run's state: plain, serialisable data only (ids, snapshots, the call log, routes).

Journey subgraphs extend `RunState` with their own keys. The call log is merged by call id, so
a subgraph handing back the whole list does not duplicate entries the parent already holds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from agent.client import CallRecord

Outcome = Literal["completed", "stopped", "failed"]


def merge_calls(existing: list[CallRecord], new: list[CallRecord]) -> list[CallRecord]:
    seen = {call["id"] for call in existing}
    return existing + [call for call in new if call["id"] not in seen]


class RunState(TypedDict, total=False):
    goal: str
    workspace: str
    # Offset into `calls` where the current goal's calls begin (a chat thread runs many goals).
    calls_start: int
    calls: Annotated[list[CallRecord], merge_calls]

    company_name: str | None
    context: dict[str, Any] | None
    planner: str
    plan: dict[str, Any] | None
    icp_verdict: str
    icp_reason: str

    # The pause about to be asked, and where each accepted answer leads.
    pause: dict[str, Any] | None
    routes: dict[str, str]
    answer: dict[str, Any] | None
    # The human's "smaller batch" answer: how many units the journey may take at most.
    batch_size: int | None
    pauses_answered: list[dict[str, Any]]

    credits_spent: int
    credits_quoted: int
    outcome: Outcome | None
    result: dict[str, Any]
    error: dict[str, Any] | None
    notes: list[str]


# Kept from one goal to the next in a chat thread: the call log (each goal reads its own part
# from `calls_start`) and what boot and the planner set up again before anything reads them.
THREAD_KEYS = frozenset({"calls", "company_name", "context", "planner"})


def new_goal_state(goal: str, workspace: str, calls_start: int) -> dict[str, Any]:
    """The state a goal starts from: every key of `RunState` outside `THREAD_KEYS` reset.

    A chat thread runs many goals on one checkpoint, so anything a goal sets (a plan, a pause's
    answer, a smaller batch, credits) must not leak into the next goal.
    """
    return {
        "goal": goal,
        "workspace": workspace,
        "calls_start": calls_start,
        "plan": None,
        "icp_verdict": "unknown",
        "icp_reason": "",
        "pause": None,
        "routes": {},
        "answer": None,
        "batch_size": None,
        "pauses_answered": [],
        "credits_spent": 0,
        "credits_quoted": 0,
        "outcome": None,
        "result": {},
        "error": None,
        "notes": [],
    }

"""Understand: the planner turns the goal into a journey and typed parameters.

Before any write, the goal's audience is judged against the workspace's ICP; a mismatch pauses
for the human. A goal no documented endpoint serves pauses with what the agent can do instead.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.plans import UnsupportedGoal
from agent.schemas import WorkspaceContext
from graphs._steps import step
from graphs.context import RunContext
from graphs.escalation import pause_command
from graphs.journeys import CAPABILITIES, JOURNEY_GRAPHS
from graphs.state import RunState


@step("understand")
async def understand(state: RunState, runtime: Runtime[RunContext]) -> Command[str]:
    context = WorkspaceContext.model_validate(state.get("context") or {})
    planner = runtime.context.planner

    output = await planner.plan(state.get("goal", ""), context)

    update = {
        "planner": planner.name,
        "plan": output.model_dump(mode="json"),
        "icp_verdict": output.icp_verdict,
        "icp_reason": output.icp_reason,
    }
    plan = output.plan
    if isinstance(plan, UnsupportedGoal) or plan.journey not in JOURNEY_GRAPHS:
        reason = plan.reason if isinstance(plan, UnsupportedGoal) else "not built yet"
        unread = isinstance(plan, UnsupportedGoal) and not plan.understood
        verdict = (
            "The goal could not be read" if unread else "No documented Puffle endpoint can do this"
        )
        return pause_command(
            "no_documented_endpoint",
            f"{verdict}: {reason.rstrip('.')}. What this agent can do: {'; '.join(CAPABILITIES)}.",
            {"edit": "understand"},
            update=update,
            details={"capabilities": CAPABILITIES},
        )
    if output.icp_verdict == "mismatch":
        audience = getattr(plan, "audience", "") or "this audience"
        return pause_command(
            "icp_mismatch",
            f"The audience '{audience}' does not fit this workspace's ideal customer profile: "
            f"{output.icp_reason} Go ahead anyway?",
            {"approve": plan.journey},
            update=update,
        )
    return Command(update=update, goto=plan.journey)

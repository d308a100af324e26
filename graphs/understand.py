"""Understand: the planner turns the goal into a journey and typed parameters.

Before any write, the goal's audience is judged against the workspace's ICP; a mismatch pauses
for the human. A goal no documented endpoint serves pauses with what the agent can do instead.
"""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.plans import LaunchCampaignPlan, UnsupportedGoal
from agent.schemas import WorkspaceContext
from graphs._steps import step
from graphs.context import RunContext
from graphs.escalation import pause_command
from graphs.state import RunState

CAPABILITIES = (
    "launch a LinkedIn or email campaign to a saved lead list or to the results of a lead "
    "search, with approval before anything is written or spent"
)


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
    match output.plan:
        case UnsupportedGoal(reason=reason):
            return pause_command(
                "no_documented_endpoint",
                f"No documented Puffle endpoint can do this: {reason}. What this agent can do: "
                f"{CAPABILITIES}.",
                {"edit": "understand"},
                update=update,
                details={"capabilities": CAPABILITIES},
            )
        case LaunchCampaignPlan() if output.icp_verdict == "mismatch":
            return pause_command(
                "icp_mismatch",
                f"The audience '{output.plan.audience}' does not fit this workspace's ideal "
                f"customer profile: {output.icp_reason} Go ahead anyway?",
                {"approve": "launch_campaign"},
                update=update,
            )
        case LaunchCampaignPlan():
            return Command(update=update, goto="launch_campaign")

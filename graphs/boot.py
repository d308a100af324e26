"""Boot: onboarding status, then context. Nothing else is called until both say ready."""

from __future__ import annotations

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.operations import GET_CONTEXT, GET_ONBOARDING_STATUS
from graphs._steps import step
from graphs.context import RunContext
from graphs.escalation import pause_command
from graphs.state import RunState


@step("boot")
async def boot(state: RunState, runtime: Runtime[RunContext]) -> Command[str]:
    client = runtime.context.client
    if client is None:
        return pause_command(
            "missing_key",
            "No Puffle API key is configured for this workspace. Set PUFFLE_API_KEY, then retry.",
            {"retry": "boot"},
        )

    status = await client.call(GET_ONBOARDING_STATUS)
    session = status.data.session
    if session is None or session.status != "completed":
        return pause_command(
            "onboarding_incomplete",
            _onboarding_message(session.status if session else None, session),
            {"retry": "boot"},
            correlation_id=status.correlation_id,
            details={"status": session.status if session else None},
        )

    context = await client.call(GET_CONTEXT)
    if context.data.context is None:
        return pause_command(
            "onboarding_incomplete",
            "The workspace has no company or ICP context yet; finish onboarding in Puffle, "
            "then retry.",
            {"retry": "boot"},
            correlation_id=context.correlation_id,
        )

    profile = context.data.profile
    return Command(
        update={
            "company_name": (profile.companyName if profile else None) or session.companyName,
            "context": context.data.context.model_dump(mode="json"),
        },
        goto="understand",
    )


def _onboarding_message(status: str | None, session: object) -> str:
    if status is None:
        return (
            "Onboarding was never started for this workspace, so Puffle knows nothing about the "
            "business yet. A person must complete onboarding in Puffle; then retry."
        )
    if status == "failed":
        error_message = getattr(session, "errorMessage", None) or "no reason given"
        error_step = getattr(session, "errorStep", None) or "unknown step"
        return (
            f"Onboarding failed at {error_step}: {error_message}. A person must fix it "
            "(usually the website URL) in Puffle; then retry."
        )
    return f"Onboarding is still running ({status}); retry once it has completed."

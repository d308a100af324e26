"""Pauses for a human: how errors become typed pauses, and the node that asks.

The node that discovers a problem computes the pause and the route each answer takes; `ask_human`
only asks (it runs again from its first line on resume, so it must do nothing else); the node
the answer routes to does the work. `stop` ends a journey the human declined.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import Command, interrupt
from pydantic import ValidationError

from agent.errors import (
    AuthenticationError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    PuffleAPIError,
    RateLimitedError,
    RunError,
    ServerError,
    TransportError,
)
from agent.pauses import AnswerKind, HumanAnswer, Pause, PauseKind
from agent.plans import PlannerOutput
from graphs.state import RunState

STOP = "stop"


def pause_command(
    kind: PauseKind,
    message: str,
    routes: dict[AnswerKind, str],
    *,
    correlation_id: str | None = None,
    details: dict[str, Any] | None = None,
    update: dict[str, Any] | None = None,
) -> Command[str]:
    """Go to `ask_human` with a typed pause; `deny` always leads to `stop`."""
    answers: list[AnswerKind] = [*routes, "deny"]
    pause = Pause(
        kind=kind,
        message=message,
        correlation_id=correlation_id,
        answers=list(dict.fromkeys(answers)),
        details=details or {},
    )
    return Command(
        update={**(update or {}), "pause": pause.model_dump(), "routes": dict(routes)},
        goto="ask_human",
    )


def error_pause(error: RunError, retry_node: str) -> Command[str] | None:
    """The pause the error table prescribes for `error`, or None when the run must fail."""
    correlation_id = getattr(error, "correlation_id", None)
    retry: dict[AnswerKind, str] = {"retry": retry_node}
    match error:
        case AuthenticationError():
            return pause_command(
                "missing_key",
                "Puffle rejected the API key (401). Set a valid PUFFLE_API_KEY, then retry.",
                retry,
                correlation_id=correlation_id,
            )
        case PermissionDeniedError():
            return pause_command(
                "forbidden",
                f"This workspace may not use that feature (403): {error.message}",
                retry,
                correlation_id=correlation_id,
            )
        case NotFoundError():
            return pause_command(
                "not_found",
                f"Puffle could not find what {error.operation} needed (404): {error.message}",
                retry,
                correlation_id=correlation_id,
            )
        case InsufficientCreditsError():
            return pause_command(
                "insufficient_credits",
                f"Puffle refused a paid step for lack of credits (402): {error.message}",
                retry,
                correlation_id=correlation_id,
            )
        case RateLimitedError():
            wait = f"{error.retry_after:.0f} s" if error.retry_after is not None else "a while"
            return pause_command(
                "server_error",
                f"Puffle is rate-limiting this key on {error.operation} and asked to wait {wait}. "
                f"Retry after that; correlation id {correlation_id}.",
                retry,
                correlation_id=correlation_id,
                details={"retry_after": error.retry_after},
            )
        case ServerError():
            return pause_command(
                "server_error",
                f"Puffle kept failing on {error.operation} (HTTP {error.status}) after the "
                f"retry the rules allow. Quote correlation id {correlation_id} to Puffle support.",
                retry,
                correlation_id=correlation_id,
            )
        case TransportError():
            return pause_command("server_error", str(error), retry)
        case PuffleAPIError():
            # 400, 409 and 422 mean the agent's request was wrong: resending it cannot help.
            return None
        case _:
            return None


async def ask_human(state: RunState) -> Command[str]:
    pause = state.get("pause") or {}
    raw_answer = interrupt(pause)

    try:
        answer = HumanAnswer.model_validate(raw_answer)
    except ValidationError:
        answer = HumanAnswer(answer="deny")
    routes = state.get("routes", {})
    if answer.answer not in pause.get("answers", []):
        answer = HumanAnswer(answer="deny")

    update: dict[str, Any] = {
        "pause": None,
        "answer": answer.model_dump(),
        "pauses_answered": [
            *state.get("pauses_answered", []),
            {"kind": pause.get("kind"), "answer": answer.answer},
        ],
    }
    if answer.answer == "smaller_batch":
        update["batch_size"] = answer.batch_size
    if answer.answer == "edit":
        edits = _apply_edits(state, answer.parameters)
        if edits is None:
            update["answer"] = HumanAnswer(answer="deny").model_dump()
            update["notes"] = [*state.get("notes", []), "The edited parameters were not valid."]
            return Command(update=update, goto=STOP)
        update.update(edits)
    return Command(update=update, goto=routes.get(answer.answer, STOP))


def _apply_edits(state: RunState, parameters: dict[str, Any]) -> dict[str, Any] | None:
    """A new goal, or the plan with the human's edits validated like any planner output."""
    if "goal" in parameters:
        goal = parameters["goal"]
        return {"goal": goal} if isinstance(goal, str) and goal.strip() else None
    current = state.get("plan") or {}
    edited = {**current, "plan": {**current.get("plan", {}), **parameters}}
    try:
        return {"plan": PlannerOutput.model_validate(edited).model_dump(mode="json")}
    except ValidationError:
        return None


async def stop(state: RunState) -> dict[str, Any]:
    # A failure recorded on the way here stays a failure; otherwise the human declined.
    return {"outcome": state.get("outcome") or "stopped"}

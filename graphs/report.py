"""The run's report: one object for people and scripts alike.

`status` is `completed`, `paused` (a human must answer), `stopped` (the human declined) or
`failed`; `calls` is this goal's call log; `credits` what was quoted and spent; `result` what
the journey produced. Paused runs are reported from their checkpointed state by the caller.

A run that did not complete also says what it leaves in Puffle (`left_behind`) and which steps
of the chain the human approved never ran (`not_done`), from the journey's trail (see
`graphs.left_behind`); both are empty for a completed run.
"""

from __future__ import annotations

from typing import Any, Literal

from graphs.left_behind import JourneyTrail, left_behind, not_done
from graphs.state import RunState

ReportStatus = Literal["completed", "paused", "stopped", "failed"]


def build_report(
    state: RunState, pause: dict[str, Any] | None, trail: JourneyTrail | None = None
) -> dict[str, Any]:
    calls = state.get("calls", [])[state.get("calls_start", 0) :]
    status: ReportStatus = "paused" if pause else (state.get("outcome") or "failed")
    plan = (state.get("plan") or {}).get("plan") or {}
    report: dict[str, Any] = {
        "status": status,
        "journey": plan.get("journey"),
        "workspace": state.get("workspace"),
        "goal": state.get("goal"),
        "planner": state.get("planner"),
        "pause": pause,
        "calls": [
            {
                "operation": call["operation"],
                "method": call["method"],
                "path": call["path"],
                "status": call["status"],
                "correlation_id": call["correlation_id"],
            }
            for call in calls
        ],
        "credits": {
            "quoted": state.get("credits_quoted", 0),
            "spent": state.get("credits_spent", 0),
        },
        "result": state.get("result", {}),
        "error": state.get("error"),
        "notes": state.get("notes", []),
        "left_behind": [],
        "not_done": [],
    }
    if trail is not None and status != "completed":
        report["left_behind"] = left_behind(trail, status, calls)
        report["not_done"] = not_done(trail, calls)
    report["summary"] = summarise(report)
    return report


def summarise(report: dict[str, Any]) -> str:
    """One paragraph a person can read at a glance."""
    status = report["status"]
    if status == "paused":
        pause = report["pause"] or {}
        return f"Paused ({pause.get('kind')}): {pause.get('message')}"
    if status == "failed":
        error = report.get("error") or {}
        message = str(error.get("message", "unknown error")).rstrip(".")
        correlation = error.get("correlation_id")
        # Errors from Puffle usually name their correlation id already; once is enough.
        suffix = (
            f" Correlation id: {correlation}." if correlation and correlation not in message else ""
        )
        return f"Failed: {message}.{suffix}"
    if status == "stopped":
        return "Stopped at your answer; nothing further was written."

    result = report.get("result") or {}
    if isinstance(result.get("summary"), str):
        return str(result["summary"])
    campaign = result.get("campaign") or {}
    if campaign:
        daily_limit = campaign.get("daily_limit")
        emails = campaign.get("channel") == "email"
        pace = f" It sends at most {daily_limit} emails a day." if daily_limit and emails else ""
        return (
            f"Campaign '{campaign.get('name')}' ({campaign.get('channel')}) is "
            f"{campaign.get('status')} with {campaign.get('leads')} leads and "
            f"{campaign.get('sequence_steps')} messages in its sequence.{pace} "
            f"{len(report['calls'])} API calls, {report['credits']['spent']} credits spent."
        )
    return "Done."

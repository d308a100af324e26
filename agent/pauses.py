"""Why a run stops for a human, and what the human may answer.

A pause is plain data: a typed kind, a sentence for a person, the correlation id when a Puffle
call is involved, the answers it accepts, and details (a price quote, the names that exist). The
graph raises it through `interrupt()`; the CLI, chat and headless workers show it and send the
answer back as a `HumanAnswer`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PauseKind = Literal[
    "missing_key",
    "onboarding_incomplete",
    "icp_mismatch",
    "approval_required",
    "insufficient_credits",
    "oauth_required",
    "forbidden",
    "not_found",
    "server_error",
    "no_documented_endpoint",
    "async_timeout",
    # The pre-launch check found a problem the agent cannot repair (e.g. an empty list).
    "launch_blocked",
    # A lead file the agent cannot import (not a CSV, no header, no email or LinkedIn column…),
    # or a Sales Navigator URL that is not a people search; found before any upload.
    "invalid_input",
    # A documented limit (types per workspace, keywords per type…) would be exceeded; nothing
    # was written.
    "limit_exceeded",
    # A time the goal gives cannot be used: in the past, unreadable, or skipped by a clock change.
    "invalid_time",
]
AnswerKind = Literal["approve", "deny", "retry", "smaller_batch", "edit"]


class Pause(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: PauseKind
    message: str
    correlation_id: str | None = None
    answers: list[AnswerKind]
    details: dict[str, Any] = Field(default_factory=dict)


class HumanAnswer(BaseModel):
    """The human's reply to a pause."""

    model_config = ConfigDict(extra="forbid")

    answer: AnswerKind
    batch_size: int | None = Field(default=None, ge=1)
    parameters: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _batch_size_goes_with_smaller_batch(self) -> HumanAnswer:
        if self.answer == "smaller_batch" and self.batch_size is None:
            raise ValueError("a smaller_batch answer needs batch_size")
        return self

    def spelled(self) -> str:
        """The answer as a person types it: `approve`, `smaller_batch 5`, `edit list_name=Q1`."""
        if self.answer == "smaller_batch":
            return f"smaller_batch {self.batch_size}"
        if self.answer == "edit" and self.parameters:
            pairs = " ".join(f"{key}={value}" for key, value in self.parameters.items())
            return f"edit {pairs}"
        return self.answer

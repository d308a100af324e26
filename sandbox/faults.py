"""Fault injection: make the Nth call to a route fail, stall, or both.

A rule names a route exactly as the sandbox declares it ("POST /api/campaigns/{campaign_id}/launch")
and the calls it affects: from the `nth` call to that route (counting from 1 across the whole
sandbox) for `times` consecutive calls. An affected call first waits `delay_seconds` on the
sandbox clock, then, if `status` is set, is answered with that status in the documented error
envelope instead of reaching the endpoint.

The command line spells a rule as `ROUTE[#NTH[xTIMES]][=STATUS][;key=value]...`, for example
`POST /api/campaigns/{campaign_id}/launch#2=500;retry_after=7` or
`GET /api/context#1x3;delay=2.5`. Keys: `nth`, `times`, `status`, `retry_after`, `delay`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_HEAD = re.compile(
    r"^(?P<route>[A-Z]+ /\S*?)(?:#(?P<nth>\d+)(?:x(?P<times>\d+))?)?(?:=(?P<status>\d{3}))?$"
)
_DEFAULT_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "Injected fault: invalid request"),
    401: ("unauthorized", "Injected fault: missing or invalid credentials"),
    402: ("insufficient_credits", "Injected fault: not enough credits"),
    403: ("forbidden", "Injected fault: not permitted"),
    404: ("not_found", "Injected fault: resource not found"),
    409: ("conflict", "Injected fault: conflict"),
    422: ("unprocessable", "Injected fault: semantically invalid"),
    429: ("rate_limited", "Injected fault: rate limit exceeded"),
}


class FaultRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    route: str = Field(pattern=r"^[A-Z]+ /")
    nth: int = Field(default=1, ge=1)
    times: int = Field(default=1, ge=1)
    status: int | None = Field(default=None, ge=400, le=599)
    retry_after: str | None = None
    delay_seconds: float = Field(default=0.0, ge=0)

    def affects(self, route: str, call_number: int) -> bool:
        return route == self.route and self.nth <= call_number < self.nth + self.times

    def error_code(self) -> tuple[str, str]:
        """The envelope's code and message for this rule's status."""
        assert self.status is not None
        if self.status >= 500:
            return "internal_error", "Injected fault: unexpected server error"
        return _DEFAULT_MESSAGES.get(self.status, ("error", "Injected fault"))

    @classmethod
    def parse(cls, text: str) -> FaultRule:
        """A rule from its command-line spelling; `ValueError` when it does not read."""
        head, *options = [part.strip() for part in text.strip().split(";")]
        match = _HEAD.match(head)
        if match is None:
            raise ValueError(f"cannot read fault rule {text!r}: expected ROUTE[#N[xT]][=STATUS]")

        fields: dict[str, Any] = {"route": match["route"]}
        if match["nth"]:
            fields["nth"] = int(match["nth"])
        if match["times"]:
            fields["times"] = int(match["times"])
        if match["status"]:
            fields["status"] = int(match["status"])

        for option in filter(None, options):
            key, sep, value = option.partition("=")
            if not sep:
                raise ValueError(f"fault option {option!r} needs key=value")
            key = key.strip()
            if key in {"nth", "times", "status"}:
                fields[key] = int(value)
            elif key == "retry_after":
                fields["retry_after"] = value.strip()
            elif key in {"delay", "delay_seconds"}:
                fields["delay_seconds"] = float(value)
            else:
                raise ValueError(f"unknown fault option {key!r}")
        return cls.model_validate(fields)

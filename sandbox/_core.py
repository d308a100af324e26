"""What every endpoint of the sandbox shares: the error envelope, time, ids and credits."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from agent.clock import Clock
from sandbox._store import InsufficientBalance, Store

CORRELATION_HEADER = "x-correlation-id"

# The OLD credits page's price table, credits per unit.
CREDIT_COSTS: dict[str, int] = {
    "FIND_PERSON": 1,
    "IMPORT_LEAD": 1,
    "EMAIL_LOOKUP": 2,
    "PHONE_LOOKUP": 8,
    "LINKEDIN_PROFILE": 1,
    "LINKEDIN_POSTS": 1,
    "COMPANY_NEWS": 4,
    "PERSON_NEWS": 4,
    "HIRING_STATUS": 1,
    "WEBSITE_ENRICHMENT": 1,
    "SITE_CRAWL_ENRICHMENT": 4,
    "CUSTOM_ENRICHMENT_AI": 1,
    "CUSTOM_ENRICHMENT_WEB": 1,
    "DEEP_RESEARCH": 40,
    "AI_MESSAGE_GENERATION": 2,
    "AGENT_SEARCH": 10,
    "SEARCH_CONTINUE": 5,
}
DOLLARS_PER_CREDIT = 0.05


@dataclass(frozen=True)
class SandboxTimings:
    """How long the sandbox's background work takes, in seconds of sandbox-clock time."""

    search_running_after: float = 5.0
    search_completed_after: float = 40.0
    launch_seconds: float = 45.0
    # A second launch inside this window after the first is a 409, as the docs describe.
    launch_conflict_window: float = 120.0
    # A Sales Navigator import starts after a few seconds, then fills its list row by row; a
    # CSV import into a new list enriches company data for a while after it returns.
    sales_nav_start_after: float = 5.0
    sales_nav_rows_per_second: float = 0.5
    list_enrichment_seconds: float = 30.0
    # Deep research: queued (`idle`) for a few seconds, then running for about twelve minutes.
    research_running_after: float = 5.0
    research_complete_after: float = 720.0


class ApiError(Exception):
    """Answered as `{"error": {"code", "message", "correlationId"}}` plus any `extra` fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def new_correlation_id() -> str:
    return "corr_" + secrets.token_hex(8)


def error_response(
    status: int,
    code: str,
    message: str,
    correlation_id: str,
    *,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        **(extra or {}),
        "error": {"code": code, "message": message, "correlationId": correlation_id},
    }
    return JSONResponse(
        body, status_code=status, headers={**(headers or {}), CORRELATION_HEADER: correlation_id}
    )


class World:
    """The state handlers act on: storage, the sandbox clock and its timings."""

    def __init__(self, store: Store, clock: Clock, timings: SandboxTimings) -> None:
        self.store = store
        self.clock = clock
        self.timings = timings

    def now(self) -> float:
        return self.clock.time()

    def now_iso(self) -> str:
        return iso_time(self.clock.time())

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def require_credits(self, workspace: str, action: str, count: int) -> int:
        """The price of `action` times `count`; 402 when the balance cannot cover it."""
        total = CREDIT_COSTS[action] * count
        balance = self.store.balance(workspace)
        if total > balance:
            raise insufficient(action, total, balance)
        return total

    def charge(self, workspace: str, action: str, count: int, at: float | None = None) -> int:
        """Debit `action` times `count`, all or nothing; the credits taken."""
        total = CREDIT_COSTS[action] * count
        if total == 0:
            return 0
        try:
            self.store.debit(workspace, action, count, total, self.now() if at is None else at)
        except InsufficientBalance as exc:
            raise insufficient(action, exc.required, exc.balance) from None
        return total


def insufficient(action: str, required: int, balance: int) -> ApiError:
    return ApiError(
        402,
        "insufficient_credits",
        f"{action} needs {required} credits; the balance is {balance}",
        extra={"required": required, "balance": balance},
    )


def iso_time(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _workspace_of(request: Request) -> str:
    # The middleware authenticated the request and put its workspace here before routing.
    return str(request.state.workspace)


def _world_of(request: Request) -> World:
    return request.app.state.world


CurrentWorkspace = Annotated[str, Depends(_workspace_of)]
CurrentWorld = Annotated[World, Depends(_world_of)]


async def json_object_body(request: Request) -> dict[str, Any]:
    """The request's JSON body as an object, or a 400 saying it must be one."""
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return cast(dict[str, Any], body)


def string_list(value: object, name: str) -> list[str]:
    """`value` as a list of strings, or a 400 naming the field."""
    if not isinstance(value, list):
        raise bad_request(f"{name} must be a list of strings")
    items = cast(list[object], value)
    if not all(isinstance(item, str) for item in items):
        raise bad_request(f"{name} must be a list of strings")
    return [str(item) for item in items]

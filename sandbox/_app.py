"""The `Sandbox`: a FastAPI app standing in for Puffle, plus what tests need to look inside it.

Every request passes one gate before it reaches an endpoint, in this order: half of any simulated
network latency is waited out (the other half after the answer); a correlation id is minted; the
Bearer key is resolved to its workspace (401 otherwise); the key's sliding 60-second window
admits it or answers 429 with `Retry-After`; matching fault rules delay it or answer in its
place. The answer, whatever it is, carries `x-correlation-id` and is recorded.
"""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from agent.clock import Clock, SystemClock
from sandbox import (
    _boot,
    _campaigns,
    _conversations,
    _imports,
    _leads,
    _research,
    _signals,
    _social,
)
from sandbox._core import (
    CORRELATION_HEADER,
    ApiError,
    SandboxTimings,
    World,
    error_response,
    new_correlation_id,
)
from sandbox._store import Store
from sandbox.faults import FaultRule
from sandbox.seeds import ALL_SEEDS, list_row, seed_id, workspace_seed

log = structlog.get_logger("puffle_sandbox")

RATE_WINDOW_SECONDS = 60.0
_CODES_BY_STATUS = {404: "not_found", 405: "method_not_allowed"}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    # "METHOD /template" of the matched route; None when no route matched.
    route: str | None
    status: int
    workspace: str | None
    at: float
    correlation_id: str


class Sandbox:
    """A seeded, in-process Puffle API with a controllable clock and injectable faults."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seeds: Iterable[str] = ALL_SEEDS,
        faults: Iterable[FaultRule] = (),
        db_path: str = ":memory:",
        requests_per_minute: int = 100,
        timings: SandboxTimings | None = None,
        latency: tuple[float, float] | None = None,
    ) -> None:
        """`latency=(low, high)` makes each request take a uniformly drawn time in that range
        (seconds of sandbox clock), as a network and a busy server would; the draw is seeded,
        so two sandboxes given the same requests wait the same.
        """
        if latency is not None and not 0 <= latency[0] <= latency[1]:
            raise ValueError(f"latency must be 0 <= low <= high, got {latency}")
        self.clock: Clock = clock or SystemClock()
        self.requests_per_minute = requests_per_minute
        self.latency = latency
        # Simulated network jitter, not a secret: a seeded generator keeps runs repeatable.
        self._latency_draws = random.Random(0)  # noqa: S311
        self._world = World(Store(db_path), self.clock, timings or SandboxTimings())
        self._faults: list[FaultRule] = list(faults)
        self._log: list[RecordedRequest] = []
        self._admitted: defaultdict[str, deque[float]] = defaultdict(deque)
        self._route_calls: defaultdict[str, int] = defaultdict(int)
        self._keys: dict[str, str] = {}
        self._workspaces_by_key: dict[str, str] = {}

        for name in seeds:
            self._seed(name)
        self.app = self._build_app()

    # Public inspection API

    @property
    def workspaces(self) -> list[str]:
        return list(self._keys)

    def api_key_for(self, workspace: str) -> str:
        return self._keys[workspace]

    def add_fault(self, rule: FaultRule) -> None:
        self._faults.append(rule)

    def requests(self, workspace: str | None = None) -> list[RecordedRequest]:
        return [r for r in self._log if workspace is None or r.workspace == workspace]

    def max_requests_in_any_minute(self, workspace: str) -> int:
        """The most requests the workspace sent in any 60 s, admitted or not, from the log."""
        times = sorted(r.at for r in self._log if r.workspace == workspace)
        most = start = 0
        for end, moment in enumerate(times):
            while times[start] <= moment - RATE_WINDOW_SECONDS:
                start += 1
            most = max(most, end - start + 1)
        return most

    def campaigns(self, workspace: str) -> list[dict[str, Any]]:
        return _campaigns.campaign_snapshot(self._world, workspace)

    def lists(self, workspace: str) -> list[dict[str, Any]]:
        store = self._world.store
        _leads.catch_up_lists(self._world, workspace)
        return [
            _leads.list_summary(self._world, workspace, sheet)
            for sheet in store.find("list", workspace, newest_first=True)
        ]

    def signal_types(self, workspace: str) -> list[dict[str, Any]]:
        return _signals.signal_types(self._world, workspace)

    def social_posts(self, workspace: str) -> list[dict[str, Any]]:
        return _social.social_posts(self._world, workspace)

    def list_rows(self, workspace: str, list_name: str) -> list[dict[str, Any]]:
        """The rows of the workspace's newest list of that name, as `GET …/rows` shows them."""
        _leads.catch_up_lists(self._world, workspace)
        store = self._world.store
        sheet = next(
            s for s in store.find("list", workspace, newest_first=True) if s["name"] == list_name
        )
        return store.find("row", workspace, sheet["id"])

    def spend_credits(self, workspace: str, credits: int) -> None:
        """Take credits as another job of the workspace would (e.g. while a run is paused)."""
        self._world.store.debit(workspace, "OTHER_JOB", 1, credits, self.clock.time())

    def credits_balance(self, workspace: str) -> int:
        return self._world.store.balance(workspace)

    def ledger(self, workspace: str) -> list[dict[str, Any]]:
        return self._world.store.ledger(workspace)

    # Setting up a test's or a scenario's starting state, beyond what the seeds hold

    # The ledger action of `set_credits`: a balance someone set, never credits a job spent.
    BALANCE_SET_ACTION = "BALANCE_SET"

    def set_credits(self, workspace: str, balance: int) -> None:
        """Give the workspace exactly `balance` credits, as an operator's correction would.

        The change is one ledger line with the action `BALANCE_SET_ACTION`, whose credits are what
        the balance lost (negative when it grew), so the ledger still adds up to the balance.
        """
        if balance < 0:
            raise ValueError(f"a balance cannot be negative, got {balance}")

        change = self.credits_balance(workspace) - balance
        self._world.store.debit(workspace, self.BALANCE_SET_ACTION, 0, change, self.clock.time())

    def add_list(
        self, workspace: str, name: str, people: Iterable[tuple[str, str, str, str, str]]
    ) -> str:
        """Add a lead list as if a person had imported it now; its id.

        `people` are (first, last, role, company, company domain), the seeds' shape. Ids follow
        the order lists are added in, so two sandboxes given the same calls hold the same ids.
        """
        store = self._world.store
        number = 0
        while store.get("list", seed_id(workspace, "added-list", number), workspace) is not None:
            number += 1

        list_id = seed_id(workspace, "added-list", number)
        self._put_list(
            workspace,
            list_id,
            name,
            tuple(people),
            row_kind=f"added-list{number}-row",
            created_at=self._world.now_iso(),
        )
        return list_id

    # Seeding

    def _seed(self, name: str) -> None:
        # Keys are minted per sandbox; a file database keeps its state across restarts.
        key = "pk_test_" + secrets.token_urlsafe(24)
        self._keys[name] = key
        self._workspaces_by_key[key] = name

        store = self._world.store
        if store.has_workspace(name):
            return
        seed = workspace_seed(name)
        store.add_workspace(
            name,
            user_id=seed_id(name, "user"),
            credits=seed.credits,
            onboarding=seed.onboarding,
            context=seed.context,
            profile=seed.profile,
        )
        for sender in seed.senders:
            store.put("sender", sender["id"], name, sender)
        for list_index, list_seed in enumerate(seed.lists):
            self._put_list(
                name,
                seed_id(name, "list", list_index),
                list_seed.name,
                list_seed.people,
                row_kind=f"row{list_index}",
                created_at=list_seed.created_at,
            )
        _research.seed_research(store, name, seed_id(name, "user"))
        _conversations.seed_conversations(store, name, seed_id(name, "user"))

    def _put_list(
        self,
        workspace: str,
        list_id: str,
        name: str,
        people: tuple[tuple[str, str, str, str, str], ...],
        *,
        row_kind: str,
        created_at: str,
    ) -> None:
        """A list of imported people; each row's id is `seed_id(workspace, row_kind, index)`."""
        store = self._world.store
        store.put(
            "list",
            list_id,
            workspace,
            {
                "id": list_id,
                "userId": store.workspace(workspace)["user_id"],
                "name": name,
                "enrichmentStatus": "idle",
                "createdAt": created_at,
                "updatedAt": created_at,
                "activeSearchId": None,
                "searchFilters": None,
            },
        )
        rows = [
            list_row(
                seed_id(workspace, row_kind, index),
                list_id,
                person,
                source="csv_import",
                added_at=created_at,
            )
            for index, person in enumerate(people)
        ]
        store.put_many("row", workspace, list_id, rows)

    # The app

    def _build_app(self) -> FastAPI:
        app = FastAPI(
            title="Puffle sandbox",
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
        )
        app.state.world = self._world
        # The routes are added as they are, not through `include_router`, so that the gate can
        # match a request to its declared template before the request is routed.
        for router in (
            _boot.router,
            # Before the lists' own routes: `/api/lists/sales-nav-access` is not a list id.
            _imports.router,
            _leads.router,
            _campaigns.router,
            _research.router,
            _conversations.router,
            _signals.router,
            _social.router,
        ):
            app.router.routes.extend(router.routes)
        app.add_exception_handler(
            ApiError,
            _api_error_handler,  # pyright: ignore[reportArgumentType]
        )
        app.add_exception_handler(
            RequestValidationError,
            _validation_error_handler,  # pyright: ignore[reportArgumentType]
        )
        app.add_exception_handler(
            StarletteHTTPException,
            _http_error_handler,  # pyright: ignore[reportArgumentType]
        )
        app.middleware("http")(self._gate)
        return app

    def _route_of(self, scope: Scope) -> str | None:
        for route in self.app.router.routes:
            if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.FULL:
                return f"{scope['method']} {route.path}"
        return None

    async def _gate(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        one_way = self._draw_latency() / 2
        if one_way:
            await self.clock.sleep(one_way)

        correlation_id = new_correlation_id()
        request.state.correlation_id = correlation_id
        arrived = self.clock.time()
        route = self._route_of(request.scope)
        workspace = self._workspace_for(request.headers.get("authorization"))

        response = await self._answer(request, call_next, route, workspace, correlation_id)

        response.headers[CORRELATION_HEADER] = correlation_id
        self._log.append(
            RecordedRequest(
                method=request.method,
                path=request.url.path,
                route=route,
                status=response.status_code,
                workspace=workspace,
                at=arrived,
                correlation_id=correlation_id,
            )
        )
        if one_way:
            await self.clock.sleep(one_way)
        return response

    def _draw_latency(self) -> float:
        if self.latency is None:
            return 0.0
        return self._latency_draws.uniform(*self.latency)

    async def _answer(
        self,
        request: Request,
        call_next: Callable[[Request], Awaitable[Response]],
        route: str | None,
        workspace: str | None,
        correlation_id: str,
    ) -> Response:
        if workspace is None:
            return error_response(
                401, "unauthorized", "Missing or invalid authentication credentials", correlation_id
            )
        request.state.workspace = workspace

        if (wait := self._admit(workspace)) is not None:
            return error_response(
                429,
                "rate_limited",
                f"More than {self.requests_per_minute} requests in a minute",
                correlation_id,
                headers={"Retry-After": str(wait)},
            )

        if route is not None:
            self._route_calls[route] += 1
            injected = await self._apply_faults(route, self._route_calls[route], correlation_id)
            if injected is not None:
                return injected

        try:
            return await call_next(request)
        except Exception:
            log.exception("sandbox.unhandled", route=route, correlation_id=correlation_id)
            return error_response(500, "internal_error", "Unexpected server error", correlation_id)

    def _workspace_for(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self._workspaces_by_key.get(key.strip())

    def _admit(self, workspace: str) -> int | None:
        """None when admitted; otherwise whole seconds until the window has a free slot."""
        now = self.clock.monotonic()
        window = self._admitted[workspace]
        while window and window[0] <= now - RATE_WINDOW_SECONDS:
            window.popleft()
        if len(window) >= self.requests_per_minute:
            return max(1, math.ceil(window[0] + RATE_WINDOW_SECONDS - now))
        window.append(now)
        return None

    async def _apply_faults(
        self, route: str, call_number: int, correlation_id: str
    ) -> Response | None:
        for rule in [r for r in self._faults if r.affects(route, call_number)]:
            if rule.delay_seconds > 0:
                await self.clock.sleep(rule.delay_seconds)
            if rule.status is not None:
                code, message = rule.error_code()
                headers = {"Retry-After": rule.retry_after} if rule.retry_after else None
                return error_response(rule.status, code, message, correlation_id, headers=headers)
        return None


def _correlation_id_of(request: Request) -> str:
    return str(getattr(request.state, "correlation_id", None) or new_correlation_id())


async def _api_error_handler(request: Request, exc: ApiError) -> Response:
    return error_response(
        exc.status,
        exc.code,
        exc.message,
        _correlation_id_of(request),
        extra=exc.extra,
        headers=exc.headers,
    )


async def _validation_error_handler(request: Request, exc: RequestValidationError) -> Response:
    # The docs answer 400 for an invalid body, where FastAPI would say 422.
    problems: list[str] = []
    for error in exc.errors()[:5]:
        location = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{location}: {error.get('msg', 'invalid')}")
    message = "; ".join(problems) or "Invalid request"
    return error_response(400, "invalid_request", message, _correlation_id_of(request))


async def _http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    code = _CODES_BY_STATUS.get(exc.status_code, "error")
    message = "No such endpoint" if exc.status_code in {404, 405} else str(exc.detail)
    return error_response(exc.status_code, code, message, _correlation_id_of(request))

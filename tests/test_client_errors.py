"""The agent's HTTP client against the sandbox: one test per row of the error table."""

from __future__ import annotations

import email.utils
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from agent import operations as ops
from agent.client import PuffleClient
from agent.clock import FakeClock
from agent.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnprocessableError,
)
from agent.ratelimit import SlidingWindowLimiter
from agent.schemas import CreateCampaignRequest, CreditPreviewRequest
from sandbox import FaultRule, Sandbox

CONTEXT_ROUTE = "GET /api/context"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


def _client(sandbox: Sandbox, clock: FakeClock, key: str) -> PuffleClient:
    return PuffleClient(
        "http://sandbox",
        SecretStr(key),
        transport=httpx.ASGITransport(app=sandbox.app),
        clock=clock,
        limiter=SlidingWindowLimiter(clock),
    )


@pytest.fixture
async def client(sandbox: Sandbox, clock: FakeClock) -> AsyncIterator[PuffleClient]:
    async with _client(sandbox, clock, sandbox.api_key_for("demo")) as puffle:
        yield puffle


def _calls(sandbox: Sandbox, route: str) -> int:
    return sum(1 for request in sandbox.requests() if request.route == route)


async def test_400_raises_without_resending(client: PuffleClient, sandbox: Sandbox) -> None:
    """A 400 is BadRequestError after exactly one call: the same body is never sent twice."""
    with pytest.raises(BadRequestError) as raised:
        await client.call(
            ops.PREVIEW_CREDITS, body=CreditPreviewRequest(action="TELEPATHY", count=1)
        )

    assert raised.value.code == "invalid_request"
    assert raised.value.correlation_id == sandbox.requests()[-1].correlation_id
    assert _calls(sandbox, "POST /api/credits/preview") == 1


async def test_401_with_a_wrong_key(sandbox: Sandbox, clock: FakeClock) -> None:
    """An unknown key is AuthenticationError, not retried."""
    async with _client(sandbox, clock, "pk_test_wrong") as wrong:
        with pytest.raises(AuthenticationError):
            await wrong.call(ops.GET_CONTEXT)

    assert len(sandbox.requests()) == 1


async def test_403_is_permission_denied(client: PuffleClient, sandbox: Sandbox) -> None:
    """An injected 403 is PermissionDeniedError after one call."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=403))

    with pytest.raises(PermissionDeniedError):
        await client.call(ops.GET_CONTEXT)

    assert _calls(sandbox, CONTEXT_ROUTE) == 1


async def test_404_is_not_retried(client: PuffleClient, sandbox: Sandbox) -> None:
    """A campaign that is not the caller's is NotFoundError after one call."""
    with pytest.raises(NotFoundError):
        await client.call(ops.GET_CAMPAIGN, path_params={"campaign_id": "not-mine"})

    assert _calls(sandbox, "GET /api/campaigns/{campaign_id}") == 1


async def test_409_is_handed_back_to_the_caller(client: PuffleClient, sandbox: Sandbox) -> None:
    """A duplicate campaign name raises ConflictError for the caller to fetch the existing one."""
    senders = await client.call(ops.LIST_SENDERS, query={"type": "linkedin"})
    body = CreateCampaignRequest(
        type="linkedin", name="Twice", sender_account_ids=[senders.data.accounts[0].id]
    )
    await client.call(ops.CREATE_CAMPAIGN, body=body)

    with pytest.raises(ConflictError) as raised:
        await client.call(ops.CREATE_CAMPAIGN, body=body)

    assert raised.value.code == "conflict"
    assert _calls(sandbox, "POST /api/campaigns") == 2


async def test_422_is_not_retried(client: PuffleClient, sandbox: Sandbox) -> None:
    """An injected 422 is UnprocessableError after one call."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=422))

    with pytest.raises(UnprocessableError):
        await client.call(ops.GET_CONTEXT)

    assert _calls(sandbox, CONTEXT_ROUTE) == 1


async def test_429_waits_the_retry_after_seconds(
    client: PuffleClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """Retry-After: 7 makes the client wait exactly 7 s on the clock, then succeed."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=429, retry_after="7"))

    result = await client.call(ops.GET_CONTEXT)

    assert result.status == 200
    assert clock.sleeps == [7.0]
    assert _calls(sandbox, CONTEXT_ROUTE) == 2


async def test_429_honours_an_http_date_retry_after(
    client: PuffleClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """A Retry-After given as an HTTP date is waited out to that moment."""
    moment = email.utils.formatdate(clock.time() + 12, usegmt=True)
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=429, retry_after=moment))

    result = await client.call(ops.GET_CONTEXT)

    assert result.status == 200
    assert clock.sleeps == [12.0]
    assert _calls(sandbox, CONTEXT_ROUTE) == 2


async def test_429_without_retry_after_waits_30_seconds(
    client: PuffleClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """With no Retry-After the client waits the rules' 30 s."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=429))

    result = await client.call(ops.GET_CONTEXT)

    assert result.status == 200
    assert clock.sleeps == [30.0]


async def test_a_429_asking_for_an_hour_is_reported_not_waited_out(
    client: PuffleClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """A Retry-After beyond two minutes raises at once, with the wait and the correlation id."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=429, retry_after="3600"))

    with pytest.raises(RateLimitedError) as raised:
        await client.call(ops.GET_CONTEXT)

    assert raised.value.retry_after == 3600.0
    assert raised.value.correlation_id is not None
    assert clock.sleeps == []
    assert _calls(sandbox, CONTEXT_ROUTE) == 1


async def test_a_429_that_persists_is_reported_after_three_waits(
    client: PuffleClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """Four 429s in a row: three waits of Retry-After, then RateLimitedError."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=429, retry_after="7", times=4))

    with pytest.raises(RateLimitedError):
        await client.call(ops.GET_CONTEXT)

    assert clock.sleeps == [7.0, 7.0, 7.0]
    assert _calls(sandbox, CONTEXT_ROUTE) == 4


async def test_500_is_retried_once_after_5_seconds(
    client: PuffleClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """One 500 is retried after 5 s and the retry succeeds."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=500))

    result = await client.call(ops.GET_CONTEXT)

    assert result.status == 200
    assert clock.sleeps == [5.0]
    assert _calls(sandbox, CONTEXT_ROUTE) == 2


async def test_500_twice_is_a_server_error_with_the_last_correlation_id(
    client: PuffleClient, sandbox: Sandbox
) -> None:
    """Two 500s raise ServerError carrying the second answer's correlation id; 2 calls only."""
    sandbox.add_fault(FaultRule(route=CONTEXT_ROUTE, status=500, times=2))

    with pytest.raises(ServerError) as raised:
        await client.call(ops.GET_CONTEXT)

    answers = [r for r in sandbox.requests() if r.route == CONTEXT_ROUTE]
    assert len(answers) == 2
    assert raised.value.correlation_id == answers[-1].correlation_id
    assert raised.value.correlation_id != answers[0].correlation_id


async def test_the_client_limiter_keeps_under_100_per_minute(
    client: PuffleClient, sandbox: Sandbox
) -> None:
    """150 calls in a row never exceed 100 in any sliding minute, so the sandbox never says 429."""
    for _ in range(150):
        await client.call(ops.GET_CREDITS_CONFIG)

    assert len(sandbox.requests("demo")) == 150
    assert sandbox.max_requests_in_any_minute("demo") <= 100
    assert all(request.status == 200 for request in sandbox.requests("demo"))

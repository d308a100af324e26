"""The client refuses forbidden and undeclared requests before a byte is sent."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from agent import operations as ops
from agent.client import PuffleClient, parse_retry_after, render_path
from agent.clock import FakeClock
from agent.errors import (
    ForbiddenPathError,
    ResponseShapeError,
    TransportError,
    UndeclaredOperationError,
)
from agent.ratelimit import SlidingWindowLimiter

KEY = SecretStr("pk_test_guard-tests-key-000000")


def _client(sent: list[httpx.Request]) -> PuffleClient:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"ready": True, "errors": [], "warnings": []})

    clock = FakeClock()
    return PuffleClient(
        "http://puffle.test",
        KEY,
        transport=httpx.MockTransport(record),
        clock=clock,
        limiter=SlidingWindowLimiter(clock),
    )


FORBIDDEN = ForbiddenPathError
UNDECLARED = UndeclaredOperationError


@pytest.mark.parametrize(
    ("method", "path", "refusal"),
    [
        ("POST", "/api/admin/users", FORBIDDEN),
        ("GET", "/api/admin", FORBIDDEN),
        ("POST", "/api/apify/webhook", FORBIDDEN),
        ("POST", "/api/autumn/events", FORBIDDEN),
        ("POST", "/api/agentmail/inbound", FORBIDDEN),
        ("POST", "/api/campaigns/123/webhooks", FORBIDDEN),
        ("POST", "/api/unipile/connect", FORBIDDEN),
        ("GET", "/api/late/connect?platform=linkedin", FORBIDDEN),
        ("GET", "/API/ADMIN/users", FORBIDDEN),
        ("DELETE", "/api/campaigns/abc", UNDECLARED),
        ("GET", "/api/workspace/export", UNDECLARED),
        ("POST", "/api/campaigns/abc/launch/now", UNDECLARED),
        ("PUT", "/api/context", UNDECLARED),
    ],
)
async def test_forbidden_and_undeclared_requests_are_refused_unsent(
    method: str, path: str, refusal: type[Exception]
) -> None:
    """Admin, webhook and OAuth paths, and anything the catalog does not declare, never leave."""
    sent: list[httpx.Request] = []
    async with _client(sent) as client:
        with pytest.raises(refusal):
            await client.request(method, path)
    assert sent == []


async def test_a_declared_operation_goes_through() -> None:
    """The guard lets a declared operation pass, with the key only in the header."""
    sent: list[httpx.Request] = []
    async with _client(sent) as client:
        await client.request("GET", "/api/campaigns/abc/validate")

    [request] = sent
    assert request.url.path == "/api/campaigns/abc/validate"
    assert request.headers["authorization"] == f"Bearer {KEY.get_secret_value()}"


async def test_a_success_with_an_undocumented_shape_is_a_run_error() -> None:
    """A 200 whose body the documented model rejects raises ResponseShapeError, not a crash."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True}, headers={"x-correlation-id": "c1"})

    clock = FakeClock()
    client = PuffleClient(
        "http://puffle.test",
        KEY,
        transport=httpx.MockTransport(answer),
        clock=clock,
        limiter=SlidingWindowLimiter(clock),
    )
    async with client:
        with pytest.raises(ResponseShapeError, match="correlation id c1"):
            await client.call(ops.GET_ONBOARDING_STATUS)


@pytest.mark.parametrize(
    "campaign_id", ["../admin/users", "x/../../admin", "a?b=c", "a#b", "%2e%2e"]
)
def test_path_parameters_cannot_escape_their_segment(campaign_id: str) -> None:
    """A hostile id is encoded into one segment, so the rendered path stays declared."""
    path = render_path(ops.GET_CAMPAIGN.path, {"campaign_id": campaign_id})

    assert path.count("/") == 3
    assert ops.find_operation("GET", path) is ops.GET_CAMPAIGN


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_empty_or_dot_path_parameters_are_rejected(value: str) -> None:
    """Ids that would collapse the path are refused outright."""
    with pytest.raises(ValueError, match="no usable value"):
        render_path(ops.GET_CAMPAIGN.path, {"campaign_id": value})


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 12 ", 12.0),
        ("Wed, 21 Oct 2026 07:28:10 GMT", 10.0),
        ("Wed, 21 Oct 2026 07:27:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    """Both documented forms of Retry-After become a wait in seconds; junk is ignored."""
    now = 1792567680.0  # Wed, 21 Oct 2026 07:28:00 GMT
    assert parse_retry_after(header, now) == seconds


@pytest.mark.parametrize(
    ("failure", "problem"),
    [
        (httpx.ConnectError("refused"), "could not be reached"),
        (httpx.ReadTimeout("slow"), "did not answer in time"),
    ],
)
async def test_transport_failures_name_the_url_and_what_went_wrong(
    failure: httpx.HTTPError, problem: str
) -> None:
    """No answer at all says where the agent looked and whether it was refused or too slow."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    clock = FakeClock()
    client = PuffleClient(
        "http://127.0.0.1:9",
        KEY,
        transport=httpx.MockTransport(fail),
        clock=clock,
        limiter=SlidingWindowLimiter(clock),
    )
    async with client:
        with pytest.raises(TransportError) as raised:
            await client.call(ops.GET_CONTEXT)

    assert f"Puffle at http://127.0.0.1:9 {problem}" in str(raised.value)
    assert KEY.get_secret_value() not in str(raised.value)

"""The sandbox's cross-cutting contract: auth, envelope, correlation ids, rate limit, faults."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from agent.clock import FakeClock
from sandbox import FaultRule, Sandbox
from sandbox.inspection import with_inspection
from sandbox.server import check_port, check_speed, parse_latency

CORRELATION = re.compile(r"^corr_[0-9a-f]{16}$")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
async def demo(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(sandbox, sandbox.api_key_for("demo")) as client:
        yield client


def _client(sandbox: Sandbox, key: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox", headers=headers
    )


async def test_missing_key_is_401_in_the_envelope(sandbox: Sandbox) -> None:
    """A request without a Bearer key is answered 401 `unauthorized` with a correlation id."""
    async with _client(sandbox, None) as client:
        response = await client.get("/api/context")

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized"
    assert error["correlationId"] == response.headers["x-correlation-id"]


async def test_unknown_key_is_401(sandbox: Sandbox) -> None:
    """A well-formed but unknown key is refused like a missing one."""
    async with _client(sandbox, "pk_test_not-a-real-key") as client:
        response = await client.get("/api/onboarding/status")

    assert response.status_code == 401
    assert sandbox.requests()[-1].workspace is None


def test_each_workspace_gets_its_own_random_test_key() -> None:
    """Keys are `pk_test_` tokens, distinct per workspace and per sandbox."""
    first, second = Sandbox(), Sandbox()

    keys = [first.api_key_for(name) for name in first.workspaces]

    assert all(key.startswith("pk_test_") and len(key) > 30 for key in keys)
    assert len(set(keys)) == len(keys)
    assert first.api_key_for("demo") != second.api_key_for("demo")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/context", None),
        ("GET", "/api/not-documented", None),
        ("POST", "/api/credits/preview", {"action": "NOPE", "count": 1}),
        ("POST", "/api/campaigns", {"type": "fax"}),
        ("GET", "/api/campaigns/00000000-0000-0000-0000-000000000000", None),
    ],
)
async def test_every_answer_carries_a_correlation_id(
    demo: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    """Successes and errors alike carry `x-correlation-id`; errors repeat it in the body."""
    response = await demo.request(method, path, json=body)

    correlation_id = response.headers["x-correlation-id"]
    assert CORRELATION.match(correlation_id)
    if response.is_error:
        assert response.json()["error"]["correlationId"] == correlation_id


async def test_unknown_route_is_404_in_the_envelope(demo: httpx.AsyncClient) -> None:
    """Undocumented paths (admin tools included) do not exist here."""
    for path in ("/api/admin/users", "/api/apify/webhooks", "/api/unipile/connect"):
        response = await demo.post(path)

        assert response.status_code in {404, 405}
        assert response.json()["error"]["code"] in {"not_found", "method_not_allowed"}


async def test_an_invalid_body_is_400_not_422(demo: httpx.AsyncClient) -> None:
    """Body validation failures follow the docs (400 `invalid_request`), not FastAPI's 422."""
    response = await demo.post("/api/campaigns", json={"type": "linkedin"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "sender_account_ids" in response.json()["error"]["message"]


async def test_the_101st_request_in_a_minute_is_429_until_the_window_frees(
    demo: httpx.AsyncClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """100 requests pass, the 101st gets 429 with a whole-second Retry-After, then it recovers."""
    for _ in range(100):
        assert (await demo.get("/api/credits/config")).status_code == 200
    clock.advance(20)

    limited = await demo.get("/api/credits/config")

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["retry-after"] == "40"
    clock.advance(40)
    assert (await demo.get("/api/credits/config")).status_code == 200
    assert [r.status for r in sandbox.requests("demo")].count(429) == 1


async def test_rejected_requests_do_not_take_a_slot(
    demo: httpx.AsyncClient, clock: FakeClock
) -> None:
    """429s are not admitted: once the first minute passes, a full budget is available again."""
    for _ in range(100):
        await demo.get("/api/credits/config")
    for _ in range(5):
        assert (await demo.get("/api/credits/config")).status_code == 429

    clock.advance(60)

    statuses = [(await demo.get("/api/credits/config")).status_code for _ in range(100)]
    assert set(statuses) == {200}


async def test_the_rate_limit_is_per_key(sandbox: Sandbox) -> None:
    """One workspace spending its budget leaves another's untouched."""
    async with _client(sandbox, sandbox.api_key_for("demo")) as demo:
        for _ in range(101):
            await demo.get("/api/credits/config")
    async with _client(sandbox, sandbox.api_key_for("no_senders")) as other:
        response = await other.get("/api/credits/config")

    assert response.status_code == 200
    assert sandbox.max_requests_in_any_minute("demo") == 101
    assert sandbox.max_requests_in_any_minute("no_senders") == 1


async def test_a_fault_hits_only_the_nth_call_for_times_calls(
    demo: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """`nth=2, times=2` fails calls 2 and 3 of that route and no other."""
    sandbox.add_fault(FaultRule(route="GET /api/context", nth=2, times=2, status=503))

    statuses = [(await demo.get("/api/context")).status_code for _ in range(4)]
    other = await demo.get("/api/onboarding/status")

    assert statuses == [200, 503, 503, 200]
    assert other.status_code == 200


async def test_a_fault_answers_in_the_envelope_with_retry_after(
    demo: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """An injected status uses the documented envelope and passes Retry-After through."""
    sandbox.add_fault(FaultRule(route="GET /api/context", status=429, retry_after="7"))

    response = await demo.get("/api/context")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.json()["error"]["correlationId"] == response.headers["x-correlation-id"]


async def test_a_fault_on_a_templated_route_matches_any_id(
    demo: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Rules name the declared template, so they hit whatever id the caller uses."""
    sandbox.add_fault(FaultRule(route="GET /api/campaigns/{campaign_id}", status=500))

    response = await demo.get("/api/campaigns/anything")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert sandbox.requests()[-1].route == "GET /api/campaigns/{campaign_id}"


async def test_a_delay_fault_waits_on_the_sandbox_clock(
    demo: httpx.AsyncClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """A delay-only rule sleeps on the injected clock, then answers normally."""
    sandbox.add_fault(FaultRule(route="GET /api/context", delay_seconds=12.5))

    response = await demo.get("/api/context")

    assert response.status_code == 200
    assert clock.sleeps == [12.5]


async def test_faults_apply_after_auth(sandbox: Sandbox) -> None:
    """An unauthenticated call is a 401 and does not use up a fault."""
    sandbox.add_fault(FaultRule(route="GET /api/context", status=500))
    async with _client(sandbox, None) as anonymous:
        assert (await anonymous.get("/api/context")).status_code == 401
    async with _client(sandbox, sandbox.api_key_for("demo")) as demo:
        assert (await demo.get("/api/context")).status_code == 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "POST /api/campaigns/{campaign_id}/launch#2=500;retry_after=7",
            FaultRule(
                route="POST /api/campaigns/{campaign_id}/launch", nth=2, status=500, retry_after="7"
            ),
        ),
        (
            "GET /api/context#1x3;delay=2.5",
            FaultRule(route="GET /api/context", times=3, delay_seconds=2.5),
        ),
        ("GET /api/context=429", FaultRule(route="GET /api/context", status=429)),
    ],
)
def test_fault_rules_parse_from_their_cli_spelling(text: str, expected: FaultRule) -> None:
    """The command-line syntax reads into the same rule as the keyword form."""
    assert FaultRule.parse(text) == expected


@pytest.mark.parametrize("text", ["context=500", "GET /api/context;oops", "GET /api/x;color=red"])
def test_unreadable_fault_rules_are_refused(text: str) -> None:
    """A rule that does not read raises instead of silently doing nothing."""
    with pytest.raises(ValueError, match="fault"):
        FaultRule.parse(text)


async def test_the_log_records_route_templates_and_clock_time(
    demo: httpx.AsyncClient, sandbox: Sandbox, clock: FakeClock
) -> None:
    """Each request is recorded with its concrete path, its template and the sandbox time."""
    clock.advance(3)

    await demo.get("/api/lists/missing/rows")

    recorded = sandbox.requests("demo")[-1]
    assert (recorded.method, recorded.path, recorded.status) == (
        "GET",
        "/api/lists/missing/rows",
        404,
    )
    assert recorded.route == "GET /api/lists/{list_id}/rows"
    assert recorded.at == clock.time()


async def test_latency_is_drawn_within_its_range_and_split_around_the_answer() -> None:
    """Each request waits half its drawn latency on the way in and half on the way out."""
    clock = FakeClock()
    sandbox = Sandbox(clock=clock, seeds=["demo"], latency=(0.05, 0.2))

    async with _client(sandbox, sandbox.api_key_for("demo")) as demo:
        for _ in range(20):
            assert (await demo.get("/api/context")).status_code == 200

    inbound, outbound = clock.sleeps[0::2], clock.sleeps[1::2]
    assert inbound == outbound
    assert all(0.025 <= half <= 0.1 for half in inbound)
    # Drawn, not fixed: twenty requests do not all take the same time.
    assert len(set(inbound)) > 1


async def test_latency_draws_repeat_from_one_sandbox_to_the_next() -> None:
    """Two sandboxes answering the same requests wait the same, so benchmark runs compare."""
    waits: list[list[float]] = []
    for _ in range(2):
        clock = FakeClock()
        sandbox = Sandbox(clock=clock, seeds=["demo"], latency=(0.05, 0.2))
        async with _client(sandbox, sandbox.api_key_for("demo")) as demo:
            for _ in range(5):
                await demo.get("/api/context")
        waits.append(clock.sleeps)

    assert waits[0] == waits[1]


@pytest.mark.parametrize("latency", [(0.2, 0.05), (-0.1, 0.1)])
def test_a_latency_range_must_be_ordered_and_not_negative(latency: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="latency"):
        Sandbox(clock=FakeClock(), seeds=["demo"], latency=latency)


@pytest.mark.parametrize(
    ("text", "expected"), [("0.05-0.2", (0.05, 0.2)), ("0.1", (0.1, 0.1)), ("0-0", (0.0, 0.0))]
)
def test_latency_reads_from_its_command_line_spelling(
    text: str, expected: tuple[float, float]
) -> None:
    assert parse_latency(text) == expected


@pytest.mark.parametrize("text", ["fast", "0.2-0.05", "0.1-x", "", "nan", "0-1e9", "0-inf"])
def test_an_unreadable_latency_is_refused_with_its_text(text: str) -> None:
    with pytest.raises(ValueError, match="latency"):
        parse_latency(text)


async def test_a_copy_of_a_seed_has_its_data_under_its_own_ids_and_key() -> None:
    """`demo-2` starts as `demo` does, but shares no id, key or request budget with it."""
    sandbox = Sandbox(clock=FakeClock(), seeds=["demo", "demo-2"])

    assert sandbox.api_key_for("demo") != sandbox.api_key_for("demo-2")
    originals, copies = sandbox.lists("demo"), sandbox.lists("demo-2")
    assert [s["name"] for s in copies] == [s["name"] for s in originals]
    assert {s["id"] for s in copies}.isdisjoint(s["id"] for s in originals)
    assert sandbox.credits_balance("demo-2") == sandbox.credits_balance("demo")
    async with _client(sandbox, sandbox.api_key_for("demo-2")) as copy:
        accounts = (await copy.get("/api/calendar/accounts")).json()["accounts"]
        assert len(accounts) == 1
        assert (await copy.get("/api/context")).status_code == 200
    assert [r.workspace for r in sandbox.requests()] == ["demo-2", "demo-2"]


@pytest.mark.parametrize("name", ["demo-", "demo-x", "nowhere-1", "nowhere"])
def test_a_workspace_that_names_no_seed_is_refused(name: str) -> None:
    with pytest.raises(KeyError, match="known seeds"):
        Sandbox(clock=FakeClock(), seeds=[name])


async def test_the_inspection_log_lists_requests_oldest_first(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    """`/_sandbox/requests` answers loopback clients with the request log; stats give its span."""
    app = with_inspection(sandbox)
    key = sandbox.api_key_for("demo")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5000)),
        base_url="http://sandbox",
    ) as client:
        await client.get("/api/context", headers={"Authorization": f"Bearer {key}"})
        clock.advance(30)
        await client.get("/api/nothing-here", headers={"Authorization": f"Bearer {key}"})
        log = (await client.get("/_sandbox/requests")).json()
        stats = (await client.get("/_sandbox/stats")).json()

    assert [(r["route"], r["status"], r["workspace"]) for r in log] == [
        ("GET /api/context", 200, "demo"),
        (None, 404, "demo"),
    ]
    assert log[1]["at"] - log[0]["at"] == 30
    demo = stats["workspaces"]["demo"]
    assert (demo["first_request_at"], demo["last_request_at"]) == (log[0]["at"], log[1]["at"])
    assert stats["workspaces"]["low_credits"]["first_request_at"] is None
    assert stats["clock"] == clock.time()


@pytest.mark.parametrize("speed", [0.0, -3.0, float("nan"), float("inf"), 10_001.0])
def test_a_clock_speed_must_be_a_usable_factor(speed: float) -> None:
    with pytest.raises(ValueError, match="speed must be above 0"):
        check_speed(speed)


@pytest.mark.parametrize("port", [0, -1, 65536, 99999])
def test_a_port_must_exist(port: int) -> None:
    with pytest.raises(ValueError, match="port must be between 1 and 65535"):
        check_port(port)

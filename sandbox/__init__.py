"""A local stand-in for the Puffle API, faithful to the documented contract.

`Sandbox` builds a FastAPI app over SQLite, seeded with named workspaces (see `sandbox.seeds`),
each with its own random test key. It enforces the contract the agent relies on (Bearer auth,
the error envelope, correlation ids, the 100 requests/minute limit, credits and 402s, async work
on a controllable clock) and records every request it receives, so tests can assert on calls as
well as on the final state. Faults are injected per route with `FaultRule`.

    sandbox = Sandbox(clock=FakeClock())
    transport = httpx.ASGITransport(app=sandbox.app)
    key = sandbox.api_key_for("demo")
"""

from sandbox._app import RecordedRequest, Sandbox
from sandbox._core import CREDIT_COSTS, SandboxTimings
from sandbox.faults import FaultRule
from sandbox.seeds import ALL_SEEDS
from sandbox.server import serve

__all__ = [
    "ALL_SEEDS",
    "CREDIT_COSTS",
    "FaultRule",
    "RecordedRequest",
    "Sandbox",
    "SandboxTimings",
    "serve",
]

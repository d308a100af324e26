"""Serve the sandbox over HTTP on this machine, for `puffle-agent sandbox serve`."""

from __future__ import annotations

from collections.abc import Iterable

import uvicorn

from agent.clock import Clock, ScaledClock, SystemClock
from sandbox._app import Sandbox
from sandbox.faults import FaultRule
from sandbox.inspection import with_inspection
from sandbox.seeds import ALL_SEEDS

# Printed once every key is out, so a parent process reading them knows when to stop.
KEYS_PRINTED = "Serving until interrupted."


# Beyond these a served sandbox only stalls its clients: a minute per request is no network.
MAX_LATENCY_SECONDS = 60.0
MAX_SPEED = 10_000.0


def parse_latency(text: str) -> tuple[float, float]:
    """`"0.05-0.2"` (seconds) as `(0.05, 0.2)`; one number means a fixed latency."""
    low_text, _, high_text = text.partition("-")
    try:
        low = float(low_text)
        high = float(high_text) if high_text else low
    except ValueError:
        raise ValueError(f"latency must be SECONDS or LOW-HIGH in seconds, got {text!r}") from None
    # Written so that NaN fails too: every comparison with it is false.
    if not 0 <= low <= high <= MAX_LATENCY_SECONDS:
        raise ValueError(
            f"latency must satisfy 0 <= LOW <= HIGH <= {MAX_LATENCY_SECONDS:g}, got {text!r}"
        )
    return low, high


def check_speed(speed: float) -> float:
    """The clock speed if it is a usable factor; a `ValueError` naming the range otherwise."""
    if not 0 < speed <= MAX_SPEED:
        raise ValueError(f"speed must be above 0 and at most {MAX_SPEED:g}, got {speed}")
    return speed


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    return port


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    speed: float = 1.0,
    faults: Iterable[FaultRule | str] = (),
    *,
    seeds: Iterable[str] = ALL_SEEDS,
    db_path: str = ":memory:",
    latency: tuple[float, float] | None = None,
) -> None:
    """Run a sandbox with uvicorn until interrupted, after printing each workspace's test key.

    `speed` above 1 runs the sandbox clock faster than real time (launches, searches, the rate
    window and any `latency` all shrink by the same factor). Faults may be rules or their
    `FaultRule.parse` text.
    """
    clock: Clock = SystemClock() if speed == 1.0 else ScaledClock(speed)
    rules = [rule if isinstance(rule, FaultRule) else FaultRule.parse(rule) for rule in faults]
    sandbox = Sandbox(clock=clock, seeds=seeds, faults=rules, db_path=db_path, latency=latency)

    # These are throwaway keys of a local stand-in; showing them is how a person gets one.
    print(f"Puffle sandbox on http://{host}:{port}", flush=True)
    for workspace in sandbox.workspaces:
        print(f"  {workspace:<15} {sandbox.api_key_for(workspace)}", flush=True)
    for rule in rules:
        print(f"  fault: {rule.model_dump(exclude_defaults=True)}", flush=True)
    if latency is not None:
        print(f"  latency: {latency[0]}-{latency[1]} s per request", flush=True)
    print(KEYS_PRINTED, flush=True)

    # Loopback clients may also read `GET /_sandbox/stats` (see `sandbox.inspection`).
    uvicorn.run(with_inspection(sandbox), host=host, port=port, log_level="warning")

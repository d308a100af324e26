"""Time as the agent and the sandbox see it.

Every wait in the agent (backoff, `Retry-After`, the rate limiter, polling) goes through a `Clock`,
so tests advance time instead of sleeping, and the embedded demo can run simulated time faster
than real time while keeping the same schedule.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; for measuring intervals."""
        ...

    def time(self) -> float:
        """Seconds since the Unix epoch; for HTTP dates and timestamps."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ScaledClock:
    """Simulated time that runs `speed` times faster than real time, from the moment it is made.

    The embedded sandbox and the agent share one, so a 30 s poll interval and a 60 s campaign
    launch both shrink by the same factor and the run keeps its real shape.
    """

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        self.speed = speed
        self._real_start = time.monotonic()
        self._epoch_start = time.time()

    def monotonic(self) -> float:
        return (time.monotonic() - self._real_start) * self.speed

    def time(self) -> float:
        return self._epoch_start + self.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class FakeClock:
    """Time that moves only when someone sleeps or calls `advance`; never waits for real.

    `sleeps` records every requested wait, so tests can assert a backoff schedule exactly.
    """

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._start = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._now - self._start

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._now += max(0.0, seconds)
        # Yield to the loop as a real sleep would, so other tasks interleave the same way.
        await asyncio.sleep(0)

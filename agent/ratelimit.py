"""Keeps each API key at or under its requests-per-minute budget, inside one process.

A sliding-window log rather than a token or leaky bucket: a bucket sized 100/min lets a full
burst through and then refills, so a rolling minute can see up to 150 requests; the log admits a
request only when fewer than `limit` were sent in the `window` seconds before it, which is the
promise Puffle's limit makes. It also honours a server-imposed hold (`Retry-After`) for every
caller of the same key. Waiting goes through the injectable clock.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from typing import Protocol

from agent.clock import Clock


class RateLimiter(Protocol):
    """What the client needs from a limiter: wait for a slot, and hold every caller back."""

    async def acquire(self) -> None: ...

    def hold(self, seconds: float) -> None: ...


class SlidingWindowLimiter:
    def __init__(self, clock: Clock, limit: int = 100, window: float = 60.0) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._sent: deque[float] = deque()
        self._hold_until = 0.0
        self._lock = asyncio.Lock()

    def hold(self, seconds: float) -> None:
        """Admit nothing for `seconds`: the server said so with a 429's `Retry-After`."""
        self._hold_until = max(self._hold_until, self.clock.monotonic() + seconds)

    async def acquire(self) -> None:
        # One waiter at a time, so admitted requests keep their order and the log stays exact.
        async with self._lock:
            while True:
                now = self.clock.monotonic()
                while self._sent and self._sent[0] <= now - self.window:
                    self._sent.popleft()

                wait = self._hold_until - now
                if len(self._sent) >= self.limit:
                    wait = max(wait, self._sent[0] + self.window - now)
                if wait <= 0:
                    self._sent.append(now)
                    return
                await self.clock.sleep(wait)


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key, safe to log and to use as a map key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


_limiters: dict[tuple[str, int], SlidingWindowLimiter] = {}


def shared_limiter(api_key: str, clock: Clock, limit: int = 100) -> SlidingWindowLimiter:
    """The limiter every client of this key (and clock) in this process shares."""
    slot = (key_fingerprint(api_key), id(clock))
    if slot not in _limiters:
        _limiters[slot] = SlidingWindowLimiter(clock, limit=limit)
    return _limiters[slot]

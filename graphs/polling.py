"""Waiting on Puffle's asynchronous work: 2 s, doubling, capped at 30 s, up to a ceiling.

The schedule is the agent guide's; the ceiling is the caller's (a campaign launch normally
flips within two minutes, deep research may take twenty). All waiting goes through the run's
clock, so tests and the embedded demo never wait for real.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from agent.clock import Clock

FIRST_INTERVAL = 2.0
MAX_INTERVAL = 30.0

T = TypeVar("T")


def backoff_intervals() -> Iterator[float]:
    interval = FIRST_INTERVAL
    while True:
        yield interval
        interval = min(interval * 2, MAX_INTERVAL)


@dataclass(frozen=True)
class PollOutcome(Generic[T]):
    last: T | None
    finished: bool
    polls: int
    waited_seconds: float


async def poll_until(
    fetch: Callable[[], Awaitable[T]],
    is_finished: Callable[[T], bool],
    *,
    clock: Clock,
    ceiling_seconds: float,
    on_poll: Callable[[T, float], None] | None = None,
) -> PollOutcome[T]:
    """Wait, fetch, repeat until `is_finished` or the next wait would pass the ceiling."""
    waited = 0.0
    last: T | None = None
    for polls, interval in enumerate(backoff_intervals(), start=1):
        if waited + interval > ceiling_seconds:
            return PollOutcome(last=last, finished=False, polls=polls - 1, waited_seconds=waited)
        await clock.sleep(interval)
        waited += interval

        last = await fetch()
        if on_poll is not None:
            on_poll(last, waited)
        if is_finished(last):
            return PollOutcome(last=last, finished=True, polls=polls, waited_seconds=waited)
    raise AssertionError("backoff_intervals never ends")  # pragma: no cover

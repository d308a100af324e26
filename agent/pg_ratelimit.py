"""One key's request budget shared by every worker process, kept in PostgreSQL.

The same sliding-window promise as `agent.ratelimit.SlidingWindowLimiter` (a request is admitted
only when fewer than `limit` were admitted in the `window` seconds before it), but the log lives
in a table, so any number of workers on any number of machines stay under the limit together.
A key is known only by its fingerprint. Each admission locks the key's row (`SELECT … FOR
UPDATE`), so two workers never both take the last slot. A 429's `Retry-After` becomes the row's
`hold_until`, which every worker of that key honours.

Times are the database's (`clock_timestamp()`), the one clock all workers agree on.
`time_scale` converts the agent's seconds into real ones: a sandbox served faster than real
time shrinks its minute, and the window shrinks with it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from psycopg_pool import AsyncConnectionPool

from agent.ratelimit import key_fingerprint

log = structlog.get_logger("puffle_agent.ratelimit")

RATE_TABLES_SQL = """
CREATE TABLE IF NOT EXISTS puffle_rate_keys (
    fingerprint text PRIMARY KEY,
    hold_until timestamptz NOT NULL DEFAULT 'epoch'
);
CREATE TABLE IF NOT EXISTS puffle_rate_requests (
    fingerprint text NOT NULL REFERENCES puffle_rate_keys (fingerprint) ON DELETE CASCADE,
    sent_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS puffle_rate_requests_by_key
    ON puffle_rate_requests (fingerprint, sent_at);
"""

# Requests admitted here reach Puffle a little later, and not all equally late: the window is
# widened by this share so that arrival jitter never packs `limit + 1` into Puffle's own window.
JITTER_MARGIN = 0.1


class PostgresLimiter:
    """A sliding-window limiter for one key, shared through PostgreSQL."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        api_key: str,
        *,
        limit: int = 100,
        window: float = 60.0,
        time_scale: float = 1.0,
    ) -> None:
        if limit < 1 or window <= 0 or time_scale <= 0:
            raise ValueError(
                f"limit, window and time_scale must be positive (got {limit}, {window}, "
                f"{time_scale})"
            )
        self.pool = pool
        self.fingerprint = key_fingerprint(api_key)
        self.limit = limit
        self.time_scale = time_scale
        self.window_seconds = window * time_scale * (1 + JITTER_MARGIN)
        self._pending_holds: set[asyncio.Task[None]] = set()

    def hold(self, seconds: float) -> None:
        """Admit nothing for `seconds` (agent time), for every worker of this key."""
        # The client calls this synchronously, then sleeps itself; the shared record is written
        # in the background and awaited before this limiter admits anything again.
        task = asyncio.get_running_loop().create_task(self._record_hold(seconds * self.time_scale))
        self._pending_holds.add(task)
        task.add_done_callback(self._pending_holds.discard)

    async def acquire(self) -> None:
        """Wait until this key may send one more request, and count it."""
        if self._pending_holds:
            await asyncio.gather(*self._pending_holds)

        while True:
            wait = await self._try_admit()
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def _try_admit(self) -> float:
        """0 when a request was admitted; otherwise real seconds until one might be."""
        async with self.pool.connection() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO puffle_rate_keys (fingerprint) VALUES (%s) ON CONFLICT DO NOTHING",
                (self.fingerprint,),
            )
            cursor = await connection.execute(
                "SELECT GREATEST(0, EXTRACT(EPOCH FROM hold_until - clock_timestamp()))::float "
                "FROM puffle_rate_keys WHERE fingerprint = %s FOR UPDATE",
                (self.fingerprint,),
            )
            held = await cursor.fetchone()
            hold_wait = float(held[0]) if held else 0.0

            await connection.execute(
                "DELETE FROM puffle_rate_requests WHERE fingerprint = %s "
                "AND sent_at <= clock_timestamp() - make_interval(secs => %s)",
                (self.fingerprint, self.window_seconds),
            )
            cursor = await connection.execute(
                "SELECT count(*), EXTRACT(EPOCH FROM min(sent_at) + make_interval(secs => %s) "
                "- clock_timestamp())::float FROM puffle_rate_requests WHERE fingerprint = %s",
                (self.window_seconds, self.fingerprint),
            )
            counted = await cursor.fetchone()
            assert counted is not None
            in_window, until_oldest_leaves = int(counted[0]), float(counted[1] or 0.0)

            wait = hold_wait
            if in_window >= self.limit:
                wait = max(wait, until_oldest_leaves, 0.001)
            if wait > 0:
                return wait
            await connection.execute(
                "INSERT INTO puffle_rate_requests (fingerprint, sent_at) "
                "VALUES (%s, clock_timestamp())",
                (self.fingerprint,),
            )
        return 0.0

    async def _record_hold(self, real_seconds: float) -> None:
        try:
            async with self.pool.connection() as connection:
                await connection.execute(
                    "INSERT INTO puffle_rate_keys (fingerprint, hold_until) "
                    "VALUES (%s, clock_timestamp() + make_interval(secs => %s)) "
                    "ON CONFLICT (fingerprint) DO UPDATE SET hold_until = "
                    "GREATEST(puffle_rate_keys.hold_until, EXCLUDED.hold_until)",
                    (self.fingerprint, real_seconds),
                )
        except Exception as exc:
            # This worker still waits out the hold itself; only the other workers miss it.
            log.warning("ratelimit.hold_not_shared", key=self.fingerprint, error=repr(exc))
            return
        log.info("ratelimit.hold", key=self.fingerprint, seconds=round(real_seconds, 3))

"""Headless mode: goals queued in PostgreSQL, run by workers, answered later from anywhere.

    enqueue ──▶ procrastinate job (run id, action) ──▶ worker: advance the run until it
    finishes or pauses ──▶ `puffle_runs` row (+ pause webhook) ──▶ approve / deny ──▶ resume job

A job holds no secret and never waits for a person: it advances its run, records the outcome and
returns. Every job of a run carries the run id as its procrastinate `lock`, so two jobs of one
thread never run at once. Checkpoints go to the same database (`AsyncPostgresSaver`) after every
step, so when a worker dies mid-journey another one continues from the last step: each worker
sends heartbeats, and every few seconds looks for jobs whose worker stopped sending them and puts
them back in the queue (procrastinate leaves that decision to the application). The key is read
from the environment when the job runs, and one key's request budget is shared by all workers
through `agent.pg_ratelimit`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, LiteralString, cast

import httpx
import procrastinate
import psycopg
import structlog
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from procrastinate.job_context import JobContext
from procrastinate.schema import SchemaManager
from psycopg import sql
from psycopg_pool import AsyncConnectionPool
from pydantic import SecretStr

from agent.clock import Clock
from agent.errors import UsageError
from agent.logging import redact
from agent.pauses import HumanAnswer
from agent.pg_ratelimit import RATE_TABLES_SQL, PostgresLimiter
from agent.ratelimit import key_fingerprint
from agent.runner import AgentRunner
from agent.runs_store import RUNS_TABLE_SQL, RunRecord, RunsStore
from agent.settings import Settings

log = structlog.get_logger("puffle_agent.queue")

QUEUE = "puffle_agent"
TASK_NAME = "puffle_agent.advance_run"
# Heartbeats every second; a worker silent for six is taken for dead and its jobs re-queued.
HEARTBEAT_SECONDS = 1.0
STALLED_AFTER_SECONDS = 6.0
RECOVERY_INTERVAL_SECONDS = 2.0
# Jobs waiting on a run's lock are not announced when the lock frees up: poll for them.
FETCH_POLL_SECONDS = 1.0
WEBHOOK_TIMEOUT_SECONDS = 5.0
# Serialises schema creation when several workers start together.
_SCHEMA_LOCK = 0x70756666

JobAction = Literal["start", "resume"]


def headless_database_url(settings: Settings, *, needs_puffle: bool) -> str:
    """The PostgreSQL URL headless mode runs on; a usage error when something is missing."""
    if settings.database_url is None:
        raise UsageError(
            "headless mode needs PostgreSQL: set PUFFLE_AGENT_DATABASE_URL, e.g. "
            "postgresql://postgres@127.0.0.1:5432/postgres"
        )
    if needs_puffle and settings.puffle_base_url is None:
        raise UsageError(
            "headless mode needs PUFFLE_BASE_URL: workers in other processes cannot share the "
            "embedded sandbox (serve one with `puffle-agent sandbox serve`)"
        )
    return settings.database_url


async def prepare_database(database_url: str) -> None:
    """Create the queue, runs, rate-limit and checkpoint tables where they do not exist yet."""
    try:
        connection = await psycopg.AsyncConnection.connect(database_url, autocommit=True)
    except psycopg.OperationalError as exc:
        raise UsageError(f"cannot reach PostgreSQL at PUFFLE_AGENT_DATABASE_URL: {exc}") from None

    async with connection:
        await connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            cursor = await connection.execute("SELECT to_regclass('procrastinate_jobs')")
            found = await cursor.fetchone()
            if found is None or found[0] is None:
                await connection.execute(sql.SQL(SchemaManager.get_schema()))
            await connection.execute(sql.SQL(cast(LiteralString, RUNS_TABLE_SQL)))
            await connection.execute(sql.SQL(cast(LiteralString, RATE_TABLES_SQL)))
            async with AsyncPostgresSaver.from_conn_string(database_url) as saver:
                await saver.setup()
        finally:
            await connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def make_queue_app(database_url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=database_url))
    app.task(name=TASK_NAME, queue=QUEUE, pass_context=True)(_advance_run_job)
    return app


async def _defer(
    database_url: str,
    run_id: str,
    action: JobAction,
    answer: dict[str, Any] | None = None,
    answered_before: int = 0,
) -> int:
    app = make_queue_app(database_url)
    async with app.open_async():
        deferrer = app.configure_task(TASK_NAME, lock=run_id, queue=QUEUE)
        return await deferrer.defer_async(
            run_id=run_id, action=action, answer=answer, answered_before=answered_before
        )


async def enqueue_goal(settings: Settings, goal: str, workspace: str) -> str:
    """Record a new run and queue its first job; the run id."""
    database_url = headless_database_url(settings, needs_puffle=True)
    if not goal.strip():
        raise UsageError("the goal is empty; say what the agent should do")
    if not workspace.strip():
        raise UsageError("the workspace is empty; name the workspace the goal is for")

    await prepare_database(database_url)
    run_id = uuid.uuid4().hex
    await RunsStore(database_url).add(run_id, workspace.strip(), goal.strip())
    job_id = await _defer(database_url, run_id, "start")
    log.info("queue.enqueued", run_id=run_id, thread_id=run_id, job_id=job_id)
    return run_id


async def answer_run(settings: Settings, run_id: str, answer: HumanAnswer) -> RunRecord:
    """Record the human's answer to a paused run and queue its resume."""
    database_url = headless_database_url(settings, needs_puffle=False)
    await prepare_database(database_url)
    store = RunsStore(database_url)
    record = await store.get(run_id)
    if record is None:
        raise UsageError(f"no run with id {run_id}")
    if record.status != "paused" or record.pause is None:
        raise UsageError(f"run {run_id} is {record.status}, not waiting for an answer")
    accepted = list(record.pause.get("answers", []))
    if answer.answer not in accepted:
        raise UsageError(
            f"'{answer.answer}' does not answer a {record.pause.get('kind')} pause; it accepts "
            f"{', '.join(accepted)}"
        )

    claimed = await store.claim_pause(run_id)
    if claimed is None:
        raise UsageError(f"run {run_id} was answered already")
    try:
        job_id = await _defer(
            database_url, run_id, "resume", answer.model_dump(), claimed.pauses_answered
        )
    except Exception:
        await store.release_pause(run_id)
        raise
    log.info("queue.answered", run_id=run_id, thread_id=run_id, job_id=job_id, answer=answer.answer)
    return claimed


async def list_runs(settings: Settings, status: str | None) -> list[RunRecord]:
    database_url = headless_database_url(settings, needs_puffle=False)
    await prepare_database(database_url)
    return await RunsStore(database_url).list(status)


async def get_run(settings: Settings, run_id: str) -> RunRecord:
    database_url = headless_database_url(settings, needs_puffle=False)
    await prepare_database(database_url)
    record = await RunsStore(database_url).get(run_id)
    if record is None:
        raise UsageError(f"no run with id {run_id}")
    return record


@dataclass
class _Worker:
    """What every job of one worker process shares."""

    settings: Settings
    runner: AgentRunner
    store: RunsStore
    limiter_pool: AsyncConnectionPool[Any]
    limiters: dict[str, PostgresLimiter] = field(default_factory=dict[str, PostgresLimiter])

    def limiter_for(self, key: SecretStr, _clock: Clock) -> PostgresLimiter:
        fingerprint = key_fingerprint(key.get_secret_value())
        if fingerprint not in self.limiters:
            self.limiters[fingerprint] = PostgresLimiter(
                self.limiter_pool,
                key.get_secret_value(),
                limit=self.settings.requests_per_minute,
                time_scale=1.0 / self.settings.target_clock_speed,
            )
        return self.limiters[fingerprint]

    async def advance(
        self, run_id: str, action: JobAction, answer: dict[str, Any] | None, answered_before: int
    ) -> str:
        """Move the run on as far as it goes without a person; its status afterwards."""
        record = await self.store.get(run_id)
        if record is None:
            raise UsageError(f"no run with id {run_id}")
        await self.store.mark_running(run_id)

        phase, answered = await self.runner.phase(run_id)
        if phase == "interrupted":
            # An earlier job of this run died between two steps: go on from the last checkpoint.
            report = await self.runner.carry_on(run_id)
        elif action == "start" and phase == "absent":
            report = await self.runner.start(record.goal, record.workspace, thread_id=run_id)
        elif action == "resume" and phase == "paused" and answered == answered_before:
            report = await self.runner.resume(run_id, HumanAnswer.model_validate(answer))
        else:
            # This job's work was done by an earlier attempt that died before recording it.
            report = await self.runner.report(run_id)

        _, answered = await self.runner.phase(run_id)
        await self.store.save_report(run_id, report, answered)
        if report["status"] == "paused" and self.settings.pause_webhook:
            await _notify_pause(self.settings.pause_webhook, record, report["pause"])
        return str(report["status"])


async def _advance_run_job(
    context: JobContext,
    run_id: str,
    action: JobAction,
    answer: dict[str, Any] | None = None,
    answered_before: int = 0,
) -> None:
    worker = cast(_Worker, context.additional_context["worker"])
    job = context.job
    structlog.contextvars.bind_contextvars(run_id=run_id, thread_id=run_id, job_id=job.id)
    started = time.perf_counter()

    try:
        status = await worker.advance(run_id, action, answer, answered_before)
    except Exception as exc:
        # The run is recorded as failed for a person to read; the job itself is finished.
        error = redact(f"{type(exc).__name__}: {exc}")
        await worker.store.save_failure(run_id, error)
        log.error(
            "queue.job",
            action=action,
            status="failed",
            error=error,
            attempt=job.attempts,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return
    log.info(
        "queue.job",
        action=action,
        status=status,
        attempt=job.attempts,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )


async def _notify_pause(url: str, record: RunRecord, pause: dict[str, Any]) -> None:
    """Tell the pause webhook a run waits for a person; a failure is logged, never raised."""
    description = {
        "run_id": record.id,
        "workspace": record.workspace,
        "goal": record.goal,
        "kind": pause.get("kind"),
        "message": pause.get("message"),
        "correlation_id": pause.get("correlation_id"),
        "answers": pause.get("answers", []),
    }
    try:
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS) as client:
            response = await client.post(url, json=description)
            response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("queue.pause_webhook_failed", error=type(exc).__name__)
        return
    log.info("queue.pause_webhook", kind=description["kind"], status=response.status_code)


async def _requeue_stalled_jobs(app: procrastinate.App) -> None:
    """Put back in the queue the jobs of workers that stopped sending heartbeats."""
    while True:
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, task_name=TASK_NAME, seconds_since_heartbeat=STALLED_AFTER_SECONDS
            )
        except Exception as exc:
            # A database blip must not end recovery for the rest of this worker's life.
            log.warning("queue.stalled_check_failed", error=type(exc).__name__)
            stalled = []
        for job in stalled:
            try:
                await app.job_manager.retry_job(job)
            except psycopg.Error:
                # Another worker re-queued it first.
                continue
            log.warning("queue.job_requeued", run_id=job.lock, thread_id=job.lock, job_id=job.id)
        await asyncio.sleep(RECOVERY_INTERVAL_SECONDS)


async def run_worker(settings: Settings, concurrency: int) -> None:
    """Run jobs until stopped (SIGINT / SIGTERM)."""
    if concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {concurrency}")
    database_url = headless_database_url(settings, needs_puffle=True)
    await prepare_database(database_url)

    app = make_queue_app(database_url)
    limiter_pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        database_url, min_size=1, max_size=4, open=False
    )
    worker: _Worker | None = None

    def limiter_factory(key: SecretStr, clock: Clock) -> PostgresLimiter:
        assert worker is not None
        return worker.limiter_for(key, clock)

    runner = AgentRunner(settings, database_url=database_url, limiter_factory=limiter_factory)
    async with limiter_pool, runner, app.open_async():
        worker = _Worker(settings, runner, RunsStore(database_url), limiter_pool)
        requeue = asyncio.create_task(_requeue_stalled_jobs(app))
        log.info("queue.worker_started", concurrency=concurrency)
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                additional_context={"worker": worker},
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=STALLED_AFTER_SECONDS,
                fetch_job_polling_interval=FETCH_POLL_SECONDS,
                shutdown_graceful_timeout=30.0,
            )
        finally:
            requeue.cancel()
    log.info("queue.worker_stopped")

"""Headless mode under load: worker processes draining queued goals against a served sandbox.

Everything here crosses real process boundaries: the sandbox is `python -m sandbox` on a loopback
port with per-request latency, workers are `puffle-agent worker` processes, and the queue, the
checkpoints and the shared rate limit live in a PostgreSQL database made for the drain and
dropped after it. This process plays the people: it queues the goals, approves every approval
pause through `agent.headless.answer_run` (what `puffle-agent approve` does) and denies any other
pause, so a drain always ends.

Figures come from the sandbox's own counters (`GET /_sandbox/stats`: requests, 429s, the busiest
minute, sandbox-clock times) and from the operating system (psutil: each worker's RSS and CPU).
The sandbox clock runs `speed` times faster than real time, and the workers are told so
(`PUFFLE_AGENT_TARGET_CLOCK_SPEED`), so rates are in sandbox minutes. The agent's own CPU time is
not scaled: at speed S a millisecond of it counts as S milliseconds of sandbox time, which makes
CPU-bound figures (one worker's pace, many workspaces on two cores) pessimistic by up to S.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psutil
import psycopg
from psycopg import sql

from agent.headless import answer_run, enqueue_goal, list_runs, prepare_database
from agent.pauses import HumanAnswer
from agent.runs_store import RunRecord
from agent.settings import Settings
from benchmarks.harness import Spread
from sandbox.child import ServedSandbox, served_sandbox

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LATENCY = (0.05, 0.2)
# A drain that has not ended after this many sandbox minutes is cut short and reported as such.
DRAIN_LIMIT_MINUTES = 60.0
STARTUP_SECONDS = 90.0
APPROVER_POLL_SECONDS = 0.2
FINISHED = frozenset({"completed", "stopped", "failed"})

# What one workspace's people ask for in a drain, in turn. Deep research is left out on purpose:
# its report takes twelve sandbox minutes, so it would mostly measure waiting, not the key budget.
WORKLOAD = (
    "Launch a LinkedIn campaign called Load push {n} to the Fintech CTOs list",
    'Import {csv} into a new list called "Load list {n}"',
    "Enable the funding signal and show me the top 5 signals from the last 7 days",
    'Schedule a LinkedIn post tomorrow at 9:00 saying "Release notes, part {n}"',
    "Summarise who replied to my campaigns and what they want",
)
LEADS_CSV = (
    "First Name,Last Name,Email,Company\n"
    "Ana,Lopez,ana.lopez@example.com,Clearvault\n"
    "Ben,Kim,ben.kim@example.com,Quillpay\n"
)


@dataclass
class Drain:
    """What one drain measured."""

    goals: int
    finished: dict[str, int]
    cut_short: bool
    sandbox_minutes: float
    requests: int
    rate_limited: int
    busiest_minute: int
    # Per workspace: requests over the span from its first to its last request, per minute.
    per_minute: dict[str, float]
    peak_rss_mb: list[float]
    worker_cpu_seconds: float
    sandbox_cpu_seconds: float
    machine_cpu_percent: float
    pauses_denied: list[str] = field(default_factory=list[str])


def goals_for(workspaces: list[str], per_workspace: int, csv_path: str) -> list[tuple[str, str]]:
    """(workspace, goal) pairs: the workload cycled, interleaved across workspaces."""
    return [
        (workspace, WORKLOAD[n % len(WORKLOAD)].format(n=n + 1, csv=csv_path))
        for n in range(per_workspace)
        for workspace in workspaces
    ]


@contextmanager
def fresh_database(base_url: str) -> Generator[str]:
    """A new, empty database next to `base_url`'s; dropped (with its connections) at the end."""
    name = f"puffle_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(base_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise SystemExit(
            f"the load benchmarks need PostgreSQL at {base_url}, as a user who may create "
            f"databases (set PUFFLE_BENCH_DATABASE_URL): {exc}"
        ) from None
    parts = urlsplit(base_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def worker_processes(
    count: int, concurrency: int, env: dict[str, str], log_dir: Path
) -> Generator[list[psutil.Popen]]:
    """`count` `puffle-agent worker` processes; stopped with SIGTERM at the end."""
    workers: list[psutil.Popen] = []
    try:
        for index in range(count):
            with (log_dir / f"worker-{index}.log").open("wb") as log_file:
                command = [sys.executable, "-m", "agent.cli", "worker"]
                workers.append(
                    psutil.Popen(
                        [*command, "--concurrency", str(concurrency)],
                        stdout=log_file,
                        stderr=log_file,
                        env={**os.environ, **env},
                    )
                )
        yield workers
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except psutil.TimeoutExpired:
                worker.kill()


@dataclass
class LoadRig:
    """A served sandbox, a queue database and running workers, shared by several drains.

    Workers take seconds to start, so one set serves every repeat of a configuration; each drain
    runs on workspaces no earlier drain touched, so no drain sees another's campaigns or lists.
    """

    sandbox: ServedSandbox
    settings: Settings
    workers: list[psutil.Popen]
    csv_path: str
    speed: float

    async def drain(self, workspaces: list[str], goals_per_workspace: int) -> Drain:
        """Queue the goals, answer pauses until every run has ended, and measure."""
        began = (await self._stats())["clock"]
        psutil.cpu_percent()  # starts the machine-wide CPU measurement
        sandbox_process = psutil.Process(self.sandbox.pid)
        sandbox_cpu_before = _cpu_seconds(sandbox_process)
        worker_cpu_before = sum(_cpu_seconds(p) for p in self.workers)
        goals = goals_for(workspaces, goals_per_workspace, self.csv_path)
        run_ids = {await enqueue_goal(self.settings, goal, ws) for ws, goal in goals}

        denied: list[str] = []
        peak_rss = [0.0] * len(self.workers)
        deadline = time.monotonic() + DRAIN_LIMIT_MINUTES * 60 / self.speed
        runs: list[RunRecord] = []
        while time.monotonic() < deadline:
            runs = [run for run in await self._answer_pauses(denied) if run.id in run_ids]
            for index, process in enumerate(self.workers):
                peak_rss[index] = max(peak_rss[index], process.memory_info().rss / 2**20)
            if all(run.status in FINISHED for run in runs):
                break
            await asyncio.sleep(APPROVER_POLL_SECONDS)

        machine_cpu = psutil.cpu_percent()
        stats = await self._stats()
        counters = {name: stats["workspaces"][name] for name in workspaces}
        return Drain(
            goals=len(goals),
            finished=dict(Counter(run.status for run in runs)),
            cut_short=not all(run.status in FINISHED for run in runs),
            sandbox_minutes=(stats["clock"] - began) / 60,
            requests=sum(c["requests"] for c in counters.values()),
            rate_limited=sum(c["rate_limited"] for c in counters.values()),
            busiest_minute=max(c["max_requests_in_any_minute"] for c in counters.values()),
            per_minute={name: requests_per_minute(c) for name, c in counters.items()},
            peak_rss_mb=peak_rss,
            worker_cpu_seconds=sum(_cpu_seconds(p) for p in self.workers) - worker_cpu_before,
            sandbox_cpu_seconds=_cpu_seconds(sandbox_process) - sandbox_cpu_before,
            machine_cpu_percent=machine_cpu,
            pauses_denied=denied,
        )

    async def _answer_pauses(self, denied: list[str]) -> list[RunRecord]:
        """Approve what waits for approval, deny anything else; the runs as they now stand."""
        runs = await list_runs(self.settings, None)
        for run in runs:
            if run.status != "paused" or run.pause is None:
                continue
            kind = str(run.pause.get("kind"))
            if kind == "approval_required":
                await answer_run(self.settings, run.id, HumanAnswer(answer="approve"))
            else:
                denied.append(kind)
                await answer_run(self.settings, run.id, HumanAnswer(answer="deny"))
        return runs

    async def _stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(f"{self.sandbox.base_url}/_sandbox/stats")
        response.raise_for_status()
        return response.json()


@asynccontextmanager
async def load_rig(
    *, workers: int, concurrency: int, workspaces: list[str], speed: float, database_url: str
) -> AsyncGenerator[LoadRig]:
    """Serve a sandbox holding `workspaces`, make a queue database, start the workers."""
    seeds = [arg for name in workspaces for arg in ("--seed", name)]
    latency = f"{LATENCY[0]}-{LATENCY[1]}"
    with (
        tempfile.TemporaryDirectory(prefix="puffle-bench-load-") as folder,
        served_sandbox(*seeds, "--latency", latency, speed=speed) as sandbox,
        fresh_database(database_url) as queue_url,
    ):
        csv_path = Path(folder) / "leads.csv"
        csv_path.write_text(LEADS_CSV, encoding="utf-8")
        env = {
            "PUFFLE_BASE_URL": sandbox.base_url,
            "PUFFLE_AGENT_DATABASE_URL": queue_url,
            "PUFFLE_AGENT_TARGET_CLOCK_SPEED": str(speed),
            "PUFFLE_AGENT_STATE_DIR": folder,
            "PUFFLE_AGENT_LOG_LEVEL": "WARNING",
        }
        for name in workspaces:
            env["PUFFLE_API_KEY_" + name.upper().replace("-", "_")] = sandbox.keys[name]
        settings = Settings.model_validate(
            {"PUFFLE_BASE_URL": sandbox.base_url, "PUFFLE_AGENT_DATABASE_URL": queue_url}
        )
        await prepare_database(queue_url)

        with worker_processes(workers, concurrency, env, Path(folder)) as processes:
            await _wait_for_workers(queue_url, workers, processes)
            yield LoadRig(sandbox, settings, processes, str(csv_path), speed)


async def _wait_for_workers(database_url: str, count: int, workers: list[psutil.Popen]) -> None:
    """Until every worker has registered with the queue (their imports take seconds)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker process exited during start-up; see its log")
        async with await psycopg.AsyncConnection.connect(database_url) as connection:
            cursor = await connection.execute("SELECT count(*) FROM procrastinate_workers")
            row = await cursor.fetchone()
        if row is not None and int(row[0]) >= count:
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"workers did not register within {STARTUP_SECONDS:.0f} s")


def requests_per_minute(counters: dict[str, Any]) -> float:
    first, last = counters["first_request_at"], counters["last_request_at"]
    if first is None or last is None or last <= first:
        return 0.0
    return counters["requests"] / ((last - first) / 60)


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


# 5. Key-budget use: one workspace, 1-8 workers


async def key_budget(
    worker_counts: list[int],
    goals_per_worker: int,
    speed: float,
    repeats: int,
    database_url: str,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for workers in worker_counts:
        # One fresh workspace (and so one fresh key) per repeat.
        names = [f"demo-{n + 1}" for n in range(repeats)]
        async with load_rig(
            workers=workers,
            concurrency=1,
            workspaces=names,
            speed=speed,
            database_url=database_url,
        ) as rig:
            drains = [await rig.drain([name], goals_per_worker * workers) for name in names]
        rows.append({"workers": workers, **_summary(drains)})
    return rows


# 6. Scale across workspaces: 4 workers at concurrency 10, 1-10 workspaces


async def workspace_scale(
    workspace_counts: list[int],
    goals_per_workspace: int,
    speed: float,
    repeats: int,
    database_url: str,
) -> list[dict[str, Any]]:
    # Every drain gets workspaces of its own; the workers serve them all, in growing order, so
    # memory read at 10 workspaces includes whatever the smaller drains left behind.
    fresh_names = (f"demo-{n}" for n in itertools.count(1))
    plan = [
        (count, [[next(fresh_names) for _ in range(count)] for _ in range(repeats)])
        for count in workspace_counts
    ]
    rows: list[dict[str, Any]] = []
    async with load_rig(
        workers=4,
        concurrency=10,
        workspaces=[name for _, batches in plan for batch in batches for name in batch],
        speed=speed,
        database_url=database_url,
    ) as rig:
        for count, batches in plan:
            drains = [await rig.drain(batch, goals_per_workspace) for batch in batches]
            rows.append({"workspaces": count, **_summary(drains)})
    return rows


def _summary(drains: list[Drain]) -> dict[str, Any]:
    last = drains[-1]
    return {
        "goals": last.goals,
        "finished": last.finished,
        "cut_short": any(d.cut_short for d in drains),
        "pauses_denied": sorted({kind for d in drains for kind in d.pauses_denied}),
        "requests": Spread.of([d.requests for d in drains]).as_json(),
        # The whole drain's pace, summed over workspaces, and one workspace's own pace.
        "calls_per_minute": Spread.of([d.requests / d.sandbox_minutes for d in drains]).as_json(),
        "key_per_minute": Spread.of([max(d.per_minute.values()) for d in drains]).as_json(),
        "busiest_minute": Spread.of([d.busiest_minute for d in drains]).as_json(),
        "rate_limited": Spread.of([d.rate_limited for d in drains]).as_json(),
        "goals_per_hour": Spread.of([d.goals / d.sandbox_minutes * 60 for d in drains]).as_json(),
        "peak_rss_mb": Spread.of([max(d.peak_rss_mb) for d in drains]).as_json(),
        "worker_cpu_ms_per_call": Spread.of(
            [1000 * d.worker_cpu_seconds / max(1, d.requests) for d in drains]
        ).as_json(),
        "sandbox_cpu_ms_per_call": Spread.of(
            [1000 * d.sandbox_cpu_seconds / max(1, d.requests) for d in drains]
        ).as_json(),
        "machine_cpu_percent": Spread.of([d.machine_cpu_percent for d in drains]).as_json(),
    }


def database_url_from_env() -> str:
    return os.environ.get("PUFFLE_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

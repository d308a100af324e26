"""Headless mode on a real PostgreSQL: queued goals, worker processes, answers from elsewhere.

The sandbox is served on loopback `SPEED` times faster than real time, and the workers are told
so (`PUFFLE_AGENT_TARGET_CLOCK_SPEED`): its minute and the agent's rate window shrink together,
so the 100-requests-per-minute limit is really exercised without a test lasting minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from psycopg_pool import AsyncConnectionPool
from typer.testing import CliRunner

from agent.cli import app
from agent.headless import answer_run, enqueue_goal, prepare_database
from agent.pauses import HumanAnswer
from agent.pg_ratelimit import PostgresLimiter
from agent.runs_store import RunRecord, RunsStore
from agent.settings import Settings
from sandbox.child import ServedSandbox, served_sandbox
from tests.headless_support import (
    ScratchDatabase,
    WorkerProcess,
    cli,
    deadline,
    scratch_database,
    webhook_sink,
    worker_processes,
)

SPEED = 20.0


def _goal(number: int) -> str:
    return f"Launch a LinkedIn campaign named Wave {number} to the Fintech CTOs list"


def _worker_env(database_url: str, sandbox: ServedSandbox, webhook: str = "") -> dict[str, str]:
    return {
        "PUFFLE_AGENT_DATABASE_URL": database_url,
        "PUFFLE_BASE_URL": sandbox.base_url,
        "PUFFLE_API_KEY_DEMO": sandbox.keys["demo"],
        "PUFFLE_API_KEY_NOT_ONBOARDED": sandbox.keys["not_onboarded"],
        "PUFFLE_AGENT_TARGET_CLOCK_SPEED": str(SPEED),
        "PUFFLE_AGENT_LOG_LEVEL": "INFO",
        "PUFFLE_AGENT_PAUSE_WEBHOOK": webhook,
    }


async def _wait_for_runs(
    store: RunsStore,
    run_ids: list[str],
    done: Callable[[RunRecord], bool],
    seconds: float,
    workers: list[WorkerProcess],
) -> dict[str, RunRecord]:
    """Poll the runs table until every run satisfies `done`; fail with the stragglers if not."""
    wanted = set(run_ids)
    records: dict[str, RunRecord] = {}
    until = deadline(seconds)
    while time.monotonic() < until:
        records = {run.id: run for run in await store.list() if run.id in wanted}
        if len(records) == len(wanted) and all(done(run) for run in records.values()):
            return records
        await asyncio.sleep(0.25)
    stragglers = {run.id: (run.status, run.error) for run in records.values() if not done(run)}
    tails = "\n".join(worker.log()[-2000:] for worker in workers)
    pytest.fail(f"runs did not settle in {seconds} s: {stragglers}\n{tails}")


def _pause_kind(run: RunRecord) -> str | None:
    return (run.pause or {}).get("kind")


def _stats(sandbox: ServedSandbox) -> dict[str, Any]:
    response = httpx.get(f"{sandbox.base_url}/_sandbox/stats", timeout=10)
    response.raise_for_status()
    stats: dict[str, Any] = response.json()["workspaces"]
    return stats


async def test_two_limiters_of_one_key_share_its_window_and_its_hold() -> None:
    """Two workers' limiters admit 5 per second together, and one's 429 hold stops the other."""
    with scratch_database() as database:
        await prepare_database(database.url)
        async with (
            AsyncConnectionPool(database.url, min_size=1, max_size=2) as pool_a,
            AsyncConnectionPool(database.url, min_size=1, max_size=2) as pool_b,
        ):
            limiters = [
                PostgresLimiter(pool, "pk_test_shared-key-for-the-test", limit=5, window=1.0)
                for pool in (pool_a, pool_b)
            ]
            admitted: list[float] = []

            async def send(limiter: PostgresLimiter) -> None:
                await limiter.acquire()
                admitted.append(time.monotonic())

            started = time.monotonic()
            await asyncio.gather(*(send(limiters[index % 2]) for index in range(12)))

            limiters[0].hold(0.8)
            held_at = time.monotonic()
            await asyncio.sleep(0.1)
            await limiters[1].acquire()
            waited_for_hold = time.monotonic() - held_at

    admitted.sort()
    busiest_second = max(
        sum(1 for moment in admitted if first <= moment < first + 1.0) for first in admitted
    )
    assert busiest_second == 5
    assert admitted[-1] - started >= 2.0
    assert waited_for_hold >= 0.75


async def test_three_workers_drain_thirty_goals_within_the_rate_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 goals, 3 workers: approved runs launch, one is denied, blocked ones stay paused."""
    with (
        scratch_database() as database,
        served_sandbox(speed=SPEED) as sandbox,
        webhook_sink() as sink,
    ):
        env = _worker_env(database.url, sandbox, webhook=sink.url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = Settings()
        store = RunsStore(database.url)
        demo_runs = [await enqueue_goal(settings, _goal(n), "demo") for n in range(1, 26)]
        blocked_runs = [await enqueue_goal(settings, _goal(n), "not_onboarded") for n in range(5)]
        all_runs = demo_runs + blocked_runs

        with worker_processes(3, env, tmp_path, concurrency=4) as workers:
            paused = await _wait_for_runs(
                store, all_runs, lambda run: run.status == "paused", 90, workers
            )
            cli_answers = [
                cli("approve", demo_runs[0], env=env),
                cli("deny", demo_runs[1], env=env),
            ]
            for run_id in demo_runs[2:]:
                await answer_run(settings, run_id, HumanAnswer(answer="approve"))
            wrong_answer = await asyncio.to_thread(
                CliRunner().invoke, app, ["approve", blocked_runs[0], "--answer", "approve"]
            )
            outputs = [process.communicate(timeout=90) for process in cli_answers]
            codes = [process.returncode for process in cli_answers]
            finished = await _wait_for_runs(
                store,
                demo_runs,
                lambda run: run.status in {"completed", "stopped", "failed"},
                90,
                workers,
            )
            still_blocked = {run.id: run for run in await store.list() if run.id in blocked_runs}
        stats = _stats(sandbox)
        dump = database.dump()
        logs = [worker.log() for worker in workers]

    assert {_pause_kind(paused[run]) for run in demo_runs} == {"approval_required"}
    assert {_pause_kind(paused[run]) for run in blocked_runs} == {"onboarding_incomplete"}
    assert codes == [0, 0], outputs
    assert f"answered run {demo_runs[0]} with approve" in outputs[0][0]
    assert wrong_answer.exit_code == 2
    assert "does not answer the onboarding_incomplete pause" in wrong_answer.output

    assert finished[demo_runs[1]].status == "stopped"
    assert {finished[run].status for run in demo_runs if run != demo_runs[1]} == {"completed"}
    assert {run.status for run in still_blocked.values()} == {"paused"}
    assert finished[demo_runs[0]].journey == "launch_campaign"
    assert any(call["path"].endswith("/launch") for call in finished[demo_runs[0]].calls)

    launched = [c for c in stats["demo"]["campaigns"] if c["name"].startswith("Wave ")]
    assert sorted(c["name"] for c in launched) == sorted(
        f"Wave {n}" for n in range(1, 26) if n != 2
    )
    assert {c["status"] for c in launched} == {"active"}
    for workspace in ("demo", "not_onboarded"):
        assert 0 < stats[workspace]["max_requests_in_any_minute"] <= 100
        assert stats[workspace]["rate_limited"] == 0
    assert stats["demo"]["requests"] > 100

    # Notifications are at-least-once (a job taken over from a worker thought dead may notify
    # again), so every run must have been announced; a repeat is not an error.
    assert {hook["run_id"] for hook in sink.received} == set(all_runs)
    assert {hook["kind"] for hook in sink.received} == {
        "approval_required",
        "onboarding_incomplete",
    }
    assert sum('"event": "queue.job"' in line for log in logs for line in log.splitlines()) >= 55
    for key in (sandbox.keys["demo"], sandbox.keys["not_onboarded"]):
        assert key.encode() not in dump
        assert not any(key in log for log in logs)
        assert not any(key.encode() in body for body in sink.raw)


@dataclass
class QueuedGoal:
    database: ScratchDatabase
    sandbox: ServedSandbox
    env: dict[str, str]
    settings: Settings
    store: RunsStore
    run_id: str


@asynccontextmanager
async def _queued_goal(
    monkeypatch: pytest.MonkeyPatch, fault: str, goal: str
) -> AsyncGenerator[QueuedGoal]:
    """A scratch database, a sandbox served with `fault`, and `goal` queued for demo."""
    with (
        scratch_database() as database,
        served_sandbox("--fault", fault, speed=SPEED) as sandbox,
    ):
        env = _worker_env(database.url, sandbox)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = Settings()
        run_id = await enqueue_goal(settings, goal, "demo")
        yield QueuedGoal(database, sandbox, env, settings, RunsStore(database.url), run_id)


async def test_a_worker_killed_mid_launch_leaves_the_run_to_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL during a slow launch: another worker finishes the run; one campaign exists."""
    slow_launch = "POST /api/campaigns/{campaign_id}/launch#1;delay=200"
    async with _queued_goal(monkeypatch, slow_launch, _goal(99)) as queued:
        settings, store = queued.settings, queued.store
        run_id, sandbox = queued.run_id, queued.sandbox
        with worker_processes(2, queued.env, tmp_path) as workers:
            await _wait_for_runs(store, [run_id], lambda run: run.status == "paused", 60, workers)
            await answer_run(settings, run_id, HumanAnswer(answer="approve"))

            launching: WorkerProcess | None = None
            until = deadline(60)
            while launching is None and time.monotonic() < until:
                await asyncio.sleep(0.1)
                launching = next((w for w in workers if '"goto": "launch"' in w.log()), None)
            assert launching is not None, "no worker reached the launch"
            await asyncio.sleep(1.0)
            os.kill(launching.process.pid, signal.SIGKILL)
            launching.process.wait(timeout=10)

            survivor = next(w for w in workers if w is not launching)
            finished = await _wait_for_runs(
                store, [run_id], lambda run: run.status in {"completed", "failed"}, 90, workers
            )
        stats = _stats(sandbox)
        dump = queued.database.dump()
        logs = [worker.log() for worker in workers]

    assert finished[run_id].status == "completed", finished[run_id].error
    assert "queue.job_requeued" in survivor.log()
    assert run_id in survivor.log()
    campaigns = [c for c in stats["demo"]["campaigns"] if c["name"].startswith("Wave 99")]
    assert [(c["name"], c["status"]) for c in campaigns] == [("Wave 99", "active")]
    assert sandbox.keys["demo"].encode() not in dump
    assert not any(sandbox.keys["demo"] in log for log in logs)


async def test_a_run_that_pauses_after_writing_records_what_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Launch keeps failing: the stored run and `show --json` name the draft and the steps left."""
    failing_launch = "POST /api/campaigns/{campaign_id}/launch#1x2=500"
    async with _queued_goal(monkeypatch, failing_launch, _goal(7)) as queued:
        store, run_id = queued.store, queued.run_id
        with worker_processes(1, queued.env, tmp_path) as workers:
            await _wait_for_runs(store, [run_id], lambda run: run.status == "paused", 60, workers)
            await answer_run(queued.settings, run_id, HumanAnswer(answer="approve"))
            escalated = await _wait_for_runs(
                store, [run_id], lambda run: _pause_kind(run) == "server_error", 60, workers
            )
        shown = cli("show", run_id, "--json", env=queued.env)
        stdout, _ = shown.communicate(timeout=60)
        campaigns = _stats(queued.sandbox)["demo"]["campaigns"]
        [draft] = [c for c in campaigns if c["name"] == "Wave 7"]

    record = escalated[run_id]
    assert [(item["kind"], item["id"], item["state"]) for item in record.left_behind] == [
        ("campaign", draft["id"], "draft")
    ]
    assert record.not_done[0] == "POST /api/campaigns/{campaign_id}/launch"
    assert json.loads(stdout)["left_behind"] == record.left_behind


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("enqueue", "Launch it"), {}, "headless mode needs PostgreSQL"),
        (
            ("enqueue", "Launch it"),
            {"PUFFLE_AGENT_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"},
            "headless mode needs PUFFLE_BASE_URL",
        ),
        (("worker",), {}, "headless mode needs PostgreSQL"),
        (("runs", "--status", "asleep"), {}, "unknown status 'asleep'"),
    ],
)
def test_headless_commands_name_what_is_missing(
    args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    """Headless commands without their database or served Puffle exit 2 and say what to set."""
    result = CliRunner().invoke(app, list(args), env=env)

    assert result.exit_code == 2
    assert message in result.output

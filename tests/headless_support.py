"""What the headless tests share: a throwaway PostgreSQL schema, worker processes, a webhook sink.

PostgreSQL must be running (CI starts it): `PUFFLE_AGENT_TEST_DATABASE_URL`, by default the
`test` database on 127.0.0.1:5432 as `postgres`. Each test gets its own schema, selected through
the URL's `search_path`, and drops it afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


def base_database_url() -> str:
    return os.environ.get("PUFFLE_AGENT_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


@dataclass(frozen=True)
class ScratchDatabase:
    url: str
    schema: str
    base_url: str

    def dump(self) -> bytes:
        """`pg_dump` of this test's schema: everything headless mode wrote."""
        result = subprocess.run(
            ["pg_dump", "--dbname", self.base_url, "--schema", self.schema],  # noqa: S607
            capture_output=True,
            timeout=60,
            check=True,
        )
        return result.stdout


@contextmanager
def scratch_database() -> Generator[ScratchDatabase]:
    """A fresh schema in the test database, dropped when the block ends."""
    base = base_database_url()
    schema = f"puffle_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {base} (set PUFFLE_AGENT_TEST_DATABASE_URL): {exc}"
        ) from None
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        yield ScratchDatabase(url=url, schema=schema, base_url=base)
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def worker_processes(
    count: int, env: dict[str, str], log_dir: Path, concurrency: int = 1
) -> Generator[list[WorkerProcess]]:
    """`puffle-agent worker` in `count` child processes; stopped with SIGTERM at the end."""
    workers: list[WorkerProcess] = []
    try:
        for index in range(count):
            log_path = log_dir / f"worker-{index}.log"
            with log_path.open("wb") as log_file:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "agent.cli",
                        "worker",
                        "--concurrency",
                        str(concurrency),
                    ],
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, **env},
                )
            workers.append(WorkerProcess(process, log_path))
        yield workers
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=10)


@dataclass
class WebhookSink:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    raw: list[bytes] = field(default_factory=list[bytes])


@contextmanager
def webhook_sink() -> Generator[WebhookSink]:
    """A loopback HTTP server that keeps every JSON body POSTed to it."""
    sink = WebhookSink(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                sink.raw.append(body)
                sink.received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}/pauses"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `puffle-agent ARGS` in its own process (callers collect it with `communicate`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "agent.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def deadline(seconds: float) -> float:
    return time.monotonic() + seconds

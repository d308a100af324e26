"""The sandbox served over HTTP on loopback in a child process, for end-to-end tests and
benchmarks that run the agent in other processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass

from sandbox.server import KEYS_PRINTED

STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class ServedSandbox:
    base_url: str
    keys: dict[str, str]
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_sandbox(*extra_args: str, speed: float = 100.0) -> Generator[ServedSandbox]:
    """Start `python -m sandbox` on a free loopback port; stop it when the block ends.

    `extra_args` are `python -m sandbox` options (`--seed`, `--fault`, `--latency`, …).
    """
    port = _free_port()
    command = [sys.executable, "-m", "sandbox", "--port", str(port), "--speed", str(speed)]
    # This interpreter and the sandbox module; `extra_args` come from the caller's own code.
    process = subprocess.Popen(  # noqa: S603
        [*command, *extra_args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        keys = _read_keys(process)
        _wait_until_listening(port)
        yield ServedSandbox(base_url=f"http://127.0.0.1:{port}", keys=keys, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _read_keys(process: subprocess.Popen[str]) -> dict[str, str]:
    assert process.stdout is not None
    keys: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line or line.strip() == KEYS_PRINTED:
            break
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("pk_test_"):
            keys[parts[0]] = parts[1]
    if not keys:
        raise RuntimeError("the sandbox printed no keys")
    return keys


def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the sandbox never listened on port {port}")

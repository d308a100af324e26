"""Shared fixtures: settings that keep every file a test run writes inside its tmp dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.clock import FakeClock
from agent.logging import configure_logging
from agent.runner import AgentRunner, embedded_target
from agent.settings import Settings


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's settings or writes outside its own directory."""
    for variable in (
        "PUFFLE_API_KEY",
        "PUFFLE_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "PUFFLE_AGENT_MODEL",
        "PUFFLE_AGENT_DATABASE_URL",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PUFFLE_AGENT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    # Quiet by default; tests that read the logs configure their own stream and level.
    configure_logging("WARNING")


@pytest.fixture
async def runner() -> AsyncIterator[AgentRunner]:
    """An agent on the embedded sandbox with a fake clock; modules needing more define their own."""
    settings = Settings()
    async with AgentRunner(settings, target=embedded_target(settings, clock=FakeClock())) as agent:
        yield agent

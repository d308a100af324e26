"""Settings reject values that would make the agent misbehave, naming the setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent.settings import Settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PUFFLE_AGENT_EMBEDDED_CLOCK_SPEED", "0"),
        ("PUFFLE_AGENT_EMBEDDED_CLOCK_SPEED", "inf"),
        ("PUFFLE_AGENT_EMBEDDED_CLOCK_SPEED", "abc"),
        ("PUFFLE_AGENT_REQUESTS_PER_MINUTE", "500"),
        ("PUFFLE_AGENT_LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    """Each bad value raises a validation error that names its variable."""
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError, match=variable):
        Settings()


def test_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """`debug` means DEBUG."""
    monkeypatch.setenv("PUFFLE_AGENT_LOG_LEVEL", "debug")

    assert Settings().log_level == "DEBUG"

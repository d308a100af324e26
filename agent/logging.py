"""structlog set-up: one line per unit of work, secrets redacted before anything is written.

On a terminal lines are rendered for people; elsewhere as JSON. Every secret the process knows
(the Puffle key, the model key) is registered here and replaced wherever it appears in an event,
as a last line of defence behind the rule that no code logs it in the first place.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

REDACTED = "[redacted]"
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    # Very short values would redact ordinary words; real keys are long.
    if value and len(value) >= 8:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    return value


def redact_secrets(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event.items():
        event[key] = _redact_value(value)
    return event


def configure_logging(level: str = "WARNING", stream: TextIO | None = None) -> None:
    """Route structlog to `stream` (stderr by default) at `level`."""
    target = stream or sys.stderr
    renderer: structlog.typing.Processor
    if target.isatty():
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    else:
        renderer = structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.WARNING)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=target),
        cache_logger_on_first_use=False,
    )

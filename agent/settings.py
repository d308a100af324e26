"""Settings, read from the environment and an optional `.env` file.

With no `PUFFLE_BASE_URL`, the agent runs against the sandbox mounted in-process, seeded with
the workspace named by `--workspace` (`demo` by default); its keys are derived from the seed
name, so no key needs to be configured for the embedded default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    puffle_api_key: SecretStr | None = Field(default=None, validation_alias="PUFFLE_API_KEY")
    puffle_base_url: str | None = Field(default=None, validation_alias="PUFFLE_BASE_URL")

    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    model: str | None = Field(default=None, validation_alias="PUFFLE_AGENT_MODEL")

    database_url: str | None = Field(default=None, validation_alias="PUFFLE_AGENT_DATABASE_URL")
    # Headless workers POST a JSON description of each pause here (never the key).
    pause_webhook: str | None = Field(default=None, validation_alias="PUFFLE_AGENT_PAUSE_WEBHOOK")
    state_dir: Path = Field(
        default=Path(".puffle-agent"), validation_alias="PUFFLE_AGENT_STATE_DIR"
    )

    requests_per_minute: int = Field(
        default=100, ge=1, le=100, validation_alias="PUFFLE_AGENT_REQUESTS_PER_MINUTE"
    )
    request_timeout_seconds: float = Field(
        default=30.0, gt=0, validation_alias="PUFFLE_AGENT_REQUEST_TIMEOUT"
    )
    launch_poll_ceiling_seconds: float = Field(
        default=600.0, gt=0, validation_alias="PUFFLE_AGENT_LAUNCH_POLL_CEILING"
    )
    search_poll_ceiling_seconds: float = Field(
        default=600.0, gt=0, validation_alias="PUFFLE_AGENT_SEARCH_POLL_CEILING"
    )
    # Deep research normally takes 10-20 minutes; 25 leaves room before calling it stuck.
    research_poll_ceiling_seconds: float = Field(
        default=1500.0, gt=0, validation_alias="PUFFLE_AGENT_RESEARCH_POLL_CEILING"
    )
    # How much faster than real time the embedded sandbox's clock (and the agent's waits) run.
    # Bounded: beyond 10,000 the sandbox's timestamps stop being meaningful.
    embedded_clock_speed: float = Field(
        default=20.0, gt=0, le=10_000, validation_alias="PUFFLE_AGENT_EMBEDDED_CLOCK_SPEED"
    )
    # How much faster than real time a served Puffle's clock runs: 1 for Puffle itself, S for a
    # sandbox served with `--speed S`, so the agent's waits and its rate window shrink with it.
    target_clock_speed: float = Field(
        default=1.0, gt=0, le=10_000, validation_alias="PUFFLE_AGENT_TARGET_CLOCK_SPEED"
    )
    log_bodies: bool = Field(default=False, validation_alias="PUFFLE_AGENT_LOG_BODIES")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="WARNING", validation_alias="PUFFLE_AGENT_LOG_LEVEL"
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_in_capitals(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("puffle_base_url", "openai_base_url", "model", "database_url", "pause_webhook")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def uses_embedded_sandbox(self) -> bool:
        return self.puffle_base_url is None

    @property
    def checkpoint_path(self) -> Path:
        return self.state_dir / "checkpoints.sqlite"

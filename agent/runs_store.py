"""The record of every headless run, in PostgreSQL, for people and scripts to read and answer.

One row per run: what was asked (workspace, goal), where it stands (status, journey, the pause
waiting for a human), and what it did (the call log, credits). A worker writes the row after each
job; `approve` and `deny` flip a paused row back to `queued` in one statement, so two people
answering at once cannot both resume it. No row ever holds an API key: keys are read from the
environment when a job runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, LiteralString, get_args

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

RunStatus = Literal["queued", "running", "paused", "completed", "stopped", "failed"]
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)

RUNS_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS puffle_runs (
    id text PRIMARY KEY,
    workspace text NOT NULL,
    goal text NOT NULL,
    status text NOT NULL,
    journey text,
    summary text,
    pause jsonb,
    pauses_answered integer NOT NULL DEFAULT 0,
    calls jsonb NOT NULL DEFAULT '[]'::jsonb,
    credits integer NOT NULL DEFAULT 0,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS puffle_runs_by_status ON puffle_runs (status, created_at);
-- Added after the first release; a database made before then gains them here.
ALTER TABLE puffle_runs ADD COLUMN IF NOT EXISTS left_behind jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE puffle_runs ADD COLUMN IF NOT EXISTS not_done jsonb NOT NULL DEFAULT '[]'::jsonb;
"""


@dataclass(frozen=True)
class RunRecord:
    id: str
    workspace: str
    goal: str
    status: RunStatus
    journey: str | None
    summary: str | None
    pause: dict[str, Any] | None
    pauses_answered: int
    calls: list[dict[str, Any]]
    credits: int
    error: str | None
    created_at: datetime
    updated_at: datetime
    # What an unfinished run left in Puffle, and the approved steps it never ran (see the report).
    left_behind: list[dict[str, Any]]
    not_done: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.id,
            "workspace": self.workspace,
            "goal": self.goal,
            "status": self.status,
            "journey": self.journey,
            "summary": self.summary,
            "pause": self.pause,
            "pauses_answered": self.pauses_answered,
            "calls": self.calls,
            "credits": self.credits,
            "error": self.error,
            "left_behind": self.left_behind,
            "not_done": self.not_done,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _record(row: dict[str, Any]) -> RunRecord:
    return RunRecord(
        id=row["id"],
        workspace=row["workspace"],
        goal=row["goal"],
        status=row["status"],
        journey=row["journey"],
        summary=row["summary"],
        pause=row["pause"],
        pauses_answered=row["pauses_answered"],
        calls=row["calls"],
        credits=row["credits"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        left_behind=row["left_behind"],
        not_done=row["not_done"],
    )


class RunsStore:
    """Reads and writes `puffle_runs` over one database URL (a connection per operation)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)

    async def _rows(self, query: LiteralString, params: Any) -> list[dict[str, Any]]:
        async with (
            await self._connect() as connection,
            connection.cursor(row_factory=dict_row) as cursor,
        ):
            await cursor.execute(query, params)
            return await cursor.fetchall() if cursor.description else []

    async def add(self, run_id: str, workspace: str, goal: str) -> None:
        async with await self._connect() as connection:
            await connection.execute(
                "INSERT INTO puffle_runs (id, workspace, goal, status) VALUES (%s, %s, %s, %s)",
                (run_id, workspace, goal, "queued"),
            )

    async def get(self, run_id: str) -> RunRecord | None:
        rows = await self._rows("SELECT * FROM puffle_runs WHERE id = %s", (run_id,))
        return _record(rows[0]) if rows else None

    async def list(self, status: str | None = None) -> list[RunRecord]:
        rows = await self._rows(
            "SELECT * FROM puffle_runs WHERE %(status)s::text IS NULL OR status = %(status)s "
            "ORDER BY created_at, id",
            {"status": status},
        )
        return [_record(row) for row in rows]

    async def mark_running(self, run_id: str) -> None:
        await self._set(run_id, "status = 'running'", {})

    async def save_report(self, run_id: str, report: dict[str, Any], pauses_answered: int) -> None:
        """Store what a job left the run as: status, pause, calls, credits and leftovers."""
        keep = ("operation", "method", "path", "status", "correlation_id")
        calls = [{key: call.get(key) for key in keep} for call in report.get("calls", [])]
        await self._set(
            run_id,
            "status = %(status)s, journey = %(journey)s, summary = %(summary)s, "
            "pause = %(pause)s, pauses_answered = %(answered)s, calls = %(calls)s, "
            "credits = %(credits)s, left_behind = %(left_behind)s, not_done = %(not_done)s, "
            "error = NULL",
            {
                "status": report["status"],
                "journey": report.get("journey"),
                "summary": report.get("summary"),
                "pause": Jsonb(report["pause"]) if report.get("pause") else None,
                "answered": pauses_answered,
                "calls": Jsonb(calls),
                "credits": int((report.get("credits") or {}).get("spent") or 0),
                "left_behind": Jsonb(report.get("left_behind") or []),
                "not_done": Jsonb(report.get("not_done") or []),
            },
        )

    async def save_failure(self, run_id: str, error: str) -> None:
        await self._set(run_id, "status = 'failed', error = %(error)s", {"error": error})

    async def claim_pause(self, run_id: str) -> RunRecord | None:
        """Move a paused run to `queued`; None when it was not paused (or was answered first)."""
        rows = await self._rows(
            "UPDATE puffle_runs SET status = 'queued', updated_at = now() "
            "WHERE id = %s AND status = 'paused' RETURNING *",
            (run_id,),
        )
        return _record(rows[0]) if rows else None

    async def release_pause(self, run_id: str) -> None:
        """Undo `claim_pause` when the resume could not be queued."""
        await self._set(run_id, "status = 'paused'", {})

    async def _set(self, run_id: str, assignments: LiteralString, values: dict[str, Any]) -> None:
        statement = sql.SQL("UPDATE puffle_runs SET {}, updated_at = now() WHERE id = %(id)s")
        async with await self._connect() as connection:
            await connection.execute(
                statement.format(sql.SQL(assignments)), {**values, "id": run_id}
            )


def dumps(records: list[RunRecord]) -> str:
    return json.dumps([record.as_json() for record in records], indent=2)

"""SQLite storage for the sandbox: workspaces, a credit ledger and JSON documents.

Puffle's own tables are many and wide; the sandbox only needs to answer the documented contract,
so every resource (sender, list, list row, search, campaign, prospect, message) is one JSON
document keyed by kind and id, owned by a workspace and optionally hung under a parent. Insertion
order is kept (`seq`) because several endpoints answer "newest first" or "in the order added".
Balances and debits are real columns, so a debit and its ledger line commit together.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

Document = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    name TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    credits INTEGER NOT NULL,
    onboarding TEXT,
    context TEXT,
    profile TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    workspace TEXT NOT NULL,
    parent TEXT,
    body TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS documents_by_owner ON documents (kind, workspace);
CREATE INDEX IF NOT EXISTS documents_by_parent ON documents (kind, parent);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    action TEXT NOT NULL,
    count INTEGER NOT NULL,
    credits INTEGER NOT NULL,
    at REAL NOT NULL
);
"""


class InsufficientBalance(Exception):
    """A debit larger than the balance; nothing was written."""

    def __init__(self, required: int, balance: int) -> None:
        super().__init__(f"required {required}, balance {balance}")
        self.required = required
        self.balance = balance


class Store:
    def __init__(self, db_path: str = ":memory:") -> None:
        # Every handler runs on the event loop thread, but uvicorn may build the app elsewhere.
        self._db = sqlite3.connect(db_path, check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # Workspaces

    def has_workspace(self, name: str) -> bool:
        row = self._db.execute("SELECT 1 FROM workspaces WHERE name = ?", (name,)).fetchone()
        return row is not None

    def add_workspace(
        self,
        name: str,
        *,
        user_id: str,
        credits: int,
        onboarding: Document | None,
        context: Document | None,
        profile: Document | None,
    ) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO workspaces VALUES (?, ?, ?, ?, ?, ?)",
                (name, user_id, credits, _dump(onboarding), _dump(context), _dump(profile)),
            )

    def workspace(self, name: str) -> Document:
        row = self._db.execute(
            "SELECT user_id, credits, onboarding, context, profile FROM workspaces WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            raise KeyError(name)
        return {
            "user_id": row[0],
            "credits": row[1],
            "onboarding": _load(row[2]),
            "context": _load(row[3]),
            "profile": _load(row[4]),
        }

    def balance(self, workspace: str) -> int:
        return int(self.workspace(workspace)["credits"])

    def debit(self, workspace: str, action: str, count: int, credits: int, at: float) -> int:
        """Take `credits` from the balance and log it; the new balance. All or nothing."""
        with self._db:
            balance = self.balance(workspace)
            if credits > balance:
                raise InsufficientBalance(credits, balance)
            self._db.execute(
                "UPDATE workspaces SET credits = credits - ? WHERE name = ?", (credits, workspace)
            )
            self._db.execute(
                "INSERT INTO ledger (workspace, action, count, credits, at) VALUES (?, ?, ?, ?, ?)",
                (workspace, action, count, credits, at),
            )
        return balance - credits

    def ledger(self, workspace: str) -> list[Document]:
        rows = self._db.execute(
            "SELECT action, count, credits, at FROM ledger WHERE workspace = ? ORDER BY seq",
            (workspace,),
        ).fetchall()
        return [{"action": r[0], "count": r[1], "credits": r[2], "at": r[3]} for r in rows]

    # Documents

    def put(
        self, kind: str, doc_id: str, workspace: str, body: Document, parent: str | None = None
    ) -> None:
        """Insert a document, or replace its body keeping its place in insertion order."""
        with self._db:
            self._db.execute(
                "INSERT INTO documents (kind, id, workspace, parent, body) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
                (kind, doc_id, workspace, parent, _dump(body)),
            )

    def put_many(
        self, kind: str, workspace: str, parent: str | None, bodies: list[Document]
    ) -> None:
        """Insert documents that carry their own `id`, in one transaction."""
        with self._db:
            self._db.executemany(
                "INSERT INTO documents (kind, id, workspace, parent, body) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
                [(kind, body["id"], workspace, parent, _dump(body)) for body in bodies],
            )

    def get(self, kind: str, doc_id: str, workspace: str) -> Document | None:
        """The document, only if that workspace owns it: another's is as good as absent."""
        row = self._db.execute(
            "SELECT body FROM documents WHERE kind = ? AND id = ? AND workspace = ?",
            (kind, doc_id, workspace),
        ).fetchone()
        return None if row is None else _load(row[0])

    def find(
        self, kind: str, workspace: str, parent: str | None = None, *, newest_first: bool = False
    ) -> list[Document]:
        if parent is None:
            rows = self._db.execute(
                "SELECT body FROM documents WHERE kind = ? AND workspace = ? ORDER BY seq",
                (kind, workspace),
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT body FROM documents WHERE kind = ? AND workspace = ? AND parent = ? "
                "ORDER BY seq",
                (kind, workspace, parent),
            ).fetchall()
        if newest_first:
            rows.reverse()
        return [_load(row[0]) for row in rows]

    def count(self, kind: str, parent: str) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM documents WHERE kind = ? AND parent = ?", (kind, parent)
        ).fetchone()
        return int(row[0])

    def delete(self, kind: str, doc_id: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM documents WHERE kind = ? AND id = ?", (kind, doc_id))


def _dump(value: Document | None) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)

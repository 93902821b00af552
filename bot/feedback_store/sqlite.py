"""The embedded default: feedback in one SQLite file (WAL), migrated on first use.

Trade-offs: a new connection per call (plus a per-file lock) is slower than a pooled one but
is safe from any server thread, and WAL mode with ``busy_timeout`` 5000 ms lets a reader (or a
second server process on the same machine) work while a click is written. One file does not
span machines: for replicas on several machines use PostgreSQL (`bot.feedback_store.postgres`).

Files written before migrations existed (a ``feedback`` table, no ``schema_version``) are
adopted: their version is taken from their columns, then the rest is applied (e.g. the
``reason`` / ``comment`` columns are added).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.feedback_store import Click, row_dict
from bot.feedback_store.migrations import SCHEMA_VERSION_TABLE, pending

DIALECT = "sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteStore:
    """`FeedbackStore` over one SQLite file (folders created as needed)."""

    dialect = DIALECT

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._migrated = False

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # -- connection and schema -------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            self._migrated = False
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA journal_mode = WAL")
        if not self._migrated:
            self._migrate(conn)
            self._migrated = True
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")  # one writer: another process migrating waits here
        try:
            applied = self._applied(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for migration in pending(DIALECT, applied):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._applied(conn) >= migration.number:  # another process was quicker
                    conn.execute("COMMIT")
                    continue
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)",
                    (migration.number, migration.name, _now()),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _applied(conn: sqlite3.Connection) -> int:
        """The schema version (inside a write transaction); adopts files from before migrations."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_version" not in tables:
            conn.execute(SCHEMA_VERSION_TABLE[DIALECT])
            if "feedback" in tables:
                columns = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
                adopted = [(1, "feedback")]
                if {"reason", "comment"} <= columns:
                    adopted.append((2, "reason_comment"))
                conn.executemany(
                    "INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)",
                    [(n, f"{name} (adopted)", _now()) for n, name in adopted],
                )
        row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        return int(row[0])

    # -- FeedbackStore -----------------------------------------------------------------------
    def record(self, click: Click) -> int:
        spans = json.dumps(click.spans(), ensure_ascii=False)
        with self._lock, closing(self._connect()) as conn:
            cur = conn.execute(
                "INSERT INTO feedback (time, question, liked, quotes, status, reason, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), click.question, int(click.liked), spans, click.status, click.reason, click.comment),
            )
            assert cur.lastrowid is not None
            return int(cur.lastrowid)

    def set_reason(self, row_id: int, reason: str | None, comment: str | None) -> bool:
        with self._lock, closing(self._connect()) as conn:
            cur = conn.execute(
                "UPDATE feedback SET reason = ?, comment = ? WHERE id = ? AND liked = 0",
                (reason, comment, int(row_id)),
            )
            return cur.rowcount > 0

    def remove(self, row_id: int) -> bool:
        with self._lock, closing(self._connect()) as conn:
            return conn.execute("DELETE FROM feedback WHERE id = ?", (int(row_id),)).rowcount > 0

    def rows(self, liked: bool | None = None) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        where, args = ("WHERE liked = ?", (int(liked),)) if liked is not None else ("", ())
        with self._lock, closing(self._connect()) as conn:
            found = conn.execute(
                "SELECT id, time, question, liked, quotes, status, reason, comment "
                f"FROM feedback {where} ORDER BY id",
                args,
            ).fetchall()
        return [row_dict(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7]) for r in found]

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._lock, closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def schema_version(self) -> int:
        with self._lock, closing(self._connect()) as conn:
            return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])

    def close(self) -> None:
        """Nothing held open between calls."""

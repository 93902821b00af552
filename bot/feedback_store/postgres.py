"""Feedback in PostgreSQL (``LDN_FEEDBACK_URL=postgresql://user:password@host:5432/db``).

For replicas on several processes or machines: every click goes to one database. The driver
is psycopg 3 with its connection pool (``pip install '.[scale]'`` or ``'.[postgres]'``):
`POOL_MAX` connections per process at most, so 64 concurrent clicks queue for a connection
instead of opening 64 (PostgreSQL's default limit is 100 for the whole server).

The schema is created and migrated on first use, under a PostgreSQL advisory lock so that
replicas starting together migrate once. Types are PostgreSQL's own (``TIMESTAMPTZ``,
``BOOLEAN``, ``JSONB``); rows come back in the same shape as SQLite's (`row_dict`). The URL
(which may hold a password) is never logged or shown; errors name only host and database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.feedback_store import Click, FeedbackStoreError, row_dict
from bot.feedback_store.migrations import SCHEMA_VERSION_TABLE, pending

DIALECT = "postgresql"
POOL_MAX = 8
CONNECT_TIMEOUT = 10.0  # seconds to wait for a connection before the click fails
_LOCK_KEY = 0x1D4F_EEDB  # advisory lock id for migrations (any fixed 64-bit number)


def _where(url: str) -> str:
    """Host, port and database of `url`, without user or password (for messages)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:
        return "the configured PostgreSQL database"
    return f"PostgreSQL database {info.get('dbname', '?')!s} on {info.get('host', 'localhost')!s}:{info.get('port', 5432)!s}"


def _reason(exc: Exception) -> str:
    """The driver's first message line, with no URL or password in it."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return (
        f"{type(exc).__name__}: {first}"
        if "@" not in first and "password" not in first
        else type(exc).__name__
    )


class PostgresStore:
    """`FeedbackStore` over a PostgreSQL database (a pool of at most `pool_max` connections)."""

    dialect = DIALECT

    def __init__(self, url: str, pool_max: int = POOL_MAX):
        try:
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise FeedbackStoreError(
                "LDN_FEEDBACK_URL points at PostgreSQL but psycopg is not installed; "
                "install it with: pip install 'psycopg[binary,pool]' (or the project's [scale] extra)"
            ) from exc
        import psycopg

        self.where = _where(url)
        try:  # one direct connection first: a wrong address fails at once, with a clear reason
            with psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT)) as conn:
                self._migrate(conn)
        except psycopg.Error as exc:
            raise FeedbackStoreError(f"cannot use the {self.where}: {_reason(exc)}") from exc
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_max,
            timeout=CONNECT_TIMEOUT,
            open=True,
            kwargs={"connect_timeout": int(CONNECT_TIMEOUT)},
            name="ldn-feedback",
        )

    def __repr__(self) -> str:
        return f"PostgresStore({self.where})"

    @staticmethod
    def _migrate(conn: Any) -> None:
        with conn.transaction():  # the advisory lock ends with the transaction
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute(SCHEMA_VERSION_TABLE[DIALECT])
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
            for migration in pending(DIALECT, int(row[0]) if row else 0):
                for statement in migration.statements:
                    conn.execute(statement)  # shipped SQL files, not input
                conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                    (migration.number, migration.name),
                )

    # -- FeedbackStore -----------------------------------------------------------------------
    def record(self, click: Click) -> int:
        from psycopg.types.json import Jsonb

        when = datetime.now(UTC).replace(microsecond=0)
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO feedback (time, question, liked, quotes, status, reason, comment) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (when, click.question, click.liked, Jsonb(click.spans()), click.status, click.reason,
                 click.comment),
            ).fetchone()  # fmt: skip
        assert row is not None
        return int(row[0])

    def set_reason(self, row_id: int, reason: str | None, comment: str | None) -> bool:
        with self.pool.connection() as conn:
            cur = conn.execute(
                "UPDATE feedback SET reason = %s, comment = %s WHERE id = %s AND NOT liked",
                (reason, comment, int(row_id)),
            )
            return cur.rowcount > 0

    def remove(self, row_id: int) -> bool:
        with self.pool.connection() as conn:
            return conn.execute("DELETE FROM feedback WHERE id = %s", (int(row_id),)).rowcount > 0

    def rows(self, liked: bool | None = None) -> list[dict[str, Any]]:
        where, args = ("WHERE liked = %s", (liked,)) if liked is not None else ("", ())
        with self.pool.connection() as conn:
            found = conn.execute(
                "SELECT id, time, question, liked, quotes, status, reason, comment "
                f"FROM feedback {where} ORDER BY id",
                args,
            ).fetchall()
        return [row_dict(r[0], r[1].astimezone(UTC).isoformat(timespec="seconds"), *r[2:]) for r in found]

    def count(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()
        return int(row[0]) if row else 0

    def schema_version(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.pool.close()

"""Backend-specific feedback checks: migrations, SQLite's legacy files, PostgreSQL's errors.

The behaviour both backends share is tested once, against both, in `tests/test_feedback.py`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import feedback
from bot.feedback_store import migrations as mig
from bot.feedback_store.postgres import PostgresStore
from tests.postgres_server import PostgresServer, start_or_skip

LEGACY_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    liked INTEGER NOT NULL CHECK (liked IN (0, 1)),
    quotes TEXT NOT NULL,
    status TEXT NOT NULL
)
"""


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = start_or_skip()
    try:
        yield server
    finally:
        feedback.close_stores()
        server.stop()


@pytest.fixture(autouse=True)
def _closed_stores() -> Iterator[None]:
    yield
    feedback.close_stores()


# -- migrations --------------------------------------------------------------------------------
def test_both_dialects_ship_the_same_numbered_migrations() -> None:
    latest = mig.check_dialects_agree()
    assert latest >= 2
    for dialect in mig.DIALECTS:
        assert [m.number for m in mig.migrations(dialect)] == list(range(1, latest + 1))


def test_statements_drop_comments_holding_semicolons() -> None:
    m = mig.Migration(1, "x", "-- a comment; with a semicolon\nCREATE TABLE a (b INT);\n-- end\n")
    assert m.statements == ("CREATE TABLE a (b INT)",)


def test_a_database_newer_than_the_program_is_refused() -> None:
    with pytest.raises(mig.MigrationError, match="newer than this program"):
        mig.pending("sqlite", 999)
    assert mig.pending("sqlite", 0) == mig.migrations("sqlite")


# -- SQLite ------------------------------------------------------------------------------------
def test_sqlite_columns_wal_and_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    feedback.record("q", True, [], "answered", path=db)
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(feedback)")]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    assert columns == ["id", "time", "question", "liked", "quotes", "status", "reason", "comment"]
    assert mode.lower() == "wal"
    assert versions == list(range(1, mig.check_dialects_agree() + 1))


def test_sqlite_file_from_before_migrations_is_adopted_and_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(LEGACY_SCHEMA)
        conn.execute(
            "INSERT INTO feedback (time, question, liked, quotes, status) VALUES (?, ?, ?, ?, ?)",
            (
                "2026-11-30T10:00:00+00:00",
                "old question",
                0,
                '[{"doc_id": "d", "start": 1, "end": 2}]',
                "answered",
            ),
        )
    conn.close()
    new_id = feedback.record("new question", False, [], "no_answer", path=db)
    old, new = feedback.rows(db)
    assert old["question"] == "old question" and old["quotes"] == [{"doc_id": "d", "start": 1, "end": 2}]
    assert old["reason"] is None and new["id"] == new_id
    assert feedback.set_reason(old["id"], "not_answered", path=db)
    assert feedback.store(db).schema_version() == mig.check_dialects_agree()


def test_sqlite_file_that_already_has_the_reason_columns_is_adopted(tmp_path: Path) -> None:
    db = tmp_path / "ui.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(LEGACY_SCHEMA)
        conn.execute("ALTER TABLE feedback ADD COLUMN reason TEXT")
        conn.execute("ALTER TABLE feedback ADD COLUMN comment TEXT")
    conn.close()
    feedback.record("q", False, [], "answered", reason="other", path=db)  # no "duplicate column"
    assert feedback.rows(db)[0]["reason"] == "other"


def test_sqlite_reading_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "none" / "fb.sqlite3"
    assert feedback.count(db) == 0 and feedback.rows(db) == []
    assert not db.exists()


# -- PostgreSQL --------------------------------------------------------------------------------
def test_postgres_replicas_starting_together_migrate_once(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []
    go = threading.Barrier(6)

    def open_store() -> None:
        try:
            go.wait(timeout=30)
            stores.append(PostgresStore(url, pool_max=1))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == [] and len(stores) == 6
        import psycopg

        with psycopg.connect(url) as conn:
            versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]
        assert versions == list(range(1, mig.check_dialects_agree() + 1))
    finally:
        for s in stores:
            s.close()


def test_postgres_unreachable_says_where_without_the_password(postgres: PostgresServer) -> None:
    url = f"postgresql://someone:s3cret-pw@127.0.0.1:{postgres.port + 1}/nowhere"
    with pytest.raises(feedback.FeedbackStoreError) as caught:
        feedback.record("q", True, [], "answered", path=url)
    message = str(caught.value)
    assert "nowhere" in message and "127.0.0.1" in message
    assert "s3cret-pw" not in message and "someone" not in message


def test_postgres_rows_keep_their_types(postgres: PostgresServer) -> None:
    import psycopg

    url = postgres.new_database()
    feedback.record("q", False, [{"doc_id": "d", "start": 5, "end": 9}], "answered", path=url)
    with psycopg.connect(url) as conn:
        kinds = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'feedback'"
            ).fetchall()
        )
        stored = conn.execute("SELECT quotes->0->>'start', liked FROM feedback").fetchone()
    assert kinds["quotes"] == "jsonb" and kinds["liked"] == "boolean"
    assert kinds["time"] == "timestamp with time zone"
    assert stored == ("5", False)

"""`bot.feedback`: the like/dislike store, the SAME tests against SQLite and PostgreSQL.

The `target` fixture is parametrised: a fresh SQLite file, or a fresh database on a throw-away
PostgreSQL server (`tests/postgres_server.py`, started once per module with Debian's binaries;
skipped with the reason when it cannot start, a failure under CI=true). Backend-specific
checks (SQLite's WAL and legacy files, PostgreSQL's connection errors) are in
`tests/test_feedback_backends.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from bot import feedback
from bot.feedback_store.migrations import check_dialects_agree
from tests.postgres_server import PostgresServer, start_or_skip

QUOTES = [{"doc_id": "d1", "start": 3, "end": 40, "text": "not stored", "score": 0.5}]


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = start_or_skip()
    try:
        yield server
    finally:
        feedback.close_stores()
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    """Where the clicks of one test go: a new SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield tmp_path / "deep" / "folder" / "fb.sqlite3"  # folders are created
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        yield server.new_database()
    feedback.close_stores()


def test_record_and_rows(target: str | Path) -> None:
    assert feedback.count(target) == 0 and feedback.rows(target) == []
    first_id = feedback.record("Does LDN cause vivid dreams?", True, QUOTES, "answered", path=target)
    second_id = feedback.record("and for MS?", False, [], "no_answer", path=target)
    assert isinstance(first_id, int) and second_id != first_id
    assert feedback.count(target) == 2
    first, second = feedback.rows(target)
    assert first["id"] == first_id and second["id"] == second_id
    assert first["question"] == "Does LDN cause vivid dreams?" and first["liked"] == 1
    assert first["quotes"] == [{"doc_id": "d1", "start": 3, "end": 40}]  # spans only, no text
    assert first["status"] == "answered" and first["reason"] is None and first["comment"] is None
    assert second["liked"] == 0 and second["quotes"] == [] and second["status"] == "no_answer"
    when = datetime.fromisoformat(first["time"])
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0
    assert set(first) == {"id", "time", "question", "liked", "quotes", "status", "reason", "comment"}


def test_rows_filtered_by_like(target: str | Path) -> None:
    feedback.record("a", True, [], "answered", path=target)
    feedback.record("b", False, [], "answered", path=target)
    feedback.record("c", False, [], "no_answer", path=target)
    assert [r["question"] for r in feedback.rows(target, liked=False)] == ["b", "c"]
    assert [r["question"] for r in feedback.rows(target, liked=True)] == ["a"]


def test_reason_and_comment_of_a_dislike(target: str | Path) -> None:
    row_id = feedback.record("q", False, QUOTES, "answered", path=target)
    assert feedback.set_reason(row_id, "wrong_or_misleading", "  too vague  ", path=target)
    (row,) = feedback.rows(target)
    assert row["reason"] == "wrong_or_misleading" and row["comment"] == "too vague"
    assert feedback.set_reason(row_id, "other", "x" * 900, path=target)
    assert len(feedback.rows(target)[0]["comment"]) == feedback.COMMENT_MAX
    assert feedback.set_reason(row_id, "not_answered", "   ", path=target)
    assert feedback.rows(target)[0]["comment"] is None  # empty comments are not stored


def test_reason_is_validated_and_only_for_dislikes(target: str | Path) -> None:
    liked = feedback.record("q", True, [], "answered", path=target)
    with pytest.raises(ValueError, match="unknown feedback reason"):
        feedback.set_reason(liked, "because", path=target)
    assert not feedback.set_reason(liked, "other", path=target)  # a like takes no reason
    assert not feedback.set_reason(10_000, "other", path=target)  # no such row
    assert feedback.rows(target)[0]["reason"] is None


def test_reason_given_with_the_click(target: str | Path) -> None:
    feedback.record("q", False, [], "answered", reason="hard_to_understand", comment="long", path=target)
    (row,) = feedback.rows(target)
    assert (row["reason"], row["comment"]) == ("hard_to_understand", "long")


def test_unclick_removes_the_row(target: str | Path) -> None:
    keep = feedback.record("keep", True, [], "answered", path=target)
    gone = feedback.record("gone", False, [], "answered", path=target)
    assert feedback.remove(gone, path=target)
    assert not feedback.remove(gone, path=target)  # already removed
    assert [r["id"] for r in feedback.rows(target)] == [keep]


def test_schema_is_at_the_latest_migration(target: str | Path) -> None:
    feedback.record("q", True, [], "answered", path=target)
    assert feedback.store(target).schema_version() == check_dialects_agree() >= 2


def test_64_concurrent_users_keep_every_click(target: str | Path) -> None:
    """64 users click twice each at the same moment (64 threads, bounded): 128 rows, unique ids."""
    start = threading.Barrier(64)

    def user(k: int) -> list[int]:
        start.wait(timeout=60)
        return [
            feedback.record(f"user {k} click {j}", j % 2 == 0, QUOTES, "answered", path=target)
            for j in range(2)
        ]

    with ThreadPoolExecutor(max_workers=64) as pool:
        ids = [i for got in pool.map(user, range(64)) for i in got]
    assert len(set(ids)) == 128
    stored = feedback.rows(target)
    assert len(stored) == 128 and {r["id"] for r in stored} == set(ids)
    assert {r["question"] for r in stored} == {f"user {k} click {j}" for k in range(64) for j in range(2)}


def test_sqlite_environment_variable_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.sqlite3"
    monkeypatch.delenv(feedback.URL_ENV_VAR, raising=False)
    monkeypatch.setenv(feedback.ENV_VAR, str(db))
    assert feedback.db_path() == db and feedback.target() == db
    feedback.record("q", False, [], "invalid")
    assert db.exists() and feedback.count() == 1


def test_default_is_var_folder_in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(feedback.ENV_VAR, raising=False)
    monkeypatch.delenv(feedback.URL_ENV_VAR, raising=False)
    assert feedback.db_path() == feedback.DEFAULT_PATH == feedback.target()
    assert feedback.DEFAULT_PATH.parent.name == "var" and feedback.DEFAULT_PATH.name == "feedback.sqlite3"


def test_url_variable_selects_postgresql(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    url = postgres.new_database()
    monkeypatch.setenv(feedback.URL_ENV_VAR, url)
    monkeypatch.setenv(feedback.ENV_VAR, "/nonexistent/never-used.sqlite3")
    row_id = feedback.record("q", True, [], "answered")
    assert feedback.store().dialect == "postgresql"
    assert [r["id"] for r in feedback.rows(url)] == [row_id]


def test_url_variable_must_be_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(feedback.URL_ENV_VAR, "mysql://somewhere/db")
    with pytest.raises(feedback.FeedbackStoreError, match="postgresql://"):
        feedback.record("q", True, [], "answered")

"""`bot.feedback`: the like/dislike store (SQLite, WAL, only the listed columns)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest

from bot import feedback

QUOTES = [{"doc_id": "d1", "start": 3, "end": 40, "text": "not stored", "score": 0.5}]


def test_record_and_count(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "folder" / "fb.sqlite3"  # folders are created
    assert feedback.count(db) == 0
    feedback.record("Does LDN cause vivid dreams?", True, QUOTES, "answered", path=db)
    feedback.record("and for MS?", False, [], "no_answer", path=db)
    assert feedback.count(db) == 2
    first, second = feedback.rows(db)
    assert first["question"] == "Does LDN cause vivid dreams?" and first["liked"] == 1
    assert first["quotes"] == [{"doc_id": "d1", "start": 3, "end": 40}]  # spans only, no text
    assert first["status"] == "answered"
    assert second["liked"] == 0 and second["quotes"] == [] and second["status"] == "no_answer"
    when = datetime.fromisoformat(first["time"])
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0


def test_only_the_documented_columns_exist(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    feedback.record("q", True, QUOTES, "answered", path=db)
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(feedback)")]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert columns == ["id", "time", "question", "liked", "quotes", "status", "reason", "comment"]
    assert mode.lower() == "wal"


def test_environment_variable_overrides_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv(feedback.ENV_VAR, str(db))
    assert feedback.db_path() == db
    feedback.record("q", False, [], "invalid")
    assert db.exists() and feedback.count() == 1


def test_default_is_var_folder_in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(feedback.ENV_VAR, raising=False)
    assert feedback.db_path() == feedback.DEFAULT_PATH
    assert feedback.DEFAULT_PATH.parent.name == "var" and feedback.DEFAULT_PATH.name == "feedback.sqlite3"


def test_concurrent_writes_are_all_kept(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"

    def click(k: int) -> None:
        for j in range(10):
            feedback.record(f"q{k}-{j}", j % 2 == 0, QUOTES, "answered", path=db)

    threads = [threading.Thread(target=click, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert feedback.count(db) == 80


def test_unclick_removes_and_a_dislike_takes_a_capped_reason(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    liked = feedback.record("q1", True, QUOTES, "answered", path=db)
    disliked = feedback.record("q2", False, QUOTES, "answered", path=db)
    assert feedback.remove(liked, path=db) and not feedback.remove(liked, path=db)
    assert [r["question"] for r in feedback.rows(db)] == ["q2"]
    assert not feedback.set_reason(liked, "other", path=db)  # gone
    assert feedback.set_reason(disliked, "hard_to_understand", "  " + "x" * 900, path=db)
    row = feedback.rows(db, liked=False)[0]
    assert row["reason"] == "hard_to_understand" and row["comment"] == "x" * feedback.COMMENT_MAX
    assert feedback.set_reason(disliked, None, "   ", path=db)
    assert feedback.rows(db)[0]["comment"] is None  # stored only if given
    with pytest.raises(ValueError, match="unknown feedback reason"):
        feedback.set_reason(disliked, "angry", path=db)
    assert feedback.rows(db, liked=True) == []


def test_a_file_from_before_reasons_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, question TEXT NOT NULL,"
            " liked INTEGER NOT NULL, quotes TEXT NOT NULL, status TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO feedback (time, question, liked, quotes, status) VALUES ('t', 'old', 0, '[]', 'answered')"
        )
    row_id = feedback.record("new", False, [], "answered", reason="other", path=db)
    assert [(r["question"], r["reason"]) for r in feedback.rows(db)] == [("old", None), ("new", "other")]
    assert row_id == 2

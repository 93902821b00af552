"""Store thumbs up / thumbs down on chat replies in a small SQLite file.

One row per click, with only what is needed to judge the reply later:

| column   | content                                                              |
|----------|----------------------------------------------------------------------|
| id       | row number                                                           |
| time     | UTC time of the click, ISO 8601 (seconds)                            |
| question | the question as answered (after follow-up rewriting), as typed       |
| liked    | 1 for thumbs up, 0 for thumbs down                                   |
| quotes   | JSON list of the quoted spans: ``[{"doc_id", "start", "end"}, ...]`` |
| status   | the answer status (answered, no_answer, emergency, invalid, …)       |
| reason   | a dislike's optional reason, one of `REASONS` (else NULL)            |
| comment  | a dislike's optional comment, at most `COMMENT_MAX` characters       |

Un-clicking a thumb removes its row (`remove`); a reason is added to a dislike after the click
(`set_reason`). Nothing else is kept: no address, no session, no browser details. The question itself may
still hold personal words a person typed; the chat asks people not to type them.

Where: ``var/feedback.sqlite3`` under the project root; the environment variable
``LDN_FEEDBACK_DB`` overrides it (a file path). Folders are created as needed.

Trade-offs: a new connection per call (plus a process-wide lock) is slower than a pooled one
but is safe from any Gradio worker thread, and WAL mode with ``busy_timeout`` 5000 ms lets a
reader (or a second server process) work while a click is written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.settings import PROJECT_ROOT

ENV_VAR = "LDN_FEEDBACK_DB"
DEFAULT_PATH = PROJECT_ROOT / "var" / "feedback.sqlite3"

REASONS = ("not_answered", "wrong_or_misleading", "hard_to_understand", "other")
COMMENT_MAX = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    liked INTEGER NOT NULL CHECK (liked IN (0, 1)),
    quotes TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    comment TEXT
)
"""
_LOCK = threading.Lock()


def db_path(path: str | Path | None = None) -> Path:
    """The feedback file: `path` if given, else ``$LDN_FEEDBACK_DB``, else the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_PATH


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=5.0)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
    for name in ("reason", "comment"):  # files written before reasons existed
        if name not in columns:
            conn.execute(f"ALTER TABLE feedback ADD COLUMN {name} TEXT")
    return conn


def quote_spans(quotes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Only the span of each quote: document id and character offsets."""
    return [{"doc_id": str(q["doc_id"]), "start": int(q["start"]), "end": int(q["end"])} for q in quotes]


def clean_reason(reason: str | None, comment: str | None) -> tuple[str | None, str | None]:
    """A validated reason code and the comment as stored: stripped, at most `COMMENT_MAX`
    characters, None when empty. Raises ValueError for a code not in `REASONS`."""
    if reason is not None and reason not in REASONS:
        raise ValueError(f"unknown feedback reason {reason!r}; expected one of {', '.join(REASONS)}")
    text = (comment or "").strip()[:COMMENT_MAX].strip()
    return reason, (text or None)


def record(
    question: str,
    liked: bool,
    quotes: Iterable[Mapping[str, Any]],
    status: str,
    *,
    reason: str | None = None,
    comment: str | None = None,
    path: str | Path | None = None,
) -> int:
    """Append one feedback row (quotes: mappings with at least doc_id, start, end); returns its id."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    spans = json.dumps(quote_spans(quotes), ensure_ascii=False)
    code, text = clean_reason(reason, comment) if not liked else (None, None)
    with _LOCK, closing(_connect(db_path(path))) as conn, conn:
        cur = conn.execute(
            "INSERT INTO feedback (time, question, liked, quotes, status, reason, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (when, question, 1 if liked else 0, spans, status, code, text),
        )
        return int(cur.lastrowid or 0)


def set_reason(
    row_id: int, reason: str | None, comment: str | None = None, path: str | Path | None = None
) -> bool:
    """Add a dislike's reason (one of `REASONS`, else ValueError) and optional comment
    (stripped, capped at `COMMENT_MAX`, NULL when empty). False when `row_id` is not a dislike."""
    code, text = clean_reason(reason, comment)
    with _LOCK, closing(_connect(db_path(path))) as conn, conn:
        cur = conn.execute(
            "UPDATE feedback SET reason = ?, comment = ? WHERE id = ? AND liked = 0",
            (code, text, int(row_id)),
        )
        return cur.rowcount == 1


def remove(row_id: int, path: str | Path | None = None) -> bool:
    """Delete a click (the thumb was un-clicked); False when it was not stored."""
    target = db_path(path)
    if not target.exists():
        return False
    with _LOCK, closing(_connect(target)) as conn, conn:
        return conn.execute("DELETE FROM feedback WHERE id = ?", (int(row_id),)).rowcount == 1


def count(path: str | Path | None = None) -> int:
    """Number of stored feedback rows (0 when the file does not exist yet)."""
    target = db_path(path)
    if not target.exists():
        return 0
    with _LOCK, closing(_connect(target)) as conn:
        row = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()
    return int(row[0])


def rows(path: str | Path | None = None, liked: bool | None = None) -> list[dict[str, Any]]:
    """All rows (or only likes / dislikes), oldest first, with `quotes` decoded."""
    target = db_path(path)
    if not target.exists():
        return []
    with _LOCK, closing(_connect(target)) as conn:
        conn.row_factory = sqlite3.Row
        if liked is None:
            found = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        else:
            found = conn.execute(
                "SELECT * FROM feedback WHERE liked = ? ORDER BY id", (int(liked),)
            ).fetchall()
    return [{**dict(r), "quotes": json.loads(r["quotes"])} for r in found]

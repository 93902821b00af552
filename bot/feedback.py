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

Nothing else is kept: no address, no session, no browser details. The question itself may
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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    liked INTEGER NOT NULL CHECK (liked IN (0, 1)),
    quotes TEXT NOT NULL,
    status TEXT NOT NULL
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
    return conn


def quote_spans(quotes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Only the span of each quote: document id and character offsets."""
    return [{"doc_id": str(q["doc_id"]), "start": int(q["start"]), "end": int(q["end"])} for q in quotes]


def record(
    question: str,
    liked: bool,
    quotes: Iterable[Mapping[str, Any]],
    status: str,
    path: str | Path | None = None,
) -> None:
    """Append one feedback row (quotes: mappings with at least doc_id, start, end)."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    spans = json.dumps(quote_spans(quotes), ensure_ascii=False)
    target = db_path(path)
    with _LOCK, closing(_connect(target)) as conn, conn:
        conn.execute(
            "INSERT INTO feedback (time, question, liked, quotes, status) VALUES (?, ?, ?, ?, ?)",
            (when, question, 1 if liked else 0, spans, status),
        )


def count(path: str | Path | None = None) -> int:
    """Number of stored feedback rows (0 when the file does not exist yet)."""
    target = db_path(path)
    if not target.exists():
        return 0
    with _LOCK, closing(_connect(target)) as conn:
        row = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()
    return int(row[0])


def rows(path: str | Path | None = None) -> list[dict[str, Any]]:
    """All rows, oldest first, with `quotes` decoded (for tests and reports)."""
    target = db_path(path)
    if not target.exists():
        return []
    with _LOCK, closing(_connect(target)) as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
    return [{**dict(r), "quotes": json.loads(r["quotes"])} for r in found]

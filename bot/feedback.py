"""Store thumbs up / thumbs down on chat replies: SQLite by default, PostgreSQL at scale.

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

Nothing else is kept: no address, no session, no browser details. The question itself may
still hold personal words a person typed; the chat asks people not to type them.

Where (first that applies): the `path` argument (a file path, or a ``postgresql://`` URL);
``LDN_FEEDBACK_URL`` (a ``postgresql://`` URL: every replica writes to one database);
``LDN_FEEDBACK_DB`` (a SQLite file path); ``var/feedback.sqlite3`` under the project root.
Stores are opened once per target and process (`store`); backends, schema and migrations are
in `bot.feedback_store`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.feedback_store import (
    COMMENT_MAX,
    REASONS,
    FeedbackStore,
    FeedbackStoreError,
    clean_reason,
    make_click,
    quote_spans,
)
from index.settings import PROJECT_ROOT

__all__ = [
    "COMMENT_MAX",
    "DEFAULT_PATH",
    "ENV_VAR",
    "REASONS",
    "URL_ENV_VAR",
    "FeedbackStoreError",
    "close_stores",
    "count",
    "db_path",
    "quote_spans",
    "record",
    "remove",
    "rows",
    "set_reason",
    "store",
]

ENV_VAR = "LDN_FEEDBACK_DB"
URL_ENV_VAR = "LDN_FEEDBACK_URL"
DEFAULT_PATH = PROJECT_ROOT / "var" / "feedback.sqlite3"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

_STORES: dict[str, FeedbackStore] = {}
_STORES_LOCK = threading.Lock()


def db_path(path: str | Path | None = None) -> Path:
    """The SQLite file: `path` if given, else ``$LDN_FEEDBACK_DB``, else the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_PATH


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def target(path: str | Path | None = None) -> str | Path:
    """Where clicks go: a ``postgresql://`` URL or a SQLite file path (see the module doc)."""
    if path is not None:
        return path if is_postgres(path) else Path(path)
    url = os.environ.get(URL_ENV_VAR, "").strip()
    if url:
        if not is_postgres(url):
            raise FeedbackStoreError(f"{URL_ENV_VAR} must be a postgresql:// URL (unset it for SQLite)")
        return url
    return db_path()


def store(path: str | Path | None = None) -> FeedbackStore:
    """The store for `path` (see `target`), opened (and migrated) once per process."""
    where = target(path)
    key = where if isinstance(where, str) else f"sqlite:{Path(where).resolve()}"
    with _STORES_LOCK:
        found = _STORES.get(key)
        if found is None:
            if isinstance(where, str):
                from bot.feedback_store.postgres import PostgresStore

                found = PostgresStore(where)
            else:
                from bot.feedback_store.sqlite import SQLiteStore

                found = SQLiteStore(Path(where))
            _STORES[key] = found
    return found


def close_stores() -> None:
    """Close every open store (PostgreSQL pools); the next call opens them again."""
    with _STORES_LOCK:
        stores = list(_STORES.values())
        _STORES.clear()
    for opened in stores:
        opened.close()


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
    """Store one click (quotes: mappings with at least doc_id, start, end); returns its id."""
    return store(path).record(make_click(question, liked, quotes, status, reason, comment))


def set_reason(
    row_id: int, reason: str | None, comment: str | None = None, path: str | Path | None = None
) -> bool:
    """Add a dislike's reason (one of `REASONS`, else ValueError) and optional comment
    (stripped, capped at `COMMENT_MAX`, NULL when empty). False when `row_id` is not a dislike."""
    code, text = clean_reason(reason, comment)
    return store(path).set_reason(row_id, code, text)


def remove(row_id: int, path: str | Path | None = None) -> bool:
    """Delete a click (the thumb was un-clicked); False when it was not stored."""
    return store(path).remove(row_id)


def count(path: str | Path | None = None) -> int:
    """Number of stored feedback rows (0 when the SQLite file does not exist yet)."""
    return store(path).count()


def rows(path: str | Path | None = None, liked: bool | None = None) -> list[dict[str, Any]]:
    """All rows (or only likes / dislikes), oldest first, with `quotes` decoded."""
    return store(path).rows(liked)

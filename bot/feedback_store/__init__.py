"""Feedback storage backends behind one small interface (`FeedbackStore`).

| backend | module | when |
|---|---|---|
| SQLite | `bot.feedback_store.sqlite` | the default: one embedded file, no server (one machine) |
| PostgreSQL | `bot.feedback_store.postgres` | ``LDN_FEEDBACK_URL=postgresql://…``: many processes or machines write to one database |

Both create and migrate their schema themselves with the same numbered migrations
(`bot.feedback_store.migrations`, SQL files under ``sql/<dialect>/NNNN_name.sql``) and
record what was applied in a ``schema_version`` table. Rows come back as the same plain dicts
from both (`row_dict`), so callers and tests cannot tell the backends apart.

`bot.feedback` picks the backend and is what the rest of the program calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

REASONS = ("not_answered", "wrong_or_misleading", "hard_to_understand", "other")
COMMENT_MAX = 500


class FeedbackStoreError(Exception):
    """The feedback store cannot be reached or set up (the message says which and why)."""


@dataclass(frozen=True)
class Click:
    """One thumbs up / down, as stored: quotes are spans only (document id and offsets)."""

    question: str
    liked: bool
    quotes: tuple[tuple[str, int, int], ...]
    status: str
    reason: str | None = None
    comment: str | None = None

    def spans(self) -> list[dict[str, Any]]:
        return [{"doc_id": d, "start": s, "end": e} for d, s, e in self.quotes]


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


def make_click(
    question: str,
    liked: bool,
    quotes: Iterable[Mapping[str, Any]],
    status: str,
    reason: str | None = None,
    comment: str | None = None,
) -> Click:
    """A validated `Click` (reason checked, comment cleaned, quotes reduced to spans)."""
    reason, comment = clean_reason(reason, comment)
    spans = tuple((s["doc_id"], s["start"], s["end"]) for s in quote_spans(quotes))
    return Click(str(question), bool(liked), spans, str(status), reason, comment)


def row_dict(
    row_id: int,
    time: str,
    question: str,
    liked: bool | int,
    quotes: list[dict[str, Any]],
    status: str,
    reason: str | None,
    comment: str | None,
) -> dict[str, Any]:
    """The one row shape both backends return (liked as 1/0, quotes decoded)."""
    return {
        "id": int(row_id),
        "time": time,
        "question": question,
        "liked": 1 if liked else 0,
        "quotes": quotes,
        "status": status,
        "reason": reason,
        "comment": comment,
    }


class FeedbackStore(Protocol):
    """What the chat, the JSON API and `python -m eval feedback` need from a backend."""

    dialect: str

    def record(self, click: Click) -> int:
        """Store one click; returns the new row's id."""
        ...

    def set_reason(self, row_id: int, reason: str | None, comment: str | None) -> bool:
        """Add a dislike's reason (already validated); False when no such dislike exists."""
        ...

    def remove(self, row_id: int) -> bool:
        """Delete a row (the thumb was un-clicked); False when it did not exist."""
        ...

    def rows(self, liked: bool | None = None) -> list[dict[str, Any]]:
        """All rows (or only likes / dislikes), oldest first, as `row_dict` shapes."""
        ...

    def count(self) -> int: ...

    def schema_version(self) -> int: ...

    def close(self) -> None: ...

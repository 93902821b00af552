"""The chat's memory, held by the browser, and what a thumbs click means: pure functions.

The page keeps one JSON object per chat in a hidden component (and in the tab's
``sessionStorage``, so a reload keeps the conversation; nothing is kept on the server)::

    {"v": 1, "previous": str | null, "asked": [str], "memory": [str], "reason_for": int | null,
     "replies": {"<message index>": {"question", "status", "quotes": [{doc_id, start, end}], "fid"}}}

``previous`` is the last question answered (for follow-ups, `bot.followup`), ``asked`` the
questions of this chat (never suggested again), ``memory`` what `bot.compact.ChatMemory` has
shown once, ``replies`` what a thumbs click on a reply stores, with ``fid`` the stored click's
id (so un-clicking removes it and a reason can be added to it), ``reason_for`` the id of the
thumbs down whose optional reason the page is asking for.

Because the browser sends this object back, `clean_state` treats it as untrusted input: wrong
types are dropped, strings and lists are capped, statuses must be known. A forged object can
at worst store a click about a question the sender could have asked anyway.

`like_action` decides what a click does: ``record`` (a new thumbs up/down), ``remove`` (the thumb
was un-clicked: Gradio sends ``liked == ""``), or ``ignore`` (no such reply, or a system notice:
no thumbs are offered under those, and a click on one is not stored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import messages
from bot.question import MAX_CHARS

VERSION = 1
MAX_REPLIES = 400
MAX_ASKED = 50
MAX_QUOTES = 12
MAX_ID_CHARS = 200
NOTICE = "unavailable"  # the status of a system notice (engine not loaded / not set up)
STATUSES = frozenset({"answered", "no_answer", "emergency", "invalid", NOTICE})
RATED = STATUSES - {NOTICE}


def new_state() -> dict[str, Any]:
    return {"v": VERSION, "previous": None, "asked": [], "memory": [], "reason_for": None, "replies": {}}


def _fid(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: object, limit: int = MAX_CHARS + 1) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _spans(value: object) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not isinstance(value, list):
        return out
    for q in value[:MAX_QUOTES]:
        if not isinstance(q, Mapping):
            continue
        doc_id, start, end = q.get("doc_id"), q.get("start"), q.get("end")
        ok = isinstance(doc_id, str) and 0 < len(doc_id) <= MAX_ID_CHARS
        if ok and isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            out.append({"doc_id": doc_id, "start": start, "end": end})
    return out


def _record(value: object) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    question, status = _text(value.get("question")), value.get("status")
    if question is None or status not in STATUSES:
        return None
    return {"question": question, "status": status, "quotes": _spans(value.get("quotes")),
            "fid": _fid(value.get("fid"))}  # fmt: skip


def clean_state(value: object) -> dict[str, Any]:
    """A well-formed state from whatever the browser sent (anything unusable is dropped)."""
    state = new_state()
    if not isinstance(value, Mapping) or value.get("v") != VERSION:
        return state
    state["previous"] = _text(value.get("previous"))
    state["reason_for"] = _fid(value.get("reason_for"))
    asked = value.get("asked")
    if isinstance(asked, list):
        state["asked"] = [a for a in (_text(x) for x in asked[-MAX_ASKED:]) if a]
    memory = value.get("memory")
    if isinstance(memory, list):
        state["memory"] = [m for m in memory[:MAX_REPLIES] if isinstance(m, str) and len(m) < MAX_ID_CHARS]
    replies = value.get("replies")
    if isinstance(replies, Mapping):
        for key, rec in list(replies.items())[-MAX_REPLIES:]:
            cleaned = _record(rec)
            if cleaned is not None and str(key).isdigit():
                state["replies"][str(int(str(key)))] = cleaned
    return state


def with_reply(
    state: Mapping[str, Any],
    index: int,
    question: str,
    status: str,
    quotes: Sequence[Mapping[str, Any]] = (),
    previous: str | None = None,
    memory: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The state after a reply at chat message `index` (a new dict; `state` is not changed)."""
    out = clean_state(state)
    out["replies"][str(index)] = {"question": question[: MAX_CHARS + 1], "status": status,
                                  "quotes": _spans(list(quotes)), "fid": None}  # fmt: skip
    if status in ("answered", "no_answer"):
        out["previous"] = previous
        out["asked"] = [*out["asked"], question][-MAX_ASKED:]
    elif status != NOTICE:
        out["previous"] = None
    if memory is not None:
        out["memory"] = list(memory)
    return out


def like_action(state: Mapping[str, Any], index: object, liked: object) -> tuple[str, dict[str, Any] | None]:
    """``("record" | "remove" | "ignore", the reply's record)`` for a click on message `index`."""
    if isinstance(index, list | tuple):
        index = index[0] if index else None
    replies = state.get("replies") if isinstance(state, Mapping) else None
    record = replies.get(str(index)) if isinstance(replies, Mapping) else None
    if not isinstance(record, dict) or record.get("status") not in RATED:
        return "ignore", None
    if liked == "" or liked is None:
        return ("remove", record) if record.get("fid") else ("ignore", None)
    if isinstance(liked, bool):
        return "record", record
    return "ignore", None


def with_fid(state: Mapping[str, Any], index: object, fid: int | None) -> dict[str, Any]:
    """The state with the stored click's id set (or cleared) on reply `index`."""
    if isinstance(index, list | tuple):
        index = index[0] if index else None
    out = clean_state(state)
    record = out["replies"].get(str(index))
    if record is not None:
        record["fid"] = fid
    return out


def reason_choices() -> list[tuple[str, str]]:
    """(label, code) pairs for the reason radio buttons, in the messages' order."""
    return [(label, code) for code, label in messages.FEEDBACK_REASONS.items()]

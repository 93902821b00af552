"""The browser-held chat state (`bot.chat_state`): validation and what a thumbs click does."""

from __future__ import annotations

from typing import Any

import pytest

from bot import messages
from bot.chat_state import (
    MAX_ASKED,
    clean_state,
    like_action,
    new_state,
    reason_choices,
    with_fid,
    with_reply,
)

SPANS = [{"doc_id": "d1", "start": 0, "end": 9}]


def _chat() -> dict[str, Any]:
    s = with_reply(
        new_state(), 1, "Does it help?", "answered", SPANS, previous="Does it help?", memory=["caveat:x"]
    )
    s = with_reply(s, 3, "still starting", "unavailable")
    return with_reply(s, 5, "I took too many", "emergency")


def test_replies_and_follow_up_memory() -> None:
    s = _chat()
    assert s["replies"]["1"] == {
        "question": "Does it help?",
        "status": "answered",
        "quotes": SPANS,
        "fid": None,
    }
    assert s["asked"] == ["Does it help?"] and s["memory"] == ["caveat:x"]
    assert s["previous"] is None  # an emergency ends the follow-up chain
    assert clean_state(s) == s  # a state we made survives the round trip through the browser


@pytest.mark.parametrize(
    "bad",
    [None, 3, "x", [], {"v": 2}, {"v": 1, "replies": "x"}, {"v": 1, "asked": "x", "memory": 5}],
)
def test_anything_malformed_reads_as_a_new_chat(bad: object) -> None:
    assert clean_state(bad) == new_state()


def test_forged_records_are_cleaned() -> None:
    forged = {
        "v": 1,
        "previous": "p" * 10_000,
        "reason_for": "1; drop table",
        "asked": ["a"] * 500 + [3],
        "replies": {
            "1": {"question": "q", "status": "answered", "fid": True,
                  "quotes": [{"doc_id": "d", "start": 5, "end": 2}, {"doc_id": "x" * 500, "start": 0, "end": 1},
                             {"doc_id": "ok", "start": 0, "end": 1}, "junk"]},
            "2": {"question": "q", "status": "hacked"},
            "x": {"question": "q", "status": "answered"},
        },
    }  # fmt: skip
    s = clean_state(forged)
    assert len(s["previous"]) < 10_000 and len(s["asked"]) <= MAX_ASKED
    assert list(s["replies"]) == ["1"]
    assert s["replies"]["1"]["quotes"] == [{"doc_id": "ok", "start": 0, "end": 1}]
    assert s["replies"]["1"]["fid"] is None and s["reason_for"] is None


def test_like_actions() -> None:
    s = _chat()
    assert like_action(s, 1, True)[0] == "record" and like_action(s, [1, None], False)[0] == "record"
    assert like_action(s, 3, True) == ("ignore", None)  # a system notice: never stored
    assert like_action(s, 5, False)[0] == "record"  # an emergency reply can be rated
    assert like_action(s, 9, True) == ("ignore", None)
    assert like_action(s, 1, "") == ("ignore", None)  # un-click of nothing stored
    s = with_fid(s, 1, 42)
    action, record = like_action(s, 1, "")
    assert action == "remove" and record is not None and record["fid"] == 42
    assert with_fid(s, 1, None)["replies"]["1"]["fid"] is None


def test_reason_choices_come_from_the_messages() -> None:
    assert [code for _, code in reason_choices()] == list(messages.FEEDBACK_REASONS)

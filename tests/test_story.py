"""The question inside a long message (`bot.story`)."""

from __future__ import annotations

from bot.story import find_question, sentences

STORY = (
    "I am 54 and I have had fibromyalgia for ten years. I tried two other medicines and nothing "
    "helped much, and my doctor suggested this one last week after I read about it online. "
)


def test_a_short_question_is_its_own_question() -> None:
    q = find_question("Should I start at 1.5 mg?")
    assert q.core is None and q.texts == ("Should I start at 1.5 mg?",)


def test_the_last_question_sentence_is_the_core_and_both_are_kept() -> None:
    q = find_question(STORY + "Should I start at 1.5 mg or go straight to 4.5 mg? Any advice?")
    assert q.core == "Should I start at 1.5 mg or go straight to 4.5 mg?"
    assert q.texts == (q.core, q.text)


def test_a_question_with_little_content_keeps_the_sentence_before() -> None:
    q = find_question(STORY + "Is this normal?")
    assert q.core is not None
    assert q.core.endswith("online. Is this normal?") and q.core.startswith("I tried")


def test_without_a_question_mark_the_clause_after_a_cue_is_used() -> None:
    q = find_question(STORY + "I was wondering whether it is safe to take with my thyroid pills")
    assert q.core is not None and q.core.endswith("safe to take with my thyroid pills")
    assert "fibromyalgia" not in q.core


def test_decimal_points_do_not_split_sentences() -> None:
    assert sentences("Take 4.5 mg. Then wait? Yes!") == ["Take 4.5 mg.", "Then wait?", "Yes!"]

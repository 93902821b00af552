"""Several questions in one message (`bot.questions.split_questions`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.questions import load_multi_settings, split_questions, strip_lead_in
from bot.story import StoryDataError


def test_two_questions_with_content_are_split_and_lose_their_connector() -> None:
    parts = split_questions("Does it cause bad dreams? Also, can my husband pick up the prescription for me?")
    assert parts == ("Does it cause bad dreams?", "can my husband pick up the prescription for me?")


@pytest.mark.parametrize(
    "text",
    [
        "Does it cause bad dreams?",  # one question
        "Does it cause bad dreams? Any advice?",  # a filler does not count
        "Does it cause bad dreams? Thanks!",  # not a question
        "I read about it online. Does it cause bad dreams?",  # context, then one question
        "Does it cause bad dreams? Does it cause bad dreams?",  # the same question twice
        "Is it ok? Why?",  # too little content in each
    ],
)
def test_one_question_is_not_split(text: str) -> None:
    assert split_questions(text) == ()


def test_a_long_story_keeps_the_story_rule() -> None:
    s = load_multi_settings()
    story = "I have had back pain for many years and tried physio, pills and injections without luck. " * 2
    text = story + "Does it cause bad dreams? Can my husband pick up the prescription for me?"
    assert split_questions(text, replace(s, max_words=500))
    assert split_questions(text, replace(s, max_words=20)) == ()


def test_the_content_word_minimum_is_a_setting() -> None:
    s = load_multi_settings()
    text = "Does it cause bad dreams? What about cost?"
    assert split_questions(text, replace(s, min_core_words=1)) == (
        "Does it cause bad dreams?",
        "What about cost?",
    )
    assert split_questions(text, replace(s, min_core_words=3)) == ()


def test_lead_ins_are_cut_only_at_the_start() -> None:
    s = load_multi_settings()
    assert strip_lead_in("One more thing: is it safe when pregnant?", s) == "is it safe when pregnant?"
    assert strip_lead_in("And also is it safe?", s) == "is it safe?"
    assert strip_lead_in("Is it also safe?", s) == "Is it also safe?"


def test_a_bad_settings_file_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.story import DEFAULT_STORY

    text = DEFAULT_STORY.read_text(encoding="utf-8").replace("multi_max_words = 40", "multi_max_words = 1")
    bad = tmp_path / "story.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(StoryDataError, match="multi_max_words"):
        load_multi_settings(bad)

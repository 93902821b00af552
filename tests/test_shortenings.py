"""Lay shortenings completed for the dense query (bot.shortenings), over tiny inline corpora."""

from __future__ import annotations

import pytest

from bot.shortenings import Shortenings

CORPUS = [
    "Fibromyalgia pain fell in two trials.",
    "People with fibromyalgia slept better.",
    "Chemotherapy and chemical exposure were not studied.",
    "Nightmares and vivid dreams were reported at night.",
]


def test_a_shortening_of_one_corpus_word_is_completed_with_its_commonest_spelling() -> None:
    s = Shortenings(CORPUS)
    assert s.completion("fibro") == "fibromyalgia"
    assert (
        s.complete("I've had Fibro for years, does it help?")
        == "I've had fibromyalgia for years, does it help?"
    )


@pytest.mark.parametrize(
    ("word", "why"),
    [
        ("chem", "begins two stems (chemotherapy, chemical): ambiguous"),
        ("dream", "common English (the corpus says 'dreams')"),
        ("give", "common English"),
        ("fib", "fewer than four letters"),
        ("xyzzy", "begins no corpus word"),
    ],
)
def test_words_left_alone(word: str, why: str) -> None:
    assert Shortenings(CORPUS).completion(word) is None, why


def test_a_common_english_word_is_never_completed() -> None:
    s = Shortenings(["Nightingales sang."])
    assert s.completion("night") is None  # "night" begins only "nightingales", but it is a word


def test_a_corpus_word_is_never_replaced() -> None:
    s = Shortenings(["Pain fell.", "Painkillers were stopped."])
    assert s.complete("pain") == "pain"


def test_digits_and_punctuation_are_kept() -> None:
    s = Shortenings(CORPUS)
    assert s.complete("fibro, 4.5mg?") == "fibromyalgia, 4.5mg?"


def test_the_setting_is_a_boolean_in_the_answer_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.answer_settings import DEFAULT_ANSWER_SETTINGS, AnswerSettingsError, load_answer_settings

    text = DEFAULT_ANSWER_SETTINGS.read_text(encoding="utf-8")
    assert "complete_shortenings = true" in text
    bad = tmp_path / "answer.toml"
    bad.write_text(text.replace("complete_shortenings = true", "complete_shortenings = 1"), encoding="utf-8")
    with pytest.raises(AnswerSettingsError, match="complete_shortenings"):
        load_answer_settings(bad)
    off = tmp_path / "off.toml"
    off.write_text(
        text.replace("complete_shortenings = true", "complete_shortenings = false"), encoding="utf-8"
    )
    assert load_answer_settings(off).rank.complete_shortenings is False
    assert load_answer_settings().rank.complete_shortenings is True


def test_the_engine_encodes_the_completed_question(fake_index) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from bot.answer_settings import load_answer_settings
    from bot.engine import Engine
    from index.store import read_index
    from tests.conftest import FakeEmbedder

    data = read_index(fake_index)
    on = Engine(data, FakeEmbedder())
    assert on.retriever.query_texts("Does it help fibro?")[-1] == "Does it help fibromyalgia?"
    s = load_answer_settings()
    off = Engine(data, FakeEmbedder(), answer=replace(s, rank=replace(s.rank, complete_shortenings=False)))
    assert off.retriever.query_texts("Does it help fibro?")[-1] == "Does it help fibro?"

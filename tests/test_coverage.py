"""Word coverage (`bot.coverage`) and its part in abstention (`bot.rank`, `coverage_weight`), on
the tiny inline corpus of `tests/test_rank_select.py`; no model."""

from __future__ import annotations

import pytest

from bot.answer_settings import RankSettings
from bot.coverage import WordCoverage
from bot.rank import AnswerRanker
from tests.test_rank_select import TEXTS, _data, _retrieval

COVER = WordCoverage.from_texts([t for _, t in TEXTS], frozenset({"fibromyalgia"}))


def test_rare_words_weigh_more_and_unknown_words_are_never_covered() -> None:
    assert COVER("What doses are used?", [2]) == pytest.approx(1.0)  # "doses": in sentence 2
    assert COVER("What doses are used?", [0, 1]) == 0.0
    half = COVER("Is bedtime dosing painful for dogs?", [4])  # "bedtime" found, "dogs" nowhere
    assert 0.0 < half < 0.6
    assert COVER("fibromyalgia?", [0]) == 1.0  # only topic words: nothing to miss
    assert COVER("What doses are used?", []) == 0.0


def test_topic_terms_are_left_out() -> None:
    plain = WordCoverage.from_texts([t for _, t in TEXTS])
    q = "Does fibromyalgia pain ease with bedtime doses?"
    assert COVER(q, [4]) > plain(q, [4])  # "fibromyalgia" is not missed when it is the topic


def test_coverage_adds_to_the_cosine_in_abstention() -> None:
    data = _data()
    q = ("Is it taken once a day before bedtime?",)
    retrieval = _retrieval([4, 0], {4: 0.35, 0: 0.1})
    without = AnswerRanker(data, None, settings=RankSettings(min_similarity=0.40)).rank(q, retrieval)
    assert not without.answerable and without.confidence == pytest.approx(0.35)
    s = RankSettings(min_similarity=0.40, coverage_weight=0.1)
    ranker = AnswerRanker(data, None, settings=s)
    with_words = ranker.rank(q, retrieval)
    assert with_words.answerable and with_words.confidence == pytest.approx(0.45)
    other = ranker.rank(("Can my dog have it?",), _retrieval([4, 0], {4: 0.35, 0: 0.1}))
    assert not other.answerable  # "dog" appears in no sentence

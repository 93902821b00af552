"""The first quote (`bot.select` rule 1): among the first `first_depth` candidates, the best of its
position, its centred cosine and its answer shape; the other quotes keep the ranking's order.
Tiny inline corpus of `tests/test_rank_select.py`, no model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.answer_settings import AnswerSettingsError, RankSettings, SelectSettings, load_answer_settings
from bot.cautions import stance
from bot.rank import AnswerRanker
from bot.select import select
from tests.test_rank_select import _data, _retrieval

TIMING = ("When should I take it, morning or night?",)  # sentence 4 has a time of day
OFF = SelectSettings(quote_share=0.0, quote_min=0.0, other_source_min=9.0, conflict_min=9.0, per_doc=4)
ON = replace(OFF, first_k=10.0, first_similarity=0.2, first_kind=0.02)


def _ranking(order: list[int], sims: dict[int, float], question: tuple[str, ...] = ("x",)) -> Any:
    s = RankSettings(kind_bonus_fused=0.0)  # the ranking alone would not move the shaped one up
    return AnswerRanker(_data(), None, settings=s).rank(question, _retrieval(order, sims))


def _ids(ranking: Any, settings: SelectSettings, taken: list[Any] | None = None) -> list[int]:
    return [p.candidate.sentence_id for p in select(ranking, _data(), settings, taken or [], 4, stance)]


def test_without_weights_the_rankings_first_candidate_leads() -> None:
    ranking = _ranking([0, 1, 5], {0: 0.2, 1: 0.2, 5: 0.9})
    assert _ids(ranking, OFF) == [0, 1, 5]


def test_a_much_closer_sentence_leads_and_the_rest_keep_their_order() -> None:
    ranking = _ranking([0, 1, 5], {0: 0.2, 1: 0.2, 5: 0.9})
    assert _ids(ranking, ON) == [5, 0, 1]
    # a small cosine lead does not beat a better position (1/11 - 1/13 > 0.2 x 0.05)
    close = _ranking([0, 1, 5], {0: 0.30, 1: 0.2, 5: 0.35})
    assert _ids(close, ON)[0] == 0


def test_the_answer_shape_asked_for_tips_a_close_call() -> None:
    sims = {0: 0.40, 4: 0.42}
    assert _ids(_ranking([0, 4], sims, ("Tell me more.",)), ON)[0] == 0  # no kind asked
    assert _ids(_ranking([0, 4], sims, TIMING), ON)[0] == 4  # a time of day for "when"
    assert _ids(_ranking([0, 4], sims, TIMING), replace(ON, first_kind=0.0))[0] == 0


def test_only_the_first_candidates_compete_and_pinned_spans_are_skipped() -> None:
    ranking = _ranking([0, 1, 5], {0: 0.2, 1: 0.2, 5: 0.9})
    assert _ids(ranking, replace(ON, first_depth=2))[0] == 0
    s = _data().sentences[5]
    assert _ids(ranking, ON, [("a", s.start, s.end)]) == [0, 1]


def test_first_quote_settings_are_validated(tmp_path: Path) -> None:
    bundled = load_answer_settings().select_without_model
    assert bundled.first_similarity > 0 and bundled.first_depth >= 1
    bad = tmp_path / "answer.toml"
    bad.write_text(
        "version = 1\n[rank]\n[select]\n[select_without_model]\nfirst_similarity = -0.2\n", encoding="utf-8"
    )
    with pytest.raises(AnswerSettingsError, match="select numbers"):
        load_answer_settings(bad)
    bad.write_text(
        "version = 1\n[rank]\n[select]\nfirst_depth = 0\n[select_without_model]\n", encoding="utf-8"
    )
    with pytest.raises(AnswerSettingsError, match="first_depth"):
        load_answer_settings(bad)

"""The answer stage: relevance order, kind bonus, abstention (`bot.rank`) and quote choice
with the conflict shape (`bot.select`), on a tiny inline corpus and a fake relevance model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.answer_settings import AnswerSettingsError, RankSettings, SelectSettings, load_answer_settings
from bot.cautions import stance
from bot.rank import AnswerRanker
from bot.retrieve import Hit, Retrieval
from bot.select import select
from tests.helpers import sentence_data

TEXTS = [
    ("a", "Fibromyalgia is a painful illness of muscles."),  # 0 topic, no answer
    ("a", "Two trials showed it reduced pain in fibromyalgia."),  # 1 positive
    ("b", "Doses ranging from 1.5 mg to 4.5 mg are used."),  # 2 dose
    ("b", "The benefit for fibromyalgia is weak and evidence is limited."),  # 3 hedge
    ("c", "It is usually taken once a day before bedtime."),  # 4 timing
    ("a", "Many patients reported relief of fibromyalgia pain."),  # 5 positive, same doc as 1
]


def _data() -> Any:
    return sentence_data(TEXTS)


class FakeRelevance:
    """Relevance = a fixed table per sentence (tests choose what 'answers')."""

    name = "fake"

    def __init__(self, table: dict[str, float]):
        self.table = table

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        return np.array([self.table.get(t, 0.05) for t in texts], dtype=np.float32)


def _retrieval(order: list[int], sims: dict[int, float] | None = None) -> Retrieval:
    sims = sims or {}
    hits = tuple(Hit(i, 1.0 / (60 + r), sims.get(i, 0.3), sims.get(i, 0.3), -1) for r, i in enumerate(order))
    return Retrieval(hits, max((h.similarity for h in hits), default=-1.0), 0.5)


def test_the_relevance_model_reorders_and_decides_abstention() -> None:
    data = _data()
    model = FakeRelevance({TEXTS[1][1]: 0.9, TEXTS[0][1]: 0.1})
    settings = RankSettings(signal="relevance", min_relevance=0.5, model_weight=4.0)
    ranking = AnswerRanker(data, model, settings=settings).rank(
        ("Does it help fibromyalgia?",), _retrieval([0, 2, 1])
    )
    assert [c.sentence_id for c in ranking.scored][:1] == [1]
    assert ranking.answerable and ranking.confidence == pytest.approx(0.9) and ranking.with_model
    assert "helps_condition" in ranking.kinds
    low = AnswerRanker(data, FakeRelevance({}), settings=settings).rank(
        ("Does it help?",), _retrieval([0, 2])
    )
    assert not low.answerable and low.signal == "relevance"


def test_kind_bonus_prefers_the_answer_shape_at_equal_relevance() -> None:
    data = _data()
    flat = FakeRelevance({})  # every sentence 0.05
    q = ("When should I take it, morning or night?",)
    plain = AnswerRanker(data, flat, settings=RankSettings(kind_bonus=0.0)).rank(q, _retrieval([0, 2, 4]))
    bonus = AnswerRanker(data, flat, settings=RankSettings(kind_bonus=0.2)).rank(q, _retrieval([0, 2, 4]))
    assert plain.scored[0].sentence_id == 0 and bonus.scored[0].sentence_id == 4
    assert bonus.scored[0].kind_match


def test_without_a_model_the_fused_order_and_cosine_abstention_are_kept() -> None:
    data = _data()
    ranker = AnswerRanker(data, None, settings=RankSettings(signal="relevance", kind_bonus_fused=0.0))
    ranking = ranker.rank(("Does it help?",), _retrieval([2, 0, 1], {2: 0.45}))
    assert [c.sentence_id for c in ranking.scored] == [2, 0, 1]
    assert ranking.signal == "similarity" and ranking.answerable and not ranking.with_model


def test_the_story_question_and_the_whole_text_both_count() -> None:
    data = _data()

    class ByQuestion(FakeRelevance):
        def score(self, question: str, texts: list[str]) -> np.ndarray:
            hit = TEXTS[2][1] if "dose" in question else TEXTS[0][1]
            return np.array([0.8 if t == hit else 0.1 for t in texts], dtype=np.float32)

    ranking = AnswerRanker(data, ByQuestion({})).rank(("What dose?", "long story"), _retrieval([0, 2]))
    assert {c.sentence_id: c.relevance for c in ranking.scored} == {
        0: pytest.approx(0.8),
        2: pytest.approx(0.8),
    }


def _ranking(table: dict[int, float], order: list[int]) -> Any:
    model = FakeRelevance({TEXTS[i][1]: p for i, p in table.items()})
    ranker = AnswerRanker(_data(), model, settings=RankSettings(model_weight=8.0))
    return ranker.rank(("Does it help fibromyalgia?",), _retrieval(order))


SEL = SelectSettings(quote_share=0.5, quote_min=0.2, other_source_min=0.3, conflict_min=0.3, per_doc=2)


def test_quotes_need_relevance_not_cosine_and_respect_per_doc() -> None:
    ranking = _ranking({1: 0.9, 5: 0.6, 0: 0.1}, [0, 1, 5])
    picks = select(ranking, _data(), replace(SEL, conflict_min=1.1), [], 4, stance)
    assert [p.candidate.sentence_id for p in picks] == [1, 5]
    one = select(ranking, _data(), replace(SEL, per_doc=1, conflict_min=1.1), [], 4, stance)
    assert [p.candidate.sentence_id for p in one] == [1]


def test_disagreeing_sources_both_show_each_with_its_source() -> None:
    ranking = _ranking({1: 0.9, 5: 0.8, 3: 0.35}, [0, 1, 5, 3])
    picks = select(ranking, _data(), SEL, [], 2, stance)
    assert [p.candidate.sentence_id for p in picks] == [1, 3]
    assert picks[-1].reason == "other_stance" and {p.doc_id for p in picks} == {"a", "b"}
    quiet = select(ranking, _data(), replace(SEL, conflict_min=0.5), [], 2, stance)
    assert [p.candidate.sentence_id for p in quiet] == [1, 5]


def test_pinned_spans_are_not_quoted_twice() -> None:
    ranking = _ranking({1: 0.9, 5: 0.8}, [1, 5])
    s = _data().sentences[1]
    picks = select(ranking, _data(), replace(SEL, conflict_min=1.1), [("a", s.start, s.end)], 4, stance)
    assert [p.candidate.sentence_id for p in picks] == [5]


def test_bundled_settings_load_and_bad_ones_are_reported(tmp_path: Path) -> None:
    s = load_answer_settings()
    assert s.rank.depth >= 1 and s.select.max_quotes >= 1
    bad = tmp_path / "answer.toml"
    bad.write_text(
        'version = 1\n[rank]\nsignal = "vibes"\n[select]\n[select_without_model]\n', encoding="utf-8"
    )
    with pytest.raises(AnswerSettingsError, match="signal"):
        load_answer_settings(bad)
    bad.write_text('version = 1\n[rank]\ndepth = "x"\n[select]\n[select_without_model]\n', encoding="utf-8")
    with pytest.raises(AnswerSettingsError, match="depth"):
        load_answer_settings(bad)


def test_retrievals_of_a_story_and_its_question_are_merged() -> None:
    from bot.rank import merge_retrievals

    core, whole = _retrieval([2, 0], {2: 0.6}), _retrieval([0, 4], {0: 0.2, 4: 0.1})
    merged = merge_retrievals([core, whole])
    assert [h.unit_id for h in merged.hits] == [0, 2, 4]  # 0 is found by both
    assert merged.best_similarity == pytest.approx(0.6)
    assert merge_retrievals([core]) is core


def test_rank_fusion_weighs_the_model_against_retrieval_order() -> None:
    data = _data()
    strong = FakeRelevance({TEXTS[4][1]: 0.9})  # the model likes retrieval's last candidate
    order = _retrieval([5, 2, 4])
    kept = AnswerRanker(data, strong, settings=RankSettings(model_weight=0.0)).rank(("x",), order)
    assert [c.sentence_id for c in kept.scored] == [5, 2, 4]
    led = AnswerRanker(data, strong, settings=RankSettings(model_weight=4.0)).rank(("x",), order)
    assert led.scored[0].sentence_id == 4


def test_the_answer_shape_gives_a_modest_cosine_credit() -> None:
    data = _data()
    q = ("When should I take it, morning or night?",)
    shaped = _retrieval([4, 0], {4: 0.30, 0: 0.1})  # the top sentence is a time of day
    plain = _retrieval([0, 4], {0: 0.30, 4: 0.1})
    s = RankSettings(min_similarity=0.40, kind_credit=0.13)
    assert AnswerRanker(data, None, settings=s).rank(q, shaped).answerable
    assert not AnswerRanker(data, None, settings=s).rank(q, plain).answerable
    assert AnswerRanker(data, None, settings=s).rank(q, shaped).confidence == pytest.approx(0.43)


def test_a_caution_naming_the_asked_medicine_is_the_first_quote() -> None:
    ranking = _ranking({1: 0.9, 5: 0.8, 2: 0.3}, [1, 5, 2])
    marked = replace(
        ranking, scored=tuple(replace(c, medicine_match=c.sentence_id == 2) for c in ranking.scored)
    )
    plain = select(ranking, _data(), replace(SEL, conflict_min=1.1), [], 4, stance)
    first = select(marked, _data(), replace(SEL, conflict_min=1.1), [], 4, stance)
    assert plain[0].candidate.sentence_id == 1 and first[0].candidate.sentence_id == 2

"""`eval.transfer_cv`: the cross-validated choice of abstention rule and first-quote weights over
several corpora, on synthetic records (no model); and the study's first-quote simulation agrees
with what `bot.select` shows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.answer_settings import RankSettings, SelectSettings
from bot.cautions import stance
from bot.rank import AnswerRanker
from bot.select import select
from eval.transfer_cv import (
    Cand,
    Record,
    abstention_table,
    balanced,
    best_cut,
    first_order,
    first_quote_grid,
    folds,
)
from tests.test_rank_select import _data, _retrieval


def _records(rng: np.random.RandomState) -> list[Record]:
    out = []
    for corpus, shift in (("a", 0.0), ("b", -0.2)):  # corpus b's cosines run lower
        for i in range(40):
            ans = i % 4 != 0
            best = (0.5 if ans else 0.3) + shift + rng.uniform(-0.05, 0.05)
            out.append(Record(corpus, ans, best, ans, 0.0, 0.0, ()))
    return out


def test_balanced_accuracy_and_the_cut_between_the_classes() -> None:
    v, y = np.array([0.1, 0.2, 0.6, 0.7]), np.array([False, False, True, True])
    assert balanced(v, y, 0.4) == (1.0, 0.0, 1.0)
    assert balanced(v, y, 0.65) == pytest.approx((0.75, 0.5, 1.0))
    cut = best_cut(v, y, np.array(["a"] * 4))
    assert 0.2 < cut < 0.6


def test_folds_are_stratified_by_corpus_and_type() -> None:
    recs = _records(np.random.RandomState(0))
    f = folds(recs, k=10)
    for k in range(10):  # each fold holds one unanswerable question of each corpus
        assert sorted(r.corpus for r, x in zip(recs, f, strict=True) if x == k and not r.answerable) == [
            "a",
            "b",
        ]


def test_a_per_corpus_offset_beats_one_cut_when_the_corpora_differ_in_scale() -> None:
    recs = _records(np.random.RandomState(0))
    calibration = {"a": {"shift": 0.0}, "b": {"shift": -0.2}}
    rows = abstention_table(
        recs,
        calibration,
        {"cosine": lambda r, c: r.best, "offset": lambda r, c: r.best - c["shift"]},
        k=5,
        repeats=2,
    )
    by = {r.name: r for r in rows}
    assert by["offset"].cv_mean == pytest.approx(1.0)
    assert by["cosine"].cv_mean < 0.95


def test_the_first_quote_is_rechosen_and_the_rest_keep_their_order() -> None:
    cands = (Cand(0.2, False, False), Cand(0.2, False, False), Cand(0.9, False, True))
    assert first_order(cands, (10.0, 0.0, 0.0)) == list(cands)
    assert first_order(cands, (10.0, 0.2, 0.0)) == [cands[2], cands[0], cands[1]]
    assert first_order(cands, (10.0, 0.2, 0.0), depth=2) == [cands[0], cands[1], cands[2]]
    rec = Record("a", True, 0.9, False, 0.0, 0.0, cands)
    table, chosen, cv, _picks = first_quote_grid([rec] * 10, [(10.0, 0.0, 0.0), (10.0, 0.2, 0.0)], k=2)
    assert chosen == (10.0, 0.2, 0.0) and table[chosen]["a"][0] == 1.0 and cv["a"][0] == 1.0
    assert table[(10.0, 0.0, 0.0)]["a"].tolist() == pytest.approx([0.0, 1.0, 1 / 3])


@pytest.mark.parametrize("seed", range(5))
def test_the_study_simulates_the_quote_selection_it_tunes(seed: int) -> None:
    rng = np.random.RandomState(seed)
    order = [int(i) for i in rng.permutation(6)]
    sims = {i: float(rng.uniform(0.0, 0.8)) for i in order}
    q = ("When should I take it, morning or night?",)
    ranking = AnswerRanker(_data(), None, settings=RankSettings()).rank(q, _retrieval(order, sims))
    w = (10.0, 0.2, 0.02)
    settings = replace(SelectSettings(), first_k=w[0], first_similarity=w[1], first_kind=w[2])
    shown = select(ranking, _data(), settings, [], 1, stance)[0].candidate.sentence_id
    cands = tuple(Cand(c.similarity, c.kind_match, c.sentence_id == shown) for c in ranking.scored)
    assert first_order(cands, w)[0].gold

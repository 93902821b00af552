"""The in-domain pair builder (train/indomain.py) and its fit (train/indomain_fit.py), on tiny inline data."""

from __future__ import annotations

import numpy as np
import pytest

from train.adapter import AdapterConfig, Arrays
from train.indomain import (
    InDomainError,
    PairExample,
    Span,
    build_pairs,
    check_sets,
    gold_sentence_ids,
    hard_negatives,
    labelled_pairs,
    pair_arrays,
)
from train.indomain_fit import concat, fit_pairs, from_adapter_arrays, rerank_mrr

SENTENCES = [Span("a", 0, 20), Span("a", 20, 40), Span("b", 0, 30), Span("b", 30, 50)]


def test_refuses_unspent_sets() -> None:
    assert check_sets(["heldout", "dev", "heldout"]) == ("heldout", "dev")
    for name in ("test", "heldout7", "heldout8", "sertraline", "melatonin"):
        with pytest.raises(InDomainError):
            check_sets(["dev", name])


def test_gold_sentences_by_overlap_and_document() -> None:
    # a span inside sentence 1 of doc a; a span across sentences 2 and 3 of doc b
    assert gold_sentence_ids(SENTENCES, [Span("a", 25, 30)]) == (1,)
    assert gold_sentence_ids(SENTENCES, [Span("b", 25, 35)]) == (2, 3)
    # touching end is not overlap; another document's offsets do not count
    assert gold_sentence_ids(SENTENCES, [Span("a", 40, 45), Span("c", 0, 50)]) == ()


def test_hard_negatives_skip_gold_keep_order() -> None:
    assert hard_negatives([3, 1, 0, 2], [1], 2) == (3, 0)
    assert hard_negatives([1], [1], 3) == ()


def test_build_pairs_skips_unanswerable() -> None:
    rows = [
        ("dev", "q1", [Span("a", 0, 5)]),
        ("dev", "no answer", []),
        ("heldout", "q2", [Span("b", 31, 33)]),
    ]
    out = build_pairs(rows, SENTENCES, lambda q: [0, 1, 2, 3], negatives=2)
    assert out == [
        PairExample("q1", (0,), (1, 2), "dev"),
        PairExample("q2", (3,), (0, 1), "heldout"),
    ]


def test_unanswerable_kept_only_when_asked_and_only_without_gold() -> None:
    rows = [("dev", "none", []), ("dev", "lost span", [Span("c", 0, 5)])]
    assert build_pairs(rows, SENTENCES, lambda q: [2, 0], negatives=1) == []
    kept = build_pairs(rows, SENTENCES, lambda q: [2, 0], negatives=1, unanswerable=True)
    assert kept == [PairExample("none", (), (2,), "dev")]  # a gold span not in the index is still skipped


def test_labelled_pairs_label_gold_one_negatives_zero() -> None:
    ex = [PairExample("q", (0, 3), (1,), "dev"), PairExample("u", (), (2,), "dev")]
    out = labelled_pairs(ex, ["s0", "s1", "s2", "s3"].__getitem__)
    assert out == [("q", "s0", 1.0), ("q", "s3", 1.0), ("q", "s1", 0.0), ("u", "s2", 0.0)]


def _toy() -> tuple[list[PairExample], dict[str, np.ndarray], np.ndarray]:
    """4-d vectors: each question's raw cosine prefers a wrong sentence; a map can fix it."""
    vectors = np.eye(4, dtype=np.float32)
    qs = {
        "q0": np.array([0.5, 0.8, 0.0, 0.0], np.float32),  # gold 0, MiniLM-like cosine prefers 1
        "q1": np.array([0.0, 0.0, 0.5, 0.8], np.float32),  # gold 2, prefers 3
    }
    qs = {k: v / np.linalg.norm(v) for k, v in qs.items()}
    ex = [PairExample("q0", (0,), (1,), "dev"), PairExample("q1", (2,), (3,), "dev")]
    return ex, qs, vectors


def test_pair_arrays_rows_and_masks() -> None:
    ex, qs, vectors = _toy()
    ex.append(PairExample("q0", (0, 2), (), "heldout"))
    data = pair_arrays(ex, qs.__getitem__, vectors, hard=2)
    assert data.queries.shape == (4, 4) and data.negatives.shape == (4, 2, 4)
    assert data.neg_mask.tolist() == [[True, False], [True, False], [False, False], [False, False]]
    assert data.positive_id.tolist() == [0, 2, 0, 2]
    assert data.gold[3] == frozenset({0, 2})


def test_fit_learns_the_answering_direction() -> None:
    ex, qs, vectors = _toy()
    data = pair_arrays(ex, qs.__getitem__, vectors, hard=1)
    eye = np.eye(4, dtype=np.float32)
    assert rerank_mrr(ex, qs.__getitem__, vectors, eye) == 0.5
    cfg = AdapterConfig(epochs=200, batch_size=8, lr=0.05, reg=0.01, threads=1)
    w = fit_pairs(data, cfg, log=lambda _: None)
    assert rerank_mrr(ex, qs.__getitem__, vectors, w) == 1.0
    strong = fit_pairs(
        data, AdapterConfig(epochs=200, batch_size=8, lr=0.05, reg=1e4, threads=1), lambda _: None
    )
    assert np.abs(strong - eye).max() < 0.05  # a heavy pull to the identity keeps W near it


def test_medquad_rows_mask_their_own_question_only() -> None:
    d = 4
    pos = np.eye(4, dtype=np.float32)[
        [0, 1, 0, 3]
    ]  # rows 0-2: question 0 (two distinct positives); row 3: question 1
    a = Arrays(
        np.zeros((4, d), np.float32),
        pos,
        np.zeros((4, 1, d), np.float32),
        np.zeros((4, 1), bool),
        np.array([0, 0, 0, 1]),
    )
    out = from_adapter_arrays(a)
    assert out.positive_id.tolist() == [-1, -2, -1, -3]  # one id per distinct positive, never >= 0
    assert out.gold[0] == frozenset({-1, -2}) and out.gold[3] == frozenset({-3})
    ex, qs, vectors = _toy()
    both = concat(pair_arrays(ex, qs.__getitem__, vectors, hard=1), out)
    assert both.positive_id.tolist() == [0, 2, -1, -2, -1, -3]
    assert both.gold[1] == frozenset({2}) and both.gold[5] == frozenset({-3})

"""Invariants of the in-house metrics on tiny inline data (its doctests run in tests/test_doctests.py)."""

from __future__ import annotations

import math

import pytest

from eval.metrics import RateSummary, hit_at_k, ndcg_at_k, precision_recall, reciprocal_rank


@pytest.mark.parametrize(
    "ranked",
    [[], [False], [True], [False, True, False], [False, False, False, True, True], [True] * 4],
)
def test_hit_is_monotone_in_k_and_agrees_with_reciprocal_rank(ranked: list[bool]) -> None:
    hits = [hit_at_k(ranked, k) for k in range(1, 7)]
    assert hits == sorted(hits)
    assert all(h in (0, 1) for h in hits)
    for k in range(1, 7):
        rr = reciprocal_rank(ranked, k)
        assert (rr > 0) == bool(hit_at_k(ranked, k))
        assert 0.0 <= rr <= 1.0


def test_reciprocal_rank_values() -> None:
    assert reciprocal_rank([True]) == 1.0
    assert reciprocal_rank([False, True]) == 0.5
    assert reciprocal_rank([False] * 9 + [True]) == pytest.approx(0.1)
    assert reciprocal_rank([False] * 10 + [True]) == 0.0  # default cut-off is 10
    assert reciprocal_rank([False] * 10 + [True], k=11) == pytest.approx(1 / 11)


@pytest.mark.parametrize("bad_k", [0, -1])
def test_cutoff_must_be_positive(bad_k: int) -> None:
    with pytest.raises(ValueError):
        hit_at_k([True], bad_k)
    with pytest.raises(ValueError):
        reciprocal_rank([True], bad_k)
    with pytest.raises(ValueError):
        ndcg_at_k([1.0], [1.0], bad_k)


def test_ndcg_bounds_and_ideal_ranking() -> None:
    ideal = [3.0, 2.0, 1.0, 0.0]
    assert ndcg_at_k(ideal, ideal, 4) == pytest.approx(1.0)
    assert ndcg_at_k([0.0, 1.0, 2.0, 3.0], ideal, 4) < 1.0
    for k in range(1, 5):
        assert 0.0 <= ndcg_at_k([1.0, 0.0, 3.0, 2.0], ideal, k) <= 1.0 + 1e-12


def test_ndcg_ideal_order_does_not_matter_and_swaps_lower_the_score() -> None:
    assert ndcg_at_k([2, 1], [1, 2], 2) == pytest.approx(1.0)
    better, worse = ndcg_at_k([2, 1], [2, 1], 2), ndcg_at_k([1, 2], [2, 1], 2)
    assert better > worse


def test_ndcg_single_relevant_equals_discount() -> None:
    for rank in range(1, 6):
        gains = [0.0] * 5
        gains[rank - 1] = 1.0
        assert ndcg_at_k(gains, [1.0], 5) == pytest.approx(1 / math.log2(rank + 1))


def test_ndcg_without_relevant_items_is_zero() -> None:
    assert ndcg_at_k([0.0, 0.0], [0.0], 2) == 0.0
    assert ndcg_at_k([], [], 3) == 0.0


def test_precision_recall() -> None:
    assert precision_recall(1, 0, 0) == (1.0, 1.0)
    assert precision_recall(2, 2, 0) == (0.5, 1.0)
    assert precision_recall(2, 0, 6) == (1.0, 0.25)
    assert precision_recall(0, 5, 0) == (0.0, 0.0)
    assert precision_recall(0, 0, 0) == (0.0, 0.0)
    with pytest.raises(ValueError):
        precision_recall(-1, 0, 0)


def test_rate_summary() -> None:
    s = RateSummary.of([1, 0, 1, 1, 0])
    assert (s.hits, s.total, s.rate) == (3, 5, 0.6)
    lo, hi = s.wilson()
    assert 0.0 <= lo < s.rate < hi <= 1.0
    assert RateSummary(0, 0).rate == 0.0 and RateSummary(0, 0).wilson() == (0.0, 1.0)
    assert RateSummary(5, 5).wilson()[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        RateSummary(3, 2)
    with pytest.raises(AttributeError):
        s.hits = 4  # type: ignore[misc]

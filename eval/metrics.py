"""Small, pure ranking and classification metrics for the in-house grounding evaluation.

These score the bot's own gold set (205 questions in `eval/gold/questions.jsonl`), where the inputs are already
judged: a list of booleans "is the quote at this rank a correct one", or gain values. They
are deliberately tiny and dependency-free so the answer-grounding report can explain every
number. They are *not* used for BEIR: `eval.beir` scores standard benchmarks with the
maintained `ranx` library, so its figures are comparable with published ones.

Conventions: ranks are 1-based in prose and 0-based in lists; a cut-off `k` must be >= 1;
undefined rates (no positives, nothing predicted) are 0.0 rather than NaN, so averages over
a question set never turn into NaN. nDCG uses linear gains and a log2(rank + 1) discount,
as `trec_eval` and `ranx` do.

>>> ranked = [False, True, False]
>>> hit_at_k(ranked, 1), hit_at_k(ranked, 2), reciprocal_rank(ranked)
(0, 1, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"cut-off k must be >= 1, got {k}")


def hit_at_k(ranked: Sequence[bool], k: int) -> int:
    """1 if any of the first `k` results is relevant, else 0.

    >>> hit_at_k([False, False, True], 2)
    0
    >>> hit_at_k([False, False, True], 3)
    1
    >>> hit_at_k([], 5)
    0
    """
    _check_k(k)
    return int(any(ranked[:k]))


def reciprocal_rank(ranked: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant result within the first `k`, else 0.0.

    >>> reciprocal_rank([True, True])
    1.0
    >>> reciprocal_rank([False, False, False, True])
    0.25
    >>> reciprocal_rank([False, False, True], k=2)
    0.0
    """
    _check_k(k)
    for i, relevant in enumerate(ranked[:k]):
        if relevant:
            return 1.0 / (i + 1)
    return 0.0


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain: sum of gain / log2(rank + 1) over the first `k` ranks.

    >>> round(dcg_at_k([3.0, 2.0, 3.0], 3), 4)
    5.7619
    """
    _check_k(k)
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg_at_k(ranked_gains: Sequence[float], ideal_gains: Sequence[float], k: int) -> float:
    """DCG of the ranking divided by the DCG of `ideal_gains` sorted best first (0.0 if that is 0).

    `ideal_gains` are the gains of *all* relevant items, retrieved or not, so a ranking that
    misses one cannot reach 1.0.

    >>> ndcg_at_k([1, 0, 0], [1], k=3)
    1.0
    >>> round(ndcg_at_k([0, 1, 0], [1], k=3), 4)
    0.6309
    >>> round(ndcg_at_k([1, 0, 0], [1, 1], k=3), 4)
    0.6131
    >>> ndcg_at_k([0, 0], [], k=2)
    0.0
    """
    ideal = dcg_at_k(sorted(ideal_gains, reverse=True), k)
    if ideal <= 0:
        return 0.0
    return dcg_at_k(ranked_gains, k) / ideal


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    """(precision, recall) from counts; each is 0.0 when its denominator is 0.

    >>> precision_recall(3, 1, 2)
    (0.75, 0.6)
    >>> precision_recall(0, 0, 4)
    (0.0, 0.0)
    >>> precision_recall(0, 0, 0)
    (0.0, 0.0)
    """
    if min(tp, fp, fn) < 0:
        raise ValueError(f"counts must be >= 0, got tp={tp} fp={fp} fn={fn}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0.0 when both are 0).

    >>> round(f1(0.75, 0.6), 4)
    0.6667
    >>> f1(0.0, 0.0)
    0.0
    """
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class RateSummary:
    """`hits` out of `total`, with its rate and a Wilson 95% interval (honest for small sets).

    >>> s = RateSummary.of([True, True, False, True])
    >>> s.hits, s.total, s.rate
    (3, 4, 0.75)
    >>> str(s)
    '3/4 (75.0%)'
    >>> RateSummary(0, 0).rate
    0.0
    """

    hits: int
    total: int

    def __post_init__(self) -> None:
        if not 0 <= self.hits <= self.total:
            raise ValueError(f"need 0 <= hits <= total, got {self.hits}/{self.total}")

    @classmethod
    def of(cls, outcomes: Iterable[bool | int]) -> RateSummary:
        values = [bool(v) for v in outcomes]
        return cls(sum(values), len(values))

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def wilson(self, z: float = 1.96) -> tuple[float, float]:
        """Wilson score interval for the rate; (0.0, 1.0) when there is no data.

        >>> lo, hi = RateSummary(9, 10).wilson()
        >>> round(lo, 3), round(hi, 3)
        (0.596, 0.982)
        """
        if not self.total:
            return 0.0, 1.0
        n, p = self.total, self.rate
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    def __str__(self) -> str:
        return f"{self.hits}/{self.total} ({100 * self.rate:.1f}%)"

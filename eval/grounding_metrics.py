"""Pure helpers for the grounding evaluation that `eval.metrics` does not cover.

Kept apart from `eval.metrics` (the ranking metrics, reused here for precision/recall/F1)
and free of any other project import, so each function can be checked on inline numbers:
character-span overlap, the abstention threshold sweep, multi-label precision/recall and a
percentile.

Threshold choice: over a grid of thresholds, a question is *kept* (answered) when its score is
at least the threshold. The curve gives the share of answerable questions kept and of
unanswerable questions rejected; the chosen threshold maximises balanced accuracy (their
mean), which does not reward a set for being mostly answerable. Ties are common on a small
set (a plateau of equal scores), so the middle of the widest tied run is chosen: it keeps the
largest margin to both sides and does not move when one question's score shifts slightly.

>>> spans_overlap((0, 5), (4, 9)), spans_overlap((0, 5), (5, 9))
(True, False)
>>> find_spans("a b a", "a")
[(0, 1), (4, 5)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eval.metrics import f1, precision_recall


def spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Half-open character ranges share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def find_spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Every (start, end) where `needle` occurs in `text` (overlapping occurrences included)."""
    out: list[tuple[int, int]] = []
    if not needle:
        return out
    i = text.find(needle)
    while i >= 0:
        out.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return out


def threshold_grid(lo: float = 0.0, hi: float = 0.8, step: float = 0.01) -> list[float]:
    """Thresholds lo, lo+step, ..., hi, rounded so that printing them gives clean numbers.

    >>> threshold_grid(0.0, 0.03, 0.01)
    [0.0, 0.01, 0.02, 0.03]
    """
    count = round((hi - lo) / step)
    return [round(lo + i * step, 6) for i in range(count + 1)]


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    kept: float  # share of positives (answerable) with score >= threshold
    rejected: float  # share of negatives (unanswerable) with score < threshold

    @property
    def balanced_accuracy(self) -> float:
        return (self.kept + self.rejected) / 2


def rates_at(keep_scores: Sequence[float], reject_scores: Sequence[float], threshold: float) -> CurvePoint:
    """Kept and rejected rates at one threshold (rates are 0.0 for an empty group).

    >>> p = rates_at([0.5, 0.2], [0.1, 0.4], 0.3)
    >>> p.kept, p.rejected, p.balanced_accuracy
    (0.5, 0.5, 0.5)
    """
    kept = sum(s >= threshold for s in keep_scores) / len(keep_scores) if keep_scores else 0.0
    rejected = sum(s < threshold for s in reject_scores) / len(reject_scores) if reject_scores else 0.0
    return CurvePoint(threshold, kept, rejected)


def threshold_curve(
    keep_scores: Sequence[float], reject_scores: Sequence[float], thresholds: Iterable[float]
) -> list[CurvePoint]:
    return [rates_at(keep_scores, reject_scores, t) for t in thresholds]


def best_threshold(curve: Sequence[CurvePoint]) -> CurvePoint:
    """The point of maximal balanced accuracy; the middle of the widest run of tied maxima.

    >>> pts = [CurvePoint(t / 10, k, r) for t, k, r in [(0, 1, 0), (1, 1, .5), (2, 1, .5), (3, 1, .5), (4, .5, .5)]]
    >>> best_threshold(pts).threshold
    0.2
    """
    if not curve:
        raise ValueError("empty curve")
    top = max(p.balanced_accuracy for p in curve)
    runs: list[list[int]] = []
    for i, p in enumerate(curve):
        if math.isclose(p.balanced_accuracy, top, abs_tol=1e-12):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    widest = max(runs, key=len)  # first widest run on ties
    return curve[widest[len(widest) // 2]]


@dataclass(frozen=True)
class LabelScore:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return precision_recall(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return precision_recall(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def multilabel_scores(
    gold: Sequence[set[str]], predicted: Sequence[set[str]], labels: Iterable[str]
) -> dict[str, LabelScore]:
    """Per-label counts over paired label sets, plus "micro" (all labels pooled).

    >>> s = multilabel_scores([{"a"}, {"a", "b"}], [{"a", "b"}, {"a"}], ["a", "b"])
    >>> (s["a"].tp, s["a"].fp, s["a"].fn), (s["b"].tp, s["b"].fp, s["b"].fn), s["micro"].precision
    ((2, 0, 0), (0, 1, 1), 0.6666666666666666)
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predicted")
    out: dict[str, LabelScore] = {}
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, predicted, strict=True))
        fp = sum(label not in g and label in p for g, p in zip(gold, predicted, strict=True))
        fn = sum(label in g and label not in p for g, p in zip(gold, predicted, strict=True))
        out[label] = LabelScore(tp, fp, fn)
    scores = list(out.values())
    out["micro"] = LabelScore(sum(s.tp for s in scores), sum(s.fp for s in scores), sum(s.fn for s in scores))
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (as numpy's default); NaN for no values (the one
    percentile of the project: the evaluation and the benchmarks both use it).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([5.0], 95), percentile([], 50)
    (2.5, 5.0, nan)
    """
    if not 0 <= q <= 100:
        raise ValueError(f"q must be in [0, 100], got {q}")
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

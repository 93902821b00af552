"""Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): the one implementation.

A unit's fused score is the sum of ``1 / (k + rank)`` over the rankings it appears in
(ranks 1-based). Parameter-free, so it needs no calibration per corpus; the price is that it
throws away how far ahead a unit is in each list (`eval.beir` measures a convex fusion too).

>>> reciprocal_rank_fusion([[7, 3], [3]], k=60) == {7: 1 / 61, 3: 1 / 62 + 1 / 61}
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Iterable[Sequence[int] | Mapping[int, int]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> dict[int, float]:
    """Fused scores of every unit in `rankings`.

    A ranking is either a sequence of unit ids, best first, or a mapping unit id -> 0-based rank
    (several units may share a rank, e.g. the sentences of one passage). `weights`, when given
    (one per ranking), multiply each ranking's terms (weighted RRF); by default every ranking
    weighs 1.

    >>> reciprocal_rank_fusion([[7], [3]], k=0, weights=[1.0, 2.0]) == {7: 1.0, 3: 2.0}
    True
    """
    out: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        w = 1.0 if weights is None else float(weights[n])
        pairs = ranking.items() if isinstance(ranking, Mapping) else ((u, r) for r, u in enumerate(ranking))
        for unit, rank in pairs:
            out[unit] = out.get(unit, 0.0) + w / (k + 1 + rank)
    return out

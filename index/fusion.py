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
    rankings: Iterable[Sequence[int] | Mapping[int, int]], k: int = RRF_K
) -> dict[int, float]:
    """Fused scores of every unit in `rankings`.

    A ranking is either a sequence of unit ids, best first, or a mapping unit id -> 0-based rank
    (several units may share a rank, e.g. the sentences of one passage).
    """
    out: dict[int, float] = {}
    for ranking in rankings:
        pairs = ranking.items() if isinstance(ranking, Mapping) else ((u, r) for r, u in enumerate(ranking))
        for unit, rank in pairs:
            out[unit] = out.get(unit, 0.0) + 1.0 / (k + 1 + rank)
    return out

"""Retrieval ablations for the evaluation, kept out of the serving retriever.

Each `RetrieverConfig` names which rankings are used and how, over the same candidates as
serving (`Retriever.candidates`):

* ``bm25``: BM25 sentences, in BM25 order;
* ``dense``: dense sentences, in raw (not centred) cosine order;
* ``hybrid``: RRF of dense and BM25 *passages*, quoting whole passages;
* ``hybrid+select``: what serving does (`Retriever.retrieve`): RRF of the four rankings over
  sentences, with the centred cosine.

A ranked unit is a sentence id, or a passage id when `Unit.is_passage`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.retrieve import FUSED_LISTS, Retriever
from index.fusion import reciprocal_rank_fusion


@dataclass(frozen=True)
class RetrieverConfig:
    """One way of ranking: the fused `lists` (sentence or passage lists), cosine centred or not."""

    lists: tuple[str, ...] = FUSED_LISTS
    centre: bool = True
    passages: bool = False  # rank whole passages (only the passage lists apply)


@dataclass(frozen=True)
class Unit:
    unit_id: int
    is_passage: bool = False


ABLATIONS: dict[str, RetrieverConfig] = {
    "bm25": RetrieverConfig(lists=("bm25_s",)),
    "dense": RetrieverConfig(lists=("dense_s",), centre=False),
    "hybrid": RetrieverConfig(lists=("dense_p", "bm25_p"), passages=True),
    "hybrid+select": RetrieverConfig(),
}
MODES = tuple(ABLATIONS)


def ranked_units(retriever: Retriever, query: str, qvec: np.ndarray, config: RetrieverConfig) -> list[Unit]:
    """The units `config` ranks for `query`, best first."""
    if not retriever.data.sentences:
        return []
    if config == RetrieverConfig():
        return [Unit(h.unit_id) for h in retriever.retrieve(query, qvec).hits]
    found = retriever.candidates(query, qvec)
    if config.passages:
        lists = [[pid for pid, _ in getattr(found, name)] for name in config.lists]
        fused = reciprocal_rank_fusion(lists)
        return [Unit(p, is_passage=True) for p in sorted(fused, key=lambda p: (-fused[p], p))]
    if len(config.lists) == 1:  # one list: its own order (FAISS raw cosine or BM25 score)
        return [Unit(i) for i, _ in getattr(found, config.lists[0])]
    ranked = retriever.rank_sentences(found, qvec, lists=config.lists, centre=config.centre)
    return [Unit(h.unit_id) for h in ranked.hits]

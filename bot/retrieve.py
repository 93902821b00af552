"""Hybrid retrieval over a loaded index: the serving path of `Engine.answer`.

Pipeline for one question (one model call, everything else is array arithmetic):

1. Candidates: the top `depth` sentences by dense cosine (FAISS) and by BM25, plus every
   sentence of the top passages by dense cosine and by BM25.
2. Topic neutralisation: every sentence of an LDN corpus is "about LDN", so the raw cosine
   is dominated by the shared topic. Two measures, both derived from the corpus itself:
   the query vector is the mean of the question's vector and that of the question without
   corpus-wide topic terms (`topic_terms`: words in >= 30% of passages, e.g. "ldn",
   "naltrexone", "dose"), encoded in one batch; and the corpus mean vector (the topic
   direction) is removed from query and candidates before comparing (`centred` cosine).
   BM25's IDF does the same for words found everywhere. With both, hybrid+select reaches
   hit@3 0.824 on the gold set (eval/README.md, "Latest results"); re-measure an ablation with
   `python -m eval run` after changing them.
3. Fusion: reciprocal rank fusion (`index.fusion`, k=60) of four rankings of the candidates: centred dense
   sentence, BM25 sentence, and the best rank of any passage holding the sentence under dense
   and under BM25 (so a sentence inside a passage that answers is lifted).
4. Selection (in `bot.engine`): best fused sentences first, at most `per_doc` from one
   document, so several sources appear when they bear on the question.

Abstention uses the raw evidence, not RRF (ranks say nothing about "nothing relevant"): the
best *centred* cosine among candidates must reach `min_similarity`, calibrated on the gold set
(see `eval/`, report `abstention` section).

This is the serving path only: the evaluation's ablations (BM25 alone, dense alone, passages)
are built in `eval/ablation.py` from `candidates` and `rank_sentences`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.observe import Laps, Stage, StageObserver
from bot.shortenings import Shortenings
from index.adapter import QueryAdapter
from index.bm25 import tokenize
from index.fusion import reciprocal_rank_fusion
from index.store import IndexData
from index.vectors import search

TOPIC_SHARE = 0.3  # a word in at least this share of passages is a corpus-wide topic term
TOPIC_MIN_PASSAGES = 20  # below this, no word is called a topic term
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
FUSED_LISTS = ("dense_s", "bm25_s", "dense_p", "bm25_p")

Ranked = list[tuple[int, float]]  # (unit id, score), best first


@dataclass(frozen=True)
class Hit:
    """A ranked sentence with its evidence."""

    unit_id: int  # the sentence id
    score: float  # the fused ranking score
    similarity: float  # centred cosine to the question
    raw_similarity: float
    passage_id: int  # the passage that gives context (-1: none)


@dataclass(frozen=True)
class Retrieval:
    hits: tuple[Hit, ...]
    best_similarity: float  # max centred cosine over candidates: the abstention signal
    best_raw_similarity: float


@dataclass(frozen=True)
class Candidates:
    """The four candidate lists of one question: dense and BM25, sentences and passages."""

    dense_s: Ranked
    bm25_s: Ranked
    dense_p: Ranked
    bm25_p: Ranked
    adapter_s: Ranked | None = None  # sentences by the query adapter's cosine (None: no adapter)


class Retriever:
    def __init__(
        self,
        data: IndexData,
        depth: int = 40,
        passage_depth: int = 10,
        adapter: QueryAdapter | None = None,
        adapter_weight: float = 1.0,
        complete_shortenings: bool = False,
    ):
        """`adapter` (`index.adapter`), when given, adds a fifth list to the fusion: sentences
        by `cos(W q, s)`, weighted `adapter_weight` (the other lists weigh 1)."""
        self.data = data
        self.depth = depth
        self.passage_depth = passage_depth
        self.adapter = adapter
        self.adapter_weight = adapter_weight
        texts = [p.text for p in data.passages]
        self.shortenings = Shortenings(texts) if complete_shortenings else None  # "fibro" for the dense query
        vecs = data.sentence_vectors
        self.topic = (
            vecs.mean(axis=0).astype(np.float32)
            if len(vecs)
            else np.zeros(data.manifest.dimension, np.float32)
        )
        self.topic_terms = topic_terms(texts)
        self.topic_name = main_topic_term(texts, self.topic_terms)
        # BM25 leaves the topic out too: a query left with only "ldn" would rank the shortest
        # sentences that say "LDN" first ("LDN is usually taken as a pill.").
        self.topic_tokens = frozenset(t for term in self.topic_terms for t in tokenize(term))
        self.passages_of: dict[int, list[int]] = {}
        for p in data.passages:
            for sid in p.sentence_ids:
                self.passages_of.setdefault(sid, []).append(p.passage_id)

    def neutral_query(self, query: str) -> str:
        """The query without corpus-wide topic terms ("" when nothing else is left).

        Encoding both the question and this neutral form and averaging the two vectors keeps
        what the question is *about*: on an LDN corpus "Does LDN cause vivid dreams?" also
        becomes "Does cause vivid dreams?".
        """
        out = _WORD.sub(lambda m: " " if m.group().lower() in self.topic_terms else m.group(), query)
        out = re.sub(r"\s+", " ", out).strip()
        return out if out != query.strip() and re.search(r"[A-Za-z]{3,}", out) else ""

    def query_texts(self, query: str) -> list[str]:
        """The texts whose vectors are averaged into the query vector.

        A question that names the topic is paired with its topic-neutral form; one that does not
        ("what dose should I start with?") is paired with itself prefixed by the corpus's main
        topic term ("ldn: what dose ..."), since every question put to this corpus is about it.
        Either way the query vector no longer depends on whether the person typed "LDN".

        >>> r = Retriever.__new__(Retriever)
        >>> r.topic_terms, r.topic_name, r.shortenings = frozenset({"ldn"}), "ldn", None
        >>> r.query_texts("Does LDN cause dreams?"), r.query_texts("Does it cause dreams?")
        (['Does LDN cause dreams?', 'Does cause dreams?'], ['ldn: Does it cause dreams?', 'Does it cause dreams?'])
        """
        if self.shortenings is not None:  # lay shortenings completed ("fibro"), bot.shortenings
            query = self.shortenings.complete(query)
        neutral = self.neutral_query(query)
        if neutral:
            return [query, neutral]
        if self.topic_name and re.search(r"[A-Za-z]{3,}", query):
            return [f"{self.topic_name}: {query}", query]
        return [query]

    def retrieve(self, query: str, qvec: np.ndarray, observer: StageObserver | None = None) -> Retrieval:
        """Rank candidate sentences for `query` (see the module doc); `observer`, when given,
        receives the seconds of the "faiss", "bm25" and "fusion" stages."""
        if not self.data.sentences:
            return Retrieval((), -1.0, -1.0)
        laps = Laps(observer)
        found = self.candidates(query, qvec, laps)
        lists = FUSED_LISTS + (("adapter_s",) if self.adapter is not None else ())
        return self.rank_sentences(found, qvec, lists, laps=laps)

    def candidates(self, query: str, qvec: np.ndarray, laps: Laps | None = None) -> Candidates:
        data = self.data
        laps = laps or Laps(None)
        dense_s = search(data.sentence_faiss, qvec, self.depth)
        dense_p = search(data.passage_faiss, qvec, self.passage_depth)
        laps.lap(Stage.FAISS)
        bm25_s = data.sentence_bm25.top(query, self.depth, self.topic_tokens)
        bm25_p = data.passage_bm25.top(query, self.passage_depth, self.topic_tokens)
        laps.lap(Stage.BM25)
        adapter_s = None
        if self.adapter is not None:
            adapter_s = search(data.sentence_faiss, self.adapter.apply(qvec), self.depth)
        return Candidates(dense_s, bm25_s, dense_p, bm25_p, adapter_s)

    def rank_sentences(
        self,
        found: Candidates,
        qvec: np.ndarray,
        lists: tuple[str, ...] = FUSED_LISTS,
        centre: bool = True,
        laps: Laps | None = None,
    ) -> Retrieval:
        """Sentences of `found` (those of the candidate passages too when a passage list is
        fused) ranked by RRF of `lists`; `centre=False` ranks the dense list by raw cosine."""
        data = self.data
        cand: set[int] = {i for i, _ in found.dense_s} | {i for i, _ in found.bm25_s}
        if "adapter_s" in lists and found.adapter_s is not None:
            cand.update(i for i, _ in found.adapter_s)
        if "dense_p" in lists or "bm25_p" in lists:
            for pid, _ in found.dense_p + found.bm25_p:
                cand.update(data.passages[pid].sentence_ids)
        ids = np.fromiter(sorted(cand), dtype=np.int64)
        raw = data.sentence_vectors[ids] @ qvec
        cen = self.centred(data.sentence_vectors[ids]) @ self.centred(qvec)
        raw_of = dict(zip(ids.tolist(), raw.tolist(), strict=True))
        cen_of = dict(zip(ids.tolist(), cen.tolist(), strict=True))
        adapted = None
        if "adapter_s" in lists and self.adapter is not None:
            adapted = dict(
                zip(ids.tolist(), self.adapter.scores(qvec, data.sentence_vectors[ids]).tolist(), strict=True)
            )
        fused = self._fuse(ids.tolist(), cen_of if centre else raw_of, found, lists, adapted)
        order = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        hits = tuple(
            Hit(i, float(s), cen_of.get(i, -1.0), raw_of.get(i, -1.0), self.passages_of.get(i, [-1])[0])
            for i, s in order
        )
        if laps is not None:
            laps.lap(Stage.FUSION)
        return Retrieval(hits, float(cen.max()), float(raw.max()))

    def centred(self, vectors: np.ndarray) -> np.ndarray:
        """Vectors with the corpus topic direction removed, renormalised."""
        c = vectors - self.topic
        norms = np.linalg.norm(c, axis=-1, keepdims=True)
        return c / np.maximum(norms, 1e-9)

    def _fuse(
        self,
        ids: list[int],
        similarity: dict[int, float],
        found: Candidates,
        lists: tuple[str, ...],
        adapted: dict[int, float] | None = None,
    ) -> dict[int, float]:
        rankings: list[dict[int, int]] = []
        weights: list[float] = []
        if "dense_s" in lists:
            dense_order = sorted(ids, key=lambda i: -similarity[i])
            rankings.append({i: r for r, i in enumerate(dense_order)})
            weights.append(1.0)
        if "bm25_s" in lists:
            rankings.append({i: r for r, (i, _) in enumerate(found.bm25_s)})
            weights.append(1.0)
        for name, plist in (("dense_p", found.dense_p), ("bm25_p", found.bm25_p)):
            if name not in lists:
                continue
            prank: dict[int, int] = {}
            for r, (pid, _) in enumerate(plist):
                for sid in self.data.passages[pid].sentence_ids:
                    prank.setdefault(sid, r)
            rankings.append(prank)
            weights.append(1.0)
        if adapted is not None:
            rankings.append({i: r for r, i in enumerate(sorted(ids, key=lambda i: (-adapted[i], i)))})
            weights.append(self.adapter_weight)
        fused = reciprocal_rank_fusion(rankings, weights=weights)
        return {i: fused.get(i, 0.0) for i in ids}


def topic_terms(texts: list[str]) -> frozenset[str]:
    """Words (not stop words) found in at least `TOPIC_SHARE` of the texts.

    >>> sorted(topic_terms(["LDN helps pain"] * 15 + ["LDN and sleep", "sleep well"] * 5 + ["x"] * 10))
    ['helps', 'ldn', 'pain']
    """
    if len(texts) < TOPIC_MIN_PASSAGES:
        return frozenset()
    from index.bm25 import stopwords

    df: Counter[str] = Counter()
    for text in texts:
        df.update({w.lower() for w in _WORD.findall(text)})
    cut = TOPIC_SHARE * len(texts)
    return frozenset(w for w, c in df.items() if c >= cut and len(w) > 2 and w not in stopwords())


def main_topic_term(texts: list[str], terms: frozenset[str]) -> str:
    """The topic term found in the most texts ("" when there is none)."""
    if not terms:
        return ""
    df: Counter[str] = Counter()
    for text in texts:
        df.update({w.lower() for w in _WORD.findall(text)} & terms)
    return max(sorted(df), key=lambda w: df[w]) if df else ""

"""Hybrid retrieval and sentence selection over a loaded index.

Pipeline for one question (one model call, everything else is array arithmetic):

1. Candidates: the top `depth` sentences by dense cosine (FAISS) and by BM25, plus every
   sentence of the top passages by dense cosine and by BM25.
2. Topic neutralisation: every sentence of an LDN corpus is "about LDN", so the raw cosine
   is dominated by the shared topic. Two measures, both derived from the corpus itself:
   the query vector is the mean of the question's vector and that of the question without
   corpus-wide topic terms (`topic_terms`: words in >= 30% of passages, e.g. "ldn",
   "naltrexone", "dose"), encoded in one batch; and the corpus mean vector (the topic
   direction) is removed from query and candidates before comparing (`centred` cosine).
   BM25's IDF does the same for words found everywhere. On the gold set the query measure
   lifted hit@3 from 0.74 to 0.82 (BENCHMARKS.md).
3. Fusion: reciprocal rank fusion (k=60) of four rankings of the candidates: centred dense
   sentence, BM25 sentence, and the best rank of any passage holding the sentence under dense
   and under BM25 (so a sentence inside a passage that answers is lifted).
4. Selection: best fused sentences first, at most `per_doc` from one document, so several
   sources appear when they bear on the question.

Abstention uses the raw evidence, not RRF (ranks say nothing about "nothing relevant"): the
best *centred* cosine among candidates must reach `min_similarity`, calibrated on the gold set
(see `eval/`, report `abstention` section).

Ablation modes for the evaluation: "bm25" (BM25 sentences), "dense" (raw dense sentences),
"hybrid" (RRF of dense and BM25 passages, quoting whole passages), "hybrid+select" (all).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.bm25 import tokenize
from index.store import IndexData
from index.vectors import search

RRF_K = 60
TOPIC_SHARE = 0.3  # a word in at least this share of passages is a corpus-wide topic term
TOPIC_MIN_PASSAGES = 20  # below this, no word is called a topic term
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
MODES = ("bm25", "dense", "hybrid", "hybrid+select")


@dataclass(frozen=True)
class Hit:
    """A ranked unit: a sentence id (or passage id in "hybrid" mode) with its evidence."""

    unit_id: int
    score: float  # the fused (or single-method) ranking score
    similarity: float  # centred cosine to the question (raw cosine in "dense" mode)
    raw_similarity: float
    passage_id: int  # the passage that gives context
    is_passage: bool = False


@dataclass(frozen=True)
class Retrieval:
    hits: tuple[Hit, ...]
    best_similarity: float  # max centred cosine over candidates: the abstention signal
    best_raw_similarity: float


class Retriever:
    def __init__(
        self,
        data: IndexData,
        depth: int = 40,
        passage_depth: int = 10,
        centre: bool = True,
        lists: tuple[str, ...] = ("dense_s", "bm25_s", "dense_p", "bm25_p"),
    ):
        self.data = data
        self.centre = centre
        self.lists = lists
        self.depth = depth
        self.passage_depth = passage_depth
        vecs = data.sentence_vectors
        self.topic = (
            vecs.mean(axis=0).astype(np.float32)
            if len(vecs)
            else np.zeros(data.manifest.dimension, np.float32)
        )
        self.topic_terms = topic_terms([p.text for p in data.passages])
        self.topic_name = main_topic_term([p.text for p in data.passages], self.topic_terms)
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
        >>> r.topic_terms, r.topic_name = frozenset({"ldn"}), "ldn"
        >>> r.query_texts("Does LDN cause dreams?"), r.query_texts("Does it cause dreams?")
        (['Does LDN cause dreams?', 'Does cause dreams?'], ['ldn: Does it cause dreams?', 'Does it cause dreams?'])
        """
        neutral = self.neutral_query(query)
        if neutral:
            return [query, neutral]
        if self.topic_name and re.search(r"[A-Za-z]{3,}", query):
            return [f"{self.topic_name}: {query}", query]
        return [query]

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        c = vectors - self.topic
        norms = np.linalg.norm(c, axis=-1, keepdims=True)
        return c / np.maximum(norms, 1e-9)

    def retrieve(
        self,
        query: str,
        qvec: np.ndarray,
        mode: str = "hybrid+select",
        timings: dict[str, float] | None = None,
    ) -> Retrieval:
        """Rank candidates for `query`; `timings`, when given, receives seconds per stage
        ("faiss", "bm25", "fusion") for the benchmarks."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        data = self.data
        if not data.sentences:
            return Retrieval((), -1.0, -1.0)
        t0 = time.perf_counter()
        dense_s = search(data.sentence_faiss, qvec, self.depth)
        dense_p = search(data.passage_faiss, qvec, self.passage_depth)
        t1 = time.perf_counter()
        bm25_s = data.sentence_bm25.top(query, self.depth, self.topic_tokens)
        bm25_p = data.passage_bm25.top(query, self.passage_depth, self.topic_tokens)
        t2 = time.perf_counter()
        if timings is not None:
            timings["faiss"], timings["bm25"] = t1 - t0, t2 - t1
        if mode == "hybrid":
            return self._passages(qvec, dense_p, bm25_p)
        cand: set[int] = {i for i, _ in dense_s} | {i for i, _ in bm25_s}
        if mode == "hybrid+select":
            for pid, _ in dense_p + bm25_p:
                cand.update(data.passages[pid].sentence_ids)
        ids = np.fromiter(sorted(cand), dtype=np.int64)
        raw = data.sentence_vectors[ids] @ qvec
        cen = self._centred(data.sentence_vectors[ids]) @ self._centred(qvec)
        raw_of = dict(zip(ids.tolist(), raw.tolist(), strict=True))
        cen_of = dict(zip(ids.tolist(), cen.tolist(), strict=True))
        best_c, best_r = float(cen.max()), float(raw.max())
        if mode == "bm25":
            order = [(i, s) for i, s in bm25_s]
        elif mode == "dense":
            order = [(i, s) for i, s in dense_s]
        else:
            fused = self._fuse(ids.tolist(), cen_of if self.centre else raw_of, bm25_s, dense_p, bm25_p)
            order = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        hits = tuple(
            Hit(i, float(s), cen_of.get(i, -1.0), raw_of.get(i, -1.0), self.passages_of.get(i, [-1])[0])
            for i, s in order
        )
        if timings is not None:
            timings["fusion"] = time.perf_counter() - t2
        return Retrieval(hits, best_c, best_r)

    def _fuse(
        self,
        ids: list[int],
        centred: dict[int, float],
        bm25_s: list[tuple[int, float]],
        dense_p: list[tuple[int, float]],
        bm25_p: list[tuple[int, float]],
    ) -> dict[int, float]:
        rankings: list[dict[int, int]] = []
        if "dense_s" in self.lists:
            dense_order = sorted(ids, key=lambda i: -centred[i])
            rankings.append({i: r for r, i in enumerate(dense_order)})
        if "bm25_s" in self.lists:
            rankings.append({i: r for r, (i, _) in enumerate(bm25_s)})
        for name, plist in (("dense_p", dense_p), ("bm25_p", bm25_p)):
            if name not in self.lists:
                continue
            prank: dict[int, int] = {}
            for r, (pid, _) in enumerate(plist):
                for sid in self.data.passages[pid].sentence_ids:
                    prank.setdefault(sid, r)
            rankings.append(prank)
        return {i: sum(1.0 / (RRF_K + 1 + rk[i]) for rk in rankings if i in rk) for i in ids}

    def _passages(
        self, qvec: np.ndarray, dense_p: list[tuple[int, float]], bm25_p: list[tuple[int, float]]
    ) -> Retrieval:
        fused: dict[int, float] = {}
        for plist in (dense_p, bm25_p):
            for r, (pid, _) in enumerate(plist):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + 1 + r)
        pids = sorted(fused, key=lambda p: (-fused[p], p))
        if not pids:
            return Retrieval((), -1.0, -1.0)
        vecs = self.data.passage_vectors[pids]
        raw = vecs @ qvec
        cen = self._centred(vecs) @ self._centred(qvec)
        hits = tuple(
            Hit(p, fused[p], float(c), float(r), p, is_passage=True)
            for p, c, r in zip(pids, cen, raw, strict=True)
        )
        return Retrieval(hits, float(cen.max()), float(raw.max()))


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

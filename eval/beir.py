"""Retrieval quality on a BEIR-layout dataset: dense, BM25 and their fusion, scored with `ranx`.

`python -m eval beir DIR` reads `corpus.jsonl` (`_id`, `title`, `text`), `queries.jsonl`
(`_id`, `text`) and `qrels/<split>.tsv` (header `query-id corpus-id score`), retrieves with the
project's own building blocks and prints nDCG@10, recall@100 and MRR@10 per method:

* ``dense``: the packaged all-MiniLM-L6-v2 (`index.embedder`), exact inner product in FAISS.
* ``bm25``: `index.bm25.Bm25Index` over "title text" (stop words removed, Snowball stemmed).
* ``hybrid``: a convex combination of the two scores, each z-normalised over the union of
  both top-`FUSION_DEPTH` candidate lists, with equal weights (see `fuse`).
* ``rrf``: reciprocal rank fusion (k=60) of the same two lists, the usual parameter-free baseline.

Why the default hybrid is z-score + equal weights. Bruch, Gai & Ingber ("An Analysis of Fusion
Functions for Hybrid Retrieval", ACM TOIS 2023) show that a convex combination of normalised
scores beats RRF in and out of domain, because RRF throws away how far ahead a document is.
Equal weights need no relevance labels, so the number reported for a dataset is not fitted to
it. z-scores rather than min-max make one outlier (a BM25 score far above the rest) count as
"very sure" instead of squashing every other candidate towards zero. Every candidate gets
*both* exact scores (BM25 scores the whole corpus, the dense score is one dot product), so no
candidate is punished for being missing from the other list. `--tune` adds ``hybrid-tuned``:
the weight picked on `qrels/train.tsv` (never on the split being reported) from a coarse grid.
On SciFact this choice was fixed before looking at test scores; the train split agrees that
convex fusion beats RRF by about 0.015-0.02 nDCG@10 and that weights 0.5-0.6 form a plateau
(BENCHMARKS-scifact.md has the numbers).

Trade-offs: documents are embedded whole, so MiniLM's 256-token window truncates long
abstracts (the published BEIR figures do the same). Corpus embeddings are cached as a plain
`.npy` (no pickle) named by model identity and corpus-file hash, so a second run skips the
minutes of encoding; query embeddings are cached the same way, keyed by their exact texts.
Like BEIR's evaluator, a document whose id equals the query id is dropped from that query's
results. Metrics come from `ranx`, a maintained library, not hand-written formulas.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.beir_data import BeirData, BeirError, Qrels, Run, load_beir

METRICS = ("ndcg@10", "recall@100", "mrr@10")
DEPTH = 100  # length of every evaluated ranked list (recall@100 needs 100)
FUSION_DEPTH = 100  # candidates taken from each retriever before fusing
RRF_K = 60  # Cormack, Clarke & Büttcher (2009)
HYBRID_WEIGHT = 0.5  # weight of the dense score in `hybrid`; BM25 gets the rest
TUNE_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
TEXT_FORMAT = "title-space-text-v1"  # how a document becomes one string; part of the cache key
DEFAULT_METHODS = ("dense", "bm25", "hybrid", "rrf")
DEFAULT_CACHE = Path("~/.cache/ldn-quotes/beir")


@dataclass(frozen=True)
class Scored:
    """Per-query retrieval output: each retriever's top list and a way to score any rows."""

    dense_top: np.ndarray  # (n_queries, FUSION_DEPTH) row ids, best first
    bm25_top: list[np.ndarray]
    dense_rows: Callable[[int, np.ndarray], np.ndarray]
    bm25_all: list[np.ndarray]


def cached_encode(
    embedder: Any, texts: list[str], key: str, cache_dir: Path | None, *, progress: bool = False
) -> np.ndarray:
    """`embedder.encode(texts)`, stored as `<cache_dir>/<key>-<model identity>.npy` for next time."""
    if cache_dir is None:
        return np.asarray(embedder.encode(texts, progress=progress), dtype=np.float32)
    path = cache_dir.expanduser() / f"{key}-{embedder.identity}.npy"
    if path.is_file():
        try:
            vecs = np.load(path, allow_pickle=False)
            if vecs.shape == (len(texts), embedder.dimension) and vecs.dtype == np.float32:
                return vecs
        except (OSError, ValueError):
            pass  # unreadable or truncated: recompute and overwrite
    vecs = np.ascontiguousarray(embedder.encode(texts, progress=progress), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        np.save(fh, vecs, allow_pickle=False)
    os.replace(tmp, path)
    return vecs


def _top(scores: np.ndarray, k: int, positive_only: bool = False) -> np.ndarray:
    """Row ids of the `k` best scores, best first (ties keep corpus order)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.lexsort((idx, -scores[idx]))]
    return idx[scores[idx] > 0] if positive_only else idx


def retrieve(data: BeirData, embedder: Any, cache_dir: Path | None, *, progress: bool = False) -> Scored:
    """Score every judged query with both retrievers (dense through FAISS, BM25 over the corpus)."""
    from tqdm import tqdm

    from index.bm25 import Bm25Index
    from index.vectors import build_faiss

    corpus_key = f"corpus-{data.corpus_sha256[:16]}-{TEXT_FORMAT}"
    docs = cached_encode(embedder, data.doc_texts, corpus_key, cache_dir, progress=progress)
    qtexts = list(data.queries.values())
    qkey = "queries-" + hashlib.sha256("\0".join(qtexts).encode()).hexdigest()[:16]
    qvecs = cached_encode(embedder, qtexts, qkey, cache_dir, progress=False)
    index = build_faiss(docs, kind="flat")
    _, dense_top = index.search(np.ascontiguousarray(qvecs), min(FUSION_DEPTH, len(docs)))
    bm25 = Bm25Index.build(data.doc_texts)
    bm25_all = [bm25.scores(q) for q in tqdm(qtexts, desc="bm25", disable=not progress, file=sys.stderr)]
    return Scored(
        dense_top=dense_top,
        bm25_top=[_top(s, FUSION_DEPTH, positive_only=True) for s in bm25_all],
        dense_rows=lambda qi, rows: docs[rows] @ qvecs[qi],
        bm25_all=bm25_all,
    )


def _znorm(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if len(x) else 0.0
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


NORMS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"z": _znorm, "minmax": _minmax}


def fuse(
    scored: Scored, qi: int, method: str, weight: float = HYBRID_WEIGHT, norm: str = "z"
) -> dict[int, float]:
    """Fused scores of query `qi`'s candidates: the union of both top-`FUSION_DEPTH` lists.

    ``rrf``: sum of 1/(RRF_K + rank) over the lists a candidate appears in. ``convex``:
    weight * norm(dense) + (1 - weight) * norm(bm25), each normalised over the candidates.
    """
    dense_list = [int(r) for r in scored.dense_top[qi] if r >= 0]
    bm25_list = [int(r) for r in scored.bm25_top[qi]]
    if method == "rrf":
        from index.fusion import reciprocal_rank_fusion

        return reciprocal_rank_fusion((dense_list, bm25_list), k=RRF_K)
    rows = np.array(sorted(set(dense_list) | set(bm25_list)), dtype=np.int64)
    if not len(rows):
        return {}
    dense = scored.dense_rows(qi, rows).astype(np.float64)
    lexical = scored.bm25_all[qi][rows].astype(np.float64)
    fused = weight * NORMS[norm](dense) + (1.0 - weight) * NORMS[norm](lexical)
    return dict(zip(rows.tolist(), fused.tolist(), strict=True))


def _as_run(data: BeirData, per_query: Iterable[dict[int, float]]) -> Run:
    """Top-`DEPTH` of each query as {query-id: {doc-id: score}}, identical ids dropped (as BEIR)."""
    run: Run = {}
    for qid, scores in zip(data.queries, per_query, strict=True):
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = [(data.doc_ids[r], s) for r, s in best if data.doc_ids[r] != qid][:DEPTH]
        # ranx orders by score, so equal scores get strictly decreasing ones in our rank order.
        run[qid] = {d: float(len(kept) - i) for i, (d, _) in enumerate(kept)}
    return run


def method_run(data: BeirData, scored: Scored, method: str, weight: float = HYBRID_WEIGHT) -> Run:
    n = len(data.queries)
    if method == "dense":
        per = ({int(r): -float(i) for i, r in enumerate(scored.dense_top[q]) if r >= 0} for q in range(n))
    elif method == "bm25":
        per = ({int(r): -float(i) for i, r in enumerate(scored.bm25_top[q])} for q in range(n))
    elif method == "rrf":
        per = (fuse(scored, q, "rrf") for q in range(n))
    elif method in ("hybrid", "hybrid-tuned"):
        per = (fuse(scored, q, "convex", weight) for q in range(n))
    elif method.startswith("convex-"):  # convex-<norm>-<weight>, for experiments
        _, norm, w = method.split("-")
        per = (fuse(scored, q, "convex", float(w), norm) for q in range(n))
    else:
        raise BeirError(f"unknown method {method!r} (choose from {', '.join(DEFAULT_METHODS)})")
    return _as_run(data, per)


def score_run(qrels: Qrels, run: Run) -> dict[str, float]:
    """nDCG@10, recall@100 and MRR@10 from `ranx`, averaged over the judged queries."""
    from ranx import Qrels as RQrels
    from ranx import Run as RRun
    from ranx import evaluate

    r = RRun({q: docs for q, docs in run.items() if docs})
    result = evaluate(RQrels(qrels), r, list(METRICS), make_comparable=True)
    values = result if isinstance(result, dict) else {METRICS[0]: result}
    return {m: round(float(values[m]), 4) for m in METRICS}


def tune_weight(
    folder: str | Path, embedder: Any, cache_dir: Path | None, *, progress: bool = False
) -> float:
    """The dense weight in `TUNE_GRID` with the best train nDCG@10 (ties: the one closest to 0.5)."""
    train = load_beir(folder, split="train")
    scored = retrieve(train, embedder, cache_dir, progress=progress)
    best = max(
        TUNE_GRID,
        key=lambda w: (
            score_run(train.qrels, method_run(train, scored, "hybrid", w))["ndcg@10"],
            -abs(w - 0.5),
        ),
    )
    print(f"beir: hybrid-tuned dense weight {best} (chosen on qrels/train.tsv)", file=sys.stderr)
    return best


def run_beir(
    folder: str | Path,
    *,
    split: str = "test",
    limit_queries: int | None = None,
    methods: Iterable[str] = DEFAULT_METHODS,
    tune: bool = False,
    embedder: Any = None,
    cache_dir: str | Path | None = DEFAULT_CACHE,
    progress: bool = True,
) -> dict[str, dict[str, float]]:
    """Evaluate `methods` on `split`: {method: {"ndcg@10": x, "recall@100": y, "mrr@10": z}}.

    `embedder` defaults to the packaged model (`index.embedder.load_embedder`); tests pass a
    fake. `cache_dir=None` disables the embedding cache. `tune` adds ``hybrid-tuned``.
    """
    methods = list(methods)
    unknown = [
        m
        for m in methods
        if m not in DEFAULT_METHODS and not re.fullmatch(r"convex-(z|minmax)-[01](\.\d+)?", m)
    ]
    if unknown:
        raise BeirError(f"unknown method {unknown[0]!r} (choose from {', '.join(DEFAULT_METHODS)})")
    data = load_beir(folder, split, limit_queries)
    if embedder is None:
        from index.embedder import load_embedder

        embedder = load_embedder()
    cache = Path(cache_dir).expanduser() if cache_dir is not None else None
    scored = retrieve(data, embedder, cache, progress=progress)
    results = {m: score_run(data.qrels, method_run(data, scored, m)) for m in methods}
    if tune:
        if split == "train":
            raise BeirError("--tune picks the weight on the train split, so evaluate another split")
        weight = tune_weight(folder, embedder, cache, progress=progress)
        results["hybrid-tuned"] = score_run(data.qrels, method_run(data, scored, "hybrid-tuned", weight))
    return results


def format_table(results: dict[str, dict[str, float]]) -> str:
    lines = ["method        " + "".join(f"{m:>12}" for m in METRICS)]
    lines += [f"{name:<14}" + "".join(f"{vals[m]:>12.4f}" for m in METRICS) for name, vals in results.items()]
    return "\n".join(lines)


def main(args: Any) -> int:
    """Entry point for `python -m eval beir` (arguments parsed by `eval.__main__`)."""
    results = run_beir(
        args.dir,
        split=args.split,
        limit_queries=args.limit_queries,
        methods=args.methods or DEFAULT_METHODS,
        tune=args.tune,
        cache_dir=args.cache,
        progress=not args.quiet,
    )
    print(json.dumps(results) if args.json else format_table(results))
    return 0

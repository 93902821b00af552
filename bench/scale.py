"""Scale: FAISS exact vs HNSW and BM25 on synthetic corpora of 10k, 100k and 1M passages.

The corpora are recombined from the real index's sentences (`bench_stats.synthetic_corpus`:
texts joined from 2-4 real sentences, vectors = normalised mean of the real MiniLM vectors +
small Gaussian noise), because embedding 1M texts with the model on two cores would take days.
Queries are the gold questions encoded with the real model (`Engine.encode`: the same vector the
engine searches with), so recall is measured on real query vectors.

Per size: build time of the exact `IndexFlatIP` and of the `IndexHNSWFlat` that
`index.vectors.build_faiss` makes (M, efConstruction from index/vectors.py); one-query-at-a-time
latency p50/p95 (k=10, through `index.vectors.search`, as the engine calls it) for exact search
and for HNSW at several efSearch values; recall@10 of HNSW against the exact top 10; the index
sizes in memory; BM25 (`index.bm25.Bm25Index`) build time, query time (top 40, as the engine)
and the size of its sparse matrix. One size can also sweep M (graph degree).

BM25 builds in Python and grows linearly; a size whose build is predicted (linear
extrapolation from the previous size) to exceed `bm25_budget_s` is skipped and reported as
`extrapolated`, never as measured.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.stats import peak_rss_mb, recall_at_k, summary_ms, synthetic_corpus
from index import vectors as V


def _latency(index: Any, queries: np.ndarray, k: int, repeat: int) -> dict[str, float]:
    times: list[float] = []
    for _ in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            V.search(index, q, k)
            times.append(time.perf_counter() - t0)
    return summary_ms(times)


def _faiss_bytes(index: Any) -> int:
    import faiss

    return len(faiss.serialize_index(index))


def _hnsw_sweep(
    index: Any, queries: np.ndarray, exact_ids: np.ndarray, ef_values: Sequence[int], k: int, repeat: int
) -> list[dict[str, Any]]:
    out = []
    for ef in ef_values:
        index.hnsw.efSearch = ef
        _, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        lat = _latency(index, queries, k, repeat)
        out.append({"efSearch": ef, "recall@10": recall_at_k(ids, exact_ids, k), **lat})
    index.hnsw.efSearch = V.HNSW_EF_SEARCH
    return out


def _build_hnsw(vecs: np.ndarray, m: int) -> tuple[Any, float]:
    import faiss

    t0 = time.perf_counter()
    if m == V.HNSW_M:
        index = V.build_faiss(vecs, "hnsw")
    else:
        index = faiss.IndexHNSWFlat(vecs.shape[1], m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = V.HNSW_EF_CONSTRUCTION
        index.add(vecs)
    return index, time.perf_counter() - t0


def _bm25(texts: list[str], query_texts: list[str], repeat: int) -> dict[str, Any]:
    from index.bm25 import Bm25Index

    t0 = time.perf_counter()
    bm = Bm25Index.build(texts)
    build_s = time.perf_counter() - t0
    times: list[float] = []
    for _ in range(repeat):
        for q in query_texts:
            t1 = time.perf_counter()
            bm.top(q, 40)
            times.append(time.perf_counter() - t1)
    scores = getattr(bm._retriever, "scores", {})
    nbytes = sum(int(getattr(v, "nbytes", 0)) for v in scores.values()) if isinstance(scores, dict) else 0
    return {
        "build_s": build_s,
        "docs_per_s": len(texts) / build_s,
        "matrix_mib": nbytes / 2**20,
        **summary_ms(times),
    }


def run_scale(
    base_texts: list[str],
    base_vectors: np.ndarray,
    query_vectors: np.ndarray,
    query_texts: list[str],
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
    *,
    ef_values: Sequence[int] = (16, 32, 64, 96, 128, 256),
    m_sweep: tuple[int, Sequence[int]] | None = (100_000, (16, 48)),
    bm25_budget_s: float = 600.0,
    repeat: int = 2,
    seed: int = 0,
    noise: float = 0.1,
    log: Any = print,
) -> dict[str, Any]:
    k = 10
    ef_values = sorted({*ef_values, V.HNSW_EF_SEARCH})  # the shipped setting is always measured
    queries = np.ascontiguousarray(query_vectors, dtype=np.float32)
    res: dict[str, Any] = {
        "method": "synthetic passages = 2-4 real sentences; vector = normalised mean of their real vectors "
        f"+ N(0, ({noise}/sqrt(dim))^2) noise; seed {seed}",
        "queries": len(queries),
        "hnsw_params": {
            "M": V.HNSW_M,
            "efConstruction": V.HNSW_EF_CONSTRUCTION,
            "efSearch": V.HNSW_EF_SEARCH,
        },
        "hnsw_from": V.HNSW_FROM,
        "sizes": [],
    }
    prev_bm25: tuple[int, float] | None = None
    for n in sizes:
        log(f"scale: {n:,} passages ...")
        row: dict[str, Any] = {"n": n, "index_type_chosen": V.index_type_for(n)}
        t0 = time.perf_counter()
        texts, vecs = synthetic_corpus(base_texts, base_vectors, n, seed=seed, noise=noise)
        row["generate_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        flat = V.build_faiss(vecs, "flat")
        row["flat_build_s"] = time.perf_counter() - t0
        _, exact_ids = flat.search(queries, k)
        row["flat_query"] = _latency(flat, queries, k, repeat)
        row["flat_mib"] = vecs.nbytes / 2**20
        del flat
        hnsw, row["hnsw_build_s"] = _build_hnsw(vecs, V.HNSW_M)
        row["hnsw_mib"] = _faiss_bytes(hnsw) / 2**20
        row["hnsw_sweep"] = _hnsw_sweep(hnsw, queries, exact_ids, ef_values, k, repeat)
        del hnsw
        gc.collect()
        if m_sweep is not None and m_sweep[0] == n:
            row["m_sweep"] = []
            for m in m_sweep[1]:
                idx, build_s = _build_hnsw(vecs, m)
                row["m_sweep"].append(
                    {
                        "M": m,
                        "build_s": build_s,
                        "sweep": _hnsw_sweep(idx, queries, exact_ids, ef_values, k, repeat),
                    }
                )
                del idx
                gc.collect()
        predicted = prev_bm25[1] * n / prev_bm25[0] * 1.1 if prev_bm25 else 0.0
        if predicted > bm25_budget_s:
            row["bm25"] = {
                "skipped": True,
                "extrapolated_build_s": predicted,
                "from_n": prev_bm25[0] if prev_bm25 else 0,
            }
        else:
            row["bm25"] = _bm25(texts, query_texts, repeat)
            prev_bm25 = (n, row["bm25"]["build_s"])
        del texts, vecs
        gc.collect()
        row["peak_rss_mib_so_far"] = peak_rss_mb()
        res["sizes"].append(row)
    return res


def best_ef(row: dict[str, Any], recall: float = 0.95, p95_ms: float = 20.0) -> dict[str, Any] | None:
    """The smallest efSearch meeting both targets at this size (None when none does)."""
    for r in row["hnsw_sweep"]:
        if r["recall@10"] >= recall and r["p95_ms"] <= p95_ms:
            return dict(r)
    return None


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    rows: list[tuple[str, float, str, str, bool | None]] = []
    for row in res["sizes"]:
        n = f"{row['n']:,}"
        rows.append((f"{n}: flat query p95", row["flat_query"]["p95_ms"], "ms", "", None))
        cur = next((r for r in row["hnsw_sweep"] if r["efSearch"] == res["hnsw_params"]["efSearch"]), None)
        if cur is not None:
            is_1m = row["n"] >= 1_000_000
            rows.append(
                (
                    f"{n}: HNSW ef={cur['efSearch']} p95",
                    cur["p95_ms"],
                    "ms",
                    "<= 20" if is_1m else "",
                    cur["p95_ms"] <= 20 if is_1m else None,
                )
            )
            rows.append(
                (
                    f"{n}: HNSW ef={cur['efSearch']} recall@10",
                    cur["recall@10"],
                    "",
                    ">= 0.95" if is_1m else "",
                    cur["recall@10"] >= 0.95 if is_1m else None,
                )
            )
        rows.append((f"{n}: HNSW build", row["hnsw_build_s"], "s", "", None))
        bm = row["bm25"]
        if bm.get("skipped"):
            rows.append((f"{n}: BM25 build (EXTRAPOLATED)", bm["extrapolated_build_s"], "s", "", None))
        else:
            rows.append((f"{n}: BM25 build", bm["build_s"], "s", "", None))
            rows.append((f"{n}: BM25 query p95", bm["p95_ms"], "ms", "", None))
    return rows

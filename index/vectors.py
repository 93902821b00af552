"""FAISS over normalised vectors (inner product = cosine), exact below a size, HNSW above.

Exact search (`IndexFlatIP`) is the default: at this corpus size it costs microseconds and
is never wrong. From `HNSW_FROM` vectors on, an `IndexHNSWFlat` graph keeps query time flat as
the corpus grows, at a small recall cost that `python -m bench` measures against exact search.
The choice is made by size at build time and recorded in the manifest.

The numbers behind the constants (`python -m bench --only scale`, BENCHMARKS.md; 2-core
AMD EPYC, one query at a time, real MiniLM query vectors over synthetic recombined passages):

* exact search costs ~0.09 ms per 1,000 vectors (1 thread: 4.6 ms p50 at 50k, 18 ms at 200k),
  so from ~50k vectors it alone exceeds a fifth of the query encoding (~20-30 ms) and breaks
  the "answer within 1.2x the encode" budget; hence `HNSW_FROM = 50_000` (was 200k);
* HNSW, M=32, efConstruction=80: at 1M vectors efSearch=96 gave recall@10 0.953 (no margin
  over the 0.95 target), 128 gives 0.965 at p95 0.8 ms, 256 gives 0.99 at p95 1.5 ms; at 100k,
  efSearch=128 gives 0.99. `HNSW_EF_SEARCH = 128`. M=16 saved no build time at 100k and lost
  recall at low efSearch; M=48 took 2.5x longer to build for +0.01 recall at the same latency;
* a single query gains nothing from FAISS's OpenMP threads, and on a loaded machine their
  spinning made one exact search 4-20x slower (10k vectors: 16 ms with 2 threads vs 0.75 ms
  with 1), so serving entry points call `set_search_threads` (1) once at start-up; index
  builds keep every thread;
* the same holds for numpy's BLAS (OpenBLAS, one thread per core by default): the per-question
  matrix products (triage's exemplar similarities, 2 x 384 by 384 x ~1,600) are far too small
  to gain from threads, and with several questions answered at once the BLAS threads spin
  against each other and the encoder: one answer cost 33 ms of CPU with 2 BLAS threads against
  14 ms with 1 (same answers, byte for byte; BENCHMARKS.md, "Where the CPU of an answer goes").
  `set_search_threads` therefore limits BLAS to the same count (threadpoolctl, at run time, so
  it works after numpy is imported).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HNSW_FROM = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
SEARCH_THREADS = 1


def index_type_for(n: int) -> str:
    return "hnsw" if n >= HNSW_FROM else "flat"


def build_faiss(vectors: np.ndarray, kind: str | None = None) -> Any:
    import faiss

    n, dim = vectors.shape
    kind = kind or index_type_for(n)
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def save_faiss(index: Any, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load_faiss(path: Path) -> Any:
    import faiss

    index = faiss.read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def set_search_threads(n: int = SEARCH_THREADS) -> None:
    """FAISS's OpenMP threads and numpy's BLAS threads for the whole process; entry points call
    this once at start-up (index builds do not: they keep every thread).

    Never switched per search: a process-wide switch per call races between the threads that
    answer questions at the same time."""
    import faiss
    from threadpoolctl import threadpool_limits

    faiss.omp_set_num_threads(n)
    # numpy's BLAS too: the triage scores one (units x exemplars) product per message, for which
    # waking a second BLAS thread costs more than it saves (eval.bench_triage measures both)
    threadpool_limits(limits=n, user_api="blas")


def search(index: Any, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top-k (row, cosine) for one normalised query vector."""
    if index.ntotal == 0 or k <= 0:
        return []
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    scores, rows = index.search(q, min(k, index.ntotal))
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

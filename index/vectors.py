"""FAISS over normalised vectors (inner product = cosine), exact below a size, HNSW above.

Exact search (`IndexFlatIP`) is the default: at this corpus size it costs microseconds and
is never wrong. From `HNSW_FROM` vectors on, an `IndexHNSWFlat` graph keeps query time flat as
the corpus grows, at a small recall cost that `eval bench` measures against exact search.
The choice is made by size at build time and recorded in the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

HNSW_FROM = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


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


def search(index: Any, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top-k (row, cosine) for one normalised query vector."""
    if index.ntotal == 0 or k <= 0:
        return []
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    scores, rows = index.search(q, min(k, index.ntotal))
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

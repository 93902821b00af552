"""index.vectors: exact (flat) and HNSW FAISS indexes over normalised vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import vectors
from index.vectors import build_faiss, index_type_for, load_faiss, save_faiss, search
from tests.conftest import FakeEmbedder


def _unit_rows(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_index_type_by_size():
    assert index_type_for(0) == "flat"
    assert index_type_for(vectors.HNSW_FROM - 1) == "flat"
    assert index_type_for(vectors.HNSW_FROM) == "hnsw"


def test_flat_search_is_exact_cosine():
    x = _unit_rows(50)
    index = build_faiss(x)
    assert index.ntotal == 50
    q = x[7]
    hits = search(index, q, 5)
    expected = np.argsort(-(x @ q))[:5]
    assert [r for r, _ in hits] == expected.tolist()
    assert hits[0][0] == 7
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    for row, score in hits:
        assert score == pytest.approx(float(x[row] @ q), abs=1e-5)


def test_search_k_bounds():
    x = _unit_rows(3)
    index = build_faiss(x)
    assert len(search(index, x[0], 10)) == 3
    assert search(index, x[0], 0) == []
    assert search(build_faiss(np.zeros((0, 32), dtype=np.float32)), x[0], 5) == []


def test_hnsw_finds_the_nearest_neighbour():
    x = _unit_rows(300, seed=1)
    index = build_faiss(x, "hnsw")
    assert hasattr(index, "hnsw")
    for row in (0, 123, 299):
        assert search(index, x[row], 1)[0][0] == row


def test_save_load_round_trip(tmp_path: Path):
    x = _unit_rows(40, seed=2)
    for kind in ("flat", "hnsw"):
        index = build_faiss(x, kind)
        path = tmp_path / f"{kind}.faiss"
        save_faiss(index, path)
        loaded = load_faiss(path)
        assert loaded.ntotal == 40
        if kind == "hnsw":
            assert loaded.hnsw.efSearch == vectors.HNSW_EF_SEARCH
        for row in (0, 5, 39):
            assert search(loaded, x[row], 5) == search(index, x[row], 5)


def test_fake_embedder_rows_are_normalised_and_word_sensitive():
    fake = FakeEmbedder()
    rows = fake.encode(["vivid dreams at night", "Vivid DREAMS, at night!", "pharmacy price list", ""])
    assert rows.dtype == np.float32 and rows.shape == (4, fake.dimension)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    assert rows[0] @ rows[1] == pytest.approx(1.0, abs=1e-5)  # same words
    assert rows[0] @ rows[2] < 0.5
    again = FakeEmbedder().encode(["vivid dreams at night"])
    np.testing.assert_array_equal(again[0], rows[0])  # deterministic across instances
    assert fake.calls == 1 and len(fake.texts) == 4


def test_search_threads_pin_numpy_blas_too():
    """Serving's start-up pins numpy's BLAS with FAISS (the triage's matrix product per message
    gains nothing from a second BLAS thread); restored afterwards for the rest of the session."""
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    if not blas:
        pytest.skip("numpy reports no BLAS thread pool")
    with threadpool_limits(limits=None):  # restores the counts on exit
        vectors.set_search_threads(1)
        assert {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"} == {1}

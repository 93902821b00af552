"""A query-side linear adapter on frozen MiniLM vectors: one more relevance signal.

MiniLM's cosine rewards a sentence that shares the question's *topic*; a sentence that *answers*
it ("taken ... before bedtime" for "when should I take it?") may score lower than one that only
repeats the topic. The adapter is a matrix `W` (dimension x dimension) trained on public
question -> answer-sentence pairs (`python -m train adapter`, model card in
`index/models/adapter/MODEL_CARD.md`) so that `cos(W q, s)` ranks answering sentences above
same-topic sentences that do not answer. Only the query side moves: the index's sentence vectors,
FAISS files and the triage vectors stay as built, and serving pays one (d x d) product per
question (microseconds), against a cross-encoder's one model run per candidate.

`W` is initialised at, and regularised toward, the identity: identity `W` gives exactly MiniLM's
cosine order (a unit test holds this). Files (`adapter.npy`: float32 (d, d); `adapter.json`:
name, dimension, base model, sha256 of the .npy) are checked at load; a wrong shape, checksum
or a non-finite value is an `AdapterError` that names the file. numpy only; loaded lazily by the
engine, only when the answer settings give the adapter a weight.

Trade-off: a linear map can only re-weight directions of MiniLM's space (e.g. "time of day",
"amount"), it cannot read the question and sentence together as a cross-encoder does; it is
cheap enough to keep in the fusion on every question.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_ADAPTER_DIR = Path(__file__).resolve().parent / "models" / "adapter"
MATRIX_FILE = "adapter.npy"
META_FILE = "adapter.json"


class AdapterError(ValueError):
    """The adapter's files are missing, malformed, of the wrong shape or fail their checksum."""


@dataclass(frozen=True, eq=False)
class QueryAdapter:
    """`W` of shape (d, d): the adapted query is `W q`, renormalised."""

    matrix: np.ndarray
    name: str = "identity"

    @classmethod
    def identity(cls, dimension: int) -> QueryAdapter:
        return cls(np.eye(dimension, dtype=np.float32), "identity")

    @property
    def dimension(self) -> int:
        return int(self.matrix.shape[0])

    def apply(self, qvec: np.ndarray) -> np.ndarray:
        """The adapted, unit-length query vector(s): `qvec` of shape (d,) or (n, d).

        >>> a = QueryAdapter(np.diag([2.0, 0.0]).astype(np.float32))
        >>> a.apply(np.array([0.6, 0.8], np.float32)).round(3).tolist()
        [1.0, 0.0]
        """
        out = np.asarray(qvec, dtype=np.float32) @ self.matrix.T
        norms = np.linalg.norm(out, axis=-1, keepdims=True)
        return (out / np.maximum(norms, 1e-9)).astype(np.float32)

    def scores(self, qvec: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """cos(W q, v) for each row of `vectors` (unit-length rows, as the index stores them)."""
        return np.asarray(vectors, dtype=np.float32) @ self.apply(qvec)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_adapter(folder: Path | None = None, dimension: int | None = None) -> QueryAdapter:
    """The adapter in `folder` (default: the shipped one), checked against its `adapter.json`.

    `dimension`, when given, must match (the index's embedding dimension).
    """
    folder = Path(folder or DEFAULT_ADAPTER_DIR)
    meta_path, matrix_path = folder / META_FILE, folder / MATRIX_FILE
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AdapterError(f"query adapter: cannot read {meta_path}: {exc}") from None
    if not isinstance(meta, dict) or not {"sha256", "dimension", "name"} <= set(meta):
        raise AdapterError(f"query adapter: {meta_path} needs sha256, dimension and name")
    try:
        digest = sha256_of(matrix_path)
    except OSError as exc:
        raise AdapterError(f"query adapter: cannot read {matrix_path}: {exc}") from None
    if digest != meta["sha256"]:
        raise AdapterError(
            f"query adapter: {matrix_path} has sha256 {digest[:16]}…, {META_FILE} expects "
            f"{str(meta['sha256'])[:16]}…: retrain (`python -m train adapter`) or restore the file"
        )
    try:
        matrix = np.load(matrix_path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise AdapterError(f"query adapter: {matrix_path} is not a .npy array: {exc}") from None
    d = int(meta["dimension"])
    if matrix.ndim != 2 or matrix.shape != (d, d):
        raise AdapterError(f"query adapter: {matrix_path} has shape {matrix.shape}, expected ({d}, {d})")
    if dimension is not None and d != dimension:
        raise AdapterError(f"query adapter: trained for dimension {d}, the index's vectors have {dimension}")
    if not np.isfinite(matrix).all():
        raise AdapterError(f"query adapter: {matrix_path} holds non-finite values")
    return QueryAdapter(np.ascontiguousarray(matrix, dtype=np.float32), str(meta["name"]))

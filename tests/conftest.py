"""Shared test fixtures: a deterministic fake embedder, small corpora and a built index.

`FakeEmbedder` stands in for the real sentence-transformers model: each text becomes the
L2-normalised sum of hashed word unigrams (stable across runs and machines: sha1, not
Python's salted `hash`), so texts that share words get a positive cosine and unrelated texts
score near zero. It counts its calls, and can be told to fail (to simulate a crash mid-build).

Import it anywhere as ``from tests.conftest import FakeEmbedder``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.settings import DEFAULT_CORPUS_DIR

_WORD = re.compile(r"[a-z0-9]+")

SEED_CORPUS_DIR = DEFAULT_CORPUS_DIR


def seed_files() -> list[Path]:
    """The bundled seed documents (web pages saved as text)."""
    return sorted(SEED_CORPUS_DIR.glob("*.txt"))


class FakeEmbedder:
    """A deterministic bag-of-words embedder with the `index.embedder.Embedder` interface."""

    def __init__(self, dimension: int = 256, identity: str = "fake-identity-1", name: str = "fake-embedder"):
        self.name = name
        self.identity = identity
        self.dimension = dimension
        self.calls = 0
        self.texts: list[str] = []
        self.fail_with: BaseException | None = None

    def _row(self, text: str) -> np.ndarray:
        row = np.zeros(self.dimension, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.sha1(word.encode("utf-8")).digest()
            bucket = int.from_bytes(digest[:4], "big") % self.dimension
            row[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(row))
        if norm == 0.0:  # no words: a fixed unit vector, still normalised
            row[0], norm = 1.0, 1.0
        return row / norm

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if self.fail_with is not None:
            raise self.fail_with
        self.calls += 1
        self.texts.extend(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(np.stack([self._row(t) for t in texts]), dtype=np.float32)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


TINY_DOCS = {
    "dosing.md": (
        "# Dosing\n"
        "\n"
        "Low dose naltrexone is usually started at 1.5 mg and\n"
        "raised slowly to 4.5 mg at bedtime. Most people take it once a day.\n"
        "\n"
        "# Side effects\n"
        "\n"
        "Vivid dreams are the most common side effect. They usually fade after a few weeks.\n"
    ),
    "history.txt": (
        "History of LDN\n"
        "\n"
        "Dr. Bernard Bihari studied low doses of naltrexone in the 1980s. He treated patients with HIV.\n"
        "\n"
        "Follow us on Facebook\n"
    ),
    "cost.txt": (
        "Cost and supply\n"
        "\n"
        "A compounding pharmacy prepares the capsules. A month of treatment costs about forty dollars.\n"
    ),
}


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A corpus folder with three small documents (Markdown and plain text)."""
    folder = tmp_path / "tiny_corpus"
    folder.mkdir()
    for name, text in TINY_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    """A private, editable copy of the bundled seed corpus (documents and manifest)."""
    folder = tmp_path / "seed_corpus"
    folder.mkdir()
    for path in SEED_CORPUS_DIR.iterdir():
        if path.is_file() and (path.suffix == ".txt" or path.name == "manifest.toml"):
            shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture
def built_index(tmp_path: Path) -> Path:
    """The bundled corpus indexed with `FakeEmbedder` into tmp_path; returns the index folder."""
    from index.build import build_index

    out = tmp_path / "index"
    build_index(SEED_CORPUS_DIR, out, embedder_factory=lambda: FakeEmbedder())
    return out


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus indexed with the fake embedder, built once per session.

    Shared: read it, never change it (tests that damage an index use `built_index`)."""
    from index.build import build_index

    out = tmp_path_factory.mktemp("fake_index") / "index"
    build_index(SEED_CORPUS_DIR, out, embedder_factory=lambda: FakeEmbedder())
    return out

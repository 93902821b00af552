"""The version of the code that turns a source file into quotable sentences.

`text_pipeline_version()` hashes the modules that decide a document's text and its sentences:
the loaders (text and PDF), boilerplate rules, line classes and line shapes (with their data
file), sentence splitting, passages and segmentation. An index records it in its manifest, so
any change to them makes old indexes stale and a rebuild is never silently skipped. Computed on first call (not at import) and cached.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

MODULES = (
    "loaders.py",
    "pdf.py",
    "boilerplate.py",
    "lines.py",
    "sentences.py",
    "glued.py",
    "shape.py",
    "data/sentence_lines.toml",
    "passages.py",
    "segment.py",
)


@cache
def text_pipeline_version() -> str:
    """The version of this package's `MODULES` (cached: the code does not change while running)."""
    return source_hash(Path(__file__).resolve().parent, MODULES)


def source_hash(folder: Path, names: tuple[str, ...]) -> str:
    """The first 12 hex digits of the sha256 of the files `names` in `folder`, in that order."""
    h = hashlib.sha256()
    for name in names:
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:12]

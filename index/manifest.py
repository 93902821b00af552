"""The index manifest: everything a loaded index must agree with, checked on every load.

`manifest.json` records the format version, the model (readable name and path-independent
identity), the vector dimension, the chunking parameters, the corpus content hash and the
hash of every document, library versions, the FAISS index type and the build time.
`check_compatible` turns any disagreement into an `IndexMismatch` whose message says what
differs and what to run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from corpus.version import text_pipeline_version

FORMAT_VERSION = 1


class IndexProblem(Exception):
    """Base of the index problems a person can act on (missing, damaged, mismatched)."""


class IndexMissing(IndexProblem):
    pass


class IndexDamaged(IndexProblem):
    pass


class IndexMismatch(IndexProblem):
    pass


@dataclass(frozen=True)
class ChunkingParams:
    """How documents become passages and what text is embedded (recorded in the manifest)."""

    window_sentences: int = 4
    overlap_sentences: int = 1
    max_passage_chars: int = 1200
    # "none": each sentence is embedded alone; "heading": the section heading is prepended.
    # "none" measured better on the gold set (hit@3 0.743 vs 0.655, see BENCHMARKS.md).
    embed_context: str = "none"
    segmenter_version: str = field(default_factory=text_pipeline_version)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IndexManifest:
    format_version: int
    model_name: str
    model_identity: str
    dimension: int
    chunking: dict[str, Any]
    tokenizer: dict[str, Any]
    corpus_hash: str
    documents: dict[str, str]  # doc_id -> content hash
    counts: dict[str, int]
    index_type: dict[str, str]
    libraries: dict[str, str] = field(default_factory=dict)
    built_at: str = ""
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IndexManifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            found = data.get("format_version") if isinstance(data, dict) else None
            raise IndexMismatch(
                f"index format version {found} is not {FORMAT_VERSION}; rebuild it with `python -m index build`"
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise IndexDamaged(f"manifest.json has unexpected fields ({exc}); rebuild the index") from exc

    def check_compatible(
        self,
        *,
        model_identity: str | None = None,
        dimension: int | None = None,
        chunking: ChunkingParams | None = None,
        corpus_hash: str | None = None,
    ) -> None:
        """Raise `IndexMismatch` naming the first thing that differs."""
        if model_identity is not None and model_identity != self.model_identity:
            raise IndexMismatch(
                f"the index was built with another embedding model ({self.model_name}, "
                f"identity {self.model_identity[:12]}) than the one configured "
                f"({model_identity[:12]}); rebuild with `python -m index build`"
            )
        if dimension is not None and dimension != self.dimension:
            raise IndexMismatch(f"index vectors have dimension {self.dimension}, the model gives {dimension}")
        if chunking is not None and chunking.as_dict() != self.chunking:
            raise IndexMismatch("the index was built with other chunking parameters; rebuild it")
        if corpus_hash is not None and corpus_hash != self.corpus_hash:
            raise IndexMismatch(
                "the corpus changed since the index was built (stale index); "
                "run `python -m index build` (or `make run`, which rebuilds)"
            )

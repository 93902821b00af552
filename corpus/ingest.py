"""Load a corpus folder: every supported file becomes a `Document`; the rest is reported.

A broken file never stops the others: it lands in `CorpusLoad.skipped` with its reason.
Files are read in sorted order (recursively; hidden files and the manifest are ignored) so
that builds are reproducible. Two files with the same content, or the same id (stem), are
indexed once and the second is reported as a duplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from corpus.loaders import LoadError, load_document
from corpus.manifest import MANIFEST_NAME, load_manifest
from corpus.models import Document, DocumentMeta, Skipped


@dataclass(frozen=True)
class CorpusLoad:
    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]

    @property
    def corpus_hash(self) -> str:
        """One hash of every document's id and content: changes whenever the corpus does."""
        return corpus_hash(self.documents)


def corpus_hash(documents: tuple[Document, ...] | list[Document]) -> str:
    h = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.doc_id):
        h.update(f"{doc.doc_id}\0{doc.content_hash}\0{doc.meta!r}\n".encode())
    return h.hexdigest()


def source_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.name != MANIFEST_NAME
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    """All documents of `corpus_dir`; raises `FileNotFoundError` if the folder is missing."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    manifest = load_manifest(corpus_dir)
    docs: list[Document] = []
    skipped: list[Skipped] = []
    by_hash: dict[str, str] = {}
    by_id: set[str] = set()
    for path in source_files(corpus_dir):
        try:
            doc = load_document(path, manifest.get(path.stem, DocumentMeta()))
        except LoadError as exc:
            skipped.append(Skipped(str(path), str(exc)))
            continue
        if doc.doc_id in by_id:
            skipped.append(
                Skipped(str(path), f"{path.name}: another file already has the id '{doc.doc_id}'; rename it")
            )
            continue
        if doc.content_hash in by_hash:
            skipped.append(
                Skipped(str(path), f"{path.name}: same content as '{by_hash[doc.content_hash]}'; skipped")
            )
            continue
        by_hash[doc.content_hash] = doc.doc_id
        by_id.add(doc.doc_id)
        docs.append(doc)
    return CorpusLoad(tuple(docs), tuple(skipped))

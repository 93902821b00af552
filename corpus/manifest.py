"""The corpus manifest: what is known about each source document, kept next to the files.

`manifest.toml` in the corpus folder has one table per document id (the file's stem)::

    [documents.000_6b5ec9d7b737cb5d]
    title = "..."
    publisher = "..."
    kind = "clinic web page"
    date = "unknown"
    credibility = "A clinic page that offers the treatment; not peer reviewed."

A folder without a manifest still indexes; every field then reads "unknown" and patients see
that no credibility note was given.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

from corpus.models import DocumentMeta

MANIFEST_NAME = "manifest.toml"


class ManifestError(Exception):
    pass


def load_manifest(corpus_dir: Path) -> dict[str, DocumentMeta]:
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML ({exc})") from exc
    allowed = {f.name for f in fields(DocumentMeta)}
    out: dict[str, DocumentMeta] = {}
    documents = data.get("documents") or {}
    if not isinstance(documents, dict):
        raise ManifestError(f"{path}: [documents] must be a table of documents")
    for doc_id, entry in documents.items():
        if not isinstance(entry, dict):
            raise ManifestError(f"{path}: [documents.{doc_id}] must be a table")
        unknown = set(entry) - allowed
        if unknown:
            raise ManifestError(f"{path}: [documents.{doc_id}] has unknown fields {sorted(unknown)}")
        out[doc_id] = DocumentMeta(**{k: str(v) for k, v in entry.items()})
    return out

"""The index folder on disk: written atomically, read back with every part checked.

Layout (no pickle anywhere)::

    <out>/CURRENT                 name of the live build folder (replaced atomically)
    <out>/build-<time>-<rand>/
        manifest.json             see index.manifest
        documents.jsonl           id, path, text, content hash, metadata, page spans
        sentences.jsonl           quotable sentences: id, doc_id, start, end, text, page, heading
        passages.jsonl            passage windows: id, doc_id, start, end, text, page, heading, sentence_ids
        sentence_vectors.npy      float32, one row per sentence (normalised)
        passage_vectors.npy       float32, one row per passage
        sentences.faiss           FAISS index over sentence_vectors
        passages.faiss            FAISS index over passage_vectors
        bm25_sentences/ bm25_passages/   bm25s arrays + JSON
        query_encoder.onnx, tokenizer.json   the exported query encoder (index.encoder; real model only)
        checksums.json            size and SHA-256 of every other file (written last)

`verify_index` checks a build against `checksums.json` without importing FAISS or bm25s
(hashing ~1 MB takes milliseconds, the imports ~0.6 s), so `python -m index build` with nothing
changed answers in well under a second. Builds without `checksums.json` (older ones) are
verified by loading them (`read_index`).

A build is written into a hidden temporary folder, renamed into place, and only then does
`CURRENT` switch to it (`os.replace`, atomic on POSIX). A crash or `kill -9` at any moment
leaves the previous build serving. Older builds are removed after the switch.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.models import Document, DocumentMeta, PageSpan, Passage, Sentence
from index.bm25 import Bm25Index
from index.manifest import IndexDamaged, IndexManifest, IndexMissing, IndexProblem
from index.vectors import load_faiss, save_faiss

CURRENT = "CURRENT"
CHECKSUMS = "checksums.json"
_FILES = (
    "manifest.json",
    "documents.jsonl",
    "sentences.jsonl",
    "passages.jsonl",
    "sentence_vectors.npy",
    "passage_vectors.npy",
    "sentences.faiss",
    "passages.faiss",
)


@dataclass
class IndexData:
    """Everything an index holds, in memory."""

    manifest: IndexManifest
    documents: dict[str, Document]
    sentences: list[Sentence]
    passages: list[Passage]
    sentence_vectors: np.ndarray
    passage_vectors: np.ndarray
    sentence_faiss: Any
    passage_faiss: Any
    sentence_bm25: Bm25Index
    passage_bm25: Bm25Index
    build_dir: Path | None = None  # the build folder it was read from (None: built in memory)


def current_build(out_dir: Path) -> Path | None:
    """The live build folder, or None when there is no index yet."""
    pointer = out_dir / CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = out_dir / name
    return path if name and path.is_dir() else None


def read_manifest(out_dir: Path) -> IndexManifest:
    build = current_build(out_dir)
    if build is None:
        raise IndexMissing(f"no index in {out_dir}; build one with `python -m index build --out {out_dir}`")
    try:
        return IndexManifest.from_json((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexDamaged(
            f"{build / 'manifest.json'} is missing or damaged ({exc}); rebuild the index"
        ) from exc


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_index(out_dir: Path, data: IndexData, extra_files: dict[str, Path] | None = None) -> Path:
    """Write `data` as a new build and switch CURRENT to it; returns the build folder.

    `extra_files` (name in the build -> file to copy) are written with the rest and checksummed
    (the exported query encoder, `index.encoder`)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tag = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        tmp = out_dir / f".tmp-{tag}"
        tmp.mkdir()
    except OSError as exc:
        raise IndexProblem(
            f"cannot write the index to {out_dir} ({exc.strerror}); choose a writable --out"
        ) from exc
    try:
        (tmp / "manifest.json").write_text(data.manifest.to_json(), encoding="utf-8")
        _write_jsonl(tmp / "documents.jsonl", [_doc_row(d) for d in data.documents.values()])
        _write_jsonl(tmp / "sentences.jsonl", [asdict(s) for s in data.sentences])
        _write_jsonl(
            tmp / "passages.jsonl",
            [{**asdict(p), "sentence_ids": list(p.sentence_ids)} for p in data.passages],
        )
        np.save(tmp / "sentence_vectors.npy", data.sentence_vectors, allow_pickle=False)
        np.save(tmp / "passage_vectors.npy", data.passage_vectors, allow_pickle=False)
        save_faiss(data.sentence_faiss, tmp / "sentences.faiss")
        save_faiss(data.passage_faiss, tmp / "passages.faiss")
        data.sentence_bm25.save(tmp / "bm25_sentences")
        data.passage_bm25.save(tmp / "bm25_passages")
        for name, source in (extra_files or {}).items():
            shutil.copyfile(source, tmp / name)
        (tmp / CHECKSUMS).write_text(json.dumps(_checksums(tmp), indent=1, sort_keys=True), encoding="utf-8")
        _fsync_dir(tmp)
        final = out_dir / tag
        os.replace(tmp, final)
        pointer_tmp = out_dir / f".{CURRENT}.{secrets.token_hex(3)}"
        pointer_tmp.write_text(tag + "\n", encoding="utf-8")
        os.replace(pointer_tmp, out_dir / CURRENT)
        _fsync_dir(out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise IndexProblem(
            f"cannot write the index to {out_dir} ({exc}); the previous index is unchanged"
        ) from exc
    remove_old_builds(out_dir, keep=final.name)
    return final


def _checksums(build: Path) -> dict[str, list[Any]]:
    """`{relative path: [size, sha256]}` of every file in `build` except the checksum file."""
    out: dict[str, list[Any]] = {}
    for path in sorted(build.rglob("*")):
        rel = path.relative_to(build).as_posix()
        if path.is_file() and rel != CHECKSUMS:
            out[rel] = [path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()]
    return out


def verify_index(out_dir: Path) -> IndexManifest:
    """The live build's manifest, after checking every file is present and intact.

    Cheap when the build has `checksums.json` (sizes and hashes only); otherwise the whole index
    is loaded with `read_index`. Raises `IndexMissing` / `IndexDamaged` like `read_index`."""
    manifest = read_manifest(out_dir)
    build = current_build(out_dir)
    assert build is not None
    try:
        recorded = json.loads((build / CHECKSUMS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        read_index(out_dir)
        return manifest
    except (OSError, ValueError) as exc:
        raise IndexDamaged(f"{build / CHECKSUMS} is damaged ({exc}); rebuild the index") from exc
    missing = [name for name in _FILES if name not in recorded]
    if not isinstance(recorded, dict) or missing:
        raise IndexDamaged(f"{build / CHECKSUMS} does not list every index file; rebuild the index")
    for rel, (size, digest) in recorded.items():
        path = build / rel
        try:
            ok = path.stat().st_size == size and hashlib.sha256(path.read_bytes()).hexdigest() == digest
        except OSError:
            ok = False
        if not ok:
            raise IndexDamaged(f"{path} is missing or damaged (checksum mismatch); rebuild the index")
    return manifest


def remove_old_builds(out_dir: Path, keep: str) -> None:
    """Delete superseded builds and leftovers of interrupted ones."""
    for child in out_dir.iterdir():
        if child.name == keep or child.name == CURRENT:
            continue
        if child.name.startswith(("build-", ".tmp-build-", f".{CURRENT}.")):
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def _doc_row(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "path": doc.path,
        "text": doc.text,
        "content_hash": doc.content_hash,
        "meta": asdict(doc.meta),
        "pages": [[p.page, p.start, p.end] for p in doc.pages],
    }


def _doc_from_row(row: dict[str, Any]) -> Document:
    return Document(
        doc_id=row["doc_id"],
        path=row["path"],
        text=row["text"],
        content_hash=row["content_hash"],
        meta=DocumentMeta(**row["meta"]),
        pages=tuple(PageSpan(*p) for p in row["pages"]),
    )


def read_index(out_dir: Path) -> IndexData:
    """Load the live build, checking that every file is present and consistent."""
    manifest = read_manifest(out_dir)
    build = current_build(out_dir)
    assert build is not None
    missing = [name for name in _FILES if not (build / name).exists()]
    if missing:
        raise IndexDamaged(f"index in {build} is incomplete (missing {', '.join(missing)}); rebuild it")
    try:
        documents = {d.doc_id: d for d in map(_doc_from_row, _read_jsonl(build / "documents.jsonl"))}
        sentences = [Sentence(**row) for row in _read_jsonl(build / "sentences.jsonl")]
        passages = [
            Passage(**{**row, "sentence_ids": tuple(row["sentence_ids"])})
            for row in _read_jsonl(build / "passages.jsonl")
        ]
        sentence_vectors = np.load(build / "sentence_vectors.npy", allow_pickle=False)
        passage_vectors = np.load(build / "passage_vectors.npy", allow_pickle=False)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexDamaged(f"index in {build} is damaged ({type(exc).__name__}: {exc}); rebuild it") from exc
    try:
        sentence_faiss = load_faiss(build / "sentences.faiss")
        passage_faiss = load_faiss(build / "passages.faiss")
    except Exception as exc:  # faiss raises RuntimeError on truncated files
        raise IndexDamaged(
            f"a FAISS file in {build} is truncated or damaged; rebuild the index ({exc})"
        ) from exc
    try:
        sentence_bm25 = Bm25Index.load(build / "bm25_sentences", len(sentences))
        passage_bm25 = Bm25Index.load(build / "bm25_passages", len(passages))
    except Exception as exc:
        raise IndexDamaged(f"the BM25 files in {build} are damaged; rebuild the index ({exc})") from exc
    counts = {"sentences": len(sentences), "passages": len(passages), "documents": len(documents)}
    expected = {k: manifest.counts.get(k) for k in counts}
    shapes_ok = (
        sentence_vectors.shape == (len(sentences), manifest.dimension)
        and passage_vectors.shape == (len(passages), manifest.dimension)
        and sentence_faiss.ntotal == len(sentences)
        and passage_faiss.ntotal == len(passages)
    )
    if counts != expected or not shapes_ok:
        raise IndexDamaged(
            f"index in {build} is inconsistent (counts {counts} vs manifest {expected}); rebuild it"
        )
    return IndexData(
        manifest,
        documents,
        sentences,
        passages,
        sentence_vectors,
        passage_vectors,
        sentence_faiss,
        passage_faiss,
        sentence_bm25,
        passage_bm25,
        build,
    )

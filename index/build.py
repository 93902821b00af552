"""Build (or refresh) the index of a corpus folder: segment, embed, write atomically.

Incremental by construction: vectors of a document whose content hash, the model identity
and the chunking parameters are unchanged are copied from the previous build, so only new or
changed documents are embedded. When nothing at all changed, the build returns at once
without loading the model (its ~7 s import is never paid) and without loading the index: its
files are checked against their recorded checksums (`index.store.verify_index`), so neither
FAISS nor bm25s is imported and `make run` stays quick (~0.3 s instead of ~1 s, BENCHMARKS.md).

Embedded text: by default a sentence is embedded alone. With `embed_context == "heading"` it
is embedded together with its section heading ("Side effects: Symptoms include ..."); that
measured worse on the gold set (headings such as "LDN treats symptoms of fibromyalgia" make all
the sentences of a section look alike), so it is an option, not the default.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.triage.artifact import triage_current, triage_files
from corpus.ingest import CorpusLoad, load_corpus
from corpus.models import Document, Passage, Sentence, Skipped
from corpus.segment import segment
from index.bm25 import TOKENIZER, Bm25Index
from index.embedder import Embedder, model_identity, model_name, resolve_model_path
from index.encoder import DEFAULT_PRECISION
from index.export import encoder_current, query_encoder
from index.manifest import FORMAT_VERSION, ChunkingParams, IndexManifest, IndexProblem
from index.store import IndexData, current_build, read_index, read_manifest, verify_index, write_index
from index.vectors import build_faiss, index_type_for


class BuildError(IndexProblem):
    pass


@dataclass
class BuildResult:
    out_dir: Path
    manifest: IndexManifest
    up_to_date: bool
    embedded: int = 0
    reused: int = 0
    skipped: tuple[Skipped, ...] = ()
    seconds: float = 0.0
    changed_documents: list[str] = field(default_factory=list)


def embedding_text(text: str, heading: str | None, params: ChunkingParams) -> str:
    """What the model sees for a sentence or passage.

    >>> embedding_text("Take it at night.", "How to use LDN", ChunkingParams(embed_context="heading"))
    'How to use LDN: Take it at night.'
    """
    if params.embed_context == "heading" and heading:
        return f"{heading.rstrip(' :')}: {text}"
    return text


def segment_documents(
    documents: tuple[Document, ...], params: ChunkingParams
) -> tuple[list[Sentence], list[Passage]]:
    """Sentences and passages of every document, numbered corpus-wide in document order."""
    sentences: list[Sentence] = []
    passages: list[Passage] = []
    for doc in documents:
        seg = segment(doc.text)
        base = len(sentences)
        for span in seg.sentences:
            sentences.append(
                Sentence(
                    len(sentences),
                    doc.doc_id,
                    span.start,
                    span.end,
                    span.text,
                    doc.page_at(span.start),
                    span.heading,
                )
            )
        for window in seg.windows(
            params.window_sentences, params.overlap_sentences, params.max_passage_chars
        ):
            first, last = sentences[base + window[0]], sentences[base + window[-1]]
            passages.append(
                Passage(
                    len(passages),
                    doc.doc_id,
                    first.start,
                    last.end,
                    doc.text[first.start : last.end],
                    first.page,
                    first.heading,
                    tuple(base + k for k in window),
                )
            )
    return sentences, passages


def _library_versions() -> dict[str, str]:
    out = {}
    for dist in ("faiss-cpu", "sentence-transformers", "bm25s", "pypdf", "torch", "numpy", "onnx", "onnxruntime",
                 "tokenizers"):  # fmt: skip
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _previous(out_dir: Path, identity: str, params: ChunkingParams) -> IndexData | None:
    """The previous build, if its vectors can be reused (same model and chunking)."""
    try:
        manifest = read_manifest(out_dir)
        if manifest.model_identity != identity or manifest.chunking != params.as_dict():
            return None
        return read_index(out_dir)
    except IndexProblem:
        return None


def _reuse_rows(
    units: Sequence[Sentence | Passage],
    prev_units: Sequence[Sentence | Passage],
    prev_vectors: np.ndarray,
    unchanged: set[str],
) -> dict[int, np.ndarray]:
    """Vectors of units of unchanged documents, keyed by the new unit id."""
    old = {(u.doc_id, u.start, u.end): i for i, u in enumerate(prev_units) if u.doc_id in unchanged}
    out: dict[int, np.ndarray] = {}
    for i, u in enumerate(units):
        j = old.get((u.doc_id, u.start, u.end))
        if j is not None:
            out[i] = prev_vectors[j]
    return out


def _embed(
    texts: list[str],
    reused: dict[int, np.ndarray],
    embedder: Embedder,
    dimension: int,
    progress: bool,
) -> tuple[np.ndarray, int]:
    todo = [i for i in range(len(texts)) if i not in reused]
    out = np.zeros((len(texts), dimension), dtype=np.float32)
    for i, vec in reused.items():
        out[i] = vec
    if todo:
        out[todo] = embedder.encode([texts[i] for i in todo], progress=progress)
    return out, len(todo)


def build_index(
    corpus_dir: Path,
    out_dir: Path,
    *,
    embedder_factory: Callable[[], Embedder] | None = None,
    model_path: str | Path | None = None,
    params: ChunkingParams | None = None,
    force: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
    encoder_precision: str = DEFAULT_PRECISION,
) -> BuildResult:
    """Index `corpus_dir` into `out_dir`. `embedder_factory` replaces the real model (tests; no
    query encoder is exported then). With the real model, the query encoder is exported to ONNX
    (`index.encoder`) in `encoder_precision`, or reused from the live build."""
    t0 = time.perf_counter()
    params = params or ChunkingParams()
    load: CorpusLoad = load_corpus(corpus_dir)
    for skip in load.skipped:
        log(f"skipped {skip.reason}")
    if not load.documents:
        raise BuildError(f"no usable documents in {corpus_dir}; add .txt, .md or .pdf files")
    embedder: Embedder | None = None
    if embedder_factory is not None:
        embedder = embedder_factory()
        identity, name = embedder.identity, embedder.name
    else:
        path = resolve_model_path(model_path)
        identity, name = model_identity(path), model_name(path)

    if not force:
        try:
            current = read_manifest(out_dir)
            if (
                current.corpus_hash == load.corpus_hash
                and current.model_identity == identity
                and current.chunking == params.as_dict()
                and current.tokenizer == TOKENIZER
                and (embedder_factory is not None or encoder_current(current, encoder_precision))
                and triage_current(current_build(out_dir), identity)
            ):
                verify_index(out_dir)  # checksums of every file: a damaged index is rebuilt
                return BuildResult(
                    out_dir, current, True, skipped=load.skipped, seconds=time.perf_counter() - t0
                )
        except IndexProblem:
            pass

    prev = None if force else _previous(out_dir, identity, params)
    unchanged = (
        {
            d.doc_id
            for d in load.documents
            if prev.documents.get(d.doc_id) and prev.documents[d.doc_id].content_hash == d.content_hash
        }
        if prev
        else set()
    )
    sentences, passages = segment_documents(load.documents, params)
    if not sentences:
        raise BuildError(f"no quotable sentences in {corpus_dir} (only headings, boilerplate or references)")
    s_texts = [embedding_text(s.text, s.heading, params) for s in sentences]
    p_texts = [embedding_text(p.text, p.heading, params) for p in passages]
    s_reuse = _reuse_rows(sentences, prev.sentences, prev.sentence_vectors, unchanged) if prev else {}
    p_reuse = _reuse_rows(passages, prev.passages, prev.passage_vectors, unchanged) if prev else {}
    if embedder is None and (len(s_reuse) < len(sentences) or len(p_reuse) < len(passages)):
        from index.embedder import load_embedder

        log("loading the embedding model ...")
        embedder = load_embedder(model_path)
    if embedder is not None:
        dimension = embedder.dimension
    else:
        assert prev is not None
        dimension = prev.manifest.dimension
    log(f"embedding {len(sentences) - len(s_reuse)} sentences and {len(passages) - len(p_reuse)} passages")
    s_vecs, s_new = (
        _embed(s_texts, s_reuse, embedder, dimension, progress)
        if embedder
        else (
            np.stack([s_reuse[i] for i in range(len(sentences))]),
            0,
        )
    )
    p_vecs, p_new = (
        _embed(p_texts, p_reuse, embedder, dimension, progress)
        if embedder
        else (
            np.stack([p_reuse[i] for i in range(len(passages))]),
            0,
        )
    )
    work = Path(tempfile.mkdtemp(prefix="ldn-encoder-"))
    encoder: dict = {}
    encoder_files: dict[str, Path] = {}
    if embedder_factory is None:
        encoder, encoder_files = query_encoder(
            out_dir, work, identity, embedder, model_path, encoder_precision, log
        )
    encoder_files.update(triage_files(current_build(out_dir), work, identity, embedder, model_path, log))
    manifest = IndexManifest(
        format_version=FORMAT_VERSION,
        model_name=name,
        model_identity=identity,
        dimension=dimension,
        chunking=params.as_dict(),
        tokenizer=dict(TOKENIZER),
        corpus_hash=load.corpus_hash,
        documents={d.doc_id: d.content_hash for d in load.documents},
        counts={"documents": len(load.documents), "sentences": len(sentences), "passages": len(passages)},
        index_type={"sentences": index_type_for(len(sentences)), "passages": index_type_for(len(passages))},
        libraries=_library_versions(),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        skipped=[{"path": s.path, "reason": s.reason} for s in load.skipped],
        encoder=encoder,
    )
    data = IndexData(
        manifest=manifest,
        documents={d.doc_id: d for d in load.documents},
        sentences=sentences,
        passages=passages,
        sentence_vectors=s_vecs,
        passage_vectors=p_vecs,
        sentence_faiss=build_faiss(s_vecs, manifest.index_type["sentences"]),
        passage_faiss=build_faiss(p_vecs, manifest.index_type["passages"]),
        sentence_bm25=Bm25Index.build(s_texts),
        passage_bm25=Bm25Index.build(p_texts),
    )
    try:
        write_index(out_dir, data, encoder_files)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    changed = sorted(d.doc_id for d in load.documents if d.doc_id not in unchanged)
    return BuildResult(
        out_dir,
        manifest,
        False,
        embedded=s_new + p_new,
        reused=len(s_reuse) + len(p_reuse),
        skipped=load.skipped,
        seconds=time.perf_counter() - t0,
        changed_documents=changed,
    )

"""index.store: atomic writes, loads that check every part, clear errors for missing/damaged indexes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from corpus.ingest import load_corpus
from index import store
from index.bm25 import TOKENIZER, Bm25Index
from index.build import embedding_text, segment_documents
from index.manifest import (
    FORMAT_VERSION,
    ChunkingParams,
    IndexDamaged,
    IndexManifest,
    IndexMismatch,
    IndexMissing,
    IndexProblem,
)
from index.store import (
    CURRENT,
    IndexData,
    current_build,
    read_index,
    read_manifest,
    remove_old_builds,
    write_index,
)
from index.vectors import build_faiss, search
from tests.conftest import SEED_CORPUS_DIR, FakeEmbedder

QUERIES = [
    "vivid dreams side effect",
    "how much does low dose naltrexone cost",
    "fibromyalgia pain trial at Stanford",
    "opioid painkillers interaction withdrawal",
    "microglia inflammation in the brain",
    "Crohn's disease children",
]


def _index_data(corpus_dir: Path, embedder: FakeEmbedder) -> IndexData:
    """An in-memory index of a corpus, made the way `build_index` makes it."""
    params = ChunkingParams()
    load = load_corpus(corpus_dir)
    sentences, passages = segment_documents(load.documents, params)
    s_texts = [embedding_text(s.text, s.heading, params) for s in sentences]
    p_texts = [embedding_text(p.text, p.heading, params) for p in passages]
    s_vecs, p_vecs = embedder.encode(s_texts), embedder.encode(p_texts)
    manifest = IndexManifest(
        format_version=FORMAT_VERSION,
        model_name=embedder.name,
        model_identity=embedder.identity,
        dimension=embedder.dimension,
        chunking=params.as_dict(),
        tokenizer=dict(TOKENIZER),
        corpus_hash=load.corpus_hash,
        documents={d.doc_id: d.content_hash for d in load.documents},
        counts={"documents": len(load.documents), "sentences": len(sentences), "passages": len(passages)},
        index_type={"sentences": "flat", "passages": "flat"},
    )
    return IndexData(
        manifest=manifest,
        documents={d.doc_id: d for d in load.documents},
        sentences=sentences,
        passages=passages,
        sentence_vectors=s_vecs,
        passage_vectors=p_vecs,
        sentence_faiss=build_faiss(s_vecs, "flat"),
        passage_faiss=build_faiss(p_vecs, "flat"),
        sentence_bm25=Bm25Index.build(s_texts),
        passage_bm25=Bm25Index.build(p_texts),
    )


def _top(data: IndexData, embedder: FakeEmbedder, query: str, k: int = 5) -> dict[str, list]:
    q = embedder.encode([query])[0]
    return {
        "faiss_sentences": search(data.sentence_faiss, q, k),
        "faiss_passages": search(data.passage_faiss, q, k),
        "bm25_sentences": data.sentence_bm25.top(query, k),
        "bm25_passages": data.passage_bm25.top(query, k),
    }


def _ranked_texts(data: IndexData, embedder: FakeEmbedder, query: str) -> list[str]:
    top = _top(data, embedder, query)
    return [data.sentences[r].text for r, _ in top["faiss_sentences"] + top["bm25_sentences"]]


@pytest.fixture(scope="module")
def seed_data() -> IndexData:
    return _index_data(SEED_CORPUS_DIR, FakeEmbedder())


def test_save_then_load_gives_identical_top_k(seed_data: IndexData, tmp_path: Path):
    fake = FakeEmbedder()
    out = tmp_path / "index"
    build = write_index(out, seed_data)
    assert current_build(out) == build
    loaded = read_index(out)
    assert loaded.manifest == seed_data.manifest
    assert loaded.sentences == seed_data.sentences
    assert loaded.passages == seed_data.passages
    assert loaded.documents == seed_data.documents
    np.testing.assert_array_equal(loaded.sentence_vectors, seed_data.sentence_vectors)
    np.testing.assert_array_equal(loaded.passage_vectors, seed_data.passage_vectors)
    non_empty = 0
    for query in QUERIES:
        before, after = _top(seed_data, fake, query), _top(loaded, fake, query)
        assert after == before, query
        non_empty += all(before.values())
    assert non_empty == len(QUERIES), "every query finds something in every index"


def test_loaded_units_quote_their_documents_exactly(built_index: Path):
    data = read_index(built_index)
    for unit in [*data.sentences, *data.passages]:
        assert data.documents[unit.doc_id].text[unit.start : unit.end] == unit.text
    assert [s.sentence_id for s in data.sentences] == list(range(len(data.sentences)))
    assert [p.passage_id for p in data.passages] == list(range(len(data.passages)))


def test_fake_embedder_retrieval_is_meaningful(built_index: Path):
    data = read_index(built_index)
    fake = FakeEmbedder()
    texts = _ranked_texts(data, fake, "vivid dreams side effect")
    assert any("dreams" in t for t in texts[:3])


def test_layout_on_disk(built_index: Path):
    build = current_build(built_index)
    assert build is not None and build.name.startswith("build-")
    assert (built_index / CURRENT).read_text(encoding="utf-8").strip() == build.name
    for name in store._FILES:
        assert (build / name).is_file(), name
    assert (build / "bm25_sentences").is_dir() and (build / "bm25_passages").is_dir()
    assert not list(build.rglob("*.pkl")) and not list(build.rglob("*.pickle"))
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    rows = [json.loads(line) for line in (build / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == manifest["counts"]["sentences"]


def test_missing_index_raises_index_missing(tmp_path: Path):
    for out in (tmp_path / "never-built", tmp_path):
        assert current_build(out) is None
        with pytest.raises(IndexMissing, match="no index in"):
            read_manifest(out)
        with pytest.raises(IndexMissing):
            read_index(out)


def test_current_pointing_nowhere_is_missing(built_index: Path):
    (built_index / CURRENT).write_text("build-that-does-not-exist\n", encoding="utf-8")
    with pytest.raises(IndexMissing):
        read_index(built_index)


def _build_dir(out: Path) -> Path:
    build = current_build(out)
    assert build is not None
    return build


def test_truncated_faiss_file_is_damaged(built_index: Path):
    path = _build_dir(built_index) / "sentences.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexDamaged) as info:
        read_index(built_index)
    message = str(info.value)
    assert "FAISS file" in message and "truncated or damaged" in message and "rebuild" in message


def test_missing_file_is_damaged(built_index: Path):
    (_build_dir(built_index) / "passage_vectors.npy").unlink()
    with pytest.raises(IndexDamaged, match=r"incomplete \(missing passage_vectors\.npy\)"):
        read_index(built_index)


def test_truncated_vectors_are_damaged(built_index: Path):
    path = _build_dir(built_index) / "sentence_vectors.npy"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexDamaged, match="damaged"):
        read_index(built_index)


def test_corrupt_jsonl_is_damaged(built_index: Path):
    path = _build_dir(built_index) / "passages.jsonl"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(IndexDamaged):
        read_index(built_index)


def test_corrupt_manifest_is_damaged(built_index: Path):
    (_build_dir(built_index) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexDamaged, match=r"manifest\.json is missing or damaged"):
        read_manifest(built_index)


def test_format_version_on_disk_is_checked(built_index: Path):
    path = _build_dir(built_index) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="format version"):
        read_index(built_index)


def test_counts_that_disagree_with_the_manifest_are_damaged(built_index: Path):
    path = _build_dir(built_index) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["counts"]["sentences"] += 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexDamaged, match="inconsistent"):
        read_index(built_index)


def test_damaged_bm25_is_damaged(built_index: Path):
    folder = _build_dir(built_index) / "bm25_passages"
    for f in folder.iterdir():
        f.write_bytes(b"garbage")
    with pytest.raises(IndexDamaged, match="BM25"):
        read_index(built_index)


def test_read_only_index_can_be_loaded(built_index: Path):
    before = read_index(built_index)
    paths = [built_index, *built_index.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    try:
        for p in sorted(paths, key=lambda p: len(p.parts), reverse=True):
            p.chmod(stat.S_IMODE(modes[p]) & ~0o222)
        if os.access(_build_dir(built_index) / "manifest.json", os.W_OK):
            pytest.skip("running as root: chmod does not make files read-only")
        after = read_index(built_index)
        assert after.manifest == before.manifest
        assert after.sentences == before.sentences
        fake = FakeEmbedder()
        for query in QUERIES[:3]:
            assert _top(after, fake, query) == _top(before, fake, query)
    finally:
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode))


def test_remove_old_builds_leaves_only_the_current_build(seed_data: IndexData, tmp_path: Path):
    out = tmp_path / "index"
    first = write_index(out, seed_data)
    second = write_index(out, seed_data)
    assert first != second
    assert not first.exists(), "write_index removes the superseded build"
    # Leftovers of an interrupted build, an old build and a stale pointer file.
    (out / ".tmp-build-20000101T000000-abcdef").mkdir()
    (out / "build-20000101T000000-123456").mkdir()
    (out / f".{CURRENT}.abc123").write_text("x", encoding="utf-8")
    (out / "README.txt").write_text("not ours", encoding="utf-8")
    remove_old_builds(out, keep=second.name)
    assert sorted(p.name for p in out.iterdir()) == sorted([CURRENT, second.name, "README.txt"])
    assert read_index(out).manifest == seed_data.manifest


def test_failed_write_leaves_the_previous_index(seed_data: IndexData, tmp_path: Path, monkeypatch):
    out = tmp_path / "index"
    first = write_index(out, seed_data)
    fake = FakeEmbedder()
    before = {q: _top(read_index(out), fake, q) for q in QUERIES}

    calls = {"n": 0}
    real_save = store.save_faiss

    def failing_save(index, path):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_save(index, path)

    monkeypatch.setattr(store, "save_faiss", failing_save)
    with pytest.raises(IndexProblem, match="previous index is unchanged"):
        write_index(out, seed_data)
    assert current_build(out) == first
    assert sorted(p.name for p in out.iterdir()) == sorted([CURRENT, first.name]), "temporary folder removed"
    after = read_index(out)
    assert {q: _top(after, fake, q) for q in QUERIES} == before


def test_current_pointer_is_swapped_atomically_not_rewritten(seed_data: IndexData, tmp_path: Path):
    out = tmp_path / "index"
    first = write_index(out, seed_data)
    pointer = out / CURRENT
    with pointer.open(encoding="utf-8") as reader:  # a server that opened CURRENT before the switch
        old_inode = os.fstat(reader.fileno()).st_ino
        second = write_index(out, seed_data)
        assert reader.read().strip() == first.name, "the old pointer is never modified in place"
    assert pointer.stat().st_ino != old_inode, "CURRENT is replaced with os.replace, not rewritten"
    assert pointer.read_text(encoding="utf-8").strip() == second.name
    assert not [p for p in out.iterdir() if p.name.startswith(f".{CURRENT}.")]


def test_crash_during_write_keeps_serving_the_previous_build(
    seed_data: IndexData, tmp_path: Path, monkeypatch
):
    out = tmp_path / "index"
    first = write_index(out, seed_data)

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # like Ctrl-C (or kill) in the middle of writing the BM25 files

    monkeypatch.setattr(Bm25Index, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        write_index(out, seed_data)
    monkeypatch.undo()
    assert current_build(out) == first
    assert [p.name for p in out.iterdir() if p.name.startswith(".tmp-build-")], (
        "the half-written build stays hidden"
    )
    assert read_index(out).manifest == seed_data.manifest
    third = write_index(out, seed_data)
    assert sorted(p.name for p in out.iterdir()) == sorted([CURRENT, third.name]), "leftovers cleaned up"


def test_unwritable_destination_is_an_index_problem(seed_data: IndexData, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(IndexProblem, match="cannot write the index"):
        write_index(blocker, seed_data)
    with pytest.raises(IndexProblem, match="cannot write the index"):
        write_index(blocker / "sub", seed_data)

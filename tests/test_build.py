"""index.build: incremental builds with the fake embedder; stale, foreign and crashed builds."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.triage.data import load_exemplars
from corpus.ingest import load_corpus
from index import embedder as embedder_module
from index.build import BuildError, build_index, embedding_text
from index.manifest import ChunkingParams, IndexMismatch
from index.store import current_build, read_index, read_manifest
from index.vectors import search
from tests.conftest import SEED_CORPUS_DIR, FakeEmbedder

QUERIES = ["vivid dreams side effect", "cost of LDN at a pharmacy", "fibromyalgia pain", "opioid withdrawal"]


def _build(corpus: Path, out: Path, fake: FakeEmbedder | None = None, **kwargs):
    fake = fake or FakeEmbedder()
    return build_index(corpus, out, embedder_factory=lambda: fake, **kwargs), fake


def _triage_texts() -> int:
    """A fresh build also embeds the triage exemplars once (bot.triage.artifact); later builds copy them."""
    return len(load_exemplars())


@functools.cache
def _gate_texts() -> tuple[str, ...]:
    """A fresh build also fits the triage gate (bot.triage.gate_build): its last encode call is its
    training messages' distinct units, unless this process already fitted the same gate (in memory)."""
    from bot.triage.clauses import all_units
    from bot.triage.data import load_thresholds
    from bot.triage.gate_build import load_settings, train_rows, training_texts

    t = load_thresholds()
    rows = train_rows(load_settings())
    return tuple(training_texts([all_units(r.text, t.context_words, t.suicide_clause_words) for r in rows]))


def _encoded(fake: FakeEmbedder) -> int:
    """Texts the build encoded, the gate's training units left out."""
    gate = _gate_texts()
    return len(fake.texts) - (len(gate) if tuple(fake.texts[-len(gate) :]) == gate else 0)


def _units_of(data, doc_id: str) -> int:
    return sum(1 for s in data.sentences if s.doc_id == doc_id) + sum(
        1 for p in data.passages if p.doc_id == doc_id
    )


def _snapshot(out: Path) -> dict[str, list]:
    data = read_index(out)
    fake = FakeEmbedder()
    snap = {}
    for q in QUERIES:
        vec = fake.encode([q])[0]
        snap[q] = [
            search(data.sentence_faiss, vec, 5),
            search(data.passage_faiss, vec, 5),
            data.sentence_bm25.top(q, 5),
            data.passage_bm25.top(q, 5),
        ]
    return snap


def test_embedding_text_prepends_the_heading():
    params = ChunkingParams(embed_context="heading")
    assert (
        embedding_text("Take it at night.", "How to use LDN", params) == "How to use LDN: Take it at night."
    )
    assert embedding_text("Take it at night.", "Side effects:", params) == "Side effects: Take it at night."
    assert embedding_text("Take it at night.", None, params) == "Take it at night."
    no_context = ChunkingParams()  # the default embeds a sentence alone
    assert embedding_text("Take it at night.", "How to use LDN", no_context) == "Take it at night."


def test_first_build_of_the_bundled_corpus(built_index: Path):
    manifest = read_manifest(built_index)
    data = read_index(built_index)
    load = load_corpus(SEED_CORPUS_DIR)
    assert manifest.model_name == "fake-embedder"
    assert manifest.model_identity == FakeEmbedder().identity
    assert manifest.dimension == FakeEmbedder().dimension
    assert manifest.corpus_hash == load.corpus_hash
    assert manifest.documents == {d.doc_id: d.content_hash for d in load.documents}
    assert manifest.counts == {
        "documents": len(load.documents),
        "sentences": len(data.sentences),
        "passages": len(data.passages),
    }
    assert manifest.counts["sentences"] > 200
    assert manifest.index_type == {"sentences": "flat", "passages": "flat"}
    assert manifest.chunking == ChunkingParams().as_dict()
    assert manifest.skipped == []
    assert manifest.built_at.endswith("Z")
    np.testing.assert_allclose(np.linalg.norm(data.sentence_vectors, axis=1), 1.0, rtol=1e-5)


def test_first_build_embeds_every_unit(tiny_corpus: Path, tmp_path: Path):
    result, fake = _build(tiny_corpus, tmp_path / "index")
    data = read_index(tmp_path / "index")
    assert not result.up_to_date
    assert result.embedded == len(data.sentences) + len(data.passages) == _encoded(fake) - _triage_texts()
    assert result.reused == 0
    assert result.changed_documents == ["cost", "dosing", "history"]
    # By default sentences are embedded alone (no heading prefix).
    assert "Vivid dreams are the most common side effect." in fake.texts
    assert not any(t.startswith("# Side effects:") for t in fake.texts)


def test_second_build_with_nothing_changed_is_up_to_date(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    build_before = current_build(out)
    manifest_before = read_manifest(out)
    result, fake = _build(seed_corpus, out)
    assert result.up_to_date
    assert result.embedded == 0
    assert fake.calls == 0 and fake.texts == []
    assert current_build(out) == build_before
    assert result.manifest == manifest_before


def test_changing_one_document_re_embeds_only_its_units(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    before = read_index(out)
    target = seed_corpus / "003_0d19eeb222b811b3.txt"
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n\nExtra notes\n\nPatients should take LDN at the same time every day.\n",
        encoding="utf-8",
    )
    result, fake = _build(seed_corpus, out)
    after = read_index(out)
    changed = "003_0d19eeb222b811b3"
    assert not result.up_to_date
    assert result.changed_documents == [changed]
    assert result.embedded == _units_of(after, changed) == len(fake.texts)
    assert result.reused == len(after.sentences) + len(after.passages) - result.embedded
    assert any("same time every day" in t for t in fake.texts)
    # Vectors of unchanged documents are carried over bit for bit.
    old = {(s.doc_id, s.start, s.end): before.sentence_vectors[i] for i, s in enumerate(before.sentences)}
    for i, s in enumerate(after.sentences):
        if s.doc_id != changed:
            np.testing.assert_array_equal(after.sentence_vectors[i], old[(s.doc_id, s.start, s.end)])
    assert any(s.text == "Patients should take LDN at the same time every day." for s in after.sentences)


def test_embedded_texts_of_a_change_come_from_that_document_only(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    target = seed_corpus / "000_6b5ec9d7b737cb5d.txt"
    target.write_text(
        target.read_text(encoding="utf-8").replace("12 weeks", "twelve weeks"), encoding="utf-8"
    )
    result, fake = _build(seed_corpus, out)
    after = read_index(out)
    params = ChunkingParams()
    own = {
        embedding_text(u.text, u.heading, params)
        for u in [*after.sentences, *after.passages]
        if u.doc_id == "000_6b5ec9d7b737cb5d"
    }
    assert fake.texts and set(fake.texts) <= own
    assert result.embedded == len(fake.texts) == _units_of(after, "000_6b5ec9d7b737cb5d")


def test_deleting_a_document_removes_its_sentences(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    gone = "001_82ef6a1e079c3104"
    assert any(s.doc_id == gone for s in read_index(out).sentences)
    (seed_corpus / f"{gone}.txt").unlink()
    result, fake = _build(seed_corpus, out)
    data = read_index(out)
    assert not result.up_to_date
    assert result.embedded == 0 and fake.texts == []
    assert result.changed_documents == []
    assert gone not in data.documents
    assert all(s.doc_id != gone for s in data.sentences)
    assert all(p.doc_id != gone for p in data.passages)
    assert gone not in data.manifest.documents
    assert all(data.documents[s.doc_id].text[s.start : s.end] == s.text for s in data.sentences)
    # Passage sentence ids point at the renumbered sentences of the same document.
    for p in data.passages:
        assert all(data.sentences[k].doc_id == p.doc_id for k in p.sentence_ids)


def test_adding_a_document_embeds_only_it(tiny_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(tiny_corpus, out)
    (tiny_corpus / "new.txt").write_text(
        "New\n\nLDN may help some people with long COVID.\n", encoding="utf-8"
    )
    result, _fake = _build(tiny_corpus, out)
    assert result.changed_documents == ["new"]
    assert result.embedded == _units_of(read_index(out), "new") == 2


def test_metadata_change_rebuilds_without_embedding(tiny_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(tiny_corpus, out)
    (tiny_corpus / "manifest.toml").write_text(
        '[documents.cost]\ntitle = "What LDN costs"\n', encoding="utf-8"
    )
    result, fake = _build(tiny_corpus, out)
    assert not result.up_to_date
    assert result.embedded == 0 and fake.calls == 0
    assert read_index(out).documents["cost"].meta.title == "What LDN costs"


def test_stale_corpus_is_detected_by_the_manifest(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    manifest = read_manifest(out)
    manifest.check_compatible(corpus_hash=load_corpus(seed_corpus).corpus_hash)  # fresh: no error
    target = seed_corpus / "002_5c190079ef95231c.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\nOne more line about LDN and sleep.\n", encoding="utf-8"
    )
    with pytest.raises(IndexMismatch, match="stale"):
        manifest.check_compatible(corpus_hash=load_corpus(seed_corpus).corpus_hash)


def test_manifest_with_another_model_identity_is_a_mismatch(built_index: Path):
    manifest = read_manifest(built_index)
    manifest.check_compatible(model_identity=FakeEmbedder().identity, dimension=FakeEmbedder().dimension)
    with pytest.raises(IndexMismatch, match="another embedding model"):
        manifest.check_compatible(model_identity=FakeEmbedder(identity="another-model").identity)


def test_another_model_re_embeds_everything(tiny_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(tiny_corpus, out)
    other = FakeEmbedder(dimension=128, identity="other-model", name="other")
    result, fake = _build(tiny_corpus, out, other)
    data = read_index(out)
    assert not result.up_to_date
    assert result.reused == 0
    assert result.embedded == len(data.sentences) + len(data.passages) == _encoded(fake) - _triage_texts()
    assert data.manifest.model_identity == "other-model"
    assert data.sentence_vectors.shape[1] == 128


def test_force_re_embeds_everything(tiny_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    first, _ = _build(tiny_corpus, out)
    result, _fake = _build(tiny_corpus, out, force=True)
    assert not result.up_to_date
    assert result.reused == 0 and result.embedded == first.embedded


def test_other_chunking_re_embeds_everything(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    params = ChunkingParams(window_sentences=3, overlap_sentences=0)
    result, _fake = _build(seed_corpus, out, params=params)
    assert not result.up_to_date and result.reused == 0
    assert read_manifest(out).chunking == params.as_dict()
    assert all(len(p.sentence_ids) <= 3 for p in read_index(out).passages)


def test_crash_mid_build_keeps_the_previous_index(seed_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(seed_corpus, out)
    build_before = current_build(out)
    snapshot = _snapshot(out)
    target = seed_corpus / "004_0cf83b8ef0675e94.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("Dr. Bihari", "Dr. B."), encoding="utf-8")

    crashing = FakeEmbedder()
    crashing.fail_with = RuntimeError("simulated crash while embedding")
    with pytest.raises(RuntimeError, match="simulated crash"):
        _build(seed_corpus, out, crashing)
    assert current_build(out) == build_before
    assert _snapshot(out) == snapshot
    assert sorted(p.name for p in out.iterdir()) == sorted(["CURRENT", build_before.name])

    # The next healthy build picks up the change.
    result, _ = _build(seed_corpus, out)
    assert result.changed_documents == ["004_0cf83b8ef0675e94"]
    assert current_build(out) != build_before
    assert not build_before.exists()


def test_damaged_index_is_rebuilt_not_reported_up_to_date(tiny_corpus: Path, tmp_path: Path):
    out = tmp_path / "index"
    _build(tiny_corpus, out)
    faiss_file = current_build(out) / "sentences.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:20])
    result, fake = _build(tiny_corpus, out)
    assert not result.up_to_date
    assert result.reused == 0 and fake.texts  # nothing could be reused from the damaged build
    read_index(out)


def test_pdf_and_broken_files_in_a_build(tiny_corpus: Path, tmp_path: Path):
    from tests.pdfmaker import make_pdf

    make_pdf(tiny_corpus / "leaflet.pdf", ["Leaflet\nLDN is usually taken once a day at bedtime with water."])
    (tiny_corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    logs: list[str] = []
    result, _ = _build(tiny_corpus, tmp_path / "index", log=logs.append)
    assert [Path(s.path).name for s in result.skipped] == ["broken.pdf"]
    assert any("broken.pdf" in line for line in logs)
    data = read_index(tmp_path / "index")
    assert {s.page for s in data.sentences if s.doc_id == "leaflet"} == {1}


def test_empty_corpus_is_a_build_error(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.txt").write_bytes(b"")
    with pytest.raises(BuildError, match="no usable documents"):
        _build(corpus, tmp_path / "index")


def _fake_model_dir(tmp_path: Path) -> Path:
    model = tmp_path / "fake-model"
    model.mkdir()
    (model / "config.json").write_text('{"hidden_size": 256}', encoding="utf-8")
    (model / "model.safetensors").write_bytes(b"\x00" * 1024)
    return model


def test_corpus_without_a_quotable_sentence_is_a_build_error(tmp_path: Path, monkeypatch):
    # Regression: with the real-model path this used to fail with a bare AssertionError.
    monkeypatch.setattr(embedder_module, "load_embedder", lambda *_a, **_k: FakeEmbedder())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "menu.txt").write_text(
        "Home | Blog | Contact\n\nShare this post\n\nSome Title\n", encoding="utf-8"
    )
    with pytest.raises(BuildError, match="no quotable sentences"):
        build_index(corpus, tmp_path / "index", model_path=_fake_model_dir(tmp_path))
    with pytest.raises(BuildError, match="no quotable sentences"):
        _build(corpus, tmp_path / "index")


def test_model_path_build_loads_the_model_only_when_something_must_be_embedded(
    tiny_corpus: Path, tmp_path: Path, monkeypatch
):
    loads: list[FakeEmbedder] = []

    def fake_load_embedder(*_args, **_kwargs):
        loads.append(FakeEmbedder())
        return loads[-1]

    monkeypatch.setattr(embedder_module, "load_embedder", fake_load_embedder)
    model = _fake_model_dir(tmp_path)
    out = tmp_path / "index"

    first = build_index(tiny_corpus, out, model_path=model)
    assert len(loads) == 1 and first.embedded > 0
    assert first.manifest.model_name == "fake-model"
    assert first.manifest.model_identity == embedder_module.model_identity(model)

    assert build_index(tiny_corpus, out, model_path=model).up_to_date
    (tiny_corpus / "manifest.toml").write_text('[documents.cost]\ntitle = "Price"\n', encoding="utf-8")
    meta_only = build_index(tiny_corpus, out, model_path=model)
    assert not meta_only.up_to_date and meta_only.embedded == 0
    assert len(loads) == 1, "no model load when every vector can be reused"

    (tiny_corpus / "history.txt").unlink()
    shutil.copy(tiny_corpus / "cost.txt", tiny_corpus / "zz-copy.md")  # a duplicate: skipped
    deleted = build_index(tiny_corpus, out, model_path=model)
    assert deleted.embedded == 0 and len(loads) == 1
    assert [Path(s.path).name for s in deleted.skipped] == ["zz-copy.md"]
    assert "history" not in read_index(out).documents

"""corpus.ingest: a corpus folder becomes documents; every file that cannot be used is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.ingest import corpus_hash, load_corpus, source_files
from corpus.models import DocumentMeta
from tests.conftest import SEED_CORPUS_DIR, TINY_DOCS, seed_files


def _names(paths) -> list[str]:
    return [Path(p).name for p in paths]


def test_tiny_corpus_loads_in_sorted_order(tiny_corpus: Path):
    load = load_corpus(tiny_corpus)
    assert [d.doc_id for d in load.documents] == ["cost", "dosing", "history"]
    assert load.skipped == ()
    for doc in load.documents:
        assert doc.text == TINY_DOCS[Path(doc.path).name]


def test_seed_corpus_loads_without_skips():
    load = load_corpus(SEED_CORPUS_DIR)
    assert {p.stem for p in seed_files()} <= {d.doc_id for d in load.documents}
    assert load.skipped == ()


def test_missing_folder_raises_file_not_found(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        load_corpus(tmp_path / "nope")


def test_a_file_is_not_a_corpus_folder(tmp_path: Path):
    path = tmp_path / "doc.txt"
    path.write_text("LDN works.", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        load_corpus(path)


def test_recursive_and_hidden_files_ignored(tiny_corpus: Path):
    (tiny_corpus / "sub").mkdir()
    (tiny_corpus / "sub" / "extra.txt").write_text(
        "Extra\n\nLDN is cheap in most places.\n", encoding="utf-8"
    )
    (tiny_corpus / ".hidden.txt").write_text("Hidden text that must not load.", encoding="utf-8")
    (tiny_corpus / ".cache").mkdir()
    (tiny_corpus / ".cache" / "x.txt").write_text("Cached text that must not load.", encoding="utf-8")
    (tiny_corpus / "manifest.toml").write_text("", encoding="utf-8")
    files = source_files(tiny_corpus)
    assert _names(files) == ["cost.txt", "dosing.md", "history.txt", "extra.txt"]
    load = load_corpus(tiny_corpus)
    assert [d.doc_id for d in load.documents] == ["cost", "dosing", "history", "extra"]
    assert load.skipped == ()


def test_broken_files_are_skipped_and_the_rest_loads(tiny_corpus: Path):
    (tiny_corpus / "binary.txt").write_bytes(bytes(range(256)))
    (tiny_corpus / "empty.md").write_bytes(b"")
    (tiny_corpus / "slides.pptx").write_bytes(b"PK\x03\x04 not really")
    load = load_corpus(tiny_corpus)
    assert [d.doc_id for d in load.documents] == ["cost", "dosing", "history"]
    reasons = {Path(s.path).name: s.reason for s in load.skipped}
    assert set(reasons) == {"binary.txt", "empty.md", "slides.pptx"}
    assert "binary data" in reasons["binary.txt"]
    assert "empty file" in reasons["empty.md"]
    assert "unsupported file type '.pptx'" in reasons["slides.pptx"]
    for name, reason in reasons.items():
        assert reason.startswith(f"{name}:")


def test_duplicate_content_is_skipped_with_a_message(tiny_corpus: Path):
    (tiny_corpus / "zz-copy.txt").write_bytes((tiny_corpus / "cost.txt").read_bytes())
    load = load_corpus(tiny_corpus)
    assert [d.doc_id for d in load.documents] == ["cost", "dosing", "history"]
    (skip,) = load.skipped
    assert Path(skip.path).name == "zz-copy.txt"
    assert "same content as 'cost'" in skip.reason


def test_duplicate_ids_are_skipped_with_a_message(tiny_corpus: Path):
    (tiny_corpus / "cost.md").write_text("Cost\n\nAnother text about the price of LDN.\n", encoding="utf-8")
    (tiny_corpus / "sub").mkdir()
    (tiny_corpus / "sub" / "history.txt").write_text("A different history text.\n", encoding="utf-8")
    load = load_corpus(tiny_corpus)
    ids = [d.doc_id for d in load.documents]
    assert ids == ["cost", "dosing", "history"]
    assert len(ids) == len(set(ids))
    by_name = {Path(s.path).name: s.reason for s in load.skipped}
    # "cost.md" sorts before "cost.txt", so the .md file is kept and the .txt one reported.
    assert [d.path for d in load.documents if d.doc_id == "cost"] == [str(tiny_corpus / "cost.md")]
    assert "another file already has the id 'cost'" in by_name["cost.txt"]
    assert "another file already has the id 'history'" in by_name["history.txt"]


def test_manifest_metadata_is_attached(tiny_corpus: Path):
    (tiny_corpus / "manifest.toml").write_text(
        '[documents.cost]\ntitle = "What LDN costs"\npublisher = "A pharmacy"\n', encoding="utf-8"
    )
    docs = {d.doc_id: d for d in load_corpus(tiny_corpus).documents}
    assert docs["cost"].meta == DocumentMeta(title="What LDN costs", publisher="A pharmacy")
    assert docs["dosing"].meta == DocumentMeta()


def test_seed_manifest_if_present_names_only_seed_documents():
    if not (SEED_CORPUS_DIR / "manifest.toml").exists():
        pytest.skip("the bundled corpus has no manifest yet")
    from corpus.manifest import load_manifest

    entries = load_manifest(SEED_CORPUS_DIR)
    assert set(entries) <= {p.stem for p in seed_files()}, "manifest entries without a document"
    docs = {d.doc_id: d for d in load_corpus(SEED_CORPUS_DIR).documents}
    for doc_id, meta in entries.items():
        assert docs[doc_id].meta == meta


def test_corpus_hash_is_stable_and_tracks_content_and_metadata(tiny_corpus: Path):
    first = load_corpus(tiny_corpus)
    again = load_corpus(tiny_corpus)
    assert first.corpus_hash == again.corpus_hash
    assert len(first.corpus_hash) == 64
    assert corpus_hash(list(reversed(first.documents))) == first.corpus_hash  # order-independent

    os.utime(tiny_corpus / "cost.txt", (1, 1))  # a touched file is not a changed corpus
    assert load_corpus(tiny_corpus).corpus_hash == first.corpus_hash

    (tiny_corpus / "manifest.toml").write_text('[documents.cost]\ntitle = "Price"\n', encoding="utf-8")
    with_meta = load_corpus(tiny_corpus)
    assert with_meta.corpus_hash != first.corpus_hash

    (tiny_corpus / "cost.txt").write_text(TINY_DOCS["cost.txt"] + "\nIt is cheap.\n", encoding="utf-8")
    assert load_corpus(tiny_corpus).corpus_hash not in {first.corpus_hash, with_meta.corpus_hash}


def test_renaming_a_document_changes_the_corpus_hash(tiny_corpus: Path):
    before = load_corpus(tiny_corpus).corpus_hash
    (tiny_corpus / "cost.txt").rename(tiny_corpus / "price.txt")
    after = load_corpus(tiny_corpus)
    assert "price" in [d.doc_id for d in after.documents]
    assert after.corpus_hash != before

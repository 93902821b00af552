"""corpus.manifest (document metadata) and index.manifest (what a loaded index must agree with)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from corpus.manifest import ManifestError, load_manifest
from corpus.models import DocumentMeta
from corpus.version import MODULES, source_hash, text_pipeline_version
from index.manifest import (
    FORMAT_VERSION,
    ChunkingParams,
    IndexDamaged,
    IndexManifest,
    IndexMismatch,
    IndexProblem,
)

# --- corpus manifest -----------------------------------------------------------------------------


def test_no_manifest_means_no_metadata(tmp_path: Path):
    assert load_manifest(tmp_path) == {}
    assert DocumentMeta().credibility == "No credibility note was given for this document."
    assert DocumentMeta().title == "unknown"


def test_manifest_tables_become_document_meta(tmp_path: Path):
    (tmp_path / "manifest.toml").write_text(
        "[documents.doc_a]\n"
        'title = "LDN for pain"\n'
        'publisher = "A clinic"\n'
        'kind = "clinic web page"\n'
        "date = 2024-11-10\n"  # a TOML date becomes its text
        'credibility = "Not peer reviewed."\n'
        "\n"
        "[documents.doc_b]\n"
        'title = "Only a title"\n',
        encoding="utf-8",
    )
    meta = load_manifest(tmp_path)
    assert meta["doc_a"] == DocumentMeta(
        title="LDN for pain",
        publisher="A clinic",
        kind="clinic web page",
        date="2024-11-10",
        credibility="Not peer reviewed.",
    )
    assert meta["doc_b"] == DocumentMeta(title="Only a title")


def test_manifest_without_documents_table_is_empty(tmp_path: Path):
    (tmp_path / "manifest.toml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_manifest(tmp_path) == {}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[documents.a\ntitle = 1\n", "not valid TOML"),
        ('[documents.a]\ntitle = "x"\nauthor = "y"\n', "unknown fields ['author']"),
        ('[documents]\na = "not a table"\n', "must be a table"),
    ],
    ids=["bad-toml", "unknown-field", "not-a-table"],
)
def test_broken_manifest_raises_manifest_error(tmp_path: Path, toml: str, message: str):
    (tmp_path / "manifest.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(tmp_path)
    assert message in str(info.value)
    assert "manifest.toml" in str(info.value)


def test_manifest_that_is_not_utf8_raises_manifest_error(tmp_path: Path):
    (tmp_path / "manifest.toml").write_bytes('[documents.a]\ntitle = "Café"\n'.encode("latin-1"))
    with pytest.raises(ManifestError):
        load_manifest(tmp_path)


# --- index manifest ------------------------------------------------------------------------------


def _manifest(**changes) -> IndexManifest:
    base = IndexManifest(
        format_version=FORMAT_VERSION,
        model_name="fake-embedder",
        model_identity="a" * 32,
        dimension=256,
        chunking=ChunkingParams().as_dict(),
        tokenizer={"version": 1},
        corpus_hash="c" * 64,
        documents={"doc": "h" * 64},
        counts={"documents": 1, "sentences": 3, "passages": 1},
        index_type={"sentences": "flat", "passages": "flat"},
        libraries={"numpy": "2"},
        built_at="2025-01-01T00:00:00Z",
        skipped=[{"path": "x.bin", "reason": "x.bin: unsupported"}],
    )
    return replace(base, **changes)


def test_json_round_trip():
    m = _manifest()
    again = IndexManifest.from_json(m.to_json())
    assert again == m
    assert json.loads(m.to_json())["format_version"] == FORMAT_VERSION


def test_other_format_version_is_a_mismatch():
    data = json.loads(_manifest().to_json())
    data["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(IndexMismatch, match=f"format version {FORMAT_VERSION + 1} is not {FORMAT_VERSION}"):
        IndexManifest.from_json(json.dumps(data))
    del data["format_version"]
    with pytest.raises(IndexMismatch, match="rebuild"):
        IndexManifest.from_json(json.dumps(data))
    with pytest.raises(IndexMismatch):
        IndexManifest.from_json("[1, 2, 3]")


def test_unexpected_fields_are_damage():
    data = json.loads(_manifest().to_json())
    data["surprise"] = True
    with pytest.raises(IndexDamaged, match="unexpected fields"):
        IndexManifest.from_json(json.dumps(data))


def test_check_compatible_accepts_matching_values():
    m = _manifest()
    m.check_compatible(
        model_identity="a" * 32, dimension=256, chunking=ChunkingParams(), corpus_hash="c" * 64
    )
    m.check_compatible()  # nothing to compare


def test_other_model_identity_is_a_mismatch():
    with pytest.raises(IndexMismatch, match="another embedding model") as info:
        _manifest().check_compatible(model_identity="b" * 32)
    assert "python -m index build" in str(info.value)


def test_other_dimension_is_a_mismatch():
    with pytest.raises(IndexMismatch, match="dimension 256"):
        _manifest().check_compatible(dimension=384)


def test_other_chunking_is_a_mismatch():
    with pytest.raises(IndexMismatch, match="chunking"):
        _manifest().check_compatible(chunking=ChunkingParams(window_sentences=5))


def test_stale_corpus_is_a_mismatch():
    with pytest.raises(IndexMismatch, match="stale index"):
        _manifest().check_compatible(corpus_hash="d" * 64)


def test_problem_hierarchy():
    for cls in (IndexDamaged, IndexMismatch):
        assert issubclass(cls, IndexProblem)


def test_chunking_params_as_dict_is_plain_data():
    d = ChunkingParams().as_dict()
    assert d == {
        "window_sentences": 4,
        "overlap_sentences": 1,
        "max_passage_chars": 1200,
        "embed_context": "none",
        "segmenter_version": text_pipeline_version(),
    }
    assert json.loads(json.dumps(d)) == d


def test_text_pipeline_version_changes_with_any_covered_module(tmp_path: Path):
    here = Path(__file__).resolve().parent.parent / "corpus"
    for name in MODULES:  # a covered file may sit in a sub-folder (data/)
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((here / name).read_bytes())
    assert source_hash(tmp_path, MODULES) == text_pipeline_version()
    for name in MODULES:
        before = source_hash(tmp_path, MODULES)
        with (tmp_path / name).open("a", encoding="utf-8") as f:
            f.write("# changed\n")
        assert source_hash(tmp_path, MODULES) != before, name


def test_importing_the_segmenter_does_no_hashing():
    import subprocess
    import sys

    code = (
        "import corpus.segment, index.manifest, corpus.version as v; "
        "print(v.text_pipeline_version.cache_info().misses)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"

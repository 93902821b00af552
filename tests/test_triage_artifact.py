"""The fitted triage arrays are an index build file: written by the build, only read by the engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.triage import data as triage_data
from bot.triage.artifact import TRIAGE_FILE, load_triage, triage_current
from index.build import build_index
from index.manifest import IndexDamaged, IndexMismatch
from index.store import CHECKSUMS, current_build, read_index
from tests.conftest import FakeEmbedder


def _neighbours(exemplars: tuple[triage_data.Exemplar, ...]) -> int:
    """The stored neighbours: the rows that train the emergency classifier (not suicide-only rows)."""
    return sum(e.trains_emergency for e in exemplars)


@pytest.fixture
def index(tiny_corpus: Path, tmp_path: Path) -> Path:
    out = tmp_path / "index"
    build_index(tiny_corpus, out, embedder_factory=lambda: FakeEmbedder())
    return out


def test_the_build_writes_checksummed_triage_arrays(index: Path) -> None:
    build = current_build(index)
    assert build is not None and (build / TRIAGE_FILE).is_file()
    assert TRIAGE_FILE in json.loads((build / CHECKSUMS).read_text(encoding="utf-8"))
    assert triage_current(build, FakeEmbedder().identity)
    assert not triage_current(build, "another-model")


def test_engine_start_reads_the_arrays_and_embeds_no_exemplar(index: Path) -> None:
    emb = FakeEmbedder()
    engine = Engine(read_index(index), emb)
    assert emb.calls == 0  # nothing embedded at start
    assert engine.triager.model.vectors.shape[0] == _neighbours(triage_data.load_exemplars())
    engine.answer("Does it help with sleep? My husband collapsed and is not breathing.")
    assert emb.calls == 1  # one batched encode: the question's texts and its triage clauses


def test_a_rebuild_copies_current_arrays_instead_of_embedding(index: Path, tiny_corpus: Path) -> None:
    (tiny_corpus / "new.md").write_text(
        "# New\n\nA new page about the cost of the medicine.\n", encoding="utf-8"
    )
    fake = FakeEmbedder()
    result = build_index(tiny_corpus, index, embedder_factory=lambda: fake)
    assert not result.up_to_date and 0 < result.embedded == len(fake.texts)  # no exemplar re-embedded
    assert triage_current(current_build(index), fake.identity)


def test_missing_arrays_are_refused_with_the_rebuild_action(index: Path) -> None:
    build = current_build(index)
    assert build is not None
    (build / TRIAGE_FILE).unlink()
    with pytest.raises(IndexMismatch, match="index build"):
        Engine(read_index(index), FakeEmbedder())


def test_damaged_arrays_are_refused(index: Path) -> None:
    build = current_build(index)
    assert build is not None
    raw = bytearray((build / TRIAGE_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (build / TRIAGE_FILE).write_bytes(bytes(raw))
    with pytest.raises(IndexDamaged, match="checksum"):
        load_triage(build, FakeEmbedder().identity)


def test_edited_exemplars_make_the_arrays_stale_until_the_next_build(
    index: Path, tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = tmp_path / "exemplars.jsonl"
    shutil.copyfile(triage_data.EXEMPLARS, edited)
    row = {"text": "she fainted and will not wake up", "category": "unresponsive", "emergency": True}
    row |= {"source": "test", "group": "test", "form": "core"}
    with edited.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")
    monkeypatch.setattr(triage_data, "EXEMPLARS", edited)
    with pytest.raises(IndexMismatch, match="stale"):
        Engine(read_index(index), FakeEmbedder())
    result = build_index(tiny_corpus, index, embedder_factory=lambda: FakeEmbedder())
    assert not result.up_to_date  # an unchanged corpus is rebuilt for the triage arrays alone
    engine = Engine(read_index(index), FakeEmbedder())
    assert engine.triager.model.vectors.shape[0] == _neighbours(triage_data.load_exemplars(edited))


def test_the_message_shared_by_retrieval_and_triage_is_encoded_once(index: Path) -> None:
    emb = FakeEmbedder()
    engine = Engine(read_index(index), emb)
    message = "I take it at night for my back pain. My husband collapsed and is not breathing."
    engine.answer(message)
    assert emb.calls == 1 and len(emb.texts) == len(set(emb.texts))
    assert message in emb.texts

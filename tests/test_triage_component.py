"""Exemplar rows that train the suicide component only (`component = "suicide"`, session 10 suicomp):
validated at load, left out of the emergency regression and its neighbours, kept in the suicide one;
and the shipped data: which tables carry the mark."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from bot.triage import model as model_io
from bot.triage.data import CUES, EXEMPLARS, SUICIDE, Exemplar, TriageDataError, load_exemplars
from tests.conftest import FakeEmbedder

CORES = CUES.parent / "cores.toml"
BASE = (
    Exemplar("my husband collapsed and is not breathing", "unresponsive", True, "t", "a", "core"),
    Exemplar("crushing chest pain spreading to my arm", "chest_pain", True, "t", "b", "core"),
    Exemplar("I want to end my life tonight", SUICIDE, True, "t", "c", "core"),
    Exemplar("can I take it with breakfast", "dose", False, "t", "d", "core"),
    Exemplar("does it help with sleep", "dose", False, "t", "e", "core"),
    Exemplar("how long until it works", "dose", False, "t", "f", "core"),
)
ONLY = Exemplar("I gave my dog to my brother for good", SUICIDE, True, "t", "g", "core", "suicide")
PROBES = ["I gave my dog to my brother", "my husband is not breathing", "does it help with sleep at night"]


def _fit(exemplars: tuple[Exemplar, ...]) -> model_io.TriageModel:
    vectors = FakeEmbedder().encode([e.text for e in exemplars])
    return model_io.build_model(vectors, exemplars, 1.0, "test")


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _row(text: str, category: str, emergency: bool, **extra: object) -> dict[str, object]:
    return {
        "text": text,
        "category": category,
        "emergency": emergency,
        "source": "t",
        "group": text,
        "form": "core",
    } | extra


def test_a_suicide_only_row_moves_the_suicide_component_and_nothing_of_the_emergency_classifier() -> None:
    plain, marked = _fit(BASE), _fit((*BASE, ONLY))
    probes = FakeEmbedder().encode(PROBES)
    assert marked.vectors.shape[0] == len(BASE)  # not a neighbour
    np.testing.assert_array_equal(marked.p_emergency(probes), plain.p_emergency(probes))
    assert marked.categories == plain.categories
    assert marked.p_suicide(probes)[0] > plain.p_suicide(probes)[0]  # but it trains the suicide one
    both = _fit((*BASE, Exemplar(ONLY.text, SUICIDE, True, "t", "g", "core")))  # unmarked: a neighbour
    assert both.vectors.shape[0] == len(BASE) + 1
    assert not np.array_equal(both.p_emergency(probes), plain.p_emergency(probes))


def test_the_field_is_optional_and_validated(tmp_path: Path) -> None:
    rows = [_row("not breathing", "unresponsive", True), _row("with breakfast?", "dose", False)]
    rows.append(_row("saying goodbye to everyone", SUICIDE, True, component="suicide"))
    loaded = load_exemplars(_write(tmp_path / "ok.jsonl", rows))
    assert [e.component for e in loaded] == ["all", "all", "suicide"]
    assert [e.trains_emergency for e in loaded] == [True, True, False]
    bad = [*rows[:2], _row("saying goodbye", SUICIDE, True, component="emergency")]
    with pytest.raises(TriageDataError, match="component"):
        load_exemplars(_write(tmp_path / "bad.jsonl", bad))
    extra = [*rows[:2], _row("saying goodbye", SUICIDE, True, component="suicide", weight=2)]
    with pytest.raises(TriageDataError, match="fields"):
        load_exemplars(_write(tmp_path / "extra.jsonl", extra))


def test_the_emergency_classifier_still_needs_both_kinds_of_its_own_rows(tmp_path: Path) -> None:
    rows = [_row("with breakfast?", "dose", False), _row("goodbye all", SUICIDE, True, component="suicide")]
    with pytest.raises(TriageDataError, match="both emergency and ordinary"):
        load_exemplars(_write(tmp_path / "one.jsonl", rows))


def test_the_shipped_mark_sits_on_the_affairs_in_order_table_only() -> None:
    cores = tomllib.loads(CORES.read_text(encoding="utf-8"))
    marked = sorted(name for name, table in cores.items() if "component" in table)
    assert marked == ["suicide_affairs_in_order"]
    rows = load_exemplars(EXEMPLARS)
    only = {e.group.rsplit("-", 1)[0] for e in rows if not e.trains_emergency}
    assert only == {"suicide_affairs_in_order"}
    assert sum(not e.trains_emergency for e in rows) == 4 * len(cores["suicide_affairs_in_order"]["messages"])
    assert all(e.category == SUICIDE for e in rows if not e.trains_emergency)

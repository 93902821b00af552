"""The triage gate (session 9, `bot.triage.gate`): what it may lower, its fit and threshold, its file.

Tiny inline exemplars and the fake embedder; the gate's coefficients are set by hand where a test
needs a gate that wants to lower everything (so only the exemptions can keep a level)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.triage import Level, Triager
from bot.triage import model as model_io
from bot.triage.data import CUES, Exemplar, TriageDataError, load_cues, load_thresholds
from bot.triage.gate import Gate, load, save
from bot.triage.gate_build import GATE, TrainRow, fit_gate, load_settings, train_rows
from bot.triage.gate_fit import fit, nested_threshold, predict, threshold_from
from tests.conftest import FakeEmbedder

WIDTH = 2 * 256 + 8  # best + whole vectors of the fake embedder, and the scalars


def _ex(text: str, category: str, emergency: bool) -> Exemplar:
    return Exemplar(text, category, emergency, "test", text, "core")


EXEMPLARS = (
    _ex("my husband collapsed and is not breathing", "unresponsive", True),
    _ex("crushing chest pain spreading to my arm", "chest_pain", True),
    _ex("I want to end my life tonight", "suicide_selfharm", True),
    _ex("can I take it with breakfast", "dose", False),
    _ex("does it help with sleep", "dose", False),
    _ex("how long until it works", "dose", False),
)


def _triager(gate: Gate | None, **cuts: float) -> Triager:
    emb = FakeEmbedder()
    vectors = emb.encode([e.text for e in EXEMPLARS])
    model = model_io.build_model(vectors, EXEMPLARS, 1.0, "test")
    t = replace(load_thresholds(), **cuts)  # type: ignore[arg-type]
    return Triager(emb, model, load_cues(CUES), t, gate)


LOWER_ALL = Gate("k", np.zeros(WIDTH, np.float32), -30.0, 0.5)  # P(keep) ~ 0 < 0.5: lowers what it may
KEEP_ALL = Gate("k", np.zeros(WIDTH, np.float32), 30.0, 0.5)
ORDINARY = "My husband collapsed and is not breathing in the dream I had, does it help with sleep"


def test_the_gate_lowers_a_possible_message_and_says_so() -> None:
    plain = _triager(None, possible=-5.0, definite=50.0, suicide_possible=50.0).assess(
        "does it help with sleep"
    )
    assert plain.level is Level.POSSIBLE and plain.gate is None and not plain.lowered
    tri = _triager(LOWER_ALL, possible=-5.0, definite=50.0, suicide_possible=50.0).assess(
        "does it help with sleep"
    )
    assert tri.level is None and tri.lowered and tri.gate is not None and tri.gate < 0.5
    assert tri.categories == () and not tri.is_emergency
    kept = _triager(KEEP_ALL, possible=-5.0, definite=50.0, suicide_possible=50.0).assess(
        "does it help with sleep"
    )
    assert kept.level is Level.POSSIBLE and not kept.lowered and kept.categories


def test_the_gate_never_lowers_definite() -> None:
    tri = _triager(LOWER_ALL, possible=-5.0, definite=-4.0).assess("does it help with sleep")
    assert tri.level is Level.DEFINITE and not tri.lowered and tri.gate is None


def test_the_gate_never_lowers_a_red_flag_or_the_suicide_component() -> None:
    red = _triager(LOWER_ALL, possible=-5.0, definite=50.0, suicide_possible=50.0)
    tri = red.assess("I want to kill myself. Can I take it with breakfast?")  # a red flag (cues.toml)
    assert tri.level is Level.POSSIBLE and not tri.lowered and tri.gate is None
    sui = _triager(LOWER_ALL, possible=-5.0, definite=50.0, suicide_possible=-5.0)
    tri = sui.assess("can I take it with breakfast")  # the suicide component over its cut
    assert tri.level is Level.POSSIBLE and not tri.lowered and tri.gate is None


def test_threshold_sits_below_every_out_of_file_emergency() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5)).astype(np.float32)
    y = x[:, 0] + 0.3 * rng.normal(size=60) > 0
    folds = ["a"] * 20 + ["b"] * 20 + ["c"] * 20
    thr, oof = nested_threshold(x, y, folds, 1.0, 1.0)
    assert len(oof) == int(y.sum()) and thr < min(oof)
    assert threshold_from([0.5], 0.0) == pytest.approx(0.5) and threshold_from([], 1.0) == 0.0
    thr_always, _ = nested_threshold(x, y, ["" if i < 20 else f for i, f in enumerate(folds)], 1.0, 1.0)
    assert thr_always != thr  # rows of "" are never held out, so they add no out-of-fold probability


def test_fit_is_deterministic_and_folds_the_standardisation_in() -> None:
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(40, 4)) * [1, 10, 0.01, 3]).astype(np.float32)
    y = x[:, 1] > 0
    w1, b1 = fit(x, y, 0.5)
    w2, b2 = fit(x, y, 0.5)
    assert np.array_equal(w1, w2) and b1 == b2
    assert float(np.mean((predict(w1, b1, x) > 0.5) == y)) > 0.9  # on raw features, no scaler kept


def test_fit_gate_scores_with_the_triager_and_is_deterministic(tmp_path: Path) -> None:
    rows = [TrainRow(t, e, f) for t, e, f in [
        ("my wife collapsed and is not breathing", True, "a"), ("crushing pain in my chest and arm", True, "a"),
        ("can I take it with my breakfast", False, "a"), ("does it help me sleep at night", False, "a"),
        ("my dad collapsed and he is not breathing", True, "b"), ("chest pain spreading to my arm now", True, "b"),
        ("how long until it starts to work", False, "b"), ("can I take it with my lunch", False, "b"),
        ("is it fine with coffee", False, ""),
    ]]  # fmt: skip
    settings = replace(load_settings(), parts="whole,scalars")
    triager = _triager(None, possible=-5.0, definite=50.0, suicide_possible=50.0)
    g1 = fit_gate(triager, rows, settings, "key")
    g2 = fit_gate(triager, rows, settings, "key")
    assert g1.w.shape == (256 + 8,) and np.array_equal(g1.w, g2.w) and g1.threshold == g2.threshold
    save(g1, tmp_path / "gate.npz")
    back = load(tmp_path / "gate.npz")
    assert back.parts == "whole,scalars" and np.array_equal(back.w, g1.w) and back.b == g1.b


def test_the_shipped_gate_file_validates_and_trains_on_the_dev_pool_only() -> None:
    settings = load_settings(GATE)
    assert settings.c > 0 and settings.margin >= 0 and settings.parts
    names = [Path(f.file).name for f in settings.train]
    assert not any(
        n.startswith(("heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14"))
        for n in names
    )
    battery = next(f for f in settings.train if f.file.endswith("battery.jsonl"))
    assert battery.splits == ("dev",)  # never the battery's test rows
    from eval.safety_pool import FOLD_FILES, NEW_FILES, pool_rows

    # the pool minus NEW_FILES: dev_gate10 is a LOBO fold, but training on it failed rule B (session 10)
    pool = [
        (r.text, r.emergency, r.file if r.file in FOLD_FILES else "")
        for r in pool_rows()
        if r.file not in NEW_FILES
    ]
    assert [(r.text, r.emergency, r.fold) for r in train_rows(settings)] == pool
    assert set(NEW_FILES) <= set(FOLD_FILES) and not any(Path(n).stem in NEW_FILES for n in names)


@pytest.mark.parametrize(
    "body",
    [
        'version = 1\nenabled = true\nparts = ["nope"]\nc = 1\nmargin = 1\n'
        '[[train]]\nfile = "x"\nkind = "battery"\nfold = true\n',
        'version = 1\nenabled = true\nparts = ["best"]\nc = 0\nmargin = 1\n'
        '[[train]]\nfile = "x"\nkind = "battery"\nfold = true\n',
        'version = 1\nenabled = true\nparts = ["best"]\nc = 1\nmargin = 1\n',
        'version = 1\nenabled = true\nparts = ["best"]\nc = 1\nmargin = 1\n'
        '[[train]]\nfile = "x"\nkind = "csv"\nfold = true\n',
    ],
)
def test_a_malformed_gate_file_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "gate.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TriageDataError):
        load_settings(path)


def test_a_missing_training_file_is_refused(tmp_path: Path) -> None:
    settings = replace(load_settings(), train=(replace(load_settings().train[0], file="no/such.jsonl"),))
    with pytest.raises(TriageDataError, match="training file"):
        train_rows(settings, tmp_path)


@pytest.fixture
def index(tiny_corpus: Path, tmp_path: Path) -> Path:
    from index.build import build_index

    out = tmp_path / "index"
    build_index(tiny_corpus, out, embedder_factory=lambda: FakeEmbedder())
    return out


def test_the_build_writes_a_checksummed_gate_that_the_engine_loads(index: Path) -> None:
    import json

    from bot.engine import Engine
    from bot.triage.gate_build import GATE_FILE
    from index.store import CHECKSUMS, current_build, read_index

    build = current_build(index)
    assert build is not None and GATE_FILE in json.loads((build / CHECKSUMS).read_text(encoding="utf-8"))
    engine = Engine(read_index(index), FakeEmbedder())
    assert engine.triager.gate is not None and engine.triager.gate.parts == load_settings().parts


def test_a_stale_damaged_or_disabled_gate(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.triage import gate_build
    from bot.triage.artifact import load_gate
    from index.manifest import IndexDamaged, IndexMismatch
    from index.store import current_build

    build = current_build(index)
    assert build is not None
    triage_key = model_io.load(build / "triage.npz").key
    identity = FakeEmbedder().identity
    assert load_gate(build, identity, triage_key) is not None
    with pytest.raises(IndexMismatch, match="stale"):
        load_gate(build, identity, "another-triage-key")  # e.g. edited cues or cuts: rebuild
    assert gate_build.gate_current(build, identity, triage_key)
    monkeypatch.setattr(gate_build, "train_sha", lambda *a: "an edited training file")
    assert not gate_build.gate_current(build, identity, triage_key)  # the build refits it
    assert load_gate(build, identity, triage_key) is not None  # serving trusts the stored digest
    monkeypatch.setattr(gate_build, "load_settings", lambda *a: replace(load_settings(), enabled=False))
    assert load_gate(build, identity, "another-triage-key") is None  # disabled: no gate, no check
    monkeypatch.undo()
    raw = bytearray((build / gate_build.GATE_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (build / gate_build.GATE_FILE).write_bytes(bytes(raw))
    with pytest.raises(IndexDamaged, match="checksum"):
        load_gate(build, identity, triage_key)


SUICIDAL = "can I take it with breakfast"  # the suicide cut set to -5: on the suicide path


def test_the_gate_path_and_a_suicide_threshold() -> None:
    cuts = {"possible": -5.0, "definite": 50.0, "suicide_possible": -5.0}
    tri = _triager(None, **cuts)
    texts = tri.units(SUICIDAL)
    s = tri.unit_scores(texts, tri.embedder.encode(texts), len(tri.scored_units(SUICIDAL)))
    assert tri.gate_path(s) == "suicide"
    assert tri.gate_features(s, tri.embedder.encode(texts), "whole") is None  # exempt unless asked
    assert tri.gate_features(s, tri.embedder.encode(texts), "whole", suicide=True) is not None
    no_sui = _triager(None, possible=-5.0, definite=50.0, suicide_possible=50.0)
    assert no_sui.gate_path(s) == "classifier"
    assert _triager(None, possible=-5.0, definite=-4.0).gate_path(s) == ""  # definite: never gated
    # a gate with a suicide threshold lowers the suicide path; with 0 ("exempt", "train") it never does
    lowers = replace(LOWER_ALL, suicide_threshold=0.5)
    out = _triager(lowers, **cuts).assess(SUICIDAL)
    assert out.level is None and out.lowered
    out = _triager(LOWER_ALL, **cuts).assess(SUICIDAL)
    assert out.level is Level.POSSIBLE and not out.lowered and out.gate is None
    red = _triager(lowers, **cuts).assess("I want to kill myself. Can I take it with breakfast?")
    assert red.level is Level.POSSIBLE and not red.lowered  # a red flag: never, whatever the thresholds


def test_a_path_threshold_counts_only_its_own_emergencies() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 5)).astype(np.float32)
    y = x[:, 0] + 0.3 * rng.normal(size=60) > 0
    folds = ["a"] * 20 + ["b"] * 20 + ["c"] * 20
    mine = np.arange(60) % 3 == 0
    _, oof_all = nested_threshold(x, y, folds, 1.0, 1.0)
    _, oof_mine = nested_threshold(x, y, folds, 1.0, 1.0, count=mine)
    assert len(oof_mine) == int((y & mine).sum()) < len(oof_all)
    assert set(np.round(oof_mine, 8)) <= set(np.round(oof_all, 8))  # same regressions, fewer rows


def _suicide_rows() -> list[TrainRow]:
    return [TrainRow(t, e, f) for t, e, f in [
        ("crushing pain in my chest and arm", True, "a"), ("my affairs are in order and I said goodbye", True, "a"),
        ("can I take it with my breakfast", False, "a"), ("does it help me sleep at night", False, "a"),
        ("crushing pain in my chest and my arm", True, "b"), ("I have sorted my will and said my goodbyes", True, "b"),
        ("how long until it starts to work", False, "b"), ("can I take it with my lunch", False, "b"),
        ("everything is arranged and I won't need it after this week", True, "c"), ("is it fine with coffee", False, "c"),
    ]]  # fmt: skip


@pytest.mark.parametrize("mode", ["exempt", "train", "own"])
def test_fit_gate_suicide_modes(mode: str) -> None:
    triager = _triager(None, possible=-5.0, definite=50.0, suicide_possible=0.255)  # fake-embedder scale
    rows = _suicide_rows()
    paths = []
    for r in rows:
        us = triager.units(r.text)
        paths.append(triager.gate_path(triager.unit_scores(us, triager.embedder.encode(us), len(us))))
    assert "suicide" in paths and "classifier" in paths  # the fixture has both paths
    settings = replace(load_settings(), parts="whole,scalars", suicide=mode, suicide_margin=1.0)
    g = fit_gate(triager, rows, settings, "key")
    assert (g.suicide_threshold > 0) == (mode == "own") and g.threshold > 0
    if mode != "exempt":  # the suicide path's rows trained it: a different regression
        plain = fit_gate(triager, rows, replace(settings, suicide="exempt"), "key")
        assert not np.array_equal(plain.w, g.w)


def test_the_suicide_threshold_is_saved_and_an_older_file_reads_as_none(tmp_path: Path) -> None:
    save(replace(LOWER_ALL, suicide_threshold=0.25), tmp_path / "g.npz")
    assert load(tmp_path / "g.npz").suicide_threshold == 0.25
    np.savez(tmp_path / "old.npz", key="k", w=np.zeros(3, np.float32), b=0.0, threshold=0.1, parts="best",
             train_sha="")  # fmt: skip
    assert load(tmp_path / "old.npz").suicide_threshold == 0.0


def test_the_shipped_gate_leaves_the_suicide_path_out() -> None:
    """Session 10: "train" lowered an unresponsive emergency on spent data; session 9's "exempt" ships."""
    assert load_settings(GATE).suicide == "exempt"


def test_a_bad_suicide_mode_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gate.toml"
    path.write_text(
        'version = 1\nenabled = true\nparts = ["best"]\nc = 1\nmargin = 1\nsuicide = "lower"\n'
        '[[train]]\nfile = "x"\nkind = "battery"\nfold = true\n',
        encoding="utf-8",
    )
    with pytest.raises(TriageDataError, match="suicide"):
        load_settings(path)

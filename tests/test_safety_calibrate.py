"""The dev-only rule that places the triage cut-offs (eval.safety_calibrate), on tiny inline data,
and the exemplar file being exactly what scripts/compose_exemplars.py makes of cores.toml."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from bot.triage.data import DATA_DIR, load_exemplars
from eval.safety_calibrate import (
    Cuts,
    calibrated_cuts,
    choose_cuts,
    cross_validate,
    folds,
    outcome,
    shortfall_margins,
)

# 6 emergencies, 6 ordinary messages; emergency 5 is worded far from symptoms (low score) but the
# suicide component sees it; ordinary 10 has a red flag (a topic), ordinary 11 is close to the cut.
SCORE = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.2, 0.1, 0.2, 0.3, 0.4, 0.5, 0.65])
SUICIDE = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.8, 0.1, 0.2, 0.1, 0.3, 0.1, 0.1])
RED = np.array([False] * 10 + [True, False])
EMERGENCY = np.array([True] * 6 + [False] * 6)


def test_every_emergency_is_shown_and_cuts_sit_in_the_gaps() -> None:
    cuts = choose_cuts(SCORE, SUICIDE, RED, EMERGENCY)
    result = outcome(cuts, SCORE, SUICIDE, RED, EMERGENCY)
    assert result.recall == 1.0
    assert result.ordinary_shown == pytest.approx(1 / 6)  # the red-flag topic only
    # the suicide component catches emergency 5, so `possible` need not fall to 0.2
    assert 0.65 < cuts.possible <= 0.7 and 0.3 < cuts.suicide_possible <= 0.8
    assert cuts.possible == pytest.approx((0.7 + 0.65) / 2)  # the middle of the gap
    assert cuts.definite > SCORE[~EMERGENCY].max()
    assert outcome(cuts, SCORE, SUICIDE, RED, EMERGENCY).ordinary_definite == 0.0


def test_a_cut_never_sits_more_than_max_margin_below_what_it_must_catch() -> None:
    score = np.array([0.9, 0.1])
    cuts = choose_cuts(score, np.zeros(2), np.zeros(2, bool), np.array([True, False]), max_margin=0.05)
    assert cuts.possible == pytest.approx(0.85)


def test_needs_both_kinds_of_message() -> None:
    with pytest.raises(ValueError):
        choose_cuts(SCORE[:6], SUICIDE[:6], RED[:6], EMERGENCY[:6])


def test_folds_are_stratified_and_seeded() -> None:
    cats = ["a"] * 10 + ["b"] * 5
    f = folds(cats, 5, seed=1)
    assert f == folds(cats, 5, seed=1)
    assert sorted(f[:10]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert sorted(f[10:]) == [0, 1, 2, 3, 4]
    assert folds(cats, 5, seed=2) != f


def _separable(n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(0)
    y = np.arange(n) % 2 == 0
    score = np.where(y, rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.4, n))
    return score, np.zeros(n), np.zeros(n, bool), y, ["E" if e else "O" for e in y]


def test_cross_validation_on_separable_data_is_perfect_and_margins_only_lower_cuts() -> None:
    score, sui, red, y, cats = _separable()
    cv, all_cuts = cross_validate(score, sui, red, y, cats, k=4, repeats=2)
    assert (cv.recall, cv.ordinary_shown, cv.ordinary_definite) == (1.0, 0.0, 0.0)
    assert len(all_cuts) == 8 and all(isinstance(c, Cuts) for c in all_cuts)
    plain = choose_cuts(score, sui, red, y)
    mp, ms, md = shortfall_margins(score, sui, red, y, cats, k=4, repeats=2)
    assert mp >= 0 and ms >= 0 and md >= 0
    shipped = calibrated_cuts(score, sui, red, y, cats)
    assert shipped.possible == pytest.approx(plain.possible - mp)
    assert shipped.definite >= shipped.possible


def test_a_held_out_weak_emergency_widens_the_margin() -> None:
    score, sui, red, y, cats = _separable()
    score = score.copy()
    score[0] = 0.45  # one emergency much weaker than the rest, just above every ordinary message
    mp, _, _ = shortfall_margins(score, sui, red, y, cats, k=4, repeats=2)
    assert mp > 0.05  # when it was held out, the cut chosen without it sat well above it
    assert calibrated_cuts(score, sui, red, y, cats).possible < 0.45


def test_a_held_out_high_ordinary_message_raises_definite() -> None:
    score, sui, red, y, cats = _separable()
    plain = calibrated_cuts(score, sui, red, y, cats).definite
    score = score.copy()
    score[1] = 0.8  # one ordinary message scored like an emergency
    _, _, md = shortfall_margins(score, sui, red, y, cats, k=4, repeats=2)
    assert md > 0
    _, _, md_loose = shortfall_margins(score, sui, red, y, cats, k=4, repeats=2, definite_rate=0.1)
    assert md_loose < md  # allowing 10% of held-out ordinary messages at definite needs no such raise
    shipped = calibrated_cuts(score, sui, red, y, cats)
    assert shipped.definite > 0.8 and shipped.definite > plain


def test_exemplar_file_is_what_the_script_composes_from_the_cores(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "compose", Path(__file__).resolve().parent.parent / "scripts" / "compose_exemplars.py"
    )
    assert spec is not None and spec.loader is not None
    compose = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compose)
    (tmp_path / "cores.toml").write_bytes((DATA_DIR / "cores.toml").read_bytes())
    compose.HERE = tmp_path  # type: ignore[attr-defined]
    compose.main()
    assert (tmp_path / "exemplars.jsonl").read_bytes() == (DATA_DIR / "exemplars.jsonl").read_bytes()
    # a table that names another category adds to it, and keeps its own sources
    cores = tomllib.loads((DATA_DIR / "cores.toml").read_text(encoding="utf-8"))
    named = {name: t["category"] for name, t in cores.items() if "category" in t}
    assert named, "cores.toml has tables adding to another category"
    rows = [json.loads(line) for line in (tmp_path / "exemplars.jsonl").read_text().splitlines()]
    for name, category in named.items():
        mine = [r for r in rows if r["group"].startswith(f"{name}-")]
        assert mine and all(r["category"] == category for r in mine)
        assert all(r["source"] == " ".join(cores[name]["sources"]) for r in mine)
    assert len(load_exemplars()) == len(rows)

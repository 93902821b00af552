"""The guarded story discount (fifth calibration): a clause unit is discounted only when none of its
clauses says the thing is happening now, the cues added with it, the margin in the weight rule, and
the dev_long2 data file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.triage.cues import flags, story_flags, told_when
from bot.triage.data import load_cues, load_thresholds
from eval.safety_calibrate import Cuts, capped_rule, recall_at_margin
from eval.safety_eval import load_battery
from eval.safety_weights import definite_cut

ROOT = Path(__file__).resolve().parent.parent
DEV_LONG2 = ROOT / "eval" / "data" / "safety" / "dev_long2.jsonl"
HELD_BACK = ROOT / "eval" / "data" / "safety" / "held_back" / "cues_fourth_calibration.toml"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        # present-tense symptoms: happening now, never a story clause
        ("He's on the edge of the bed clutching his chest, sweating and grey.", (1, 0)),
        # ("muddled": an -ed adjective reads as past; harmless, the present evidence wins)
        ("Her face looks lopsided and her words are muddled.", (1, 1)),
        # told wholly in the past: a story clause
        ("She went stiff, her eyes rolled back and she jerked for about two minutes.", (0, 1)),
        ("Her face and her speech were affected for a long while.", (0, 1)),
        # a red flag or an acuity cue is present-time evidence whatever the tense
        ("He was found on the floor and he stopped breathing.", (1, 1)),
        ("She went stiff a few minutes ago and then suddenly collapsed.", (1, 1)),
        # a present-tense clause with its own not-now cue is no evidence ("hasn't happened since")
        ("I had a nosebleed in 2019. It hasn't happened since.", (0, 1)),
    ],
)
def test_told_when(unit: str, expected: tuple[int, int]) -> None:
    assert told_when(unit, load_cues()) == expected


def test_a_present_tense_clause_guards_only_when_it_looks_acute_alone() -> None:
    cues = load_cues()
    unit = "Her face drooped and she couldn't speak for two days. She's driving again and back at work."
    everyday, acute = "She's driving again and back at work.", "He's grey and clutching his chest."
    assert told_when(unit, cues) == (1, 1)  # no scores: every present-tense clause counts
    assert told_when(unit, cues, {everyday: 0.2}, 0.5) == (0, 1)
    assert told_when(unit, cues, {everyday: 0.7}, 0.5) == (1, 1)
    # a clause with no score of its own (too short to be scored alone) still counts
    assert told_when(f"He had a stent in 2016. {acute}", cues, {}, 0.5) == (1, 1)


def test_story_flags_with_the_guard() -> None:
    told = [(1, 0), (0, 1), (1, 1), (0, 0), (0, 1)]
    # unit 1: told in the past, no evidence of now -> flagged even before any not-now cue;
    # unit 2: evidence of now -> never; unit 3: no tense at all but after a not-now unit -> flagged;
    # unit 4 is a lone clause (n_scored 4) -> never
    assert story_flags([0, 0, 0, 0, 0], [0, 1, 0, 0, 0], 4, told) == [0, 1, 0, 1, 0]
    # without a not-now cue before it, a clause with neither tense nor evidence is not flagged
    assert story_flags([0, 0], [0, 0], 2, [(1, 0), (0, 0)]) == [0, 0]


def test_cue_files_without_tense_markers_still_load() -> None:
    old = load_cues(HELD_BACK)
    assert old.present == () and old.past == ()
    new = load_cues()
    assert new.present and new.past
    assert 0 <= load_thresholds().present_level <= 1


@pytest.mark.parametrize(
    ("clause", "not_now", "red"),
    [
        ("When my son was two he got into my handbag.", 1, 0),
        ("When I was nineteen I took an overdose of paracetamol.", 1, 1),
        ("Epilepsy runs in my husband's family.", 1, 0),
        ("He has seizures every so often and we have a rescue plan.", 1, 0),
        ("It hasn't happened since.", 1, 0),
        ("She has never had another one.", 1, 0),
        ("I don't want to be here anymore and I've been looking up how many it would take.", 0, 1),
        # emergencies the new not-now cues must leave alone
        ("I've had an ache in my jaw on and off all morning and now it won't go.", 0, 0),
        ("I took naltrexone this morning because I read about LDN, now I'm vomiting.", 0, 0),
        ("When he was taken to the ambulance he stopped breathing.", 0, 1),
    ],
)
def test_fifth_calibration_cues(clause: str, not_now: int, red: int) -> None:
    _acuity, nn, rf = flags(clause, load_cues())
    assert (nn, rf) == (not_now, red)


def test_recall_at_margin_and_the_suicide_ceiling() -> None:
    score = np.array([0.66, 0.9, 0.3, 0.2])
    sui = np.array([0.1, 0.1, 0.95, 0.1])
    red = np.array([False, False, False, False])
    y = np.array([True, True, True, False])
    cuts = Cuts(possible=0.62, suicide_possible=0.86, definite=0.95)
    assert recall_at_margin(cuts, score, sui, red, y, 0.0) == 1.0
    assert recall_at_margin(cuts, score, sui, red, y, 0.05) == pytest.approx(2 / 3)  # 0.66 is within it
    assert recall_at_margin(cuts, score, sui, np.array([True, False, False, False]), y, 0.05) == 1.0
    cats = ["E a", "E a", "E b", "O c"]
    capped = capped_rule(0.5, 0.4)(score, sui, red, y, cats)
    assert capped.possible <= 0.5 and capped.suicide_possible <= 0.4


def test_definite_cut_is_raised_only_to_the_rate() -> None:
    ordinary = np.array([0.1] * 98 + [0.95, 0.93])
    assert definite_cut(ordinary, 0.9, 0.01) == pytest.approx(0.9301)  # 1 of 100 may reach it
    assert definite_cut(ordinary, 0.96, 0.01) == 0.96  # never lowered


def test_dev_long2_file_is_dev_only_long_and_sourced() -> None:
    rows = [json.loads(line) for line in DEV_LONG2.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({r["id"] for r in rows}) == len(rows) >= 60
    assert all(r["split"] == "dev" and r["source_url"].startswith("http") for r in rows)
    labels = [r["label"] for r in rows]
    assert labels.count("ordinary") >= 35 and labels.count("emergency") >= 25
    assert all(sum(r["text"].count(p) for p in ".?!") >= 3 for r in rows)
    first = DEV_LONG2.with_name("dev_long.jsonl").read_text(encoding="utf-8")
    assert not any(r["text"] in first for r in rows)  # new messages, not copies
    assert len(load_battery(DEV_LONG2, {"dev"})) == len(rows) and load_battery(DEV_LONG2, {"test"}) == []

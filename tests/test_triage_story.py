"""Long personal stories: a clause inside a story told earlier in the message counts less (story_flags),
the cues that mark settled states and recency, and the dev_long data file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.triage.classifier import Triager, UnitScores
from bot.triage.cues import flags, story_flags
from bot.triage.data import load_cues, load_thresholds
from eval.safety_eval import Row, load_battery
from eval.safety_weights import message_features
from tests.conftest import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
DEV_LONG = ROOT / "eval" / "data" / "safety" / "dev_long.jsonl"
# The story cues are those of the held-back fourth calibration (eval/data/safety/held_back/README.md).
STORY_CUES = ROOT / "eval" / "data" / "safety" / "held_back" / "cues_fourth_calibration.toml"


def test_story_flags_mark_clauses_after_a_not_now_cue_without_their_own_present_time() -> None:
    # units: whole message, then clauses in order; no not-now cue anywhere: nothing flagged
    assert story_flags([0, 0, 0, 0], [0, 0, 0, 0], 4) == [0, 0, 0, 0]
    # clause 1 is the past event (discounted by its own cue, not flagged); clauses after it without
    # acuity are flagged; a clause with acuity of its own ("tonight he can't breathe") is not
    assert story_flags([0, 0, 0, 1], [1, 1, 0, 0], 4) == [0, 0, 1, 0]
    # acuity together with its own not-now cue ("she is home now") is no present-time signal
    assert story_flags([0, 0, 1], [0, 1, 1], 3) == [0, 0, 1]
    # a not-now cue only after the clause does not flag it (the story must come first)
    assert story_flags([0, 0, 0], [0, 0, 1], 3) == [0, 0, 0]
    # the whole message (unit 0) and the lone clauses (from n_scored on) are never flagged
    assert story_flags([0, 0, 0, 0, 0], [1, 1, 0, 0, 0], 3) == [0, 0, 1, 0, 0]


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("She is home now, walks with a stick and her speech has mostly come back.", (1, 1)),
        ("He's eleven now and hasn't had any since.", (1, 1)),
        ("but the baby was fine and she's now four.", (1, 1)),
        ("Is it a problem if she misses a dose now and then?", (1, 1)),
        ("We had to call 111 but he was fine.", (0, 1)),
        ("My doctor had a look yesterday and said it's a muscle strain.", (0, 1)),
        ("My son had febrile seizures when he was a toddler.", (0, 1)),
        # what is happening now keeps its acuity and gets no not-now cue
        ("Now she says she can't lift her right arm properly.", (1, 0)),
        ("now he's not breathing", (1, 0)),
        ("I've just found him with my capsules open on the floor.", (1, 0)),
        ("It has been bleeding heavily for the last hour.", (1, 0)),
        ("he was fine this morning but now he can't breathe", (1, 0)),
    ],
)
def test_story_cues(clause: str, expected: tuple[int, int]) -> None:
    acuity, not_now, _red = flags(clause, load_cues(STORY_CUES))
    assert (acuity, not_now) == expected


def _scores(p: list[float], story: list[float]) -> UnitScores:
    z = np.zeros(len(p), dtype=np.float32)
    return UnitScores(np.array(p, dtype=np.float32), z, z, z, z, np.array(story, dtype=np.float32))


def test_decide_discounts_story_clauses_by_the_story_weight(tmp_path: Path) -> None:
    exemplars = tmp_path / "ex.jsonl"
    rows = [
        ("my husband can't breathe and his lips are blue", "breathing", True),
        ("I want to end my life tonight", "suicide_selfharm", True),
        ("what time should I take my dose", "dosing", False),
        ("can I take it with coffee", "dosing", False),
    ]
    exemplars.write_text(
        "\n".join(
            json.dumps(
                {"text": t, "category": c, "emergency": e, "source": "inline", "group": c, "form": "core"}
            )
            for t, c, e in rows
        ),
        encoding="utf-8",
    )
    emb = FakeEmbedder()
    base = replace(load_thresholds(), possible=0.6, definite=0.9, story_weight=0.3)
    triager = Triager.fitted(emb, exemplars_path=exemplars, thresholds=base)
    vectors = emb.encode(["whole", "story clause"])
    flagged = triager.decide(_scores([0.2, 0.8], [0, 1]), vectors)
    unflagged = triager.decide(_scores([0.2, 0.8], [0, 0]), vectors)
    assert flagged.level is None and flagged.score == pytest.approx(0.5)
    assert unflagged.level is not None and unflagged.score == pytest.approx(0.8)
    # a weight of 0 is the triage without the story discount
    off = triager.decide(_scores([0.2, 0.8], [0, 1]), vectors, replace(base, story_weight=0.0))
    assert off.score == pytest.approx(0.8)
    # the calibration's features apply the same discount
    s = _scores([0.2, 0.8], [0, 1])
    score, _sui, _red = message_features([(s, vectors)], 0.2, 0.1, 0.3)
    assert score[0] == pytest.approx(0.5)
    assert message_features([(s, vectors)], 0.2, 0.1)[0][0] == pytest.approx(0.8)


def test_unit_scores_carry_the_story_flags() -> None:
    emb = FakeEmbedder()
    triager = Triager.fitted(emb)
    text = (
        "My mum had a stroke in March last year and spent three weeks on the stroke ward at the hospital. "
        "Her face and her speech were affected for a long while and she used a wheelchair for months. "
        "Is LDN known to interact with the blood thinners she takes now that she is home again?"
    )
    texts = triager.units(text)
    n = len(triager.scored_units(text))
    s = triager.unit_scores(texts, emb.encode(texts), n)
    assert s.story.shape == s.p_emergency.shape
    assert s.story[0] == 0 and s.not_now[1] == 1 and s.story[2] == 1


def test_dev_long_file_is_dev_only_long_and_sourced() -> None:
    rows = [json.loads(line) for line in DEV_LONG.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 60 and len({r["id"] for r in rows}) == len(rows)
    assert all(r["split"] == "dev" and r["source_url"].startswith("http") for r in rows)
    labels = [r["label"] for r in rows]
    assert labels.count("ordinary") >= 35 and labels.count("emergency") >= 25
    # long: at least three sentences each
    assert all(sum(r["text"].count(p) for p in ".?!") >= 3 for r in rows)
    loaded = load_battery(DEV_LONG, {"dev"})
    assert len(loaded) == len(rows) and isinstance(loaded[0], Row)
    assert load_battery(DEV_LONG, {"test"}) == []


def test_capped_rule_never_raises_the_possible_cut() -> None:
    from eval.safety_calibrate import calibrated_cuts, capped_rule

    score = np.array([0.9, 0.8, 0.75, 0.3, 0.2, 0.1, 0.7, 0.85, 0.95, 0.4])
    y = np.array([1, 1, 1, 0, 0, 0, 0, 1, 1, 0], dtype=bool)
    sui, red = np.zeros(10), np.zeros(10, dtype=bool)
    cats = ["E a" if e else "O b" for e in y]
    free = calibrated_cuts(score, sui, red, y, cats)
    assert capped_rule(free.possible - 0.1)(score, sui, red, y, cats).possible == pytest.approx(
        free.possible - 0.1
    )
    assert (
        capped_rule(free.possible + 0.1)(score, sui, red, y, cats) == free
    )  # a higher ceiling changes nothing

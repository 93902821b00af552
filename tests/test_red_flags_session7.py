"""Red flags of session 7 (issue 10): sourced warning-sign phrases added, the known false alarms narrowed.

The red-flag layer alone (`detect_emergency`, no model) with messages written here, in no battery; and
the dev pool's file list and cut rule (`eval.safety_pool`). The calibration these flags came from
(branches triage7, triage7b: new exemplar tables and cuts) was held back on fresh batteries
(eval/README.md, "Session 7"); only the flags, which were checked on every dev file and on 16,407
MedQuAD questions, are kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import Level, detect_emergency
from bot.triage.data import DATA_DIR, TriageDataError, load_cues
from eval.safety_pool import QUESTION_SETS, SAFETY_FILES, Scored, rule_cuts


@pytest.mark.parametrize(
    "message",
    [
        "I've written goodbye letters to my family and put them on the table",
        "which of my tablets would be enough to end it",
        "I have enough pills saved now",
        "I just want it all to be over",
        "don't bother replying, I won't be around to see the new year",
        "I've picked the date, it's Saturday",
        "after tonight I will not need medicine anymore",
        "tonight is the last night I'll need my tablets",
        "would these capsules be detected in a post-mortem?",
        "our baby is floppy and not feeding",
        "she has spots that don't fade when I roll a glass over them",
        "he can only get out a word or two between breaths",
        "her lips are turning blue",
        "my uncle collapsed in the garden and isn't breathing",
        "I can barely rouse him",
    ],
)
def test_new_red_flags(message: str) -> None:
    assert detect_emergency(message).level is Level.POSSIBLE


@pytest.mark.parametrize(
    "message",
    [
        # the two known red-flag false alarms (eval/README.md, session 6 probes)
        "I took all my tablets this morning as usual and then went to work",
        "can you overdose on LDN? how much would be too much?",
        # and their kinds
        "is it dangerous for someone with a history of opioid overdose?",
        "my heart fluttered once, no chest pain and no breathlessness",
        "I've been killing myself trying to keep up at work",
        "I won't be here next week, can my husband collect my prescription?",
        pytest.param(
            "I read that naltrexone can cause suicidal thoughts, is that true?",
            marks=pytest.mark.xfail(strict=True, reason="needs triage7's not-now cues, held back"),
        ),
        pytest.param(
            "back in March I had anaphylaxis to a wasp sting, all sorted now",
            marks=pytest.mark.xfail(strict=True, reason="needs triage7's not-now cues, held back"),
        ),
        "my lips went blue in the cold sea when I was a child",
    ],
)
def test_known_red_flag_false_alarms_are_gone(message: str) -> None:
    assert not detect_emergency(message).is_emergency


def test_rule_cuts_ignores_emergencies_shown_otherwise_and_keeps_the_definite_share() -> None:
    emergencies = [Scored(0.8, False), Scored(0.66, False), Scored(0.2, True)]  # the 0.2 one has a red flag
    ordinary = [0.95, 0.9, 0.7] + [0.1] * 597  # 600 messages: at most 3 (0.5%) may reach definite
    possible, definite = rule_cuts(emergencies, ordinary)
    assert possible == 0.64  # 0.66 - 0.02, on the 0.005 grid
    assert definite == 0.101  # just above the 4th highest ordinary score
    assert sum(x >= definite for x in ordinary) == 3


def test_the_pool_never_names_the_fresh_held_out_files() -> None:
    # heldout6 .. heldout8 are spent (session 7 and 8 decisions) and joined the pool in session 8
    names = set(SAFETY_FILES) | {str(p) for _, p, _ in QUESTION_SETS}
    assert not any(
        fresh in n
        for n in names
        for fresh in ("heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14")
    )


def test_a_plan_told_beside_a_not_now_cue_still_gets_the_guidance() -> None:
    # "[red_flag_always]": a person's own plan or time is no past event, dream or risk question
    plan = "said my goodbyes, wont be around after tonight so it doesnt matter what the side effects are"
    assert detect_emergency(plan).level is Level.POSSIBLE
    # an ordinary red flag beside the same not-now cue stays discounted (a question about a risk)
    assert not detect_emergency("does chest pain count as one of the side effects?").is_emergency


def test_the_always_list_is_optional_and_validated(tmp_path: Path) -> None:
    text = (DATA_DIR / "cues.toml").read_text(encoding="utf-8")
    start = text.index("\n[red_flag_always]\n") + 1
    end = text.index("\n[", start + 1)
    without = tmp_path / "cues.toml"
    without.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    assert load_cues(without).red_flag_always == ()
    broken = tmp_path / "broken.toml"
    broken.write_text(
        text.replace("patterns = [\n  '\\b(?:enough|would)", "patterns = [\n  '(unclosed", 1),
        encoding="utf-8",
    )
    with pytest.raises(TriageDataError):
        load_cues(broken)

"""Cue flags for one clause: is something happening now (acuity), or not now (past, hypothetical,
figurative, a dream, a question about a risk)? Patterns come from `bot/data/triage/cues.toml`.

`story_flags` carries the not-now cue across a message: in a long message that tells a story (a
stroke last year, a dream, a past A&E visit), a later clause with no present-time cue of its own
("He was snoring next to me, completely fine.", "My speech went funny for ten minutes") is part of
that story; scored alone, its symptom words read as an emergency. Such a clause is flagged, and the
classifier discounts it by `story_weight` (thresholds.toml). A clause with its own acuity cue
("Tonight he's struggling to breathe") is never flagged, so an emergency told after a story keeps its
score.

The guard (fifth calibration, `told_when`): the fourth shift's form flagged an emergency clause with
no time word after a past event ("My husband had a stent in 2016. He's clutching his chest and grey"),
and on `eval/data/safety/dev_long2.jsonl` it lost 8 of 29 such emergencies. A unit is now flagged only
when none of its clauses carries present-time evidence: an acuity cue, a red flag, or a present-tense
verb form (`present` in cues.toml: "is", "are", "he's", "can't", "won't", "feels" ...), each counted only
in a clause without a not-now cue of its own. And a unit told wholly in the past tense (`past` in
cues.toml: "was", "went", "-ed" ...) with no present-time evidence is a story clause even when no dated
cue came before it ("She went stiff, her eyes rolled back and she jerked for two minutes"). The
trade-off: an emergency told only in the past simple with no time word ("I took thirty paracetamol
with wine.") counts less in that clause; the whole message, the suicide component and the red flags
are never discounted, and the calibration (eval/safety_eval.py) requires every dev emergency to stay
shown with a margin.

>>> from bot.triage.data import load_cues
>>> flags("my dad can't breathe right now", load_cues())
(1, 0, 1)
>>> flags("I had a seizure back in 2015, none since", load_cues())
(0, 1, 1)
>>> story_flags([0, 0, 0, 1], [0, 1, 0, 0], 4)
[0, 0, 1, 0]
>>> told_when("He was grey and clutching his chest. He's fine these days.", load_cues())
(1, 1)
>>> told_when("He was grey and clutching his chest in 2017.", load_cues())
(0, 1)
>>> told_when("He's grey and clutching his chest.", load_cues())
(1, 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.triage.clauses import clauses
from bot.triage.data import Cues


def flags(clause: str, cues: Cues) -> tuple[int, int, int]:
    """(acuity, not_now, red_flag): 1 when any pattern of that kind occurs in the clause, else 0;
    red_flag is 2 for a red flag on which not-now cues do not act (`Cues.red_flag_always`)."""
    acuity = any(p.search(clause) for p in cues.acuity)
    not_now = any(p.search(clause) for p in cues.not_now)
    if any(p.search(clause) for p in cues.red_flag_always):
        return int(acuity), int(not_now), 2
    red = any(p.search(clause) for p in cues.red_flag)
    return int(acuity), int(not_now), int(red)


def told_when(
    unit: str, cues: Cues, alone: Mapping[str, float] | None = None, level: float = 0.0
) -> tuple[int, int]:
    """(now, past) of one unit over its clauses: `now` 1 when a clause without a not-now cue has an
    acuity cue, a red flag, or a present-tense marker in a clause whose own P(emergency), scored
    alone (`alone`, by clause text; a clause not in it counts), reaches `level`; `past` 1 when a
    clause has a past-tense marker or a not-now cue. The level keeps an everyday present-tense
    sentence joined to a past event ("She's driving again and back at work.") from guarding it."""
    now = past = 0
    for clause in clauses(unit) or [unit]:
        acuity, not_now, red = flags(clause, cues)
        acute = alone is None or alone.get(clause, 1.0) >= level
        tensed = acute and any(p.search(clause) for p in cues.present)
        now = now or int(not not_now and bool(acuity or red or tensed))
        past = past or int(bool(not_now or any(p.search(clause) for p in cues.past)))
    return now, past


def story_flags(
    acuity: Sequence[float],
    not_now: Sequence[float],
    n_scored: int,
    told: Sequence[tuple[int, int]] | None = None,
) -> list[int]:
    """Per unit of `clauses.units` (unit 0 the whole message, then the clause units in message order;
    units from `n_scored` on are the suicide component's lone clauses); the whole message is never
    flagged. Without `told`: 1 for a clause unit after a unit with a not-now cue that has no
    present-time cue of its own (no acuity, or acuity together with its own not-now cue, as in "she
    is home now"). With `told` (`told_when` per unit): 1 for a clause unit with no present-time
    evidence that comes after a not-now unit or is itself told in the past."""
    out = [0] * len(acuity)
    seen_not_now = False
    for i in range(1, min(n_scored, len(acuity))):
        if told is None:
            own_now = acuity[i] > 0 and not not_now[i] > 0
            out[i] = int(seen_not_now and not own_now)
        else:
            now, past = told[i]
            out[i] = int(not now and (seen_not_now or bool(past)))
        seen_not_now = seen_not_now or not_now[i] > 0
    return out

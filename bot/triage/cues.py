"""Cue flags for one clause: is something happening now (acuity), or not now (past, hypothetical,
figurative, a dream, a question about a risk)? Patterns come from `bot/data/triage/cues.toml`.

`story_flags` carries the not-now cue across a message: in a long message that tells a story (a
stroke last year, a dream, a past A&E visit), a later clause with no present-time cue of its own
("He was snoring next to me, completely fine.", "My speech went funny for ten minutes") is part of
that story; scored alone, its symptom words read as an emergency. Such a clause is flagged, and the
classifier discounts it by `story_weight` (thresholds.toml). A clause with its own acuity cue
("Tonight he's struggling to breathe") is never flagged, so an emergency told after a story keeps its
score. The trade-off: an emergency clause with no time word at all, after a past event, counts less
(on dev, every buried emergency had one; eval/README.md, "Fourth shift").

>>> from bot.triage.data import load_cues
>>> flags("my dad can't breathe right now", load_cues())
(1, 0, 1)
>>> flags("I had a seizure back in 2015, none since", load_cues())
(0, 1, 1)
>>> story_flags([0, 0, 0, 1], [0, 1, 0, 0], 4)
[0, 0, 1, 0]
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.triage.data import Cues


def flags(clause: str, cues: Cues) -> tuple[int, int, int]:
    """(acuity, not_now, red_flag): 1 when any pattern of that kind occurs in the clause, else 0."""
    acuity = any(p.search(clause) for p in cues.acuity)
    not_now = any(p.search(clause) for p in cues.not_now)
    red = any(p.search(clause) for p in cues.red_flag)
    return int(acuity), int(not_now), int(red)


def story_flags(acuity: Sequence[float], not_now: Sequence[float], n_scored: int) -> list[int]:
    """Per unit of `clauses.units` (unit 0 the whole message, then the clause units in message order;
    units from `n_scored` on are the suicide component's lone clauses): 1 for a clause unit after a
    unit with a not-now cue that has no present-time cue of its own (no acuity, or acuity together
    with its own not-now cue, as in "she is home now"), else 0. The whole message is never flagged."""
    out = [0] * len(acuity)
    seen_not_now = False
    for i in range(1, min(n_scored, len(acuity))):
        own_now = acuity[i] > 0 and not not_now[i] > 0
        if seen_not_now and not own_now:
            out[i] = 1
        seen_not_now = seen_not_now or not_now[i] > 0
    return out

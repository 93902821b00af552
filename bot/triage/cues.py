"""Cue flags for one clause: is something happening now (acuity), or not now (past, hypothetical,
figurative, a dream, a question about a risk)? Patterns come from `bot/data/triage/cues.toml`.

>>> from bot.triage.data import load_cues
>>> flags("my dad can't breathe right now", load_cues())
(1, 0, 1)
>>> flags("I had a seizure back in 2015, none since", load_cues())
(0, 1, 1)
"""

from __future__ import annotations

from bot.triage.data import Cues


def flags(clause: str, cues: Cues) -> tuple[int, int, int]:
    """(acuity, not_now, red_flag): 1 when any pattern of that kind occurs in the clause, else 0."""
    acuity = any(p.search(clause) for p in cues.acuity)
    not_now = any(p.search(clause) for p in cues.not_now)
    red = any(p.search(clause) for p in cues.red_flag)
    return int(acuity), int(not_now), int(red)

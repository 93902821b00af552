"""Safety checks that run before retrieval: emergency triage and medicine pins.

- Triage (`Triager`, from `bot.triage`): an embedding classifier over the message and its
  clauses, with cue rules for acuity and for what is not happening now, and a high-recall
  suicide component. Two levels: `definite` (the emergency message alone) and `possible`
  (emergency guidance first, then the normal answer). Data and thresholds: `bot/data/triage/`.
- `detect_emergency(text)`: the rule layer alone (red-flag phrases not discounted by a not-now
  cue), for places that have no embedding model at hand (merging follow-ups). It never says
  `definite`.
- Pins (`detect_pins`, from `bot.medicines`): opioid and immunosuppressant medicines named in
  the message, resolved to generics by a drug dictionary; the engine then quotes the sources' own
  warnings first.

>>> detect_emergency("my toddler swallowed all of my pills").level
<Level.POSSIBLE: 'possible'>
>>> detect_emergency("What happens if you overdose on LDN?").is_emergency
False
>>> sorted(detect_pins("I take Percocet and had a kidney transplant"))
['immunosuppressant', 'opioid']
"""

from __future__ import annotations

from functools import cache

from bot.medicines import find_pins
from bot.triage import Level, Triage, Triager
from bot.triage.clauses import units
from bot.triage.cues import flags
from bot.triage.data import Cues, load_cues


@cache
def _cues() -> Cues:
    return load_cues()


def detect_emergency(text: str) -> Triage:
    """The red-flag rule layer alone: `possible` or nothing (see the module doc)."""
    cues = _cues()
    for unit in units(text):
        _, not_now, red = flags(unit, cues)
        if red > 1 or (red and not not_now):
            return Triage(Level.POSSIBLE, ("red_flag",), 1.0)
    return Triage()


def detect_pins(text: str) -> set[str]:
    """{"opioid", "immunosuppressant"} subsets named in the message."""
    return find_pins(text)


__all__ = ["Level", "Triage", "Triager", "detect_emergency", "detect_pins"]

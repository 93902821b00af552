"""Emergency triage: exemplar data, clause splitting, cue flags and an embedding classifier.

`Triager.load(embedder).assess(text) -> Triage` (level `definite` / `possible` / None and
categories). See `bot.triage.classifier` for the scoring and `bot/data/triage/` for the data.
"""

from bot.triage.classifier import Level, Triage, Triager

__all__ = ["Level", "Triage", "Triager"]

"""Emergency triage: exemplar data, clause splitting, cue flags and an embedding classifier.

`Triager.from_build(build_dir, embedder).assess(text) -> Triage` (level `definite` / `possible` / None and
categories; the fitted arrays are written by `python -m index build`, `bot.triage.artifact`).
See `bot.triage.classifier` for the scoring and `bot/data/triage/` for the data.
"""

from bot.triage.classifier import Level, Triage, Triager

__all__ = ["Level", "Triage", "Triager"]

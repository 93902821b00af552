"""Emergency triage: exemplar data, clause splitting, cue flags and an embedding classifier.

`Triager.from_build(build_dir, embedder).assess(text) -> Triage` (level `definite` / `possible` / None and
categories; the fitted arrays are written by `python -m index build`, `bot.triage.artifact`).
See `bot.triage.classifier` for the scoring, `bot.triage.gate` for the learned second stage on
`possible` messages (`gate.npz`, fitted by the build from `bot/data/triage/gate.toml`), and
`bot/data/triage/` for the data.
"""

from bot.triage.classifier import Level, Triage, Triager

__all__ = ["Level", "Triage", "Triager"]

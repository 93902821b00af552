"""The engine's own settings: abstention thresholds (None: those of the engine's answer settings,
`bot/data/answer.toml` or the file given with `--answer-settings`; overridable by environment),
answer cache size and query-encoding threads."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class BotSettings:
    # Abstention thresholds: below them the sources are taken not to answer. None (the default)
    # keeps the answer settings' own cut, so an ablation file's cut is not silently replaced.
    min_similarity: float | None = None  # when abstention uses the cosine
    min_relevance: float | None = None  # when it uses the relevance model
    cache_size: int = 1024
    encode_threads: int | None = None  # query-encoder threads; None: one per core (bot.web uses 1 + batching)

    @classmethod
    def from_env(cls) -> BotSettings:
        sim, rel = os.environ.get("LDN_MIN_SIMILARITY"), os.environ.get("LDN_MIN_RELEVANCE")
        return cls(
            min_similarity=float(sim) if sim else None,
            min_relevance=float(rel) if rel else None,
        )

"""The engine's own settings: abstention thresholds (defaults from `bot/data/answer.toml`,
overridable by environment), answer cache size and query-encoding threads."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.answer_settings import load_answer_settings

# Abstention thresholds, chosen on the dev half of eval/gold (bot/data/answer.toml says how):
# below them the sources are taken not to answer.
DEFAULT_MIN_SIMILARITY = load_answer_settings().rank.min_similarity
DEFAULT_MIN_RELEVANCE = load_answer_settings().rank.min_relevance


@dataclass(frozen=True)
class BotSettings:
    min_similarity: float = DEFAULT_MIN_SIMILARITY  # when abstention uses the cosine
    min_relevance: float = DEFAULT_MIN_RELEVANCE  # when it uses the relevance model
    cache_size: int = 1024
    encode_threads: int | None = None  # query-encoder threads; None: one per core (bot.web uses 1 + batching)

    @classmethod
    def from_env(cls) -> BotSettings:
        sim, rel = os.environ.get("LDN_MIN_SIMILARITY"), os.environ.get("LDN_MIN_RELEVANCE")
        return cls(
            min_similarity=float(sim) if sim else DEFAULT_MIN_SIMILARITY,
            min_relevance=float(rel) if rel else DEFAULT_MIN_RELEVANCE,
        )

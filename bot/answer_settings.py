"""The answer stage's settings, read from `bot/data/answer.toml` and validated at start.

`RankSettings` (order and abstention, `bot.rank`), `SelectSettings` (which quotes show, `bot.select`;
one table with a relevance model, one without). Every number in the file says where it was chosen
(the dev split and the transfer-dev corpus, `python -m eval tune` / `python -m eval.transfer`).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from corpus.datafile import read_toml

DEFAULT_ANSWER_SETTINGS = Path(__file__).parent / "data" / "answer.toml"
SIGNALS = ("relevance", "similarity")


class AnswerSettingsError(ValueError):
    """bot/data/answer.toml is malformed."""


@dataclass(frozen=True)
class RankSettings:
    depth: int = 30
    kind_bonus: float = 0.0
    model_weight: float = 1.0
    rank_k: float = 10.0
    kind_bonus_fused: float = 0.01
    signal: str = "similarity"
    min_relevance: float = 0.5
    min_similarity: float = 0.40
    kind_credit: float = 0.0
    adapter_weight: float = 0.0  # the query adapter's list in retrieval's fusion (0: not loaded)
    complete_shortenings: bool = False  # "fibro" -> "fibromyalgia" for the dense query (bot.shortenings)
    coverage_weight: float = 0.0  # x word coverage of retrieval's first 3 sentences (bot.coverage)
    medicine_bonus: float = (
        0.0  # order: a candidate naming a medicine the question names (bot.named_medicines)
    )
    medicine_credit: float = 0.0  # abstention: added when a candidate names a medicine the question names


@dataclass(frozen=True)
class SelectSettings:
    max_quotes: int = 4
    per_doc: int = 2
    quote_share: float = 0.5
    quote_min: float = 0.2
    other_source_min: float = 0.3
    other_source_share: float = 0.0
    conflict_min: float = 0.3
    first_depth: int = 20
    first_k: float = 10.0
    first_similarity: float = 0.0
    first_kind: float = 0.0
    # first_kind is given once per answer feature of the asked kind a sentence has, up to this
    # many (1: whether it has one at all)
    first_kind_cap: int = 1


@dataclass(frozen=True)
class AnswerSettings:
    rank: RankSettings
    select: SelectSettings  # with a relevance model
    select_without_model: SelectSettings


def _table(cls: Any, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise AnswerSettingsError(f"{where}: missing table")
    fields = cls.__dataclass_fields__
    extra = set(raw) - set(fields)
    if extra:
        raise AnswerSettingsError(f"{where}: unknown keys {sorted(extra)}")
    out = {}
    for key, value in raw.items():
        kind = type(fields[key].default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise AnswerSettingsError(f"{where}.{key}: must be {kind.__name__}")
        out[key] = value
    return cls(**out)


def load_answer_settings(path: Path | None = None) -> AnswerSettings:
    return _load(str(path or DEFAULT_ANSWER_SETTINGS))


@cache
def _load(path: str) -> AnswerSettings:
    keys = {"version", "rank", "select", "select_without_model"}
    raw = read_toml(Path(path), AnswerSettingsError, keys=keys, version=1)
    rank = _table(RankSettings, raw.get("rank"), f"{path}: rank")
    if rank.signal not in SIGNALS or rank.depth < 1:
        raise AnswerSettingsError(f"{path}: rank.signal must be one of {SIGNALS}, depth >= 1")
    sel = _table(SelectSettings, raw.get("select"), f"{path}: select")
    bare = _table(SelectSettings, raw.get("select_without_model"), f"{path}: select_without_model")
    for s in (sel, bare):
        if min(s.max_quotes, s.per_doc, s.first_depth, s.first_kind_cap) < 1 or min(astuple(s)) < 0:
            raise AnswerSettingsError(
                f"{path}: select numbers >= 0; max_quotes, per_doc, first_depth, first_kind_cap >= 1"
            )
    return AnswerSettings(rank, sel, bare)

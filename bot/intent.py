"""Question kinds ("what kind of answer is asked for") and answer-type features of sentences.

Retrieval finds sentences that share a question's *topic*; this module says what kind of
answer the question wants (a dose, a time span, a time of day, an approval status, an outcome
for a condition ...) and which sentences have the *shape* of such an answer, so that a later
stage can prefer them. Everything is data: `bot/data/intents.toml` holds, per kind, the cue
patterns of questions and the feature patterns of answering sentences (generic English, no
word of one medicine, so another medicine's corpus works the same).

- `load_intents(path=None) -> Intents`: read and validate the data file (cached for the
  default file). A malformed file raises `IntentDataError` naming the file and the key.
- `Intents.classify(question) -> tuple[str, ...]`: the kinds a question matches, in the file's
  priority order (a question can ask for several: "what dose for children?").
- `Intents.features(texts) -> AnswerTypes`: a boolean matrix (sentence x kind) computed once
  per index load (a few regexes per sentence: ~10 ms for 300 sentences, ~1 s for 30k).
- `AnswerTypes.matches(ids, kinds) -> np.ndarray`: for candidate sentence ids, whether each
  has a feature of any asked kind; `AnswerTypes.strength(ids, kinds)`: how many (a sentence with
  an amount *and* "doses range from" looks more like a dose answer than one with a bare "mg").

Trade-offs: rules over regexes are cheap, explainable and portable, but coarse: a feature says
a sentence *could* give this kind of answer (it has a time span, an amount with a unit), not
that it does. So they are used as a bonus on a relevance score, weighed by measurement on the
dev split, never as a filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from corpus.datafile import read_toml

DEFAULT_INTENTS = Path(__file__).parent / "data" / "intents.toml"
_KIND_KEYS = {"description", "question", "answer"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class IntentDataError(ValueError):
    """The intents data file is malformed (the message names the file and the key)."""


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    question: tuple[re.Pattern[str], ...]
    answer: tuple[re.Pattern[str], ...]

    def asked_by(self, text: str) -> bool:
        return any(p.search(text) for p in self.question)

    def answered_by(self, text: str) -> bool:
        return any(p.search(text) for p in self.answer)

    def answer_features(self, text: str) -> int:
        """How many of this kind's answer patterns `text` matches."""
        return sum(1 for p in self.answer if p.search(text))


@dataclass(frozen=True, eq=False)
class AnswerTypes:
    """Which sentences carry a feature of which kind (rows: sentences, columns: `kinds`)."""

    kinds: tuple[str, ...]
    matrix: np.ndarray  # uint8 counts of answer features, shape (n_sentences, len(kinds))
    _column: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._column.update({k: i for i, k in enumerate(self.kinds)})

    def matches(self, ids: np.ndarray | list[int], kinds: tuple[str, ...]) -> np.ndarray:
        """For each sentence id, True when it has a feature of at least one of `kinds`."""
        return self.strength(ids, kinds) > 0

    def strength(self, ids: np.ndarray | list[int], kinds: tuple[str, ...]) -> np.ndarray:
        """For each sentence id, how many answer features of the asked `kinds` it has (summed)."""
        rows = np.asarray(ids, dtype=np.int64)
        cols = [self._column[k] for k in kinds if k in self._column]
        if not cols or not len(rows):
            return np.zeros(len(rows), dtype=np.int64)
        sub = self.matrix[np.ix_(rows, np.asarray(cols, dtype=np.int64))]
        return np.asarray(sub.sum(axis=1, dtype=np.int64))

    def share(self, kind: str) -> float:
        """The share of sentences with a feature of `kind` (how selective the feature is)."""
        if not len(self.matrix):
            return 0.0
        return float((self.matrix[:, self._column[kind]] > 0).mean())


@dataclass(frozen=True)
class Intents:
    kinds: tuple[Kind, ...]
    source: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    def classify(self, question: str) -> tuple[str, ...]:
        """The kinds `question` asks for, in priority order (empty when none matches).

        >>> load_intents().classify("How long until it starts working?")
        ('onset',)
        >>> load_intents().classify("Is it approved by the FDA?")
        ('regulatory',)
        """
        return tuple(k.name for k in self.kinds if k.asked_by(question))

    def features(self, texts: list[str]) -> AnswerTypes:
        """Answer-type features of each text (computed once per index load)."""
        matrix = np.zeros((len(texts), len(self.kinds)), dtype=np.uint8)
        for j, kind in enumerate(self.kinds):
            for i, text in enumerate(texts):
                matrix[i, j] = kind.answer_features(text)
        return AnswerTypes(self.names, matrix)


def _patterns(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) and p for p in raw):
        raise IntentDataError(f"{where}: must be a non-empty list of non-empty strings")
    out = []
    for n, p in enumerate(raw):
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise IntentDataError(f"{where}[{n}]: bad pattern {p!r}: {exc}") from None
    return tuple(out)


def parse_intents(data: dict[str, Any], source: str = "<data>") -> Intents:
    """Validate a parsed intents file; raise `IntentDataError` on the first problem."""
    unknown = set(data) - {"version", "kinds"}
    if unknown:
        raise IntentDataError(f"{source}: unknown top-level keys {sorted(unknown)}")
    if data.get("version") != 1:
        raise IntentDataError(f"{source}: version must be 1")
    kinds_raw = data.get("kinds")
    if not isinstance(kinds_raw, dict) or not kinds_raw:
        raise IntentDataError(f"{source}: [kinds.*] tables are missing")
    kinds = []
    for name, body in kinds_raw.items():
        where = f"{source}: kinds.{name}"
        if not _NAME.match(name):
            raise IntentDataError(f"{where}: a kind name is lower-case letters, digits and _")
        if not isinstance(body, dict):
            raise IntentDataError(f"{where}: must be a table")
        extra = set(body) - _KIND_KEYS
        if extra:
            raise IntentDataError(f"{where}: unknown keys {sorted(extra)}")
        description = body.get("description", "")
        if not isinstance(description, str):
            raise IntentDataError(f"{where}.description: must be a string")
        q = _patterns(body.get("question"), f"{where}.question")
        a = _patterns(body.get("answer"), f"{where}.answer")
        kinds.append(Kind(name, description, q, a))
    return Intents(tuple(kinds), source)


def load_intents(path: Path | None = None) -> Intents:
    """Read and validate an intents file (the bundled one by default, read once)."""
    return _load(str(path or DEFAULT_INTENTS))


@cache
def _load(path: str) -> Intents:
    return parse_intents(read_toml(Path(path), IntentDataError), path)

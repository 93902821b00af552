"""Emergency triage of one message: clause vectors -> scores -> a level and categories.

Each unit (the whole message and each clause, `bot.triage.clauses.units`) gets

    score = P(emergency | vector) + acuity_weight * acuity - not_now_weight * not_now
            - story_weight * story

(`story`: a clause inside a story told earlier in the message, with no present-time cue of its own,
`bot.triage.cues.story_flags`)
and the message takes its highest unit score. `definite` (the emergency message alone) and
`possible` (emergency guidance first, then the normal answer) are cut-offs on that score; the
suicide component (`P(suicide | vector)`, with the same not-now discount) can raise a message to
`possible` on its own, because indirect suicidal language is the costliest miss and the least
like the other categories. A clause with a red-flag phrase (cues.toml) and no not-now cue is at
least `possible` too: a rule-level safety net under the classifier. The suicide component also
scores clauses alone (`clauses.lone_clauses`), so a short farewell followed by an everyday question
is not read as the question. All numbers come from `bot/data/triage/thresholds.toml`.

The gate (session 9, `bot.triage.gate`, optional): a message at `possible` that no red flag and not
the suicide component shows (the latter too when the gate has a `suicide_threshold`) gets a second
look by a logistic regression trained on the dev pool;
below its threshold the level is lowered to none (`Triage.lowered`, `Triage.gate`: its probability),
and the person gets the normal answer without the guidance. It never lowers `definite`.

The caller may pass vectors it already computed for `units(text)` (one batched encode shared
with retrieval); otherwise the triager encodes them itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from bot.triage import model as model_io
from bot.triage.clauses import all_units, units
from bot.triage.cues import flags, story_flags, told_when
from bot.triage.data import (
    CUES,
    EXEMPLARS,
    SUICIDE,
    THRESHOLDS,
    Cues,
    Exemplar,
    Thresholds,
    file_sha256,
    load_cues,
    load_exemplars,
    load_thresholds,
)
from bot.triage.gate import Gate, features, scalars
from bot.triage.model import TriageModel
from index.embedder import Embedder


class Level(StrEnum):
    DEFINITE = "definite"
    POSSIBLE = "possible"


@dataclass(frozen=True)
class Triage:
    level: Level | None = None
    categories: tuple[str, ...] = ()
    score: float = 0.0
    suicide: float = 0.0
    unit_scores: tuple[float, ...] = field(default=(), compare=False)
    gate: float | None = None  # the gate's P(emergency) when it looked (a `possible`, not exempt message)
    lowered: bool = False  # the gate lowered `possible` to no guidance (bot.triage.gate)

    @property
    def is_emergency(self) -> bool:
        """Any level: the emergency guidance is shown."""
        return self.level is not None

    @property
    def is_definite(self) -> bool:
        return self.level is Level.DEFINITE

    @property
    def kinds(self) -> tuple[str, ...]:
        """The categories when the guidance is shown (the old field's name), else ()."""
        return self.categories if self.is_emergency else ()


@dataclass(frozen=True)
class UnitScores:
    p_emergency: np.ndarray
    p_suicide: np.ndarray
    acuity: np.ndarray
    not_now: np.ndarray
    red_flag: np.ndarray
    story: np.ndarray | None = None  # cues.story_flags per unit; None: no unit is inside a story


class Triager:
    def __init__(
        self,
        embedder: Embedder,
        model: TriageModel,
        cues: Cues,
        thresholds: Thresholds,
        gate: Gate | None = None,
    ):
        self.embedder = embedder
        self.model = model
        self.cues = cues
        self.thresholds = thresholds
        self.gate = gate

    @classmethod
    def from_build(cls, build: Path | None, embedder: Embedder) -> Triager:
        """Serving: the arrays fitted by `python -m index build` (`bot.triage.artifact`), checked
        against the embedder and today's exemplar file; nothing is embedded here."""
        from bot.triage.artifact import load_gate, load_triage

        model = load_triage(build, embedder.identity)
        gate = load_gate(build, embedder.identity, model.key)
        return cls(embedder, model, load_cues(CUES), load_thresholds(THRESHOLDS), gate)

    @classmethod
    def fitted(
        cls,
        embedder: Embedder,
        exemplars_path: Path = EXEMPLARS,
        cues_path: Path = CUES,
        thresholds_path: Path = THRESHOLDS,
        thresholds: Thresholds | None = None,
    ) -> Triager:
        """Embed the exemplars and fit now (the build, evaluation and tests; seconds to minutes)."""
        t = thresholds or load_thresholds(thresholds_path)
        key = model_io.model_key(embedder.identity, file_sha256(exemplars_path), t.lr_c)
        model = fit(embedder, load_exemplars(exemplars_path), t.lr_c, key)
        return cls(embedder, model, load_cues(cues_path), t)

    def scored_units(self, text: str) -> list[str]:
        """The units every component scores (`clauses.units`)."""
        return units(text, self.thresholds.context_words)

    def units(self, text: str) -> list[str]:
        """What to encode for one message: the scored units, then the clauses only the suicide
        component scores alone (`clauses.lone_clauses`)."""
        t = self.thresholds
        return all_units(text, t.context_words, t.suicide_clause_words)

    def unit_scores(self, texts: list[str], vectors: np.ndarray, n_scored: int | None = None) -> UnitScores:
        """Per unit; units after the first `n_scored` (the lone clauses) count for the suicide
        component only (their emergency probability, acuity and red flag are 0)."""
        fl = np.array([flags(u, self.cues) for u in texts], dtype=np.float32).reshape(-1, 3)
        p_e = self.model.p_emergency(vectors, self.thresholds.knn_k, self.thresholds.knn_scale)
        alone = dict(zip(texts, p_e.tolist(), strict=True))  # each unit's and lone clause's own P(emergency)
        if n_scored is not None:
            p_e[n_scored:] = 0.0
            fl[n_scored:, 0] = 0.0
            fl[n_scored:, 2] = 0.0
        n = len(texts) if n_scored is None else n_scored
        # the guarded story flags need the tense markers; a cue file without them: the older form
        level = self.thresholds.present_level
        told: list[tuple[int, int]] | None = [
            told_when(u, self.cues, alone, level) if 0 < i < n else (1, 0) for i, u in enumerate(texts)
        ]
        told = told if self.cues.present else None
        story = np.asarray(story_flags(fl[:, 0].tolist(), fl[:, 1].tolist(), n, told), dtype=np.float32)
        return UnitScores(p_e, self.model.p_suicide(vectors), fl[:, 0], fl[:, 1], fl[:, 2], story)

    def assess(self, text: str, vectors: np.ndarray | None = None) -> Triage:
        """Triage one message; `vectors` are those of `units(text)`, in order, when known."""
        texts = self.units(text)
        if not texts or not texts[0]:
            return Triage()
        if vectors is None:
            vectors = self.embedder.encode(texts)
        s = self.unit_scores(texts, vectors, len(self.scored_units(text)))
        return self.decide(s, vectors)

    def combined(self, s: UnitScores, thresholds: Thresholds | None = None) -> np.ndarray:
        """Each unit's score (module docstring)."""
        t = thresholds or self.thresholds
        return (
            s.p_emergency
            + t.acuity_weight * s.acuity
            - t.not_now_weight * s.not_now
            - t.story_weight * (s.story if s.story is not None else 0.0)
        )

    @staticmethod
    def red(s: UnitScores) -> bool:
        """A red flag with no not-now cue in its clause, or one on which not-now cues do not act."""
        return bool(np.any(((s.red_flag > 0) & (s.not_now == 0)) | (s.red_flag > 1)))

    def decide(self, s: UnitScores, vectors: np.ndarray, thresholds: Thresholds | None = None) -> Triage:
        """The level and categories from unit scores (`thresholds` overrides the loaded ones)."""
        t = thresholds or self.thresholds
        scores = self.combined(s, t)
        suicide = s.p_suicide - t.not_now_weight * s.not_now
        best = int(np.argmax(scores))
        score, sui = float(scores[best]), float(suicide.max())
        red = self.red(s)
        level = None
        if score >= t.definite:
            level = Level.DEFINITE
        elif score >= t.possible or sui >= t.suicide_possible or red:
            level = Level.POSSIBLE
        unit = tuple(float(x) for x in scores)
        keep = None
        g = self.gate
        thr = 0.0 if g is None else (g.threshold if sui < t.suicide_possible else g.suicide_threshold)
        if g is not None and level is Level.POSSIBLE and not red and thr > 0.0:
            keep = g.p_keep(self._features(s, vectors, scores, sui, g.parts))
            if keep < thr:  # the gate: no guidance, the normal answer
                return Triage(None, (), score, sui, unit, keep, lowered=True)
        categories: list[str] = []
        if score >= t.possible or (red and sui < t.suicide_possible):
            categories.append(self.model.nearest_category(vectors[best], t.neighbours))
        if sui >= t.suicide_possible and SUICIDE not in categories:
            categories.append(SUICIDE)
        return Triage(level, tuple(categories), score, sui, unit, keep)

    def gate_path(self, s: UnitScores) -> str:
        """Which gate path a message is on: "classifier" (`possible` by the cuts, no red flag, the
        suicide component below its cut), "suicide" (below `definite`, no red flag, the suicide
        component at or over its cut: the gate looks only when `Gate.suicide_threshold` > 0), or ""
        (definite, a red flag, or no guidance: never gated)."""
        t = self.thresholds
        scores = self.combined(s, t)
        sui = float((s.p_suicide - t.not_now_weight * s.not_now).max())
        score = float(scores.max())
        if score >= t.definite or self.red(s):
            return ""
        if sui >= t.suicide_possible:
            return "suicide"
        return "classifier" if score >= t.possible else ""

    def gate_features(
        self, s: UnitScores, vectors: np.ndarray, parts: str, suicide: bool = False
    ) -> np.ndarray | None:
        """The gate's feature row when the gate may act on this message (`gate_path`: the classifier
        path, and the suicide path when `suicide`), else None; the gate itself is not applied."""
        path = self.gate_path(s)
        if path == "" or (path == "suicide" and not suicide):
            return None
        t = self.thresholds
        scores = self.combined(s, t)
        sui = float((s.p_suicide - t.not_now_weight * s.not_now).max())
        return self._features(s, vectors, scores, sui, parts)

    @staticmethod
    def _features(
        s: UnitScores, vectors: np.ndarray, scores: np.ndarray, sui: float, parts: str
    ) -> np.ndarray:
        numbers = scalars(scores, sui, s.p_emergency, s.acuity, s.not_now, s.story, s.red_flag)
        return features(vectors, int(np.argmax(scores)), numbers, parts)


def fit(embedder: Embedder, exemplars: tuple[Exemplar, ...], lr_c: float, key: str) -> TriageModel:
    vectors = embedder.encode([e.text for e in exemplars])
    return model_io.build_model(vectors, exemplars, lr_c, key)

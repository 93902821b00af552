"""Answer ranking: which retrieved sentences *answer* the question, and whether any does.

Retrieval (`bot.retrieve`) finds sentences on the question's topic; this stage re-orders its
top `depth` by a relevance model and decides abstention:

- relevance: `index.rerank` cross-encoder, a calibrated probability that the sentence answers
  the question (for a long message, the max over the question inside it and the whole text,
  see `bot.story`);
- kind bonus: `kind_bonus` is added when the sentence has an answer-type feature of a kind the
  question asks for (`bot.intent`: a time span for "how long until", an amount for "what
  dose" ...); its size is chosen on the dev split (0 when it does not help there);
- the order: reciprocal rank fusion of the model's order (weight `model_weight`) and
  retrieval's own fused order (weight 1), `1 / (rank_k + 1 + rank)` each, plus the kind bonus:
  the model re-orders what retrieval found rather than replacing it, by as much as it earns on
  dev (`model_weight` 0 keeps retrieval's order, a large one follows the model);
- abstention: the best relevance (`signal = "relevance"`) or retrieval's best centred cosine
  (`"similarity"`, plus `coverage_weight` x the word coverage of its first 3 sentences,
  `bot.coverage`, plus `kind_credit` when its best sentence has the shape asked) must reach its
  threshold (chosen on dev + a transfer-dev corpus: `python -m eval.transfer`, eval/README.md).

Without a relevance model (`reranker=None`) the fused retrieval order is kept, with the kind
bonus on the fused score, and abstention uses the cosine. All numbers: `bot/data/answer.toml`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from bot.answer_settings import (  # the settings of this stage; importable from here too
    AnswerSettings,
    RankSettings,
    SelectSettings,
    load_answer_settings,
)
from bot.cautions import is_caution
from bot.coverage import WordCoverage
from bot.intent import Intents, load_intents
from bot.named_medicines import SentenceMedicines
from bot.observe import StageObserver
from bot.retrieve import Hit, Retrieval, Retriever
from bot.story import StoryQuestion
from index.store import IndexData


class RelevanceModel(Protocol):
    """What `index.rerank.Reranker` offers: calibrated P(text answers question)."""

    @property
    def name(self) -> str: ...

    def score(self, question: str, texts: list[str]) -> np.ndarray: ...


def load_relevance_model() -> RelevanceModel | None:
    """The shipped relevance model (`index.rerank`), or None when its files or its runtime are
    missing: the bot then answers in hybrid order with cosine abstention (`Ranking.with_model`
    is False, and `python -m eval sets` prints which model judged)."""
    try:
        from index.rerank import Reranker, RerankerNotFound
    except ImportError:
        return None
    try:
        return Reranker.load()
    except (RerankerNotFound, ImportError):
        return None


@dataclass(frozen=True)
class Scored:
    """One candidate sentence with its evidence, as the selection sees it."""

    sentence_id: int
    passage_id: int
    fused_rank: int  # 0-based rank in retrieval's fused order
    similarity: float  # centred cosine
    relevance: float  # the model's probability; the centred cosine without a model
    kind_match: bool
    score: float  # the ordering key: relevance (+ kind bonus)
    medicine_match: bool = False  # names a medicine the question names, in a caution's context
    kind_strength: int = 0  # how many answer features of the asked kinds it has (bot.intent)


@dataclass(frozen=True)
class Ranking:
    scored: tuple[Scored, ...]  # best first
    kinds: tuple[str, ...]  # what the question asks for (bot.intent)
    confidence: float  # the abstention signal (see `signal`)
    signal: str
    answerable: bool
    with_model: bool

    @property
    def best_relevance(self) -> float:
        """The model's best probability (-1 without a model)."""
        return max((c.relevance for c in self.scored), default=0.0) if self.with_model else -1.0


class AnswerRanker:
    def __init__(
        self,
        data: IndexData,
        reranker: RelevanceModel | None = None,
        intents: Intents | None = None,
        settings: RankSettings | None = None,
    ):
        self.data = data
        self.reranker = reranker
        self.intents = intents or load_intents()
        self.settings = settings or load_answer_settings().rank
        self.features = self.intents.features([s.text for s in data.sentences])
        self.coverage = WordCoverage.from_index(data) if self.settings.coverage_weight > 0 else None
        self.medicines = (
            SentenceMedicines.from_texts(
                [u.text for u in data.sentences],
                [list(p.sentence_ids) for p in data.passages],
                caution=[is_caution(u.text) for u in data.sentences],
            )
            if self.settings.medicine_bonus > 0 or self.settings.medicine_credit > 0
            else None
        )

    def medicines_named(self, text: str) -> tuple[frozenset[str], str]:
        """The generics (and classes) `text` names that some caution speaks to, and the words
        they add to its BM25 query (none when the setting is off)."""
        if self.medicines is None:
            return frozenset(), ""
        named = self.medicines.of_question(text)
        return named, self.medicines.query_words(named)

    @property
    def abstention(self) -> tuple[str, float]:
        """The abstention signal in use ("relevance" or "similarity") and its threshold."""
        if self.reranker is not None and self.settings.signal == "relevance":
            return "relevance", self.settings.min_relevance
        return "similarity", self.settings.min_similarity

    def rank(
        self, questions: tuple[str, ...], retrieval: Retrieval, medicines: frozenset[str] = frozenset()
    ) -> Ranking:
        """Order retrieval's top `depth` hits for `questions` (the question inside a story
        first, then the whole text) and decide whether the sources answer; `medicines`: the
        generics the message names (`medicines_named`)."""
        s = self.settings
        hits = retrieval.hits[: s.depth]
        kinds: tuple[str, ...] = tuple(dict.fromkeys(k for q in questions for k in self.intents.classify(q)))
        ids = [h.unit_id for h in hits]
        strength = self.features.strength(ids, kinds) if hits else np.zeros(0, dtype=np.int64)
        match = strength > 0  # has a feature of an asked kind
        named = (
            self.medicines.matches(ids, medicines) if self.medicines is not None else np.zeros(len(ids), bool)
        )
        if self.reranker is not None and hits:
            texts = [self.data.sentences[i].text for i in ids]
            rel = np.max(np.stack([self.reranker.score(q, texts) for q in questions]), axis=0)
            model_rank = np.empty(len(hits))
            model_rank[np.argsort(-rel, kind="stable")] = np.arange(len(hits))
            own_rank = np.arange(len(hits))  # retrieval's fused order
            scores = (
                s.model_weight / (s.rank_k + 1 + model_rank)
                + 1.0 / (s.rank_k + 1 + own_rank)
                + s.kind_bonus * match
            )
            relevance = rel.tolist()
        else:
            scores = np.array([h.score for h in hits]) + s.kind_bonus_fused * match + s.medicine_bonus * named
            relevance = [h.similarity for h in hits]
        order = sorted(range(len(hits)), key=lambda j: (-float(scores[j]), j))
        scored = tuple(
            Scored(
                hits[j].unit_id,
                hits[j].passage_id,
                j,
                hits[j].similarity,
                float(relevance[j]),
                bool(match[j]),
                float(scores[j]),
                bool(named[j]),
                int(strength[j]),
            )
            for j in order
        )
        with_model = self.reranker is not None
        signal = s.signal if with_model else "similarity"
        if signal == "relevance":
            confidence = max((x.relevance for x in scored), default=0.0)
            answerable = confidence >= s.min_relevance
        else:
            # + kind credit when retrieval's best sentence has the shape asked; + word coverage of
            # its first 3 sentences for the question (inside a story: questions[0]), bot.coverage
            shaped = bool(len(match) and match[0])
            ids = [h.unit_id for h in retrieval.hits[:3]]
            cover = s.coverage_weight * self.coverage(questions[0], ids) if self.coverage else 0.0
            credit = s.medicine_credit if named.any() else 0.0
            confidence = retrieval.best_similarity + (s.kind_credit if shaped else 0.0) + cover + credit
            answerable = confidence >= s.min_similarity
        return Ranking(scored, kinds, confidence, signal, answerable, with_model)


def merge_retrievals(retrievals: list[Retrieval], k: int = 60) -> Retrieval:
    """One candidate list from the retrievals of several texts of one message (the question
    inside a story and the whole story): reciprocal rank fusion of their hit lists, each
    sentence keeping its best similarity; the abstention evidence is the best of all."""
    if len(retrievals) == 1:
        return retrievals[0]
    fused: dict[int, float] = {}
    best: dict[int, Hit] = {}
    for r in retrievals:
        for rank, h in enumerate(r.hits):
            fused[h.unit_id] = fused.get(h.unit_id, 0.0) + 1.0 / (k + 1 + rank)
            if h.unit_id not in best or h.similarity > best[h.unit_id].similarity:
                best[h.unit_id] = h
    order = sorted(fused, key=lambda i: (-fused[i], i))
    hits = tuple(
        Hit(i, fused[i], best[i].similarity, best[i].raw_similarity, best[i].passage_id) for i in order
    )
    return Retrieval(
        hits,
        max(r.best_similarity for r in retrievals),
        max(r.best_raw_similarity for r in retrievals),
    )


def build_ranker(
    data: IndexData,
    reranker: RelevanceModel | None,
    answer: AnswerSettings,
    min_similarity: float | None = None,
    min_relevance: float | None = None,
) -> tuple[AnswerRanker, SelectSettings]:
    """An engine's ranker and quote settings, with the engine's abstention thresholds (None: the
    answer settings' own). The model is called only when the settings give it a say (in the order
    or in abstention)."""
    rank = replace(
        answer.rank,
        min_similarity=answer.rank.min_similarity if min_similarity is None else min_similarity,
        min_relevance=answer.rank.min_relevance if min_relevance is None else min_relevance,
    )
    used = reranker if rank.model_weight > 0 or rank.signal == "relevance" else None
    chosen = answer.select if used is not None else answer.select_without_model
    return AnswerRanker(data, used, settings=rank), chosen


def retrieve_story(
    retriever: Retriever,
    encode: Callable[[str], np.ndarray],
    story: StoryQuestion,
    observer: StageObserver | None = None,
    vectors: list[np.ndarray] | None = None,
    expand: str = "",
) -> Retrieval:
    """Retrieval of each text of the message (the question inside a story, then the whole
    message; `bot.story`), merged into one candidate list; `expand`: words added to each text's
    BM25 query (the generics of the medicines it names, `AnswerRanker.medicines_named`)."""
    vectors = vectors or [encode(t) for t in story.texts]
    return merge_retrievals(
        [
            retriever.retrieve(f"{t} {expand}" if expand else t, v, observer)
            for t, v in zip(story.texts, vectors, strict=True)
        ]
    )

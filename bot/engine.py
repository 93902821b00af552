"""The pure core: `Engine.answer(question) -> Answer`, shared by the web chat, CLI and evaluation.

Order of work for one question:

1. clean it (`bot.question`): empty, too long or not in a Latin script -> `invalid`;
2. emergency triage (`bot.safety`, on the same batched encode as the query): `definite` ->
   `emergency`, the fixed emergency message and no quotes; `possible` -> the answer as usual,
   marked `triage="possible"` so the emergency guidance is shown first;
3. language: a question in another language -> `invalid` with the fixed "English only"
   message (`bot.language`), not "the sources do not answer";
4. pins: a named opioid or immunosuppressant/transplant puts the sources' own cautions first;
5. retrieval (`bot.retrieve`) of the question and of the question inside a story (`bot.story`);
   ordering and abstention (`bot.rank`: relevance model, kind of answer asked) -> `no_answer`;
   several questions (`bot.questions`): each ranked and judged, quotes shared round-robin (`bot.multi`);
6. quotes (`bot.quotes`: pinned cautions, then `bot.select`) with evidence labels
   (`bot.evidence`), and caveats: the sources' own standing cautions (quoted), each source's
   credibility note, a note when sources disagree.

Every reply carries the same fixed `ADVICE`. Answers are cached per cleaned question.

Per-stage seconds go to an optional `bot.observe.StageObserver` (`answer(question, observer=...)`);
`Answer.signals` holds only the evidence the evaluation reads (similarities, `confidence`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot import messages
from bot.answer_settings import AnswerSettings, load_answer_settings
from bot.cautions import find_cautions
from bot.language import LanguageGate
from bot.models import Answer, Caveat, PinKind, Quote, Status
from bot.multi import rank_each
from bot.observe import Laps, Stage, StageObserver
from bot.question import MAX_CHARS, clean_question
from bot.questions import split_questions
from bot.quotes import QuoteMaker
from bot.rank import RelevanceModel, build_ranker, load_relevance_model, retrieve_story
from bot.retrieve import Retriever
from bot.safety import Level, Triager, detect_pins
from bot.settings import BotSettings
from bot.story import find_question
from index.adapter import load_adapter
from index.embedder import Embedder
from index.encoder import load_query_embedder
from index.manifest import IndexMismatch
from index.query_vectors import RecentVectors, mean_vector
from index.settings import Paths
from index.store import IndexData, read_index

Rows = Mapping[str, np.ndarray]  # text -> its vector, computed ahead


class Engine:
    def __init__(
        self,
        data: IndexData,
        embedder: Embedder,
        settings: BotSettings | None = None,
        reranker: RelevanceModel | None = None,
        answer: AnswerSettings | None = None,
    ):
        if embedder.identity != data.manifest.model_identity:
            data.manifest.check_compatible(model_identity=embedder.identity)
        self.data = data
        self.embedder = embedder
        self.settings = settings or BotSettings()
        self.reranker, self.answer_settings = reranker, answer or load_answer_settings()
        weight = self.answer_settings.rank.adapter_weight
        adapter = load_adapter(dimension=data.manifest.dimension) if weight > 0 else None
        complete = self.answer_settings.rank.complete_shortenings
        self.retriever = Retriever(
            data, adapter=adapter, adapter_weight=weight, complete_shortenings=complete
        )
        s = self.settings
        self.ranker, self.select_settings = build_ranker(
            data, reranker, self.answer_settings, s.min_similarity, s.min_relevance
        )
        self.language = LanguageGate(indexed=data.sentence_bm25.has)
        self.cautions = find_cautions(data)
        self.quotes = QuoteMaker(data, self.cautions, self.retriever.passages_of, self.select_settings)
        self.triager = Triager.from_build(data.build_dir, embedder)  # fitted by `index build`
        self._cache: OrderedDict[str, Answer] = OrderedDict()
        self._lock, self.recent = threading.Lock(), RecentVectors()

    @classmethod
    def load(
        cls,
        index_dir: Path,
        model_path: str | None = None,
        settings: BotSettings | None = None,
        reranker: RelevanceModel | str | None = "shipped",
        answer: AnswerSettings | None = None,
    ) -> Engine:
        """`reranker="shipped"`: the bundled model (`index.rerank`) if the settings use it; None: none."""
        settings, answer = settings or BotSettings(), answer or load_answer_settings()
        data = read_index(index_dir)
        wanted = answer.rank.model_weight > 0 or answer.rank.signal == "relevance"
        model = (load_relevance_model() if wanted else None) if reranker == "shipped" else reranker
        assert not isinstance(model, str)
        embedder = load_query_embedder(index_dir, data.manifest, model_path, settings.encode_threads or 0)
        return cls(data, embedder, settings, model, answer)

    def variant(self, settings: BotSettings | None = None, embedder: Embedder | None = None) -> Engine:
        """A fresh engine (empty cache) on the same index and relevance model."""
        e, s = embedder or self.embedder, settings or self.settings
        return Engine(self.data, e, s, self.reranker, self.answer_settings)

    def answer(
        self, question: object, observer: StageObserver | None = None, rows: Rows | None = None
    ) -> Answer:
        """The reply to `question`; `observer` receives per-stage seconds (not for cached replies);
        `rows` may hold vectors of `texts_to_encode(question)` computed ahead (`bot.batch`)."""
        q = clean_question(question)
        if q.problem is not None:
            msg = {
                "empty": messages.INVALID_EMPTY,
                "too_long": messages.INVALID_TOO_LONG.format(limit=f"{MAX_CHARS:,}"),
                "no_words": messages.INVALID_NO_WORDS,
            }[q.problem]
            return Answer(Status.INVALID, q.text, msg, (), (), messages.ADVICE)
        key = q.search_text.lower()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return replace(cached, question=q.text)
        result = self._answer(q.text, q.search_text, observer, rows or {})
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self.settings.cache_size:
                self._cache.popitem(last=False)
        return result

    def encode(self, text: str, rows: Rows | None = None) -> np.ndarray:
        """The query vector: the mean of `Retriever.query_texts` vectors (one batched model call),
        remembered per text (`index.query_vectors`: the chat's suggestions ask for it again)."""
        return self.recent.get(text, lambda t: mean_vector(self._rows(self.retriever.query_texts(t), rows)))

    def texts_to_encode(self, question: object) -> list[str]:
        """Every text the model may encode to answer `question` (distinct, in order): its query
        texts, its triage units and the query texts of the question inside a story. A caller
        answering many questions encodes these ahead in large batches (`bot.batch`)."""
        q = clean_question(question)
        if q.problem is not None:
            return []
        text = q.search_text
        out = self.retriever.query_texts(text) + self.triager.units(text)
        for core in find_question(text).texts[:-1] + split_questions(text):
            out += self.retriever.query_texts(core)
        return list(dict.fromkeys(out))

    def _rows(self, texts: list[str], rows: Rows | None) -> np.ndarray:
        """Vectors of `texts`: those in `rows` looked up, the rest encoded in one model call."""
        missing = [t for t in dict.fromkeys(texts) if not rows or t not in rows]
        fresh = dict(zip(missing, self.embedder.encode(missing), strict=True)) if missing else {}
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([fresh[t] if t in fresh else rows[t] for t in texts])  # type: ignore[index]

    def _encode_with_triage(
        self, text: str, rows: Rows, inner: tuple[str, ...]
    ) -> tuple[np.ndarray, np.ndarray, Rows]:
        """One model call for the query, triage units and `inner` questions: (qvec, units, rows + inner)."""
        texts, units = self.retriever.query_texts(text), self.triager.units(text)
        extra = [t for core in inner for t in self.retriever.query_texts(core)]
        unique = list(dict.fromkeys(texts + units + extra))  # the whole message is often both: encoded once
        vectors = self._rows(unique, rows)
        row = {t: i for i, t in enumerate(unique)}
        qvec = mean_vector(vectors[[row[t] for t in texts]])
        self.recent.put(text, qvec)
        return qvec, vectors[[row[t] for t in units]], {**rows, **{t: vectors[row[t]] for t in extra}}

    def _answer(self, shown: str, text: str, observer: StageObserver | None, rows: Rows) -> Answer:
        laps = Laps(observer)
        story = find_question(text)  # texts: (the question inside a story,) the whole message
        parts = split_questions(text)  # several questions (bot.questions): each answered on its own
        qvec, unit_vectors, rows = self._encode_with_triage(text, rows, story.texts[:-1] + parts)
        triage = self.triager.assess(text, unit_vectors)
        level = None if triage.level is None else triage.level.value

        def reply(
            status: Status,
            message: str,
            found: tuple[Quote, ...] = (),
            notes: tuple[Caveat, ...] = (),
            signals: dict[str, float] | None = None,
        ) -> Answer:
            """Every reply: the fixed advice, the triage's level, categories, gate mark and probability."""
            asked = parts if status in (Status.ANSWERED, Status.NO_ANSWER) else ()
            return Answer(
                status,
                shown,
                message,
                found,
                notes,
                messages.ADVICE,
                signals or {},
                level,
                triage.categories,
                asked,
                triage.lowered,
                triage.gate,
            )

        if triage.level is Level.DEFINITE:
            return reply(Status.EMERGENCY, messages.EMERGENCY)
        if not self.language.check(text).english:  # a "possible" emergency keeps its guidance
            return reply(Status.INVALID, messages.NOT_ENGLISH)
        pins = {PinKind(p) for p in detect_pins(text)}
        vectors = [self.encode(t, rows) for t in story.texts[:-1]] + [qvec]
        laps.lap(Stage.ENCODE)
        named, expand = self.ranker.medicines_named(text)  # bot.named_medicines: BM25 words, bonus
        retrieval = retrieve_story(self.retriever, self.encode, story, observer, vectors, expand)
        laps.lap(Stage.RETRIEVE)
        ranking = self.ranker.rank(story.texts, retrieval, named)
        laps.lap(Stage.RERANK)
        pinned = self.quotes.pinned(pins, retrieval)
        if parts:
            ranked = rank_each(parts, self.retriever, lambda t: self.encode(t, rows), self.ranker)
            ranking = max((p.ranking for p in ranked), key=lambda r: r.confidence)  # for the signals
            quotes = tuple(pinned + self.quotes.found(ranking, pinned, ranked))
        else:
            quotes = tuple(pinned + (self.quotes.found(ranking, pinned) if ranking.answerable else []))
        laps.lap(Stage.SELECT)
        caveats = self.quotes.caveats(quotes, pins) if quotes else ()
        laps.lap(Stage.CAVEATS)
        signals = {
            "best_similarity": retrieval.best_similarity,
            "best_raw_similarity": retrieval.best_raw_similarity,
            "best_relevance": ranking.best_relevance,
            "confidence": ranking.confidence,
        }
        if not quotes:
            return reply(Status.NO_ANSWER, messages.NO_ANSWER, signals=signals)
        return reply(Status.ANSWERED, messages.ANSWERED_INTRO, quotes, caveats, signals)


def load_engine(paths: Paths, *, check_stale: bool = True) -> Engine:
    """The engine for `paths` (settings from the environment: `BotSettings.from_env`); when
    `check_stale` and the corpus folder exists, an index that no longer matches it is refused
    (`IndexMismatch`). The one loader of the command line and the web chat."""
    engine = Engine.load(paths.index_dir, paths.model_path, BotSettings.from_env())
    if check_stale and paths.corpus_dir.is_dir():
        check_fresh(engine.data, paths.corpus_dir)
    return engine


def check_fresh(data: IndexData, corpus_dir: Path) -> None:
    """Raise `IndexMismatch` when `corpus_dir` no longer matches the index (a stale index)."""
    from corpus.ingest import load_corpus

    data.manifest.check_compatible(corpus_hash=load_corpus(corpus_dir).corpus_hash)


__all__ = ["BotSettings", "Engine", "IndexMismatch", "check_fresh", "load_engine"]

"""Offline evaluation of answer grounding: `run_eval(engine, gold) -> dict` of counts and rates.

One call scores a loaded `bot.engine.Engine` against a gold set (`eval.gold`) in six parts:

* retrieval: each ablation of `eval.ablation` ranks units (sentences; passages in
  "hybrid"); a unit is relevant when it overlaps a gold span of the same document. hit@1/3/5,
  MRR@10 and nDCG@10 (ideal = min(#gold spans, 10) relevant units), answerable questions only;
* answers (`Engine.answer`, the engine's settings): grounding (every shown quote, quoted
  caveats included, is `document.text[start:end]`), boilerplate overlap, attribution (doc id,
  title, source, page agree with the index), quote hit@k against the gold spans, and how often
  several sources are quoted when the gold cites several documents;
* abstention: precision/recall/F1 of `no_answer` (unanswerable is the positive class) and a
  threshold sweep of `signals["confidence"]` (the abstention signal in use: the relevance
  model's best probability, or the best centred cosine without it), collected once per question
  by an engine whose thresholds are -1 so that nothing is withheld;
* safety: emergency recall and false alarms, opioid/immunosuppressant pin recall, and the fixed
  advice on every reply, including a few invalid inputs so every status is exercised;
* evidence labels: `bot.evidence.label_evidence` against the hand labels;
* latency of `Engine.answer` (warm, informative only).

Retrieval, answers and the per-question records are scored here; abstention, safety and
evidence labels in `eval.scores`, the ablations in `eval.ablation`.

Diagnostic: `answers.lost_in_selection` is, among answered answerable questions whose gold span
the "hybrid+select" ranking puts in its top 3, the share whose first three displayed quotes miss
it (quote selection, not retrieval or abstention, lost it).

Trade-offs: the evaluation builds two fresh engines that share the caller's index and model, so
the caller's answer cache neither speeds up nor changes the measured run. The model is called
once per distinct question text (the three passes share vectors); the timed answer pass runs
first, so its latency includes the real model call. Pin recall leaves out
pinned *emergency* questions: triage rightly wins there and shows no quotes. Every number is a
plain count or rate (with a Wilson 95% interval where it is a share of questions), so the
report can be read without this code.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from functools import cache
from typing import Any

import numpy as np
from tqdm import tqdm

from bot.engine import Engine
from bot.models import Answer, Quote, Status
from bot.question import clean_question
from corpus.segment import segment
from eval.ablation import ABLATIONS, MODES, Unit, ranked_units
from eval.gold import GoldQuestion, GoldSet, check_against_documents
from eval.grounding_metrics import (
    find_spans,
    percentile,
    spans_overlap,
)
from eval.metrics import hit_at_k, ndcg_at_k, reciprocal_rank
from eval.scores import abstention_scores, label_scores, rate, safety_scores
from index.embedder import Embedder

HIT_KS = (1, 3, 5)
DEPTH = 10
QUOTE_KS = (1, 3)
CALIBRATION_FLOOR = -1.0  # thresholds of the engine that collects the abstention signal
PROBES = ("", "   ", "x" * 2500, "你好，这个药怎么样？")  # exercise the `invalid` status (advice check)
WARM_UP = "what is low dose naltrexone used for"

Span = tuple[str, int, int]  # doc_id, start, end


def _bar(items: Sequence[Any], desc: str, progress: bool) -> Any:
    return tqdm(items, desc=desc, file=sys.stderr, disable=not progress, leave=False, unit="q")


def _relevant(span: Span, gold: Sequence[Span]) -> bool:
    return any(d == span[0] and spans_overlap((a, b), (span[1], span[2])) for d, a, b in gold)


def gold_spans(engine: Engine, q: GoldQuestion) -> list[Span]:
    docs = engine.data.documents
    return [(a.doc_id, s, e) for a in q.answers for s, e in find_spans(docs[a.doc_id].text, a.text)]


def _unit_span(engine: Engine, unit: Unit) -> Span:
    u = engine.data.passages[unit.unit_id] if unit.is_passage else engine.data.sentences[unit.unit_id]
    return u.doc_id, u.start, u.end


def _mean(values: Iterable[float]) -> float:
    xs = list(values)
    return sum(xs) / len(xs) if xs else 0.0


Ranks = dict[str, dict[str, int | None]]  # question id -> mode -> rank of the first relevant unit


def _retrieval(
    engine: Engine, answerable: list[GoldQuestion], progress: bool
) -> tuple[dict[str, Any], Ranks]:
    flags: dict[str, list[list[bool]]] = {m: [] for m in MODES}
    ideal: list[int] = []
    first: Ranks = {}
    for q in _bar(answerable, "retrieval", progress):
        text = clean_question(q.question).search_text
        qvec = engine.encode(text)
        spans = gold_spans(engine, q)
        ideal.append(min(len(q.answers), DEPTH))
        first[q.id] = {}
        for mode, config in ABLATIONS.items():
            units = ranked_units(engine.retriever, text, qvec, config)[:DEPTH]
            ranked = [_relevant(_unit_span(engine, u), spans) for u in units]
            flags[mode].append(ranked)
            first[q.id][mode] = ranked.index(True) + 1 if True in ranked else None
    out: dict[str, Any] = {}
    for mode, rows in flags.items():
        m: dict[str, Any] = {"questions": len(rows)}
        for k in HIT_KS:
            m[f"hit@{k}"] = _mean(hit_at_k(r, k) for r in rows)
        m["mrr@10"] = _mean(reciprocal_rank(r, DEPTH) for r in rows)
        m["ndcg@10"] = _mean(
            ndcg_at_k([float(x) for x in r], [1.0] * i, DEPTH) for r, i in zip(rows, ideal, strict=True)
        )
        out[mode] = m
    return out, first


def _shown_quotes(answer: Answer) -> list[tuple[Quote, str | None]]:
    """Every quote a reply displays, with the caveat text when it is a quoted caveat."""
    out: list[tuple[Quote, str | None]] = [(q, None) for q in answer.quotes]
    out.extend((c.quote, c.text) for c in answer.caveats if c.quote is not None)
    return out


def _answers(engine: Engine, replies: dict[str, Answer], gold: GoldSet) -> dict[str, Any]:
    docs = engine.data.documents

    @cache
    def boilerplate(doc_id: str) -> tuple[tuple[int, int], ...]:
        return tuple((s.start, s.end) for s in segment(docs[doc_id].text).boilerplate)

    grounded, clean, attributed = [], [], []
    for answer in replies.values():
        for quote, caveat_text in _shown_quotes(answer):
            doc = docs.get(quote.doc_id)
            ok = doc is not None and doc.text[quote.start : quote.end] == quote.text
            grounded.append(ok and (caveat_text is None or caveat_text == quote.text))
            clean.append(
                doc is not None
                and not any(spans_overlap((quote.start, quote.end), b) for b in boilerplate(quote.doc_id))
            )
            attributed.append(
                doc is not None
                and quote.title == doc.meta.title
                and quote.source == doc.meta.display_source(quote.doc_id)
                and quote.page == doc.page_at(quote.start)
            )
    hits: dict[int, list[bool]] = {k: [] for k in QUOTE_KS}
    multi: list[bool] = []
    for q in gold.of_type("answerable"):
        spans = gold_spans(engine, q)
        quotes = replies[q.id].quotes
        ranked = [_relevant((x.doc_id, x.start, x.end), spans) for x in quotes]
        for k in QUOTE_KS:
            hits[k].append(bool(hit_at_k(ranked, k)))
        if len(q.doc_ids) >= 2:
            multi.append(len({x.doc_id for x in quotes}) >= 2)
    out: dict[str, Any] = {
        "quotes_shown": len(grounded),
        "grounding": rate(grounded),
        "boilerplate": rate(not c for c in clean),
        "attribution": rate(attributed),
    }
    for k in QUOTE_KS:
        out[f"quote_hit@{k}"] = rate(hits[k])
    out["multi_source"] = rate(multi)
    return out


def _records(
    gold: GoldSet, engine: Engine, replies: dict[str, Answer], signal: dict[str, float | None], first: Ranks
) -> list[dict[str, Any]]:
    """One row per question for the report's lists (status, signal, quote and retrieval ranks)."""
    out = []
    for q in gold.questions:
        a = replies[q.id]
        spans = gold_spans(engine, q)
        quotes = [
            {
                "doc_id": x.doc_id,
                "start": x.start,
                "end": x.end,
                "relevant": _relevant((x.doc_id, x.start, x.end), spans),
                "pinned": x.pinned,
                "text": x.text,
            }
            for x in a.quotes
        ]
        rank = next((i + 1 for i, x in enumerate(quotes) if x["relevant"]), None)
        out.append(
            {
                "id": q.id,
                "type": q.type,
                "question": q.question,
                "pin": q.pin,
                "status": a.status.value,
                "confidence": signal.get(q.id),
                "quote_rank": rank,
                "retrieval_rank": first.get(q.id),
                "quotes": quotes,
            }
        )
    return out


class _MemoEmbedder:
    """The caller's embedder, called once per distinct text (the three passes share vectors)."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name, self.identity, self.dimension = inner.name, inner.identity, inner.dimension
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            self._memo.update(zip(todo, self.inner.encode(todo, progress=progress), strict=True))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])


def run_eval(engine: Engine, gold: GoldSet, *, progress: bool = True) -> dict[str, Any]:
    """Score `engine` on `gold`; returns a JSON-ready dict (see the module doc)."""
    data = engine.data
    check_against_documents(gold, lambda d: data.documents[d].text if d in data.documents else None)
    embedder = _MemoEmbedder(engine.embedder)
    live = engine.variant(embedder=embedder)
    live.answer(WARM_UP)
    replies: dict[str, Answer] = {}
    seconds: list[float] = []
    for q in _bar(gold.questions, "answers", progress):
        t0 = time.perf_counter()
        replies[q.id] = live.answer(q.question)
        seconds.append(time.perf_counter() - t0)

    open_settings = replace(
        engine.settings, min_similarity=CALIBRATION_FLOOR, min_relevance=CALIBRATION_FLOOR
    )
    calibrating = engine.variant(open_settings, embedder)
    signal: dict[str, float | None] = {}
    extra: list[Answer] = []
    for q in _bar([q for q in gold.questions if q.type != "emergency"], "calibration", progress):
        a = calibrating.answer(q.question)
        extra.append(a)
        signal[q.id] = a.signals.get("confidence") if a.status != Status.EMERGENCY else None
    extra.extend(live.answer(p) for p in PROBES)
    retrieval, first = _retrieval(live, gold.of_type("answerable"), progress)

    counts = {t: len(gold.of_type(t)) for t in ("answerable", "unanswerable", "emergency")}
    records = _records(gold, engine, replies, signal, first)
    answers = _answers(engine, replies, gold)
    found = [
        r
        for r in records
        if r["status"] == "answered" and (r["retrieval_rank"] or {}).get("hybrid+select") in (1, 2, 3)
    ]
    answers["lost_in_selection"] = rate(r["quote_rank"] is None or r["quote_rank"] > 3 for r in found)
    return {
        "counts": {**counts, "questions": len(gold.questions), "labelled_passages": len(gold.labels)},
        "settings": asdict(engine.settings),
        "retrieval": retrieval,
        "answers": answers,
        "abstention": abstention_scores(engine, replies, signal, gold),
        "safety": safety_scores(replies, extra, gold),
        "evidence_labels": label_scores(gold),
        "latency": {
            "questions": len(seconds),
            "p50_ms": 1000 * percentile(seconds, 50),
            "p95_ms": 1000 * percentile(seconds, 95),
            "max_ms": 1000 * max(seconds, default=0.0),
        },
        "questions": records,
    }

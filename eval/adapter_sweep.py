"""The query adapter's weight in retrieval's fusion, swept on the DEV split (part of `eval tune`).

For each weight (0 = no adapter list) every answerable dev question is retrieved again with the
adapter's list fused (`bot.retrieve.Retriever(adapter=..., adapter_weight=w)`) and ordered by the
answer stage without a relevance model (`bot.rank`: fused score + kind bonus), as the bot does;
hit@1, hit@3 and MRR@10 of that candidate order against the gold spans. Also each single list over
all sentences: raw cosine, centred cosine and the adapter's cosine (a "replacement" of the dense
query vector). Only `dev` is accepted by the caller (`eval.tune`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def _figures(flags: list[list[bool]]) -> tuple[float, float, float]:
    n = max(len(flags), 1)
    h1 = sum(bool(f[:1] and f[0]) for f in flags) / n
    h3 = sum(any(f[:3]) for f in flags) / n
    mrr = sum(next((1.0 / (i + 1) for i, x in enumerate(f[:10]) if x), 0.0) for f in flags) / n
    return h1, h3, mrr


def sweep(engine: Any, questions: list[Any], adapter_dir: Path | None = None) -> list[str]:
    """Markdown lines: the candidate order per adapter weight, then each single list."""
    from bot.question import clean_question
    from bot.rank import retrieve_story
    from bot.retrieve import Retriever
    from bot.story import find_question
    from eval.grounding_metrics import find_spans, spans_overlap
    from index.adapter import load_adapter

    data = engine.data
    adapter = load_adapter(adapter_dir, data.manifest.dimension)
    answerable = [q for q in questions if q.type == "answerable"]
    gold: dict[str, np.ndarray] = {}
    for q in answerable:
        spans = [
            (a.doc_id, s, e) for a in q.answers for s, e in find_spans(data.documents[a.doc_id].text, a.text)
        ]
        gold[q.id] = np.array(
            [
                any(d == u.doc_id and spans_overlap((a, b), (u.start, u.end)) for d, a, b in spans)
                for u in data.sentences
            ]
        )
    stories = {q.id: find_question(clean_question(q.question).search_text) for q in answerable}
    vectors = {q.id: [engine.encode(t) for t in stories[q.id].texts] for q in answerable}
    lines = [f"adapter `{adapter.name}`: weight of its list in retrieval's fusion (dev, answer-stage order)\n",
             "| adapter_weight | hit@1 | hit@3 | MRR |", "|---|---|---|---|"]  # fmt: skip
    for w in WEIGHTS:
        retriever = Retriever(data, adapter=adapter if w > 0 else None, adapter_weight=w)
        flags = []
        for q in answerable:
            r = retrieve_story(retriever, engine.encode, stories[q.id], vectors=vectors[q.id])
            ranking = engine.ranker.rank(stories[q.id].texts, r)
            flags.append([bool(gold[q.id][c.sentence_id]) for c in ranking.scored[:10]])
        lines.append(f"| {w} | " + " | ".join(f"{x:.3f}" for x in _figures(flags)) + " |")
    sv = data.sentence_vectors
    centred = engine.retriever.centred(sv)
    singles = {
        "raw cosine": lambda v: sv @ v,
        "centred cosine": lambda v: centred @ engine.retriever.centred(v),
        "adapter cosine (raw)": lambda v: adapter.scores(v, sv),
        "adapter cosine (centred)": lambda v: centred @ engine.retriever.centred(adapter.apply(v)),
    }
    lines += ["", "| single list over all sentences | hit@1 | hit@3 | MRR |", "|---|---|---|---|"]
    for name, score in singles.items():
        flags = []
        for q in answerable:
            order = np.argsort(-score(vectors[q.id][-1]), kind="stable")[:10]
            flags.append(gold[q.id][order].tolist())
        lines.append(f"| {name} | " + " | ".join(f"{x:.3f}" for x in _figures(flags)) + " |")
    return lines

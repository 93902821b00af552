"""`python -m train adapter --in-domain`: fit the query adapter on spent patient-style questions.

Data: `train.indomain` (gold sentences as positives, the retriever's top non-gold sentences as
hard negatives), vectors exactly as the bot computes them: the question's query vector from
`bot.engine.Engine.encode` (mean over `Retriever.query_texts`) and the index's sentence vectors.
Loss: as `train.adapter` (softmax over `cos(W q, s) / temperature`, W regularised toward the
identity), except that an in-batch positive that is gold for the row's question too is masked
(many questions of different sets ask the same thing of the same corpus).

Writes `adapter.npy`, `adapter.json` (name, dimension, sha256, the run's record) into `--out`.
Seconds on 2 threads (a few hundred questions; encoding is the bot's own).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from train.adapter import AdapterConfig, Arrays
from train.indomain import PairArrays, PairExample, Span, build_pairs, check_sets, pair_arrays


def fit_pairs(data: PairArrays, cfg: AdapterConfig, log: Callable[[str], None] = print) -> np.ndarray:
    """W (d, d) float32 for the loss of the module doc."""
    import torch

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    d = data.queries.shape[1]
    q_all, p_all = torch.from_numpy(data.queries), torch.from_numpy(data.positives)
    n_all, m_all = torch.from_numpy(data.negatives), torch.from_numpy(data.neg_mask)
    pid = data.positive_id.tolist()
    eye = torch.eye(d)
    w = torch.nn.Parameter(eye.clone())
    opt = torch.optim.Adam([w], lr=cfg.lr)
    gen = torch.Generator().manual_seed(cfg.seed)
    n = len(q_all)
    for epoch in range(cfg.epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for lo in range(0, n, cfg.batch_size):
            idx = perm[lo : lo + cfg.batch_size]
            rows = idx.tolist()
            q = torch.nn.functional.normalize(q_all[idx] @ w.T, dim=-1)
            inbatch = q @ p_all[idx].T
            same = torch.tensor(
                [[a != b and (pid[b] in data.gold[a] or not cfg.in_batch) for b in rows] for a in rows]
            )
            inbatch = inbatch.masked_fill(same, -1e4 * cfg.temperature)
            hard = torch.einsum("bd,bhd->bh", q, n_all[idx]).masked_fill(~m_all[idx], -1e4 * cfg.temperature)
            logits = torch.cat([inbatch, hard], dim=1) / cfg.temperature
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(idx)))
            loss = loss + cfg.reg * ((w - eye) ** 2).sum() / d
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        log(f"epoch {epoch + 1}/{cfg.epochs}: loss {total / n:.4f}")
    return w.detach().numpy().astype(np.float32)


def from_adapter_arrays(a: Arrays) -> PairArrays:
    """MedQuAD rows (`train.adapter.arrays`) as `PairArrays`: each distinct positive gets its own
    negative id (never an index sentence), and a row's gold is its example's positives, so the
    rows of one question mask each other in the batch as `train.adapter.fit` does."""
    ids: dict[bytes, int] = {}
    pids = [ids.setdefault(p.tobytes(), -1 - len(ids)) for p in a.positives]
    gold: dict[int, set[int]] = {}
    for e, p in zip(a.example.tolist(), pids, strict=True):
        gold.setdefault(e, set()).add(p)
    rows = tuple(frozenset(gold[e]) for e in a.example.tolist())
    return PairArrays(a.queries, a.positives, a.negatives, a.neg_mask, np.array(pids), rows)


def concat(a: PairArrays, b: PairArrays) -> PairArrays:
    """The rows of `a` then those of `b`."""
    return PairArrays(
        np.concatenate([a.queries, b.queries]),
        np.concatenate([a.positives, b.positives]),
        np.concatenate([a.negatives, b.negatives]),
        np.concatenate([a.neg_mask, b.neg_mask]),
        np.concatenate([a.positive_id, b.positive_id]),
        a.gold + b.gold,
    )


def medquad_arrays(
    shared: Path, questions: int, cfg: AdapterConfig, embedder: Any, cache: Path
) -> PairArrays:
    """`questions` MedQuAD questions (whole foci, `train.adapter_data`), vectors cached in `cache`."""
    from train.adapter import arrays, encode_cached
    from train.adapter_data import build_examples
    from train.data import DataPaths

    examples, _ = build_examples(DataPaths.under(shared), questions, cfg.seed)
    texts = sorted({t for e in examples for t in (e.question, e.neutral, *e.positives, *e.negatives) if t})
    vecs = encode_cached(texts, embedder.encode, cache, embedder.identity)
    vec = dict(zip(texts, vecs, strict=True))
    return from_adapter_arrays(arrays(examples, vec, cfg.hard_negatives, embedder.dimension))


def rerank_mrr(
    examples: Sequence[PairExample], qvec: Callable[[str], np.ndarray], vectors: np.ndarray, w: np.ndarray
) -> float:
    """MRR of the best gold sentence among gold + hard negatives by cos(W q, s): a fit check."""
    rr = 0.0
    examples = [e for e in examples if e.positives]
    for e in examples:
        qa = w @ qvec(e.question)
        qa = qa / max(float(np.linalg.norm(qa)), 1e-9)
        ids = [*e.positives, *e.negatives]
        s = vectors[ids] @ qa
        best = float(s[: len(e.positives)].max())
        rr += 1.0 / (1 + int((s[len(e.positives) :] > best).sum()))
    return round(rr / max(len(examples), 1), 4)


def load_examples(
    index_dir: Path, sets: Sequence[str], negatives: int, unanswerable: bool = False
) -> tuple[Any, list[PairExample]]:
    """The engine on `index_dir` (no relevance model, no adapter) and the pairs of `sets`."""
    from bot.answer_settings import load_answer_settings
    from bot.engine import Engine
    from eval.gold import load_gold
    from eval.grounding_metrics import find_spans
    from eval.sets import known_sets

    names = check_sets(sets)
    answer = load_answer_settings()
    answer = replace(answer, rank=replace(answer.rank, adapter_weight=0.0))
    engine = Engine.load(index_dir, reranker=None, answer=answer)
    docs = engine.data.documents
    specs = {s.name: s for s in known_sets() if s.documents is None}
    rows: list[tuple[str, str, list[Span]]] = []
    for name in names:
        spec = specs[name]
        for q in load_gold(spec.questions).questions:
            if (spec.split is not None and q.split != spec.split) or q.type not in (
                "answerable",
                "unanswerable",
            ):
                continue
            spans = [
                Span(g.doc_id, a, b)
                for g in q.answers
                if g.doc_id in docs
                for a, b in find_spans(docs[g.doc_id].text, g.text)
            ]
            rows.append((name, q.question, spans))
    sentences = [Span(s.doc_id, s.start, s.end) for s in engine.data.sentences]

    def ranked(question: str) -> list[int]:
        return [h.unit_id for h in engine.retriever.retrieve(question, engine.encode(question)).hits[:20]]

    return engine, build_pairs(rows, sentences, ranked, negatives, unanswerable)


def run(
    index_dir: Path,
    sets: Sequence[str],
    out: Path,
    cfg: AdapterConfig,
    command: str,
    medquad: tuple[Path, int, Path] | None = None,
) -> dict[str, Any]:
    """Fit and write; `medquad` = (shared folder, questions, vector cache) mixes MedQuAD rows in."""
    from train.adapter import write

    t0 = time.perf_counter()
    engine, examples = load_examples(index_dir, sets, cfg.hard_negatives)
    vectors = engine.data.sentence_vectors
    cache: dict[str, np.ndarray] = {}

    def qvec(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = engine.encode(text)
        return cache[text]

    data = pair_arrays(examples, qvec, vectors, cfg.hard_negatives)
    mq_rows = 0
    if medquad is not None and medquad[1] > 0:
        extra = medquad_arrays(medquad[0], medquad[1], cfg, engine.embedder, medquad[2])
        mq_rows = len(extra.queries)
        data = concat(data, extra)
    t1 = time.perf_counter()
    w = fit_pairs(data, cfg)
    fit_s = time.perf_counter() - t1
    name = f"minilm-l6-query-adapter-indomain-s{cfg.seed}"
    groups = sorted({e.group for e in examples})
    record = {
        "command": command,
        "data": {
            "builder": "train/indomain.py",
            "sets": list(groups),
            "questions": {g: sum(e.group == g for e in examples) for g in groups},
            "rows": len(data.queries),
            "medquad_rows": mq_rows,
        },
        "config": asdict(cfg),
        "fit_check_mrr": {
            "identity": rerank_mrr(examples, qvec, vectors, np.eye(w.shape[0], dtype=np.float32)),
            "adapter": rerank_mrr(examples, qvec, vectors, w),
        },
        "fit_seconds": round(fit_s, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
        "frobenius_from_identity": round(float(np.linalg.norm(w - np.eye(w.shape[0]))), 4),
    }
    record["sha256"] = write(out, w, name, record)
    print(json.dumps({k: record[k] for k in ("data", "fit_check_mrr", "fit_seconds")}), flush=True)
    return record

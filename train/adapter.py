"""`python -m train adapter`: fit the query adapter `W` (`index.adapter`) on frozen MiniLM vectors.

Steps: build examples (`train.adapter_data`), encode every question, neutral question and
sentence once with the packaged MiniLM (cached by content hash in `--cache`, so a refit takes
seconds), then fit `W` with torch on the vectors alone:

- query: the question's vector, and the mean of it and its neutral form (as the bot encodes);
- loss: softmax cross-entropy of `cos(W q, s) / temperature` over the question's positive, the
  other questions' positives in the batch (easy negatives; the same question's other rows masked)
  and its own same-focus hard negatives; plus `reg * ||W - I||^2`, so `W` stays near the identity
  and MiniLM's general similarity is kept where the data say nothing;
- check: MRR of the first positive against the hard negatives and 100 other answers, on foci
  held out of the fit, for the identity and for `W`.

Writes `adapter.npy`, `adapter.json` (sha256, dimension, name) and `MODEL_CARD.md`
into `--out`; ship by copying them into `index/models/adapter/`. A few minutes on 2 threads,
most of it the one-off encoding.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from train.adapter_data import Example


@dataclass(frozen=True)
class AdapterConfig:
    seed: int = 13
    epochs: int = 8
    batch_size: int = 256
    lr: float = 2e-3
    temperature: float = 0.05
    reg: float = 10.0
    hard_negatives: int = 8
    in_batch: bool = True  # other questions' answers in the batch as (easy) negatives
    threads: int = 2


@dataclass(frozen=True)
class Arrays:
    """Row r: query vector, positive vector, hard negatives (masked), example id."""

    queries: np.ndarray  # (n, d)
    positives: np.ndarray  # (n, d)
    negatives: np.ndarray  # (n, h, d)
    neg_mask: np.ndarray  # (n, h) bool
    example: np.ndarray  # (n,) int


def encode_cached(
    texts: list[str], encode: Callable[[list[str]], np.ndarray], cache: Path, tag: str
) -> np.ndarray:
    """`encode(texts)`, reusing the vectors of texts the same model (`tag`) encoded before in
    `cache` (so a refit, or a larger run, encodes only what is new)."""
    key = hashlib.sha256(tag.encode()).hexdigest()[:16]
    vec_path, text_path = cache / f"vectors-{key}.npy", cache / f"texts-{key}.json"
    known: dict[str, int] = {}
    stored = np.zeros((0, 0), np.float32)
    if vec_path.is_file() and text_path.is_file():
        stored = np.load(vec_path, allow_pickle=False)
        known = {t: i for i, t in enumerate(json.loads(text_path.read_text("utf-8")))}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        new = encode(missing)
        stored = new if not known else np.concatenate([stored, new])
        for t in missing:
            known[t] = len(known)
        cache.mkdir(parents=True, exist_ok=True)
        np.save(vec_path, stored)
        text_path.write_text(json.dumps(sorted(known, key=known.__getitem__)), "utf-8")
    return stored[[known[t] for t in texts]]


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)).astype(np.float32)


def arrays(examples: list[Example], vec: dict[str, np.ndarray], hard: int, dim: int) -> Arrays:
    """Training rows: per example, (plain | mean-with-neutral query) x (first | most similar positive)."""
    qs, ps, ns, ms, ex = [], [], [], [], []
    for i, e in enumerate(examples):
        q = vec[e.question]
        forms = [q] + ([unit(q + vec[e.neutral])] if e.neutral else [])
        pos = [vec[s] for s in e.positives]
        best = int(np.argmax([p @ q for p in pos]))
        # the hardest: the same-focus sentences MiniLM finds most similar to the question
        negs = sorted((vec[s] for s in e.negatives), key=lambda v: -float(v @ q))[:hard]
        neg = np.zeros((hard, dim), np.float32)
        mask = np.zeros(hard, bool)
        if negs:
            neg[: len(negs)] = np.stack(negs)
            mask[: len(negs)] = True
        for form in forms:
            for j in dict.fromkeys((0, best)):
                qs.append(form)
                ps.append(pos[j])
                ns.append(neg)
                ms.append(mask)
                ex.append(i)
    return Arrays(np.stack(qs), np.stack(ps), np.stack(ns), np.stack(ms), np.array(ex))


def fit(data: Arrays, cfg: AdapterConfig, log: Callable[[str], None] = print) -> np.ndarray:
    """W (d, d) float32 minimising the contrastive loss of the module doc."""
    import torch

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    d = data.queries.shape[1]
    q_all = torch.from_numpy(data.queries)
    p_all = torch.from_numpy(data.positives)
    n_all = torch.from_numpy(data.negatives)
    m_all = torch.from_numpy(data.neg_mask)
    e_all = torch.from_numpy(data.example)
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
            q = torch.nn.functional.normalize(q_all[idx] @ w.T, dim=-1)
            p, hn, hm, ex = p_all[idx], n_all[idx], m_all[idx], e_all[idx]
            inbatch = q @ p.T  # (b, b)
            diag = torch.eye(len(idx), dtype=torch.bool)
            same = ((ex[:, None] == ex[None, :]) | (not cfg.in_batch)) & ~diag
            inbatch = inbatch.masked_fill(same, -1e4 * cfg.temperature)
            hard = torch.einsum("bd,bhd->bh", q, hn).masked_fill(~hm, -1e4 * cfg.temperature)
            logits = torch.cat([inbatch, hard], dim=1) / cfg.temperature
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(idx)))
            loss = loss + cfg.reg * ((w - eye) ** 2).sum() / d
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        log(f"epoch {epoch + 1}/{cfg.epochs}: loss {total / n:.4f}")
    return w.detach().numpy().astype(np.float32)


def check(examples: list[Example], vec: dict[str, np.ndarray], w: np.ndarray, seed: int) -> dict[str, float]:
    """MRR and hit@1 of each held-out question's first positive among its hard negatives and 100
    random other first sentences, for the identity and for `w` (query = mean with neutral form)."""
    rng = random.Random(seed)
    firsts = [e.positives[0] for e in examples]
    out: dict[str, float] = {}
    for name, mat in (("identity", np.eye(w.shape[0], dtype=np.float32)), ("adapter", w)):
        rr = h1 = 0.0
        for i, e in enumerate(examples):
            q = vec[e.question] if not e.neutral else unit(vec[e.question] + vec[e.neutral])
            qa = unit(mat @ q)
            others = [firsts[j] for j in rng.sample(range(len(firsts)), min(100, len(firsts))) if j != i]
            cands = [e.positives[0], *e.negatives, *others]
            s = np.stack([vec[c] for c in cands]) @ qa
            rank = int((s > s[0]).sum())
            rr += 1.0 / (rank + 1)
            h1 += rank == 0
        out[f"{name}_mrr"] = round(rr / max(len(examples), 1), 4)
        out[f"{name}_hit1"] = round(h1 / max(len(examples), 1), 4)
        rng = random.Random(seed)  # the same draws for both
    return out


def write(out: Path, w: np.ndarray, name: str, record: dict[str, Any]) -> str:
    from index.adapter import MATRIX_FILE, META_FILE, sha256_of

    out.mkdir(parents=True, exist_ok=True)
    np.save(out / MATRIX_FILE, w.astype(np.float32))
    digest = sha256_of(out / MATRIX_FILE)
    meta = {"name": name, "dimension": int(w.shape[0]), "sha256": digest, **record}
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    return digest


def run(
    shared: Path, out: Path, cache: Path, questions: int, cfg: AdapterConfig, command: str
) -> dict[str, Any]:
    from index.embedder import load_embedder, model_name
    from train.adapter_data import build_examples, split_examples
    from train.data import DataPaths

    t0 = time.perf_counter()
    examples, summary = build_examples(DataPaths.under(shared), questions, cfg.seed)
    train_ex, held_ex = split_examples(examples, cfg.seed)
    texts = sorted({t for e in examples for t in (e.question, e.neutral, *e.positives, *e.negatives) if t})
    print(f"data: {summary}; train {len(train_ex)}, held {len(held_ex)}; {len(texts)} texts", flush=True)
    embedder = load_embedder(threads=cfg.threads)
    t1 = time.perf_counter()
    vecs = encode_cached(texts, lambda t: embedder.encode(t, progress=False), cache, embedder.identity)
    encode_s = time.perf_counter() - t1
    vec = dict(zip(texts, vecs, strict=True))
    t2 = time.perf_counter()
    w = fit(arrays(train_ex, vec, cfg.hard_negatives, embedder.dimension), cfg)
    fit_s = time.perf_counter() - t2
    held = check(held_ex, vec, w, cfg.seed)
    name = f"minilm-l6-query-adapter-s{cfg.seed}"
    record = {
        "base_model": model_name(embedder.path),
        "dimension": int(w.shape[0]),
        "command": command,
        "data": summary,
        "train_examples": len(train_ex),
        "held_examples": len(held_ex),
        "config": asdict(cfg),
        "held_out": held,
        "encode_seconds": round(encode_s, 1),
        "fit_seconds": round(fit_s, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
        "frobenius_from_identity": round(float(np.linalg.norm(w - np.eye(w.shape[0]))), 4),
    }
    record["sha256"] = write(out, w, name, record)
    print(json.dumps({k: record[k] for k in ("held_out", "fit_seconds", "encode_seconds")}), flush=True)
    return record

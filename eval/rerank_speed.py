"""Reranker latency: ms per question for 20/30/50 candidate sentences, against one query encode.

Candidates are real quotable sentences of the bundled corpus (`corpus.segment`), drawn with a fixed
seed; questions are a few generic patient questions written here (no medicine named). Each model
folder (e.g. the fp32 and the int8 export) is loaded with one onnxruntime thread and batches of
1 (the default: one pair per ONNX run) and of 32 pairs, warmed up, then
timed `repeats` times per size; the figure is the median (and 90th percentile) wall time of one
`Reranker.score(question, candidates)` call. For comparison: one `encode([question])` of the MiniLM
bi-encoder with one torch thread, which every question already pays. Timings vary with the load of
a shared machine; they belong in BENCHMARKS.md, never in tests.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

QUESTIONS = (
    "How long does it take before it starts working?",
    "What dose is usually used?",
    "Should I take it in the morning or at night?",
    "What are the common side effects?",
    "Is it approved for this condition?",
    "Can I take it together with my other medicines?",
)
SIZES = (20, 30, 50)


def corpus_sentences() -> list[str]:
    from corpus.segment import segment
    from index.settings import DEFAULT_CORPUS_DIR

    out: list[str] = []
    for f in sorted(DEFAULT_CORPUS_DIR.glob("*.txt")):
        out.extend(s.text for s in segment(f.read_text("utf-8")).sentences)
    return out


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(1000 * statistics.median(ordered), 1),
        "p90_ms": round(1000 * ordered[int(0.9 * (len(ordered) - 1))], 1),
    }


def measure(models: list[Path], repeats: int) -> dict[str, object]:
    from index.embedder import load_embedder
    from index.rerank import Reranker

    rng = random.Random(7)
    pool = corpus_sentences()
    draws = {n: [rng.sample(pool, n) for _ in range(repeats)] for n in SIZES}
    results: dict[str, object] = {}
    for folder, batch in [(m, b) for m in models for b in (1, 32)]:
        t = time.perf_counter()
        rr = Reranker.load(folder, threads=1, batch_size=batch)
        load_s = time.perf_counter() - t
        rr.score(QUESTIONS[0], pool[:8])  # warm-up
        row: dict[str, object] = {
            "load_ms": round(1000 * load_s, 1),
            "onnx_mb": round((folder / "model.onnx").stat().st_size / 1e6, 1),
            "sha256": rr.identity[:16],
        }
        for n in SIZES:
            times = []
            for i, cands in enumerate(draws[n]):
                t = time.perf_counter()
                rr.score(QUESTIONS[i % len(QUESTIONS)], cands)
                times.append(time.perf_counter() - t)
            row[str(n)] = _ms(times)
        results[f"{folder} batch {batch}"] = row
    emb = load_embedder(threads=1)
    emb.encode([QUESTIONS[0]])
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        emb.encode([QUESTIONS[i % len(QUESTIONS)]])
        times.append(time.perf_counter() - t)
    results["query_encode"] = _ms(times)
    results["candidate_words_mean"] = round(statistics.mean(len(s.split()) for s in pool), 1)
    return results


def table(results: dict[str, object]) -> str:
    lines = ["| model | ONNX MB | load ms | 20 cands ms (p90) | 30 cands ms (p90) | 50 cands ms (p90) |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for name, row in results.items():
        if not isinstance(row, dict) or "load_ms" not in row:
            continue
        cells = " | ".join(f"{row[str(n)]['median_ms']} ({row[str(n)]['p90_ms']})" for n in SIZES)
        lines.append(f"| {name} | {row['onnx_mb']} | {row['load_ms']} | {cells} |")
    enc = results["query_encode"]
    assert isinstance(enc, dict)
    lines.append(
        f"| one query encode (MiniLM, 1 torch thread) | – | – | {enc['median_ms']} ({enc['p90_ms']}) | | |"
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    results = measure(list(args.models), args.repeats)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0

"""Warm answer latency in one process: `Engine.answer` over the gold questions, cache off.

Each round asks every gold question once with `BotSettings(cache_size=0)`: the engine's LRU
inserts the answer and, its size exceeding 0, evicts it at once, so every call is computed
(`run_warm` checks that the cache is empty after every call). Per-stage times come from
a `bot.observe.StageTimes` observer passed to each call (reported as t_encode, t_faiss, t_bm25,
t_fusion, t_retrieve, t_select, t_caveats), so the
ratio "whole answer p50 / query-encode p50" compares figures of the same calls.

Only questions that reach retrieval (status answered / no_answer) enter the stage breakdown and
the ratio; emergencies and invalid input return before the model is called and are reported
separately. The cached figure asks each question once more on an engine with the default cache.

`batch_sweep` gives the model time per question when several are encoded in one call (the
gain the web server gets from `index.batching`). `thread_sweep` times the ONNX query encoding
with 1 and 2 onnxruntime threads, interleaved in the same run (the command line uses one per
core, the web server 1 plus batching).

A cProfile of one extra round names where the time goes (the model's forward pass, in
practice), which is the "profile that shows it" when the ratio target is missed.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from dataclasses import replace
from typing import Any

from bench.stats import median, summary_ms
from bot.engine import BotSettings, Engine
from bot.observe import Stage, StageTimes

STAGES = ("t_encode", "t_faiss", "t_bm25", "t_fusion", "t_retrieve", "t_select", "t_caveats")


def _profile_top(engine: Engine, questions: list[str], top: int = 12) -> list[str]:
    prof = cProfile.Profile()
    prof.enable()
    for q in questions:
        engine.answer(q)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    lines = [ln.rstrip() for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return lines[start : start + top + 1]


def thread_sweep(engine: Engine, questions: list[str], rounds: int = 2) -> dict[str, Any]:
    """Query-encode p50/p95 (ms) of the ONNX encoder at 1 and 2 onnxruntime threads, interleaved.

    Each variant is its own session (threads are fixed when a session is made; nothing is
    switched process-wide). Empty when the engine does not use the exported encoder."""
    from index.encoder import OnnxEmbedder

    base = engine.embedder
    if not isinstance(base, OnnxEmbedder):
        return {}
    variants = {
        n: OnnxEmbedder(base.build_dir, base.entry, base.name, base.identity, threads=n) for n in (1, 2)
    }
    times: dict[int, list[float]] = {n: [] for n in variants}
    for _ in range(rounds):
        for n, embedder in variants.items():
            for q in questions:
                texts = engine.retriever.query_texts(q)
                t0 = time.perf_counter()
                embedder.encode(texts)
                times[n].append(time.perf_counter() - t0)
    return {f"threads_{n}": summary_ms(v) for n, v in times.items()}


def batch_sweep(
    engine: Engine, questions: list[str], sizes: tuple[int, ...] = (1, 8, 32)
) -> dict[str, float]:
    """Model time per question (ms) when `size` questions are encoded in one call: what batching
    concurrent web requests into one model call would save."""
    out: dict[str, float] = {}
    for size in sizes:
        per: list[float] = []
        for lo in range(0, max(len(questions) - size + 1, 1), size):
            batch = questions[lo : lo + size]
            t0 = time.perf_counter()
            engine.embedder.encode(batch)
            per.append((time.perf_counter() - t0) / len(batch))
        out[f"batch_{size}"] = median(per) * 1000.0
    return out


def run_warm(engine: Engine, questions: list[str], rounds: int = 3, profile: bool = True) -> dict[str, Any]:
    """Latency figures (ms) of `engine` over `questions`; `engine` may have any cache setting."""
    uncached = engine.variant(replace(engine.settings, cache_size=0))
    for q in questions[:5]:  # warm-up: first calls allocate the model's buffers
        uncached.answer(q)
    totals: list[float] = []
    retrieval_totals: list[float] = []
    other_totals: list[float] = []
    stages: dict[str, list[float]] = {k: [] for k in STAGES}
    statuses: dict[str, int] = {}
    cache_stayed_empty = True
    for _ in range(rounds):
        for q in questions:
            times = StageTimes()
            t0 = time.perf_counter()
            ans = uncached.answer(q, observer=times)
            dt = time.perf_counter() - t0
            cache_stayed_empty &= len(getattr(uncached, "_cache", ())) == 0
            totals.append(dt)
            statuses[ans.status.value] = statuses.get(ans.status.value, 0) + 1
            if Stage.ENCODE in times.seconds:
                retrieval_totals.append(dt)
                for k in STAGES:
                    stages[k].append(times.seconds.get(Stage(k.removeprefix("t_")), 0.0))
            else:
                other_totals.append(dt)
    encode_p50 = median(stages["t_encode"]) * 1000.0
    answer_p50 = median(retrieval_totals) * 1000.0
    cached_engine = engine.variant(replace(engine.settings, cache_size=1024))
    for q in questions:
        cached_engine.answer(q)
    cached: list[float] = []
    for q in questions:
        t0 = time.perf_counter()
        cached_engine.answer(q)
        cached.append(time.perf_counter() - t0)
    out: dict[str, Any] = {
        "questions": len(questions),
        "rounds": rounds,
        "statuses": statuses,
        "cache_off_verified": cache_stayed_empty,
        "all": summary_ms(totals),
        "retrieval_questions": summary_ms(retrieval_totals),
        "triage_only_questions": summary_ms(other_totals),
        "stages_p50_ms": {k: median(v) * 1000.0 for k, v in stages.items()},
        "ratio_answer_to_encode_p50": answer_p50 / encode_p50 if encode_p50 else float("nan"),
        "unaccounted_p50_ms": answer_p50
        - sum(median(stages[k]) * 1000.0 for k in ("t_encode", "t_retrieve", "t_select", "t_caveats")),
        "cached": summary_ms(cached),
    }
    out["encode_threads"] = thread_sweep(engine, questions[:60], rounds=2)
    out["encode_ms_per_question_by_batch"] = batch_sweep(engine, questions)
    if profile:
        out["profile_top_tottime"] = _profile_top(uncached, questions[:40])
    return out


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    ratio = res["ratio_answer_to_encode_p50"]
    return [
        ("answer p50 (retrieval questions)", res["retrieval_questions"]["p50_ms"], "ms", "", None),
        ("answer p95", res["retrieval_questions"]["p95_ms"], "ms", "", None),
        ("answer p99", res["retrieval_questions"]["p99_ms"], "ms", "", None),
        ("query encode p50", res["stages_p50_ms"]["t_encode"], "ms", "", None),
        ("answer p50 / encode p50", ratio, "x", "<= 1.2", ratio <= 1.2),
        *[
            (f"encode p50, onnxruntime {k.replace('_', '=')}", v["p50_ms"], "ms", "", None)
            for k, v in res.get("encode_threads", {}).items()
        ],
        ("cached repeat p50", res["cached"]["p50_ms"], "ms", "from cache", res["cached"]["p50_ms"] < 1.0),
    ]


def default_settings() -> BotSettings:
    return BotSettings(cache_size=0)

"""Where the CPU of one answer goes: `Engine.answer` under cProfile, stage by stage.

`python -m bench --only profile`: the engine as serving loads it answers `n` varied gold
questions (a unique " (#n)" suffix, so the answer cache never hits), in this process, on one
thread, with cProfile on a CPU-time clock; each stage's figure is the cumulative CPU of the
function that does it (`STAGES`), per question. The profiler's own overhead inflates the
Python stages, so the uninstrumented CPU per question is measured too, on another set of
questions. The embedder is wrapped to count model calls and texts per question: one call per
question (the typed question, its topic-neutral form and the triage clauses together) is the
design; more would show here first.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from typing import Any

import numpy as np

# (stage, file part, function name): cumulative CPU of that function, per question
STAGES = (
    ("model run (onnxruntime)", "", "<built-in method onnxruntime.capi.onnxruntime_pybind11_state.run>"),
    ("tokenisation", "", "<method 'encode_batch' of 'tokenizers.Tokenizer' objects>"),
    ("encoding in all", "bot/engine.py", "_encode_with_triage"),
    ("triage scoring", "bot/triage/classifier.py", "assess"),
    ("language gate", "bot/language.py", "check"),
    ("medicine names (pins)", "bot/safety.py", "detect_pins"),
    ("retrieval in all", "bot/rank.py", "retrieve_story"),
    ("  FAISS", "index/vectors.py", "search"),
    ("  BM25", "index/bm25.py", "top"),
    ("  fusion and sentence ranking", "bot/retrieve.py", "rank_sentences"),
    ("ranking and abstention", "bot/rank.py", "rank"),
    ("quote selection", "bot/engine.py", "_found"),
    ("pinned quotes", "bot/engine.py", "_pinned_quotes"),
    ("caveats", "bot/engine.py", "_caveats"),
)


class Counting:
    """An `Embedder` that counts the model calls and texts of another one."""

    def __init__(self, inner: Any):
        self.inner, self.name, self.identity, self.dimension = (
            inner,
            inner.name,
            inner.identity,
            inner.dimension,
        )
        self.calls, self.texts = 0, []  # type: ignore[var-annotated]

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.texts.extend(texts)
        return self.inner.encode(texts)


def run_profile(engine: Any, questions: list[str], n: int = 400) -> dict[str, Any]:
    counting = Counting(engine.embedder)
    fresh = engine.variant(embedder=counting)  # an empty answer cache
    asked = [f"{questions[k % len(questions)]} (#{k})" for k in range(n)]
    for q in asked[:10]:
        fresh.answer(q + " (warm-up)")
    counting.calls, counting.texts = 0, []
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for q in asked:
        fresh.answer(q)
    profiler.disable()
    calls, texts = counting.calls, list(counting.texts)
    plain = [f"{q} (plain)" for q in asked]
    cpu0 = time.process_time()
    for q in plain:
        fresh.answer(q)
    cpu = time.process_time() - cpu0
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]

    def cumulative(part: str, name: str) -> float:
        return sum(v[3] for (f, _line, fn), v in stats.items() if part in f and fn == name)

    total = cumulative("bot/engine.py", "answer")
    return {
        "questions": n,
        "cpu_ms_per_question": 1000.0 * cpu / n,
        "profiled_ms_per_question": 1000.0 * total / n,
        "model_calls_per_question": calls / n,
        "texts_per_question": len(texts) / n,
        "distinct_texts_per_question": len(set(texts)) / n,
        "stages_ms_per_question": {
            stage: 1000.0 * cumulative(part, name) / n for stage, part, name in STAGES
        },
    }


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    rows: list[tuple[str, float, str, str, bool | None]] = [
        ("answer CPU per question (no profiler)", res["cpu_ms_per_question"], "ms", "", None),
        (
            "model calls per question",
            res["model_calls_per_question"],
            "",
            "1",
            res["model_calls_per_question"] <= 1,
        ),
        ("texts encoded per question", res["texts_per_question"], "", "", None),
    ]
    rows += [(f"profiled: {k}", v, "ms", "", None) for k, v in res["stages_ms_per_question"].items()]
    return rows

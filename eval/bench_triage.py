"""What emergency triage adds to one answer: the engine with and without it, in the same run.

`python -m eval.bench_triage --index DIR [--rounds 3] [--dev-battery]`: every gold question (or
every dev message of the safety battery: longer, more clauses) is answered by the
serving engine (ONNX query encoder, no answer cache) with its triage, and by the same engine with
a null triager (no clause units encoded, no scoring), alternating per question so machine load
hits both alike. Also timed apart: the triage scoring alone on vectors already computed (numpy),
and the clause units encoded per message. Prints JSON (medians and p90 in ms).

Each message is measured twice in the same run, alternating: with numpy's BLAS at its default
thread count and pinned to one thread (`threadpoolctl`; serving pins it at start-up,
`index.vectors.set_search_threads`), so their ratio is free of the machine's load drift.

Trade-off: the with/without difference includes the extra clause texts in the one batched encode
(the main cost), so it is what a person waits for, not the classifier alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from bot.triage import Triage


class _NoTriage:
    """A triager that adds nothing: no units to encode, no level."""

    def units(self, _text: str) -> list[str]:
        return []

    def assess(self, _text: str, _vectors: Any = None) -> Triage:
        return Triage()


BLAS_SETTINGS: dict[str, int | None] = {"blas_default_threads": None, "blas_one_thread": 1}


def _timed(call: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - t0)


def _ms(values: list[float]) -> dict[str, float]:
    from eval.grounding_metrics import percentile

    return {"median": round(statistics.median(values), 2), "p90": round(percentile(values, 90), 2)}


def main(argv: list[str] | None = None) -> int:
    from bot.engine import Engine
    from eval.gold import load_gold

    parser = argparse.ArgumentParser(prog="python -m eval.bench_triage")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--gold", type=Path, default=Path("eval/gold/questions.jsonl"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--dev-battery", action="store_true", help="the safety battery's dev messages (longer) instead"
    )
    args = parser.parse_args(argv)
    if args.dev_battery:
        from eval.safety_eval import BATTERY, load_battery

        questions = [r.text for r in load_battery(BATTERY, {"dev"})]
    else:
        questions = [q.question for q in load_gold(args.gold).questions]
    engine = Engine.load(args.index)
    engine.settings = replace(engine.settings, cache_size=0)
    triager = engine.triager
    engine.answer("warm-up question about side effects")
    units = [len(triager.units(q)) for q in questions]
    report: dict[str, Any] = {
        "questions": len(questions),
        "rounds": args.rounds,
        "units_per_message": {"mean": round(statistics.mean(units), 2), "max": max(units)},
    }
    times: dict[str, dict[str, list[float]]] = {
        name: {"with": [], "without": [], "scoring": []} for name in BLAS_SETTINGS
    }
    for _ in range(args.rounds):
        for n, q in enumerate(questions):
            for name, limit in BLAS_SETTINGS.items():
                with threadpool_limits(limit, user_api="blas"):
                    t = times[name]
                    # which goes first alternates per message: the first answer of a message
                    # pays for anything the second finds warm
                    for kind in ("with", "without") if n % 2 == 0 else ("without", "with"):
                        engine.triager = triager if kind == "with" else _NoTriage()  # type: ignore[assignment]
                        t[kind].append(_timed(partial(engine.answer, q)))
                    engine.triager = triager
                    vectors = engine.embedder.encode(triager.units(q))
                    t["scoring"].append(_timed(partial(triager.assess, q, vectors)))
    engine.triager = triager
    for name, t in times.items():
        diff = [a - b for a, b in zip(t["with"], t["without"], strict=True)]
        report[name] = {
            "answer_ms_with_triage": _ms(t["with"]),
            "answer_ms_without_triage": _ms(t["without"]),
            "added_ms_per_answer": _ms(diff),
            "triage_scoring_only_ms": _ms(t["scoring"]),
        }
    base, pinned = (report[n]["triage_scoring_only_ms"]["median"] for n in BLAS_SETTINGS)
    report["scoring_ratio_default_over_one_blas_thread"] = round(base / max(pinned, 1e-6), 2)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

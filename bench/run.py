"""`python -m bench`: latency, cost against peers, cold start, build, web load, memory and scale.

    python -m bench [--index DIR] [--out DIR] [--only SECTION ...] [--quick]

Sections (all by default, in this order; `--only` picks some):

| section | module | what |
|---|---|---|
| warm   | bench/warm.py   | `Engine.answer` latency over the gold questions, cache off; stages; cached repeat |
| profile | bench/cpu_profile.py | where the CPU of one answer goes: cProfile per stage, model calls and texts per question |
| cost   | bench/peers.py  | `bot ask --batch` per question vs one bare sentence-transformers encode vs a LangChain-style FAISS peer, one run |
| cold   | bench/cold.py   | CLI first answer, each heavy import, web server start -> page usable -> first answer -> chat ready |
| build  | bench/build.py  | full build, nothing-changed rebuild, one-document-changed rebuild |
| web    | bench/web.py    | 1/8/32/64 users in a closed loop, no pause (stress), raw HTTP (`bench/loadgen.py`): JSON API and chat route, every like stored |
| readers | bench/web.py   | 64 users who read each reply (seeded think time, mean 7 s), JSON API and chat route (the chat carried), every like stored |
| memory | bench/web.py    | peak RSS (VmHWM) of the serving process after the load |
| scale  | bench/scale.py  | synthetic 10k/100k/1M passages: FAISS exact vs HNSW, recall@10, BM25 |

The arguments are declared in bench/__main__.py (stdlib only, so `--help` stays instant).
Results go to `<out>/bench.json` (default `bench/out/`); a run of some sections updates
those sections of an existing file and keeps the others, each with the load average measured
around it (figures are noisy when the machine is shared: compare ratios within one section).
A table of the headline figures, with the targets from BENCHMARKS.md, is printed at the end.
Targets are reported, never asserted. `--quick` runs small versions of every section (tests).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import build as bench_build
from bench import cold as bench_cold
from bench import scale as bench_scale
from bench import warm as bench_warm
from bench import web as bench_web
from bench.stats import machine

SECTIONS = ("warm", "profile", "cost", "cold", "build", "web", "readers", "memory", "scale")
GOLD = Path(__file__).resolve().parent.parent / "eval" / "gold" / "questions.jsonl"
DEFAULT_OUT = Path(__file__).resolve().parent / "out"
Row = tuple[str, float, str, str, bool | None]


def load_questions(path: Path = GOLD) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(args: argparse.Namespace, embedder: Any = None) -> dict[str, Any]:
    """Run the chosen sections and write bench.json; `embedder` replaces the model (tests)."""
    from bot.engine import Engine
    from bot.rank import load_relevance_model
    from index.settings import Paths
    from index.store import read_index

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from index.vectors import set_search_threads

    set_search_threads()  # as the serving entry points: one FAISS thread, set once
    paths = Paths.resolve(
        str(args.corpus) if args.corpus else None, str(args.index) if args.index else None, args.model
    )
    sections = [s for s in SECTIONS if s in (args.only or SECTIONS)]
    quick = bool(args.quick)
    questions = load_questions()
    out_dir: Path = args.out or DEFAULT_OUT
    out_dir.mkdir(parents=True, exist_ok=True)
    report_path = out_dir / "bench.json"
    report: dict[str, Any] = {}
    if report_path.exists():
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except ValueError:
            report = {}
    report.setdefault("sections", {})
    report["machine"] = machine()
    report["index"] = str(paths.index_dir)
    results: dict[str, Any] = report["sections"]

    engine: Engine | None = None

    def get_engine() -> Engine:
        nonlocal engine
        if engine is None:
            _log(f"loading the engine from {paths.index_dir} ...")
            if embedder is not None:
                engine = Engine(
                    read_index(paths.index_dir),
                    embedder,
                    bench_warm.default_settings(),
                    load_relevance_model(),
                )
            else:  # what serving runs: the exported ONNX encoder
                engine = Engine.load(paths.index_dir, paths.model_path, bench_warm.default_settings())
        return engine

    def record(name: str, res: dict[str, Any], load_before: list[float]) -> None:
        res["loadavg_before"] = load_before
        res["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        res["quick"] = quick
        res["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        results[name] = res
        report_path.write_text(json.dumps(report, indent=1, default=float), encoding="utf-8")

    server: bench_cold.Server | None = None
    try:
        for name in sections:
            before = [round(x, 2) for x in os.getloadavg()]
            _log(f"== {name} (load {before})")
            if name == "warm":
                qs = questions[:20] if quick else questions
                record(name, bench_warm.run_warm(get_engine(), qs, rounds=1 if quick else 3), before)
            elif name == "profile":
                from bench.cpu_profile import run_profile

                record(name, run_profile(get_engine(), questions, 40 if quick else 400), before)
            elif name == "cost":
                from bench import peers

                qs = questions[:20] if quick else questions
                record(name, peers.run_cost(paths.index_dir, qs, paths.model_path, 1 if quick else 2), before)
            elif name == "cold":
                runs = 1 if quick else 3
                res: dict[str, Any] = {"cli": bench_cold.cli_cold(paths.index_dir, runs)}
                mods = ("numpy",) if quick else bench_cold.HEAVY_MODULES
                res["imports"] = bench_cold.import_costs(mods, runs)
                if not quick:
                    server = server or bench_cold.start_server(paths.index_dir)
                    res["web"] = dict(server.facts)
                record(name, res, before)
            elif name == "build":
                emb = embedder if embedder is not None else get_engine().embedder
                record(
                    name,
                    bench_build.run_build(paths.corpus_dir, 1 if quick else 3, emb, cli=embedder is None),
                    before,
                )
            elif name in ("web", "readers", "memory"):
                if server is None:
                    server = bench_cold.start_server(paths.index_dir)
                    results.setdefault("cold", {})["web"] = dict(server.facts)
                if name == "web":
                    levels = (1, 4) if quick else (1, 8, 32, 64)
                    db = Path(bench_cold.child_env()["LDN_FEEDBACK_DB"])
                    res = bench_web.run_load(
                        server.url, server.proc.pid, questions, levels, 3.0 if quick else 15.0, 1000, db
                    )
                    record(name, res, before)
                elif name == "readers":
                    db = Path(bench_cold.child_env()["LDN_FEEDBACK_DB"])
                    secs = 3.0 if quick else bench_web.THINK_SECONDS
                    record(
                        name, bench_web.run_readers(server.url, server.proc.pid, questions, db, secs), before
                    )
                else:
                    from bench.stats import proc_status_mb

                    record(
                        name,
                        {
                            "serving_process": proc_status_mb(server.proc.pid),
                            "after_web_load": "web" in sections,
                        },
                        before,
                    )
            elif name == "scale":
                eng = get_engine()
                scale_qs = questions[:40] if quick else questions
                qvecs = np.stack([eng.encode(q) for q in scale_qs])
                sizes = (2_000, 5_000) if quick else (10_000, 100_000, 1_000_000)
                res = bench_scale.run_scale(
                    [s.text for s in eng.data.sentences],
                    eng.data.sentence_vectors,
                    qvecs,
                    scale_qs,
                    sizes,
                    ef_values=(16, 64, 96) if quick else (16, 32, 48, 64, 96, 128, 256),
                    m_sweep=None if quick else (100_000, (16, 48)),
                    repeat=1 if quick else 2,
                    log=_log,
                )
                record(name, res, before)
    finally:
        if server is not None:
            server.stop()
    print_table(results)
    _log(f"wrote {report_path}")
    return report


def headline_rows(results: dict[str, Any]) -> list[tuple[str, Row]]:
    from bench import cpu_profile as bench_profile
    from bench import peers

    makers = {
        "warm": bench_warm.headline,
        "cost": peers.headline,
        "cold": bench_cold.headline,
        "build": bench_build.headline,
        "web": bench_web.headline,
        "readers": bench_web.headline,
        "profile": bench_profile.headline,
        "scale": bench_scale.headline,
    }
    rows: list[tuple[str, Row]] = []
    for name in SECTIONS:
        res = results.get(name)
        if not res:
            continue
        if name == "memory":
            mem = res.get("serving_process", {})
            if "VmHWM" in mem:
                rows.append((name, ("serving process VmHWM (peak RSS)", mem["VmHWM"], "MiB", "", None)))
            continue
        try:
            rows.extend((name, r) for r in makers[name](res))
        except (KeyError, TypeError, ValueError):
            rows.append((name, ("(incomplete section)", float("nan"), "", "", None)))
    return rows


def print_table(results: dict[str, Any]) -> None:
    rows = headline_rows(results)
    print(f"{'section':<7} {'metric':<46} {'value':>12} {'unit':<6} {'target':<11} met")
    for section, (metric, value, unit, target, met) in rows:
        shown = f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
        flag = "" if met is None else ("yes" if met else "NO")
        print(f"{section:<7} {metric:<46} {shown:>12} {unit:<6} {target:<11} {flag}")


def main(args: argparse.Namespace) -> int:
    run(args)
    return 0

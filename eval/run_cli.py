"""`python -m eval run`: evaluate answer grounding on a gold set and write the report.

    python -m eval run [--gold FILE] [--labels FILE] [--index DIR] [--model PATH] [--out DIR]
                       [--thresholds FILE] [--check] [--quiet]

Defaults: the bundled gold set `eval/gold/questions.jsonl` with `evidence_labels.jsonl` next to
it (when present), the index and model of `index.settings.Paths` (flags over LDN_* environment
variables over the project defaults), and `eval/out/` for `report.json`, `report.md` and
`abstention.png`. The engine uses `BotSettings()` defaults, not `LDN_MIN_SIMILARITY`, so the
report always measures the shipped configuration.

The floors of `eval/thresholds.toml` are checked and shown when the bundled gold set is used
(or `--thresholds` is given); they were set on the bundled set, so they mean nothing for
another one. `--check` turns a failed floor into exit status 1 (for CI). Bad input (a malformed
gold file, a missing index or model) prints one error and exits with status 2.

This module imports only the standard library at import time, so `python -m eval --help` stays
fast; the engine, model and plotting are imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
DEFAULT_GOLD = EVAL_DIR / "gold" / "questions.jsonl"
LABELS_NAME = "evidence_labels.jsonl"
DEFAULT_OUT = EVAL_DIR / "out"


def add_run_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="answer-grounding evaluation on a gold set (retrieval, quotes, abstention, safety, labels)",
        description="Run the bot on a gold question set and write report.json, report.md and abstention.png.",
    )
    p.add_argument(
        "--gold", type=Path, default=DEFAULT_GOLD, help="questions JSONL (default: the bundled set)"
    )
    p.add_argument(
        "--labels",
        type=Path,
        help=f"evidence labels JSONL (default: {LABELS_NAME} next to the gold file, if present)",
    )
    p.add_argument("--index", help="index folder (default: LDN_INDEX_DIR or index/built)")
    p.add_argument(
        "--model", help="local sentence-transformers folder (default: LDN_MODEL_PATH or the packaged model)"
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default: eval/out/)")
    p.add_argument(
        "--thresholds", type=Path, help="floors TOML (default: eval/thresholds.toml for the bundled set)"
    )
    p.add_argument("--check", action="store_true", help="exit with status 1 when a floor fails")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.set_defaults(target="eval.run_cli:cmd_run")
    return p


def cmd_run(args: argparse.Namespace) -> int:
    from bot.engine import BotSettings, Engine
    from eval.gold import load_gold
    from eval.report import THRESHOLDS_FILE, build_report, load_thresholds, report_meta, summary, write_report
    from eval.run import run_eval
    from index.embedder import set_offline_env
    from index.settings import Paths

    set_offline_env()
    paths = Paths.resolve(index_dir=args.index, model_path=args.model)
    labels = args.labels
    if labels is None and (args.gold.parent / LABELS_NAME).is_file():
        labels = args.gold.parent / LABELS_NAME
    bundled = args.gold.resolve() == DEFAULT_GOLD
    # bad input (gold, thresholds, index, model) raises a user error: `index.cli.run_command`
    # turns it into one line and exit status 2
    gold = load_gold(args.gold, labels)
    thresholds = load_thresholds(args.thresholds or THRESHOLDS_FILE) if (args.thresholds or bundled) else None
    engine = Engine.load(paths.index_dir, paths.model_path, BotSettings())
    result = run_eval(engine, gold, progress=not args.quiet)
    report = build_report(result, report_meta(engine, gold, paths.index_dir), thresholds)
    written = write_report(report, args.out)
    print(summary(report))
    print(f"report: {written['md']} (also {written['json'].name}, {written['png'].name})")
    failed = any(not f["passed"] for f in report["floors"])
    return 1 if args.check and failed else 0

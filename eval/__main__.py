"""`python -m eval <command>`: parse arguments and hand over to the command's own module.

This file only parses and dispatches. Each command lives in its own module with a
`main(args: argparse.Namespace) -> int`, imported lazily, so `--help` and one command never pay
for another's imports (sentence-transformers, ranx and numba take seconds). To add a command,
write a `_add_<name>(subparsers)` function below that declares its arguments and sets
`target="eval.<module>:main"`, and list it in `COMMANDS`.

Expected failures (a missing dataset folder or file, a missing model, a malformed gold set)
print one line on stderr and exit with status 2, like argparse's own usage errors: the table
of user errors is `index.cli.USER_ERRORS`, shared by every command line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.cli import run_command

Subparsers = Any  # argparse's _SubParsersAction is private


def _add_beir(sub: Subparsers) -> None:
    p = sub.add_parser(
        "beir",
        help="retrieval quality (nDCG@10, recall@100, MRR@10) on a BEIR-layout dataset",
        description="Evaluate dense, BM25 and hybrid retrieval on a BEIR folder (corpus.jsonl, "
        "queries.jsonl, qrels/<split>.tsv) with ranx.",
    )
    p.add_argument("dir", type=Path, help="BEIR dataset folder")
    p.add_argument("--split", default="test", help="qrels split to evaluate (default: test)")
    p.add_argument("--limit-queries", type=int, metavar="N", help="evaluate only the first N judged queries")
    p.add_argument("--json", action="store_true", help="print one JSON object keyed by method on stdout")
    p.add_argument(
        "--method",
        dest="methods",
        action="append",
        metavar="NAME",
        help="dense, bm25, hybrid or rrf (repeatable; default: all four)",
    )
    p.add_argument(
        "--tune", action="store_true", help="also report hybrid-tuned (weight chosen on qrels/train.tsv)"
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=Path("~/.cache/ldn-quotes/beir"),
        help="embedding cache folder (default: ~/.cache/ldn-quotes/beir)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars on stderr")
    p.set_defaults(target="eval.beir:main")


def _add_run(sub: Subparsers) -> None:
    from eval.run_cli import add_run_parser  # stdlib-only at import; the command imports the rest

    add_run_parser(sub)  # sets target="eval.run_cli:cmd_run"


def _add_feedback(sub: Subparsers) -> None:
    from eval.feedback_report import add_feedback_parser  # stdlib-only at import

    add_feedback_parser(sub)  # sets target="eval.feedback_report:main"


def _add_sets(sub: Subparsers) -> None:
    from eval.sets_cli import add_sets_parser  # stdlib-only at import

    add_sets_parser(sub)  # sets target="eval.sets_cli:main"


def _add_pairs(sub: Subparsers) -> None:
    from eval.pairs_cli import add_pairs_parser  # stdlib-only at import

    add_pairs_parser(sub)  # sets target="eval.pairs_cli:main"


def _add_audit(sub: Subparsers) -> None:
    from eval.corpus_audit import add_audit_parser  # stdlib-only at import

    add_audit_parser(sub)  # sets target="eval.corpus_audit:main"


def _add_tune(sub: Subparsers) -> None:
    from eval.tune import add_tune_parser  # stdlib-only at import

    add_tune_parser(sub)  # sets target="eval.tune:main"


def _add_safety(sub: Subparsers) -> None:
    p = sub.add_parser(
        "safety",
        help="emergency triage recall/false alarms per category (dev, test) and medicine pins",
        description="Triage on eval/data/safety/battery.jsonl by split, and opioid pins over "
        "eval/data/medicines/*.csv -> eval/out/safety.json.",
    )
    p.add_argument(
        "--split",
        choices=("dev", "test", "both", "heldout"),
        default="dev",
        help="default: dev; heldout = the independent held-out messages and medicine lists (report only)",
    )
    p.add_argument("--calibrate", action="store_true", help="propose thresholds from the dev split")
    p.add_argument("--battery", type=Path, default=Path("eval/data/safety/battery.jsonl"))
    p.add_argument("--heldout", type=Path, default=Path("eval/data/safety/heldout.jsonl"))
    p.add_argument(
        "--pin-list",
        dest="pin_lists",
        action="append",
        metavar="ROUND",
        help="with --split heldout: count only this round's pin lists (heldout6 -> heldout6_*.csv; "
        "repeatable; 'none' for no list); default: every held-out list",
    )
    p.add_argument(
        "--dev-long",
        type=Path,
        default=Path("eval/data/safety/dev_long.jsonl"),
        help="long dev stories scored and calibrated with --split dev, reported as 'dev_long' (--dev-long '' to leave out)",
    )
    p.add_argument("--out", type=Path, default=Path("eval/out/safety.json"))
    p.add_argument("--model", help="local sentence-transformers model folder")
    p.add_argument(
        "--index",
        type=Path,
        help="take the triage arrays and the gate from this index build, as served (default: fit the "
        "arrays now, without the gate)",
    )
    p.set_defaults(target="eval.safety_eval:main")


def _add_safety_pool(sub: Subparsers) -> None:
    p = sub.add_parser(
        "safety-pool",
        help="triage per dev file over the whole dev pool, and the session-7 cut rule's proposal",
        description="Triage on every dev safety file (battery dev rows, dev_long*, dev_suicide, the spent "
        "heldout .. heldout8) and the tuned answer sets' questions; never heldout9 or later, never test rows.",
    )
    p.add_argument("--model", help="local sentence-transformers model folder")
    p.set_defaults(target="eval.safety_pool:main")


def _add_safety_gate(sub: Subparsers) -> None:
    p = sub.add_parser(
        "safety-gate",
        help="leave-one-battery-out figures of the triage gate over the dev pool (session 9)",
        description="Per dev safety file held out: the gate (a second stage on `possible` messages) fitted "
        "and its threshold chosen on the other files only, then missed emergencies, ordinary shown and "
        "ordinary definite on the held-out file against main's shipped triage. Never heldout9 or later.",
    )
    p.add_argument("--model", help="local sentence-transformers model folder")
    p.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="SPEC",
        help="name=N,parts=best+whole+scalars,c=1,margin=1 (repeatable; default: bot/data/triage/gate.toml's)",
    )
    p.add_argument("--cache", type=Path, default=Path("eval/out/lobo_vectors.npz"), help="embedding cache")
    p.add_argument("--out", type=Path, default=Path("eval/out/safety_gate.json"))
    p.set_defaults(target="eval.safety_gate:main")


def _add_safety_lobo(sub: Subparsers) -> None:
    p = sub.add_parser(
        "safety-lobo",
        help="leave-one-battery-out figures of triage configurations over the dev pool (session 8)",
        description="Per dev safety file held out: the cuts by the session-7 rule on the other files, "
        "then missed emergencies, ordinary shown and ordinary definite on the held-out file; main's shipped "
        "cuts and main under LOBO first. Never heldout9 or later, never test rows.",
    )
    p.add_argument("--model", help="local sentence-transformers model folder")
    p.add_argument(
        "--candidate",
        action="append",
        default=[],
        metavar="SPEC",
        help="name=N,exemplars=PATH,cues=PATH,filtered=PATH,margin=0.02|nested,judge=near|ablation,suicide=CUT (repeatable)",
    )
    p.add_argument("--cache", type=Path, default=Path("eval/out/lobo_vectors.npz"), help="embedding cache")
    p.add_argument("--out", type=Path, default=Path("eval/out/safety_lobo.json"))
    p.add_argument("--check-provenance", action="store_true", help="count exemplars found in pool messages")
    p.add_argument(
        "--set-aside",
        action="append",
        default=[],
        metavar="ID",
        help="leave this pool message out (post hoc analyses only; repeatable)",
    )
    p.set_defaults(target="eval.safety_lobo_run:main")


def _add_liveqa(sub: Subparsers) -> None:
    p = sub.add_parser(
        "liveqa",
        help="LiveQA-Med 2017: rank judged MedQuAD answers (BM25, dense, hybrid, reranker)",
        description="nDCG@10 and the TREC average score on the 104 LiveQA-Med 2017 test questions.",
    )
    p.add_argument("dir", type=Path, nargs="?", default=Path("../shared/medqa"), help="medqa folder")
    p.add_argument("--reranker", type=Path, help="reranker model folder (default: the shipped one)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N judged questions")
    p.add_argument(
        "--no-sentences", action="store_true", help="skip rerank-sent (the slow sentence-level run)"
    )
    p.add_argument("--no-rerank", action="store_true", help="skip the cross-encoder runs")
    p.add_argument("--adapter", type=Path, help="query adapter folder (default: the shipped one, if any)")
    p.add_argument("--no-adapter", action="store_true", help="skip the query adapter runs")
    p.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    p.set_defaults(target="eval.liveqa:main")


def _add_rerank_speed(sub: Subparsers) -> None:
    p = sub.add_parser(
        "rerank-speed",
        help="reranker latency per question (20/30/50 candidates, fp32 vs int8, 1 thread)",
        description="ms per question for the reranker against one bare query encode.",
    )
    p.add_argument("models", type=Path, nargs="+", help="reranker model folders to time (e.g. fp32 int8)")
    p.add_argument("--repeats", type=int, default=20, help="timed runs per size (default: 20)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    p.set_defaults(target="eval.rerank_speed:main")


COMMANDS: list[Callable[[Subparsers], None]] = [
    _add_beir,
    _add_run,
    _add_sets,
    _add_pairs,
    _add_tune,
    _add_safety,
    _add_safety_pool,
    _add_safety_lobo,
    _add_safety_gate,
    _add_liveqa,
    _add_rerank_speed,
    _add_feedback,
    _add_audit,
]  # benchmarks: `python -m bench`


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Evaluation commands for ldn-quotes.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def dispatch(args: argparse.Namespace) -> int:
        module_name, func_name = args.target.split(":")
        return int(getattr(importlib.import_module(module_name), func_name)(args))

    return run_command(dispatch, args, "interrupted")


if __name__ == "__main__":
    sys.exit(main())

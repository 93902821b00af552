"""`python -m train reranker|adapter`: train the answer reranker, or fit the query adapter.

`python -m train adapter [--out DIR]`: see `train/adapter.py` (a few minutes; ship by copying
`DIR/adapter.npy`, `adapter.json`, `MODEL_CARD.md` into `index/models/adapter/`).
`python -m train adapter --in-domain [--set NAME ...] [--index DIR]`: fit it instead on the spent
patient-style question sets (`train/indomain.py`; seconds; measured in eval/README.md "Session 11:
in-domain judge", not shipped).

`python -m train reranker --out DIR [--pairs N] [--seed S]`: train, export and card the reranker.

Writes `DIR/fp32/` and `DIR/int8/` (each: model.onnx, tokenizer.json, calibration.json, ready for
`index.rerank.Reranker.load`), `DIR/MODEL_CARD.md` and `DIR/training.json`. Offline: the base model
is the packaged MiniLM folder (`index.embedder.resolve_model_path`), the data come from the
project's `shared/` folder (`--shared`). Run it with `nice`; it uses `--threads` torch threads.
To ship a run: copy `DIR/int8/*` and `DIR/MODEL_CARD.md` into `index/models/reranker/`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from train.data import DataPaths, Pair

REPO = Path(__file__).resolve().parent.parent


def _default_shared() -> Path:
    for cand in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if (cand / "medqa").is_dir():
            return cand
    return REPO.parent / "shared"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m train", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reranker", help="train the answer reranker (cross-encoder) and export ONNX")
    r.add_argument("--out", type=Path, required=True, help="output folder")
    r.add_argument("--pairs", type=int, default=20000, help="training pairs before the held-out split")
    r.add_argument("--seed", type=int, default=13)
    r.add_argument("--shared", type=Path, default=None, help="folder with medqa/ (default: ../shared)")
    r.add_argument("--model", type=Path, default=None, help="base model folder (default: packaged MiniLM)")
    r.add_argument("--max-length", type=int, default=160)
    r.add_argument("--batch-size", type=int, default=32)
    r.add_argument("--lr", type=float, default=4e-5)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--freeze-layers", type=int, default=0, help="keep the lowest N of 6 layers fixed")
    r.add_argument(
        "--mined", action="store_true", help="pairs with hard negatives mined by MiniLM (train/mined.py)"
    )
    r.add_argument("--questions", type=int, default=6000, help="with --mined: MedQuAD questions (whole foci)")
    r.add_argument(
        "--cache", type=Path, default=REPO / "var" / "adapter-cache", help="with --mined: vector cache"
    )
    r.add_argument(
        "--max-minutes", type=float, default=0.0, help="stop training after this long (0: no bound)"
    )
    r.add_argument(
        "--scifact-share", type=float, default=0.0, help="share of SciFact pairs (CC BY-NC; default 0)"
    )
    a = sub.add_parser("adapter", help="fit the query adapter W on frozen MiniLM vectors (minutes)")
    a.add_argument("--out", type=Path, default=REPO / "var" / "adapter", help="output folder")
    a.add_argument("--cache", type=Path, default=REPO / "var" / "adapter-cache", help="vector cache")
    a.add_argument("--questions", type=int, default=6000, help="MedQuAD questions (whole foci)")
    a.add_argument("--seed", type=int, default=13)
    a.add_argument("--shared", type=Path, default=None, help="folder with medqa/ (default: ../shared)")
    a.add_argument("--epochs", type=int, default=8)
    a.add_argument("--reg", type=float, default=10.0, help="weight of ||W - I||^2 / d")
    a.add_argument("--temperature", type=float, default=0.05)
    a.add_argument("--lr", type=float, default=2e-3)
    a.add_argument("--threads", type=int, default=2)
    a.add_argument(
        "--in-domain",
        action="store_true",
        help="fit on spent patient-style question sets (train/indomain.py)",
    )
    a.add_argument("--index", type=Path, default=None, help="with --in-domain: index of the bundled corpus")
    a.add_argument(
        "--set", dest="sets", action="append", metavar="NAME", help="with --in-domain: a spent set"
    )
    a.add_argument("--medquad", type=int, default=0, help="with --in-domain: also N MedQuAD questions")
    a.add_argument(
        "--hard-negatives", type=int, default=8, help="with --in-domain: retriever's non-gold per question"
    )
    return p


def run_adapter(args: argparse.Namespace) -> int:
    from index.embedder import set_offline_env

    set_offline_env()
    from train.adapter import AdapterConfig, run
    from train.adapter_card import write_adapter_card

    cfg = AdapterConfig(
        seed=args.seed,
        epochs=args.epochs,
        reg=args.reg,
        temperature=args.temperature,
        lr=args.lr,
        threads=args.threads,
    )
    command = "python -m train adapter " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    if args.in_domain:
        from dataclasses import replace

        from train.indomain import SPENT_SETS
        from train.indomain_fit import run as run_in_domain

        index_dir = args.index or REPO / "index" / "built"
        cfg = replace(cfg, hard_negatives=args.hard_negatives)
        shared = args.shared or _default_shared()
        mix = (shared, args.medquad, args.cache)
        run_in_domain(index_dir, args.sets or list(SPENT_SETS), args.out, cfg, command, mix)
        return 0
    record = run(args.shared or _default_shared(), args.out, args.cache, args.questions, cfg, command)
    write_adapter_card(record, args.out)
    return 0


def _mined(paths: DataPaths, args: argparse.Namespace) -> tuple[list[Pair], dict[str, Any]]:
    """Pairs of `train.mined` (hard negatives ranked by MiniLM), vectors from the adapter's cache."""
    from index.embedder import load_embedder
    from train.adapter import encode_cached
    from train.adapter_data import build_examples
    from train.mined import mined_pairs

    examples, summary = build_examples(paths, args.questions, args.seed)
    texts = sorted({t for e in examples for t in (e.question, *e.positives, *e.negatives)})
    embedder = load_embedder(threads=args.threads)
    vec = dict(zip(texts, encode_cached(texts, embedder.encode, args.cache, embedder.identity), strict=True))
    pairs, kinds = mined_pairs(examples, vec, args.pairs, args.seed)
    return pairs, {**summary, "pairs": len(pairs), "kinds": kinds, "builder": "train/mined.py"}


def run_reranker(args: argparse.Namespace) -> int:
    from index.embedder import model_name, resolve_model_path, set_offline_env

    set_offline_env()
    from train.card import RunRecord, write_record
    from train.data import DataPaths, build_pairs, split
    from train.export import export_fp32, finish_variant, quantize_int8
    from train.fit import FitConfig, fit, torch_logits

    t0 = time.perf_counter()
    base = resolve_model_path(args.model)
    paths = DataPaths.under(args.shared or _default_shared())
    if args.mined:
        pairs, summary = _mined(paths, args)
    else:
        pairs, summary = build_pairs(paths, args.pairs, args.seed, scifact_share=args.scifact_share)
    train_pairs, held = split(pairs, args.seed)
    print(f"data: {summary} train={len(train_pairs)} held={len(held)}", file=sys.stderr, flush=True)
    cfg = FitConfig(
        max_length=args.max_length,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=args.threads,
        freeze_layers=args.freeze_layers,
        max_seconds=args.max_minutes * 60,
    )
    result = fit(base, train_pairs, cfg)
    out: Path = args.out
    fp32 = export_fp32(result.model, result.tokenizer, out / "fp32")
    int8 = quantize_int8(fp32, out / "int8")
    tag = f"minilm-l6-answer-reranker-s{args.seed}"
    variants = tuple(
        finish_variant(name, f.parent, base / "tokenizer.json", held, args.max_length, f"{tag}-{name}")
        for name, f in (("fp32", fp32), ("int8", int8))
    )
    from index.rerank import Reranker

    check = held[:200]
    onnx_logits = Reranker.load(out / "fp32", threads=args.threads)
    diffs = [
        abs(float(t) - float(onnx_logits.logits(p.question, [p.text])[0]))
        for p, t in zip(check, torch_logits(result, check), strict=True)
    ]
    record = RunRecord(
        command="python -m train reranker " + " ".join(shlex.quote(a) for a in sys.argv[2:]),
        seed=args.seed,
        base_model=model_name(base),
        data=summary,
        config={k: v for k, v in vars(cfg).items() if k != "log_every"},
        train_seconds=result.seconds,
        total_seconds=time.perf_counter() - t0,
        held_out_pairs=len(held),
        variants=variants,
        torch_onnx_max_diff=max(diffs, default=0.0),
    )
    write_record(record, out)
    for v in variants:
        print(f"{v.name}: {v.megabytes} MB sha256 {v.sha256[:16]} held-out {v.metrics}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "reranker":
        return run_reranker(args)
    if args.command == "adapter":
        return run_adapter(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""`python -m eval pairs`: two-question messages from a gold split, answered and scored per
sub-question (`eval.pairs`; eval/README.md "Session 8: messages with two questions").

    python -m eval pairs [--split dev|test] [--index DIR] [--seed 8] [--rounds 2] [--label NAME]
                         [--out DIR] [--list]

Writes `pairs-<split>-<label>.json` (figures and per-message records, with the messages' texts:
they are built from the gold questions, which are in the repository) to `--out` and prints the
table of every `pairs-<split>-*.json` there, side by side (a baseline run of older code written
to the same folder shows next to the new one). `--list` prints the messages and stops (no model).
Runnable as `python -m eval.pairs_cli` too, so older code can be measured with this file copied in.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "pairs"


def _arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--split", default="dev", choices=("dev", "test"), help="gold split (tune on dev only)")
    p.add_argument("--index", help="index of the bundled corpus (default: LDN_INDEX_DIR or index/built)")
    p.add_argument("--model", help="local sentence-transformers folder (default: the packaged model)")
    p.add_argument("--seed", type=int, default=8, help="seed of the pairing (default: 8)")
    p.add_argument("--rounds", type=int, default=2, help="pairings per question (default: 2)")
    p.add_argument("--label", default="new", help="name of this run's column (default: new)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: eval/out/pairs/)")
    p.add_argument("--list", action="store_true", help="print the messages and stop")
    p.add_argument(
        "--file",
        type=Path,
        help="messages written with two questions (eval/heldout5/two_questions.jsonl) instead of gold pairs",
    )
    p.set_defaults(target="eval.pairs_cli:main")
    return p


def add_pairs_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "pairs",
        help="two-question messages built from a gold split, scored per sub-question",
        description="Build two-question messages from one gold split and score each sub-question.",
    )
    return _arguments(p)


def main(args: argparse.Namespace) -> int:
    from eval.gold import load_gold
    from eval.pairs import build_pairs, load_connectors, load_two_questions, markdown
    from eval.sets import GOLD

    gold = load_gold(GOLD)
    if args.file is not None:
        pairs = load_two_questions(args.file)
        args.split = args.file.parent.name + "_" + args.file.stem.replace("-", "_")
    else:
        pairs = build_pairs(gold.of_split(args.split), load_connectors(), args.seed, args.rounds)
    if args.list:
        for p in pairs:
            print(f"{p.shape}\t{p.id}\t{p.text}")
        return 0
    result = _run(args, pairs, gold)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"pairs-{args.split}-{args.label}.json").write_text(
        json.dumps(result, indent=1), encoding="utf-8"
    )
    results = {
        f.stem.split("-", 2)[2]: json.loads(f.read_text(encoding="utf-8"))
        for f in sorted(args.out.glob(f"pairs-{args.split}-*.json"))
    }
    print(f"{args.split} pairs (seed {args.seed}, rounds {args.rounds}):\n")
    print(markdown(results))
    return 0


def _run(args: argparse.Namespace, pairs: list[Any], gold: Any) -> dict[str, Any]:
    import numpy as np

    from bot.engine import Engine
    from eval.gold import check_against_documents
    from eval.pairs import score_pairs
    from index.embedder import set_offline_env
    from index.settings import Paths

    set_offline_env()
    paths = Paths.resolve(index_dir=args.index, model_path=args.model)
    engine = Engine.load(paths.index_dir, paths.model_path)
    texts = {d: doc.text for d, doc in engine.data.documents.items()}
    check_against_documents(gold, texts.get)
    for p in pairs:  # a written file's spans are checked like the gold set's
        for q in p.parts:
            for x in q.answers:
                if x.text not in texts.get(x.doc_id, ""):
                    raise ValueError(f"{p.id}: answer not verbatim in {x.doc_id}")

    def similarity(question: str, quotes: list[str]) -> list[float]:
        v = np.asarray(engine.embedder.encode([question, *quotes]), dtype=np.float64)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return [float(x) for x in v[1:] @ v[0]]

    result = score_pairs(engine.answer, pairs, texts.__getitem__, similarity)
    for rec, p in zip(result["records"], pairs, strict=True):
        rec["text"] = p.text
    # the unanswerable sub-questions asked alone: what the single-question bot does with them
    alone = [engine.answer(q.question) for p in pairs for q in p.parts if q.type == "unanswerable"]
    result["unanswerable_alone_answered"] = {
        "hits": sum(1 for a in alone if a.quotes),
        "total": len(alone),
        "rate": (sum(1 for a in alone if a.quotes) / len(alone)) if alone else None,
    }
    return result


if __name__ == "__main__":
    sys.exit(main(_arguments(argparse.ArgumentParser(prog="python -m eval.pairs_cli")).parse_args()))

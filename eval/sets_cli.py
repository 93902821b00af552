"""`python -m eval sets`: dev, test, held-out and other corpora side by side (see `eval.sets`).

    python -m eval sets [--set NAME ...] [--index DIR] [--model PATH] [--out DIR] [--quiet]

Each bundled set is answered by one engine on `--index`; each other corpus
(`eval/corpora/<name>/documents/`) is indexed with the same model into a temporary folder
first (~10–30 s). Writes `sets.json` and `sets.md` to `--out` (default `eval/out/`) and prints
the table. Imports only the standard library until the command runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def add_sets_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "sets",
        help="hit@1/hit@3/MRR, false no-answer, declined, grounding per set (dev, test, held-out, other corpora)",
        description="Answer every question of each set and print the sets side by side.",
    )
    p.add_argument("--set", dest="sets", action="append", metavar="NAME",
                   help="dev, test, heldout, heldout<N> (a folder eval/heldout<N>) or a folder name under eval/corpora (repeatable; default: all)")  # fmt: skip
    p.add_argument("--index", help="index of the bundled corpus (default: LDN_INDEX_DIR or index/built)")
    p.add_argument("--model", help="local sentence-transformers folder (default: the packaged model)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: eval/out/)")
    p.add_argument(
        "--no-relevance-model", action="store_true", help="answer without the relevance model (baseline)"
    )
    p.add_argument("--answer-settings", type=Path, help="another bot/data/answer.toml (ablations)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(target="eval.sets_cli:main")
    return p


def main(args: argparse.Namespace) -> int:
    from bot.answer_settings import load_answer_settings
    from bot.engine import Engine
    from bot.observe import Stage, StageTimes
    from bot.rank import load_relevance_model
    from eval.gold import check_against_documents, load_gold
    from eval.sets import known_sets, score_set, write
    from index.build import build_index
    from index.embedder import set_offline_env
    from index.settings import Paths

    set_offline_env()
    paths = Paths.resolve(index_dir=args.index, model_path=args.model)
    specs = known_sets()
    wanted = args.sets or [s.name for s in specs]
    unknown = set(wanted) - {s.name for s in specs}
    if unknown:
        print(f"error: unknown set(s) {sorted(unknown)}; known: {[s.name for s in specs]}", file=sys.stderr)
        return 2
    relevance = None if args.no_relevance_model else load_relevance_model()
    answer = load_answer_settings(args.answer_settings) if args.answer_settings else None
    if not args.quiet:
        print(f"relevance model: {relevance.name if relevance else 'none'}", file=sys.stderr)
    bundled = None
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="eval-sets-") as tmp:
        for spec in [s for s in specs if s.name in wanted]:
            if spec.documents is None:
                if bundled is None:
                    bundled = Engine.load(
                        paths.index_dir, paths.model_path, reranker=relevance, answer=answer
                    )
                engine = bundled
            else:
                out = Path(tmp) / spec.name
                build_index(spec.documents, out, model_path=paths.model_path)
                engine = Engine.load(out, paths.model_path, reranker=relevance, answer=answer)
            gold = load_gold(spec.questions)
            questions = [q for q in gold.questions if spec.split is None or q.split == spec.split]
            texts = {d: doc.text for d, doc in engine.data.documents.items()}
            check_against_documents(gold, texts.get)
            if not args.quiet:
                print(f"{spec.name}: {len(questions)} questions", file=sys.stderr)
            model_seconds: list[float] = []

            def ask(question: str, engine: Engine = engine, seconds: list[float] = model_seconds) -> Any:
                times = StageTimes()
                reply = engine.answer(question, observer=times)
                seconds.append(times.seconds.get(Stage.RERANK, 0.0))
                return reply

            results[spec.name] = score_set(ask, questions, texts.__getitem__, model_seconds)
            results[spec.name]["relevance_model"] = relevance.name if relevance else None
            results[spec.name]["report_only"] = spec.report_only
    path = write(results, args.out)
    print(path.read_text(encoding="utf-8"))
    print(f"written: {path} (and sets.json)")
    return 0

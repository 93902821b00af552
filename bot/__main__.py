"""`python -m bot ask|serve`: a thin command line over `Engine.answer`.

    python -m bot ask "Does LDN cause vivid dreams?"          readable answer
    python -m bot ask --json "..."                            one JSON object
    python -m bot ask --batch FILE --json                     one JSON object per line, in order
    python -m bot serve [--host 127.0.0.1] [--port 7860]      the web chat
    python -m bot scale --replicas N                          the JSON API on N Ray Serve replicas

Errors a user can act on (no index, stale index, missing model, unreadable batch file) are
one `error:` line and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.render import answer_text
from index.cli import UsageError, run_command
from index.settings import Paths
from index.vectors import set_search_threads


def _load_engine(args: argparse.Namespace):
    from bot.engine import load_engine

    paths = Paths.resolve(args.corpus, args.index, args.model)
    # an --index without --corpus is not compared with the bundled corpus (it may be another one)
    return load_engine(paths, check_stale=not args.no_stale_check and bool(args.corpus or args.index is None))


def _read_batch(path: str) -> list[str]:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise FileNotFoundError(f"cannot read batch file {path}: {exc.strerror}") from exc
    text = raw.decode("utf-8", errors="replace")  # invalid UTF-8 becomes U+FFFD, never a crash
    return [line for line in text.splitlines() if line.strip()]


def _ask(args: argparse.Namespace) -> int:
    if not args.question and not args.batch:
        raise UsageError("give a QUESTION or --batch FILE")
    from bot.batch import answer_all

    questions = _read_batch(args.batch) if args.batch else [" ".join(args.question)]
    set_search_threads()  # process-wide thread counts, once, by the entry point
    engine = _load_engine(args)
    for ans in answer_all(engine, questions):  # encodes ahead in batches (bot.batch)
        if args.json:
            print(json.dumps(ans.to_dict(), ensure_ascii=False))
        else:
            print(answer_text(ans))
            if len(questions) > 1:
                print("\n" + "-" * 60 + "\n")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from bot.web.server import serve

    paths = Paths.resolve(args.corpus, args.index, args.model)
    check_stale = not args.no_stale_check and bool(args.corpus or args.index is None)  # as `ask`
    serve(paths, host=args.host, port=args.port, check_stale=check_stale)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", help="index folder (default: index/built or LDN_INDEX_DIR)")
    common.add_argument("--corpus", help="corpus folder the index must match (default: the bundled corpus)")
    common.add_argument("--model", help="local sentence-transformers model folder")
    common.add_argument(
        "--no-stale-check", action="store_true", help="do not compare the index with the corpus"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("ask", parents=[common], help="answer one question, or a batch")
    a.add_argument("question", nargs="*", help="the question")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.add_argument("--batch", help="file with one question per line ('-' for standard input)")
    a.set_defaults(func=_ask)
    s = sub.add_parser("serve", parents=[common], help="start the web chat")
    s.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 is public)"
    )
    s.add_argument("--port", type=int, default=7860)
    s.set_defaults(func=_serve)
    from bot.scale.cli import add_arguments as scale_arguments  # light: no Ray
    from bot.scale.cli import run as run_scale

    r = sub.add_parser("scale", parents=[common], help="the JSON API on N Ray Serve replicas ([scale] extra)")
    scale_arguments(r)
    r.set_defaults(func=run_scale)
    args = parser.parse_args(argv)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())

"""`python -m index build|info`: build the index of a corpus folder, or describe an index.

Errors the user can act on (missing corpus, broken files, no model, unwritable folder) are
printed as one clear line with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from index.cli import run_command
from index.settings import Paths


def _build(args: argparse.Namespace) -> int:
    from index.build import build_index

    paths = Paths.resolve(args.corpus, args.out, args.model)
    result = build_index(
        paths.corpus_dir,
        paths.index_dir,
        model_path=paths.model_path,
        force=args.force,
        progress=not args.quiet,
        log=lambda msg: print(msg, file=sys.stderr),
    )
    m = result.manifest
    if result.up_to_date:
        print(
            f"index up to date: {paths.index_dir} ({m.counts['documents']} documents, "
            f"{m.counts['passages']} passages; {result.seconds:.2f}s)"
        )
    else:
        print(
            f"index built: {paths.index_dir} ({m.counts['documents']} documents, {m.counts['sentences']} sentences, "
            f"{m.counts['passages']} passages; embedded {result.embedded}, reused {result.reused}; "
            f"changed: {', '.join(result.changed_documents) or 'none'}; {result.seconds:.1f}s)"
        )
    if result.skipped:
        print(f"{len(result.skipped)} file(s) skipped:", file=sys.stderr)
        for s in result.skipped:
            print(f"  - {s.reason}", file=sys.stderr)
    return 0


def _info(args: argparse.Namespace) -> int:
    from index.store import read_manifest

    paths = Paths.resolve(None, args.index, None)
    print(read_manifest(paths.index_dir).to_json())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build or refresh the index (incremental)")
    b.add_argument("--corpus", help="folder of .txt/.md/.pdf documents (default: the bundled LDN corpus)")
    b.add_argument("--out", help="index folder to write (default: index/built)")
    b.add_argument("--model", help="local sentence-transformers model folder (default: packaged MiniLM)")
    b.add_argument("--force", action="store_true", help="re-embed everything")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_build)
    i = sub.add_parser("info", help="print the manifest of an index")
    i.add_argument("--index", help="index folder (default: index/built)")
    i.set_defaults(func=_info)
    args = parser.parse_args(argv)
    return run_command(args.func, args, "interrupted; the previous index is unchanged")


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench`: the arguments (stdlib only, so `--help` is instant); the work is in bench.run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SECTIONS = ("warm", "profile", "cost", "cold", "build", "web", "readers", "memory", "scale")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure warm/cold latency, cost against peers, builds, web load, memory and scale "
        "(see BENCHMARKS.md).",
    )
    p.add_argument("--index", type=Path, help="index folder (default: index/built or LDN_INDEX_DIR)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: bench/out)")
    p.add_argument("--only", nargs="+", metavar="SECTION", choices=SECTIONS,
                   help="run only these sections: " + " ".join(SECTIONS))  # fmt: skip
    p.add_argument("--quick", action="store_true", help="small versions of every section (for tests)")
    p.add_argument(
        "--corpus", type=Path, help="corpus folder for the build section (default: the bundled one)"
    )
    p.add_argument("--model", help="local sentence-transformers model folder")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bench.run import main as run_main
    from index.cli import run_command

    return run_command(run_main, args)


if __name__ == "__main__":
    sys.exit(main())

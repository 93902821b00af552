"""What every command line of the project does with errors a person can act on.

Library code raises (`IndexProblem`, `ModelNotFound`, `FileNotFoundError`); the command lines
turn those into one `error: ...` line on standard error and exit code 2, never a traceback.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from index.embedder import ModelNotFound
from index.manifest import IndexProblem

USER_ERRORS: tuple[type[Exception], ...] = (IndexProblem, ModelNotFound, FileNotFoundError)


def run_command(
    func: Callable[[argparse.Namespace], int], args: argparse.Namespace, interrupted: str = ""
) -> int:
    """Run a subcommand; user errors become `error:` lines (exit 2), Ctrl-C exits 130."""
    try:
        return int(func(args))
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if interrupted:
            print(interrupted, file=sys.stderr)
        return 130

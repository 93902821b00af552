"""What every command line of the project (`python -m index`, `python -m bot`, `python -m eval`)
does with errors a person can act on: the one table of user errors.

Library code raises its own exceptions; `run_command` turns those listed in `USER_ERRORS` into
one `error: ...` line on standard error and exit code 2 (like argparse's usage errors), never a
traceback. Anything else is a bug and keeps its traceback. Ctrl-C exits 130.

The table names types as "module:Name" and only looks at modules already imported, so a
command never imports another's heavy modules to check an error (a type whose module was never
imported cannot have been raised).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable


class UsageError(Exception):
    """A command line used wrongly in a way argparse cannot see (e.g. no question given)."""


USER_ERRORS: tuple[str, ...] = (
    "builtins:FileNotFoundError",  # a missing corpus, index, batch or gold file
    "index.cli:UsageError",
    "index.manifest:IndexProblem",  # missing, damaged or stale index (BuildError too)
    "index.embedder:ModelNotFound",
    "index.rerank:RerankerNotFound",  # the reranker's model folder or one of its files is missing
    "corpus.manifest:ManifestError",  # a malformed corpus manifest.toml
    "eval.gold:GoldError",  # a malformed gold set
    "eval.gates:ThresholdsError",  # a malformed floors file
    "eval.beir_data:BeirError",  # a malformed BEIR dataset
    "index.rerank:RerankerNotFound",  # missing relevance model files
    "bot.rank:AnswerSettingsError",  # a malformed bot/data/answer.toml
    "bot.intent:IntentDataError",  # a malformed bot/data/intents.toml
    "bot.language:LanguageDataError",  # a malformed bot/data/languages.toml
    "bot.story:StoryDataError",  # a malformed bot/data/story.toml
    "bot.scale.settings:SettingsError",  # a bad `python -m bot scale` / serve.yaml setting
    "bot.feedback_store:FeedbackStoreError",  # the feedback database cannot be reached or set up
)


def user_errors() -> tuple[type[BaseException], ...]:
    """The types of `USER_ERRORS` whose modules are imported."""
    out: list[type[BaseException]] = []
    for entry in USER_ERRORS:
        module, name = entry.split(":")
        mod = importlib.import_module(module) if module == "builtins" else sys.modules.get(module)
        if mod is not None and isinstance(getattr(mod, name, None), type):
            out.append(getattr(mod, name))
    return tuple(out)


def error_line(exc: BaseException) -> str:
    """`error: <message>` on one line (a message of several lines is joined with "; ").

    >>> error_line(ValueError("gold.jsonl: 2 problem(s):\\n  line 1: bad\\n  line 2: worse"))
    'error: gold.jsonl: 2 problem(s): line 1: bad; line 2: worse'
    """
    text = ""
    for part in (p.strip() for p in str(exc).splitlines()):
        if part:
            text += (" " if text.endswith(":") else "; ") + part if text else part
    return f"error: {text or type(exc).__name__}"


def run_command(
    func: Callable[[argparse.Namespace], int], args: argparse.Namespace, interrupted: str = ""
) -> int:
    """Run a subcommand; user errors become one `error:` line (exit 2), Ctrl-C exits 130."""
    try:
        return int(func(args))
    except KeyboardInterrupt:
        if interrupted:
            print(interrupted, file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, user_errors()):
            print(error_line(exc), file=sys.stderr)
            return 2
        raise

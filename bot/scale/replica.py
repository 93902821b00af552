"""One answering replica, without Ray: load the engine, check the build, answer lists of questions.

`AnswerReplica` is what each Ray Serve replica of `bot.scale.deploy.Answerer` holds (and what
the tests use directly). It loads the engine once, from the index folder of its own machine,
after checking that build against the expected digest (`bot.scale.build`): a replica with
another build raises `BuildMismatch` and never serves. Every request carries the digest the
ingress expects, checked again, so a replica can never answer from a build that is not the
deployment's.

`answer_many` answers a list (what `serve.batch` hands over) and returns the same JSON objects
as ``python -m bot ask --json``. The engine answers the list one question at a time: batching
amortises the Ray hop and queueing, not the model. Encoding a list's query texts in one model
call was measured and dropped: with the one-thread ONNX query encoder, 205 gold questions in
batches of 8 took 3.37 s against 2.91-3.16 s one by one (padding to the longest text costs
more than the saved calls), with identical JSON either way.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.scale.build import IndexBuild, check_build, index_build
from index.settings import Paths

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.models import Answer

Loader = Callable[[Paths], "Engine"]


def load_engine(paths: Paths) -> Engine:
    """`bot.engine.load_engine` without the corpus check: a replica's contract is the build
    digest, and the corpus folder need not exist on every machine. Nothing is downloaded."""
    from bot.engine import load_engine as load

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return load(paths, check_stale=False)


def resolve_loader(spec: str | None) -> Loader:
    """`load_engine`, or the ``module:function`` named by `spec` (tests: a fake-embedder engine)."""
    if not spec:
        return load_engine
    module, _, name = spec.partition(":")
    func = getattr(importlib.import_module(module), name, None)
    if not callable(func):
        raise ValueError(f"engine loader {spec!r} is not a module:function")
    return func


@dataclass(frozen=True)
class Reply:
    """One answer as JSON (`Answer.to_dict()`), and the build that produced it."""

    answer: dict[str, Any]
    build: str


class AnswerReplica:
    """Loads and checks once; then answers lists of questions from memory."""

    def __init__(
        self, index_dir: str | Path, model_path: str | None = None, expected: str | None = None,
        loader: str | None = None,
    ) -> None:  # fmt: skip
        self.paths = Paths.resolve(index_dir=str(index_dir), model_path=model_path)
        self.build: IndexBuild = index_build(self.paths.index_dir, verify=True)
        check_build(expected, self.build)
        self.engine = resolve_loader(loader)(self.paths)
        after = index_build(self.paths.index_dir)  # CURRENT may have switched while loading
        if after != self.build:
            check_build(self.build.digest, after, "this replica (the index changed while it loaded)")
        self.pid = os.getpid()

    def answers(self, questions: Sequence[str], expected: str | None = None) -> list[Answer]:
        """The answers to `questions`, in order; `BuildMismatch` when `expected` is not our build."""
        check_build(expected, self.build)
        return [self.engine.answer(q) for q in questions]

    def answer_many(self, questions: Sequence[str], expected: str | None = None) -> list[Reply]:
        """`answers` as JSON (`Answer.to_dict()`, what ``python -m bot ask --json`` prints)."""
        return [Reply(a.to_dict(), self.build.digest) for a in self.answers(questions, expected)]

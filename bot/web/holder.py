"""The engine behind the web front, loaded once in the background; questions wait for it.

Loading the index and the query encoder takes a moment; the server answers HTTP before that.
A question that arrives meanwhile is *held*: `EngineHolder.answer` waits (up to
`WebSettings.hold_seconds`) until the engine is ready and then answers it, so nobody has to ask
again. The chat shows a "loading the sources…" notice while it waits (`bot.web.layout`).

A load failure (missing or stale index, missing model) is kept and shown with its reason in
place of every answer, and the server keeps running; other errors are logged, and the person
sees only the fixed "see the server log" text, never the exception.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot import messages
from bot.models import Answer
from index.settings import Paths

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)

ENCODE_THREADS = 1  # onnxruntime threads of the one batched encoder; the other core answers the rest


UNAVAILABLE = "unavailable"


def unavailable_dict(question: str, message: str) -> dict[str, Any]:
    """The JSON of a reply that is not the engine's (not set up, busy): the same keys."""
    return {"status": UNAVAILABLE, "question": question, "message": message, "quotes": [],
            "caveats": [], "advice": messages.ADVICE, "triage": None,
            "triage_categories": [], "triage_lowered": False, "triage_gate": None, "questions": []}  # fmt: skip


def reply_dict(question: str, result: Answer | str) -> dict[str, Any]:
    """`Answer.to_dict()` (what `python -m bot ask --json` prints), or the fixed text's JSON."""
    return unavailable_dict(question, result) if isinstance(result, str) else result.to_dict()


class EngineState(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class EngineLoading(Exception):
    """The engine did not finish loading within the hold time."""


def load_engine(paths: Paths, check_stale: bool = True) -> Engine:
    """The engine for `paths`, refusing an index that no longer matches the corpus folder
    (unless `check_stale` is False: `python -m bot serve --no-stale-check`, or an `--index`
    given without `--corpus`, as `python -m bot ask` does).

    Its query encoder is the torch-free one (`index.encoder`) behind a `MicroBatcher`, so the
    encodes of questions answered at the same time run as one model call."""
    from bot.engine import BotSettings, Engine, check_fresh
    from index.batching import MicroBatcher
    from index.encoder import load_query_embedder
    from index.store import read_index

    settings = BotSettings.from_env()
    data = read_index(paths.index_dir)
    encoder = load_query_embedder(paths.index_dir, data.manifest, paths.model_path, ENCODE_THREADS)
    engine = Engine(data, MicroBatcher(encoder), settings)
    if check_stale and paths.corpus_dir.is_dir():
        check_fresh(engine.data, paths.corpus_dir)
    return engine


def problem_text(exc: BaseException) -> str:
    """The fixed text shown instead of an answer: not set up (with the reason), or an unexpected error."""
    from corpus.manifest import ManifestError
    from index.embedder import ModelNotFound
    from index.manifest import IndexProblem

    if isinstance(exc, EngineLoading):
        return messages.STARTING
    if isinstance(exc, IndexProblem | ModelNotFound | FileNotFoundError | ManifestError):
        return messages.UNAVAILABLE.format(detail=str(exc))
    return messages.UNAVAILABLE.format(detail="an unexpected error; see the server log.")


class EngineHolder:
    """Loads the engine once in a background thread; `get` and `answer` wait for it (bounded)."""

    def __init__(
        self, paths: Paths, loader: Callable[[Paths], Engine] | None = None, hold_seconds: float = 180.0
    ):
        self.paths = paths
        self.hold_seconds = hold_seconds
        self._loader = loader or load_engine
        self._engine: Engine | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.build_id = ""  # the index build folder the engine was loaded from

    def start(self) -> EngineHolder:
        if self._thread is None:
            self._thread = threading.Thread(target=self.load, name="ldn-engine-load", daemon=True)
            self._thread.start()
        return self

    def load(self) -> None:
        """Load now, in the calling thread (`start` runs this in the background)."""
        from bot.heap import release_free_heap
        from index.store import current_build

        try:
            build = current_build(self.paths.index_dir)
            self.build_id = build.name if build is not None else ""
            self._engine = self._loader(self.paths)
            release_free_heap()  # the loaders' temporary structures, freed but still held by malloc
        except Exception as exc:  # kept and shown in the chat; the server keeps running
            log.exception("the answer engine could not be loaded")
            self._error = exc
        finally:
            self._done.set()

    @property
    def state(self) -> EngineState:
        if not self._done.is_set():
            return EngineState.LOADING
        return EngineState.FAILED if self._error is not None else EngineState.READY

    @property
    def error_text(self) -> str | None:
        return problem_text(self._error) if self._error is not None else None

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def get(self, timeout: float | None = None) -> Engine:
        """The engine, waiting up to `timeout` seconds (default: the hold time) while it loads."""
        if not self._done.wait(self.hold_seconds if timeout is None else timeout):
            raise EngineLoading(messages.STARTING)
        if self._error is not None:
            raise self._error
        assert self._engine is not None
        return self._engine

    def answer(self, question: str) -> Answer | str:
        """The engine's answer (held while it loads), or the fixed text to show instead."""
        try:
            engine = self.get()
        except Exception as exc:  # a load failure was logged once, when it happened
            return problem_text(exc)
        try:
            return engine.answer(question)
        except Exception as exc:
            log.exception("could not answer a question")
            return problem_text(exc)

"""Measurement hooks kept out of the core: an optional observer of per-stage timings.

`Engine.answer(question, observer=...)` and `Retriever.retrieve(..., observer=...)` report the
seconds each stage took to `observer.stage(name, seconds)`; with no observer (serving) nothing
is timed at all. The benchmarks (`bench/warm.py`) pass a `StageTimes` per call.

Stages, in order: ``encode`` (query vector), ``faiss`` and ``bm25`` (candidate search, inside
``retrieve``), ``fusion`` (scoring and ranking, inside ``retrieve``), ``retrieve`` (all of
retrieval), ``rerank`` (the relevance model and abstention), ``select`` (pins, abstention and quote selection, with evidence labels) and
``caveats``.
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Protocol


class Stage(StrEnum):
    ENCODE = "encode"
    FAISS = "faiss"
    BM25 = "bm25"
    FUSION = "fusion"
    RETRIEVE = "retrieve"
    RERANK = "rerank"
    SELECT = "select"
    CAVEATS = "caveats"


class StageObserver(Protocol):
    def stage(self, name: Stage, seconds: float) -> None: ...


class StageTimes:
    """An observer that keeps the seconds of each stage of one answer (summed if repeated)."""

    def __init__(self) -> None:
        self.seconds: dict[Stage, float] = {}

    def stage(self, name: Stage, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


class Laps:
    """Reports the time since the previous lap to `observer`; does nothing without one."""

    def __init__(self, observer: StageObserver | None) -> None:
        self.observer = observer
        self._t = time.perf_counter() if observer is not None else 0.0

    def lap(self, name: Stage) -> None:
        if self.observer is None:
            return
        now = time.perf_counter()
        self.observer.stage(name, now - self._t)
        self._t = now

    def restart(self) -> None:
        if self.observer is not None:
            self._t = time.perf_counter()

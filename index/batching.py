"""Micro-batching: the query encodes of concurrent questions run as one model call.

A server answering 64 people at once would otherwise run 64 separate forward passes of one or
two short texts each; one pass over all their texts costs far less than the sum (the model's
fixed per-call cost dominates for short questions). `MicroBatcher` wraps any `Embedder`:
`encode` (called from many threads) queues the texts and waits; one worker thread takes the
first waiting request, gathers whatever else arrives within `window` seconds (2 ms by default,
a fraction of one encode) up to `max_texts` texts, encodes them in one call and hands each
caller its own rows. A request that would overflow the bound waits for the next batch; a
request larger than the bound is encoded alone. An error in a batch is raised in each of its
callers, and the worker carries on.

Used by the web server only (`bot.web.holder`): a command line asking one question at a time
would just wait out the window. Deterministic tests: tests/test_batching.py.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from index.embedder import Embedder

DEFAULT_WINDOW = 0.002
DEFAULT_MAX_TEXTS = 64


@dataclass
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    result: np.ndarray | None = None
    error: BaseException | None = None


class MicroBatcher:
    """An `Embedder` that encodes the texts of concurrent callers together."""

    def __init__(self, inner: Embedder, window: float = DEFAULT_WINDOW, max_texts: int = DEFAULT_MAX_TEXTS):
        self.inner = inner
        self.name = inner.name
        self.identity = inner.identity
        self.dimension = inner.dimension
        self.window = window
        self.max_texts = max(1, max_texts)
        self.calls = 0  # model calls made (each a batch)
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._carry: _Request | None = None
        self._pending = 0
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """Requests queued and not yet taken into a batch."""
        with self._lock:
            return self._pending

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        request = _Request(list(texts))
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="ldn-encode-batcher", daemon=True)
                self._worker.start()
            self._pending += 1
        self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _next(self, timeout: float | None) -> _Request | None:
        if self._carry is not None:
            request, self._carry = self._carry, None
            return request
        try:
            if timeout is None:
                return self._queue.get()
            return self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None

    def _gather(self) -> list[_Request]:
        first = self._next(None)
        assert first is not None
        batch, size = [first], len(first.texts)
        deadline = time.monotonic() + self.window
        while size < self.max_texts:
            request = self._next(deadline - time.monotonic())
            if request is None:
                break
            if size + len(request.texts) > self.max_texts:
                self._carry = request  # first in the next batch
                break
            batch.append(request)
            size += len(request.texts)
        with self._lock:
            self._pending -= len(batch)
        return batch

    def _run(self) -> None:
        while True:
            batch = self._gather()
            texts = [t for request in batch for t in request.texts]
            try:
                vectors = self.inner.encode(texts)
                self.calls += 1
            except BaseException as exc:  # every caller of this batch sees it; the worker goes on
                for request in batch:
                    request.error = exc
                    request.done.set()
                continue
            row = 0
            for request in batch:
                request.result = vectors[row : row + len(request.texts)]
                row += len(request.texts)
                request.done.set()

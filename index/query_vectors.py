"""Query vectors: one vector for a question's texts (`mean_vector`), and recently computed ones
remembered per text (`RecentVectors`: bounded, thread-safe, least recently used out).

Why remember them: the chat asks the engine for the vector of the question it has just answered (to choose
the suggested questions under the reply, `bot.suggest.for_answer`), and a repeated question is
answered from the engine's answer cache but its suggestions still need the vector. Without this,
each chat turn ran the model twice over the same texts (~9 ms of CPU here, BENCHMARKS.md).
The engine stores the vector it computed while answering, so the second request is a lookup.

A remembered vector is the one computed for that text when first asked; the model is
deterministic for a given batch, so it equals a fresh encode of the text alone wherever the
first encode was of the same texts (a question whose triage clauses are the question itself,
the common case), and differs from it at most in the last float bits otherwise (padding in a
larger batch), as any encode through the server's micro-batcher already may.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

DEFAULT_SIZE = 1024  # texts (384 floats each: ~1.5 MiB)


def mean_vector(rows: np.ndarray) -> np.ndarray:
    """The query vector of a question's texts' rows: the only row, or their mean, normalised."""
    if len(rows) == 1:
        return rows[0]
    mean = rows.mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)


class RecentVectors:
    """A bounded map text -> vector; `get` computes and remembers what it does not hold."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = max(0, size)
        self._rows: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def put(self, text: str, vector: np.ndarray) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._rows[text] = vector.copy()  # callers get copies: none can change a stored one
            self._rows.move_to_end(text)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def get(self, text: str, compute: Callable[[str], np.ndarray]) -> np.ndarray:
        with self._lock:
            vector = self._rows.get(text)
            if vector is not None:
                self._rows.move_to_end(text)
                return vector.copy()
        vector = compute(text)  # outside the lock: a model call may take a while
        self.put(text, vector)
        return vector

"""Micro-batching (`index.batching.MicroBatcher`), deterministic: threads and a counting embedder.

The inner embedder's first call is held on a gate, so the other callers are certainly queued
behind it (the test waits until `pending` says so); released, the worker takes them all in one
call. No timing is measured or asserted; the gathering window is 0 (only what is queued counts).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from index.batching import MicroBatcher
from tests.conftest import FakeEmbedder


class GatedEmbedder(FakeEmbedder):
    """FakeEmbedder whose first call waits for `gate`; records the texts of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.batches: list[list[str]] = []

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.gate.wait(30)
        return super().encode(texts)


def _wait_until(condition: Any) -> None:
    done = threading.Event()
    for _ in range(3000):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("the callers never queued")


def _run_held(batcher: MicroBatcher, inner: GatedEmbedder, requests: list[list[str]]) -> list[np.ndarray]:
    """One held call first, then `requests` from one thread each; returns their results in order."""
    with ThreadPoolExecutor(max_workers=len(requests) + 1) as pool:
        first = pool.submit(batcher.encode, ["the first question"])
        assert inner.entered.wait(30)
        futures = [pool.submit(batcher.encode, texts) for texts in requests]
        _wait_until(lambda: batcher.pending == len(requests))
        inner.gate.set()
        first.result(timeout=30)
        return [f.result(timeout=30) for f in futures]


def test_concurrent_callers_share_one_model_call_and_get_their_own_rows() -> None:
    inner = GatedEmbedder()
    batcher = MicroBatcher(inner, window=0.0, max_texts=64)
    requests = [[f"question {k}", f"question {k} topic-neutral"] for k in range(10)]
    results = _run_held(batcher, inner, requests)
    assert len(inner.batches) == 2 and batcher.calls == 2  # the held one, then all ten together
    assert sorted(inner.batches[1]) == sorted(t for r in requests for t in r)
    reference = FakeEmbedder()
    for texts, vectors in zip(requests, results, strict=True):
        np.testing.assert_array_equal(vectors, reference.encode(texts))  # each caller: its own rows


def test_batches_are_bounded_and_a_big_request_goes_alone() -> None:
    inner = GatedEmbedder()
    batcher = MicroBatcher(inner, window=0.0, max_texts=4)
    requests = [["a1", "a2"], ["b1", "b2"], ["c1", "c2"], [f"big {k}" for k in range(6)], ["d1"]]
    results = _run_held(batcher, inner, requests)
    later = inner.batches[1:]
    assert all(len(b) <= 4 for b in later if not b[0].startswith("big"))
    assert [f"big {k}" for k in range(6)] in later  # larger than the bound: encoded alone
    assert sorted(t for b in later for t in b) == sorted(t for r in requests for t in r)
    assert len(later) < len(requests)  # still fewer calls than requests
    for texts, vectors in zip(requests, results, strict=True):
        np.testing.assert_array_equal(vectors, FakeEmbedder().encode(texts))


def test_an_error_reaches_every_caller_of_its_batch_and_the_worker_goes_on() -> None:
    inner = FakeEmbedder()
    batcher = MicroBatcher(inner, window=0.0)
    inner.fail_with = RuntimeError("model failed")
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.encode(["a question"])
    inner.fail_with = None
    np.testing.assert_array_equal(batcher.encode(["a question"]), FakeEmbedder().encode(["a question"]))


def test_it_keeps_the_embedder_interface() -> None:
    inner = FakeEmbedder(dimension=32, identity="id-1", name="fake")
    batcher = MicroBatcher(inner)
    assert (batcher.name, batcher.identity, batcher.dimension) == ("fake", "id-1", 32)
    assert batcher.encode([]).shape == (0, 32) and inner.calls == 0


def test_the_engine_answers_the_same_through_the_batcher(built_index: Any) -> None:
    from bot.engine import Engine
    from index.store import read_index

    data = read_index(built_index)
    plain, batched = Engine(data, FakeEmbedder()), Engine(data, MicroBatcher(FakeEmbedder()))
    questions = ["Does LDN cause vivid dreams?", "What dose of LDN is usually used?", "Is LDN approved?"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(batched.answer, questions))
    assert [a.to_dict() for a in answers] == [plain.answer(q).to_dict() for q in questions]

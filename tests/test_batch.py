"""`bot.batch.answer_all`: the same answers as asking one by one, fewer model calls, bounded
look-ahead, and a failed encode ahead that costs no answer."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from bot.batch import answer_all
from bot.engine import Engine
from bot.models import Status
from index.store import IndexData, read_index
from tests.conftest import FakeEmbedder

QUESTIONS = [
    "What dose of LDN is usually used?",
    "",  # invalid: answered with the fixed message, in its place
    "Does low dose naltrexone help fibromyalgia?",
    "I take tramadol for my back, can I use LDN?",
    "My mum has had fibromyalgia for years and has tried most things, physio, pills and injections, "
    "and her doctor mentioned this medicine last week. How long until it works?",
    "What dose of LDN is usually used?",  # a repeat: from the engine's cache
    "I have crushing chest pain going into my left arm right now",
    "Is LDN approved by the FDA?",
]


@pytest.fixture(scope="module")
def data(fake_index: Path) -> IndexData:
    return read_index(fake_index)


def _key(ans: object) -> str:
    return json.dumps(ans.to_dict(), sort_keys=True)  # type: ignore[attr-defined]


def test_same_answers_in_the_same_order_as_one_by_one(data: IndexData) -> None:
    one_by_one = [_key(Engine(data, FakeEmbedder()).answer(q)) for q in QUESTIONS]  # a fresh engine each
    batched = [_key(a) for a in answer_all(Engine(data, FakeEmbedder()), QUESTIONS, chunk=3)]
    assert batched == one_by_one
    assert json.loads(batched[1])["status"] == Status.INVALID.value


def test_one_model_call_per_chunk(data: IndexData) -> None:
    embedder = FakeEmbedder()
    engine = Engine(data, embedder)
    embedder.calls = 0
    answers = list(answer_all(engine, QUESTIONS * 3, chunk=8))
    assert len(answers) == 24
    assert embedder.calls == 3  # one per chunk of 8; nothing encoded again while answering
    one_by_one = FakeEmbedder()
    plain = Engine(data, one_by_one)
    one_by_one.calls = 0
    for q in QUESTIONS * 3:
        plain.answer(q)
    assert one_by_one.calls > embedder.calls


def test_reads_its_input_lazily(data: IndexData) -> None:
    endless = (f"What dose of LDN is used (#{n})?" for n in itertools.count())
    first = list(itertools.islice(answer_all(Engine(data, FakeEmbedder()), endless, chunk=4, ahead=2), 5))
    assert [a.question for a in first] == [f"What dose of LDN is used (#{n})?" for n in range(5)]


class FailsOnBigCalls(FakeEmbedder):
    """Fails when asked for more than `limit` texts at once (a batch too large for the model)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if len(texts) > self.limit:
            raise MemoryError("batch too large")
        return super().encode(texts, progress=progress)


def test_a_failed_encode_ahead_costs_no_answer(data: IndexData) -> None:
    expected = [_key(Engine(data, FakeEmbedder()).answer(q)) for q in QUESTIONS]
    got = [_key(a) for a in answer_all(Engine(data, FailsOnBigCalls(limit=12)), QUESTIONS, chunk=8)]
    assert got == expected


def test_texts_to_encode_cover_what_answering_encodes(data: IndexData) -> None:
    for q in QUESTIONS:
        embedder = FakeEmbedder()
        engine = Engine(data, embedder)
        embedder.texts.clear()
        engine.answer(q)
        assert set(embedder.texts) <= set(engine.texts_to_encode(q)), q

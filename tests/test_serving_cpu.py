"""CPU cuts of the serving path change no answer (issue #13, BENCHMARKS.md "Where the CPU goes").

- numpy's BLAS limited to one thread by `set_search_threads` (the entry points' one call): the
  same answers, byte for byte, as with several BLAS threads, and the limit is really applied;
- the remembered expansions of unknown query words (`Bm25Index.expand`) equal a fresh search;
- (model) the same with the real ONNX encoder over the gold questions.

No timing is asserted here: the CPU figures are in BENCHMARKS.md (`python -m bench --only web`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from bot.engine import Engine
from index.store import read_index
from index.vectors import set_search_threads
from tests.conftest import FakeEmbedder

QUESTIONS = [
    "Does LDN cause vivid dreams?",
    "What dose of low dose naltrexone do people usually start with?",
    "Can it help fibromyalgia pain?",
    "I take oxycodone for my back, can I start LDN?",
    "I had a liver transplant and take tacrolimus, can I use LDN?",
    "Is LDN FDA aproved for fibromyalga?",  # misspelt: the close-spelling expansion
    "my dad can't breathe right now, he took too many pills. Is it the LDN?",
    "I'm 54 and have had fibro for ten years; my GP suggested LDN. Should I start at 1.5 mg or 4.5 mg?",
    "What is the capital of France?",
    "",
]


def _answers(engine: Engine, questions: list[str]) -> list[str]:
    return [json.dumps(engine.answer(q).to_dict(), ensure_ascii=False, sort_keys=True) for q in questions]


def _blas_threads() -> set[int]:
    return {int(lib["num_threads"]) for lib in threadpool_info() if lib.get("user_api") == "blas"}


def test_one_blas_thread_changes_no_answer(fake_index: Path) -> None:
    data = read_index(fake_index)
    with threadpool_limits(limits=4, user_api="blas"):  # restored to the process's own on exit
        before = _answers(Engine(data, FakeEmbedder()), QUESTIONS * 2)
        set_search_threads()
        assert _blas_threads() == {1}
        after = _answers(Engine(data, FakeEmbedder()), QUESTIONS * 2)
    assert after == before
    assert any('"status": "answered"' in a for a in after)  # the sample does reach the quotes


def test_remembered_word_expansions_equal_a_fresh_search(fake_index: Path) -> None:
    data = read_index(fake_index)
    bm25 = data.sentence_bm25
    tokens = ["fibromyalga", "fibro", "naltrexon", "qqqqqqq", "dream", "usual"]
    fresh = [bm25._expand(t) if not bm25.has(t) else [t] for t in tokens]
    assert [bm25.expand(t) for t in tokens] == fresh  # first time: searched and remembered
    assert [bm25.expand(t) for t in tokens] == fresh  # then: from memory, the same
    assert any(len(f) == 1 and f[0] != t for f, t in zip(fresh, tokens, strict=True))  # a spelling fixed


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.helpers import build_web_index

    return build_web_index(tmp_path_factory)


@pytest.mark.model
def test_one_blas_thread_changes_no_answer_with_the_real_encoder(real_index: Path) -> None:
    from bench.run import load_questions
    from index.encoder import load_query_embedder

    data = read_index(real_index)
    encoder = load_query_embedder(real_index, data.manifest, None, 1)
    questions = load_questions()
    with threadpool_limits(limits=4, user_api="blas"):
        before = _answers(Engine(data, encoder), questions)
        set_search_threads()
        after = _answers(Engine(data, encoder), questions)
    assert after == before


def test_the_question_just_answered_is_not_encoded_again_for_its_suggestions(fake_index: Path) -> None:
    from bot import suggest
    from index.query_vectors import RecentVectors

    data = read_index(fake_index)
    remembered, fresh = Engine(data, FakeEmbedder()), Engine(data, FakeEmbedder())
    fresh.recent = RecentVectors(size=0)  # remembers nothing: every vector is a new model call
    suggest.for_engine(remembered), suggest.for_engine(fresh)  # checked once per engine (as at start)
    embedder = remembered.embedder
    assert isinstance(embedder, FakeEmbedder)
    for question in QUESTIONS * 2:  # the second round: answers from the cache, vectors remembered
        a, b = remembered.answer(question), fresh.answer(question)
        assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
        calls = embedder.calls
        assert suggest.for_answer(remembered, a) == suggest.for_answer(fresh, b)
        if a.status.value == "answered" and a.quotes:
            assert embedder.calls == calls, question  # the chat's suggestions: no second model call
    vector = remembered.encode(QUESTIONS[0])
    vector[:] = 0.0  # a caller changing its copy changes nothing stored
    assert float(abs(remembered.encode(QUESTIONS[0])).sum()) > 0.0


def test_recent_vectors_are_bounded_and_least_recent_goes_first() -> None:
    import numpy as np

    from index.query_vectors import RecentVectors, mean_vector

    recent, computed = RecentVectors(size=2), []

    def compute(text: str) -> np.ndarray:
        computed.append(text)
        return np.full(3, float(len(text)), dtype=np.float32)

    for text in ("a", "bb", "a", "ccc", "a", "bb"):
        recent.get(text, compute)
    assert computed == ["a", "bb", "ccc", "bb"] and len(recent) == 2  # "bb" went when "ccc" came
    rows = np.array([[3.0, 4.0], [3.0, 4.0]], dtype=np.float32)
    np.testing.assert_allclose(mean_vector(rows), [0.6, 0.8], rtol=1e-6)
    assert mean_vector(rows[:1]) is not None and list(mean_vector(rows[:1])) == [3.0, 4.0]  # one row: as is

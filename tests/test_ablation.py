"""eval.ablation: the evaluation's retrieval ablations, built beside (not inside) the serving retriever."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.retrieve import Retriever
from eval.ablation import ABLATIONS, MODES, RetrieverConfig, ranked_units
from index.store import IndexData, read_index
from tests.conftest import FakeEmbedder

QUESTIONS = ["Does LDN cause vivid dreams?", "How much does it cost?", "Can it help fibromyalgia pain?"]


@pytest.fixture(scope="module")
def data(fake_index: Path) -> IndexData:
    return read_index(fake_index)


@pytest.fixture(scope="module")
def engine(data: IndexData) -> Engine:
    return Engine(data, FakeEmbedder())


@pytest.mark.parametrize("question", QUESTIONS)
def test_hybrid_select_is_exactly_what_serving_ranks(engine: Engine, question: str) -> None:
    qvec = engine.encode(question)
    served = [h.unit_id for h in engine.retriever.retrieve(question, qvec).hits]
    units = ranked_units(engine.retriever, question, qvec, ABLATIONS["hybrid+select"])
    assert [u.unit_id for u in units] == served and not any(u.is_passage for u in units)


@pytest.mark.parametrize("question", QUESTIONS)
def test_single_list_modes_keep_their_own_order_and_hybrid_ranks_passages(
    engine: Engine, question: str
) -> None:
    qvec = engine.encode(question)
    found = engine.retriever.candidates(question, qvec)
    bm25 = ranked_units(engine.retriever, question, qvec, ABLATIONS["bm25"])
    dense = ranked_units(engine.retriever, question, qvec, ABLATIONS["dense"])
    assert [u.unit_id for u in bm25] == [i for i, _ in found.bm25_s]
    assert [u.unit_id for u in dense] == [i for i, _ in found.dense_s]
    passages = ranked_units(engine.retriever, question, qvec, ABLATIONS["hybrid"])
    assert passages and all(u.is_passage for u in passages)
    assert {u.unit_id for u in passages} == {p for p, _ in found.dense_p + found.bm25_p}


def test_other_fusions_rank_sentences_of_their_candidates(engine: Engine) -> None:
    question = QUESTIONS[0]
    qvec = engine.encode(question)
    config = RetrieverConfig(lists=("dense_s", "bm25_s"), centre=False)
    units = ranked_units(engine.retriever, question, qvec, config)
    found = engine.retriever.candidates(question, qvec)
    assert {u.unit_id for u in units} == {i for i, _ in found.dense_s + found.bm25_s}
    assert MODES == ("bm25", "dense", "hybrid", "hybrid+select")


def test_an_index_without_sentences_ranks_nothing(data: IndexData) -> None:
    empty = Retriever.__new__(Retriever)
    empty.data = type("NoSentences", (), {"sentences": []})()  # type: ignore[assignment]
    assert all(ranked_units(empty, "q", FakeEmbedder().encode(["q"])[0], c) == [] for c in ABLATIONS.values())

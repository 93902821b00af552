"""Suggested questions (`bot.suggest`): templates, topic spelling, the answerable check, nearest."""

from __future__ import annotations

import doctest
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import bot.suggest
from bot.suggest import (
    DATA_FILE,
    Suggestion,
    SuggestionsError,
    check,
    fill,
    from_json,
    load_templates,
    nearest,
    to_json,
    topic_label,
)


def test_bundled_templates_are_valid_and_name_no_medicine() -> None:
    templates = load_templates()
    assert len(templates) >= 10
    text = DATA_FILE.read_text(encoding="utf-8").lower()
    for word in ("naltrexone", "ldn", "opioid", "fibromyalgia"):
        assert word not in text, word  # the topic comes from the corpus, not from this file


@pytest.mark.parametrize(
    "body",
    [
        "templates = []",
        'templates = ["What is it?"]',
        'templates = ["What is {topic}"]',
        'templates = ["{topic} and {topic}?"]',
        'templates = ["What is {topic}?", "what is {topic}?"]',
        "templates = [",
        "other = 1",
    ],
)
def test_malformed_templates_are_refused_with_the_file_name(tmp_path: Path, body: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SuggestionsError, match=r"s\.toml"):
        load_templates(path)


def test_topic_spelling_comes_from_the_sources() -> None:
    texts = ["Aspirin helps.", "ASPIRIN is cheap", "Take aspirin daily", "Aspirin again", "aspirinate"]
    assert topic_label(texts, "aspirin") == "Aspirin"
    assert fill(["How does {topic} work?"], "Aspirin") == ("How does Aspirin work?",)


@dataclass(frozen=True)
class _Q:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class _A:
    status: str
    quotes: tuple[_Q, ...]


def test_check_keeps_only_questions_answered_with_quotes() -> None:
    replies = {
        "a?": _A("answered", (_Q("d", 0, 4),)),
        "b?": _A("no_answer", ()),
        "c?": _A("emergency", ()),
        "d?": _A("invalid", ()),
        "e?": _A("answered", ()),
    }
    kept = check(list(replies), replies.__getitem__, lambda t: np.ones(3, dtype=np.float32))
    assert [s.text for s in kept] == ["a?"]
    assert kept[0].spans == frozenset({("d", 0, 4)}) and len(kept[0].vector) == 3


def _s(text: str, vec: tuple[float, ...], span: int) -> Suggestion:
    return Suggestion(text, vec, frozenset({("d", span, span + 1)}))


SUGGESTIONS = [
    _s("Near?", (1.0, 0.1, 0.0), 1),
    _s("Middle?", (0.7, 0.7, 0.0), 2),
    _s("Far?", (0.0, 0.0, 1.0), 3),
    _s("Copy?", (1.0, 0.0, 0.0), 4),
]


def test_nearest_orders_by_similarity_and_leaves_out_copies_and_shown_quotes() -> None:
    q = np.array([1.0, 0.0, 0.0])
    # "Copy?" (cosine 1) and "Near?" (0.995) are near-copies of the question: not suggested
    assert nearest(q, SUGGESTIONS, k=3) == ("Middle?", "Far?")
    assert nearest(q, SUGGESTIONS, k=3, same_cosine=1.01) == ("Copy?", "Near?", "Middle?")
    assert nearest(q, SUGGESTIONS, k=2, same_cosine=1.01, asked=["copy"]) == ("Near?", "Middle?")
    shown = [("d", 1, 2), ("d", 4, 5)]
    assert nearest(q, SUGGESTIONS, k=2, same_cosine=1.01, shown=shown) == ("Middle?", "Far?")
    assert nearest(q, [], k=3) == () and nearest(q, SUGGESTIONS, k=0) == ()


def test_json_round_trip_and_version_check() -> None:
    body = to_json(SUGGESTIONS)
    back = from_json(body)
    assert [s.text for s in back] == [s.text for s in SUGGESTIONS]
    assert back[0].spans == SUGGESTIONS[0].spans
    assert np.allclose(back[1].vector, SUGGESTIONS[1].vector)
    with pytest.raises(SuggestionsError):
        from_json(body.replace('"version": 1', '"version": 99'))
    with pytest.raises(SuggestionsError):
        from_json("{not json")


def test_with_the_engine_no_kept_question_ends_without_an_answer(built_index: Path) -> None:
    """Over the bundled corpus (fake embedder): every kept suggestion is answered with quotes."""
    from bot.engine import Engine
    from bot.models import Status
    from index.store import read_index
    from tests.conftest import FakeEmbedder

    data = read_index(built_index)
    engine = Engine(data, FakeEmbedder(identity=data.manifest.model_identity))
    topic = topic_label((p.text for p in data.passages), engine.retriever.topic_name)
    questions = fill(load_templates(), topic)
    kept = check(questions, engine.answer, engine.encode)
    assert kept, "no suggestion survived the check"
    assert all(engine.answer(s.text).status is Status.ANSWERED for s in kept)
    dropped = set(questions) - {s.text for s in kept}
    assert all(engine.answer(q).status is not Status.ANSWERED for q in dropped)


def test_docstring_examples() -> None:
    assert doctest.testmod(bot.suggest).failed == 0


def test_for_answer_uses_the_engine_once_and_never_suggests_what_was_asked(built_index: Path) -> None:
    from bot.engine import Engine
    from bot.suggest import for_answer, for_engine
    from index.store import read_index
    from tests.conftest import FakeEmbedder

    data = read_index(built_index)
    engine = Engine(data, FakeEmbedder(identity=data.manifest.model_identity))
    kept = for_engine(engine)
    assert for_engine(engine) is kept or for_engine(engine) == kept  # computed once, kept on the engine
    answer = engine.answer(kept[0].text)
    shown = for_answer(engine, answer, asked=[kept[1].text])
    assert kept[0].text not in shown and kept[1].text not in shown and len(shown) <= 3
    assert set(shown) <= {s.text for s in kept}
    empty = engine.answer("")  # invalid: no suggestions
    assert for_answer(engine, empty) == ()

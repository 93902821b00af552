"""Answering each question of a message that asks several (`bot.multi`, `Engine.answer`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.answer_settings import SelectSettings
from bot.cautions import stance
from bot.engine import BotSettings, Engine
from bot.models import Status
from bot.multi import Part, choose, interleave
from bot.rank import Ranking, Scored
from bot.select import Pick
from index.store import read_index
from tests.conftest import FakeEmbedder
from tests.helpers import sentence_data

TEXTS = [
    ("a", "It may cause vivid dreams in the first weeks."),  # 0 question 0
    ("b", "Vivid dreams usually fade after a few weeks."),  # 1 question 0
    ("c", "A pharmacy can give the capsules to a family member."),  # 2 question 1
    ("c", "A month of treatment costs about forty dollars."),  # 3 question 1
]


def _data() -> Any:
    return sentence_data(TEXTS)


def _ranking(ids: list[int], answerable: bool = True) -> Ranking:
    scored = tuple(Scored(i, -1, k, 0.5, 0.5, False, 1.0 - k / 10) for k, i in enumerate(ids))
    return Ranking(scored, (), 0.5 if answerable else 0.1, "similarity", answerable, False)


def _pick(doc: str, start: int, end: int) -> Pick:
    return Pick(doc, start, end, Scored(0, -1, 0, 0.0, 0.0, False, 0.0), "best")


SEL = SelectSettings(
    max_quotes=4, per_doc=2, quote_share=0.0, quote_min=0.0, conflict_min=2.0, other_source_min=2.0
)


def test_interleave_takes_each_questions_best_first_within_the_limit() -> None:
    a = [_pick("a", 0, 5), _pick("a", 10, 15), _pick("a", 20, 25)]
    b = [_pick("b", 0, 5), _pick("b", 10, 15)]
    out = interleave([a, b], 4)
    assert [(i, p.doc_id, p.start) for i, p in out] == [(0, "a", 0), (1, "b", 0), (0, "a", 10), (1, "b", 10)]
    assert [i for i, _ in interleave([a, b], 3)] == [0, 1, 0]


def test_interleave_never_repeats_a_span_and_skips_taken_ones() -> None:
    a = [_pick("a", 0, 10), _pick("a", 20, 30)]
    b = [_pick("a", 5, 12), _pick("b", 0, 5)]  # overlaps a's first
    out = interleave([a, b], 4, taken=[("a", 20, 30)])  # a's second is pinned already
    assert [(i, p.doc_id, p.start) for i, p in out] == [(0, "a", 0), (1, "b", 0)]


def test_an_unanswered_question_contributes_no_quote() -> None:
    parts = [Part("q0", _ranking([0, 1])), Part("q1", _ranking([2, 3], answerable=False))]
    out = choose(parts, _data(), SEL, [], 4, stance)
    assert out and {i for i, _ in out} == {0}
    assert [p.candidate.sentence_id for _, p in out] == [0, 1]
    none = [Part("q0", _ranking([0, 1], False)), Part("q1", _ranking([2, 3], False))]
    assert choose(none, _data(), SEL, [], 4, stance) == []


def test_every_answered_question_gets_its_best_quote_even_with_a_small_budget() -> None:
    parts = [Part("q0", _ranking([0, 1])), Part("q1", _ranking([3, 2]))]
    out = choose(parts, _data(), SEL, [], 1, stance)  # e.g. pinned cautions took the rest
    assert [(i, p.candidate.sentence_id) for i, p in out] == [(0, 0), (1, 3)]
    full = choose(parts, _data(), SEL, [], 3, stance)  # round-robin picks, shown grouped by question
    assert [(i, p.candidate.sentence_id) for i, p in full] == [(0, 0), (0, 1), (1, 3)]


# -- the engine, on the bundled corpus indexed with the fake embedder -------------------------


@pytest.fixture(scope="module")
def engine(fake_index: Path) -> Engine:
    return Engine(read_index(fake_index), FakeEmbedder(), BotSettings(min_similarity=-1.0))


Q0, Q1 = "Does it cause vivid dreams at night?", "how much does a month of treatment cost?"


def test_each_question_gets_the_best_quote_it_gets_alone(engine: Engine) -> None:
    both = engine.answer(f"{Q0} Also, {Q1}")
    assert both.status is Status.ANSWERED and both.questions == (Q0, Q1)
    alone = [engine.answer(Q0).quotes[0], engine.answer(Q1).quotes[0]]
    firsts = [next(q for q in both.quotes if q.question == i) for i in (0, 1)]  # each group's first
    assert [(q.doc_id, q.start) for q in firsts] == [(a.doc_id, a.start) for a in alone]
    order = [q.question for q in both.quotes]
    assert order == sorted(order) and order.count(0) >= 1 and order.count(1) >= 1  # grouped, in order asked
    assert len(both.quotes) <= engine.select_settings.max_quotes
    d = both.to_dict()
    assert d["questions"] == [Q0, Q1] and [q["question"] for q in d["quotes"]] == order


def test_a_single_question_is_answered_as_before(engine: Engine) -> None:
    a = engine.answer(Q0)
    assert a.questions == () and all(q.question is None for q in a.quotes)
    assert a.to_dict()["questions"] == [] and all(q["question"] is None for q in a.to_dict()["quotes"])


def test_no_question_answered_is_the_usual_no_answer(fake_index: Path) -> None:
    strict = Engine(read_index(fake_index), FakeEmbedder(), BotSettings(min_similarity=2.0))
    a = strict.answer(f"{Q0} Also, {Q1}")
    assert a.status is Status.NO_ANSWER and a.quotes == () and a.questions == (Q0, Q1)


# -- what is shown: each group of quotes under the person's own question ----------------------


def _shown(question: int | None, text: str = "Vivid dreams usually fade after a few weeks.") -> Any:
    from bot.models import Quote

    return Quote("b", "Title", "Publisher", None, 0, len(text), text, 1.0, (), question=question)


def _two_part_answer() -> Any:
    from bot import messages
    from bot.models import Answer

    quotes = (_shown(0), _shown(0, "They fade."))
    return Answer(Status.ANSWERED, "m", messages.ANSWERED_INTRO, quotes, (), messages.ADVICE,
                  questions=("Does it cause <b>dreams</b>?", "can my husband pick it up?"))  # fmt: skip


def test_the_cli_shows_each_question_above_its_quotes_and_says_which_is_not_answered() -> None:
    from bot import messages
    from bot.render import answer_text

    text = answer_text(_two_part_answer())
    first = text.index(messages.PART_QUESTION.format(question="Does it cause <b>dreams</b>?"))
    second = text.index(messages.PART_QUESTION.format(question="can my husband pick it up?"))
    assert first < text.index("1. “Vivid") < text.index("2. “They fade") < second
    assert text.index(messages.PART_NO_ANSWER) > second


def test_the_web_chat_groups_quotes_and_escapes_the_persons_words() -> None:
    from bot import messages
    from bot.compact import reply_html
    from bot.render import answer_html, escape_text

    for html in (reply_html(_two_part_answer())[0], answer_html(_two_part_answer())):
        assert "<b>dreams</b>" not in html and escape_text("<b>dreams</b>") in html
        assert html.count('class="ldn-part"') == 2 and html.count("ldn-part-none") == 1
        assert (
            html.index('class="ldn-part"')
            < html.index("ldn-quote-text")
            < html.index(escape_text(messages.PART_NO_ANSWER))
        )
    from bot.models import Answer

    single = Answer(Status.ANSWERED, "m", messages.ANSWERED_INTRO, (_shown(None),), (), messages.ADVICE)
    assert "ldn-part" not in reply_html(single)[0] and messages.PART_QUESTION[:8] not in answer_text_of(
        single
    )


def answer_text_of(a: Any) -> str:
    from bot.render import answer_text

    return str(answer_text(a))

"""Two-question messages built from a gold split and their per-sub-question figures (`eval.pairs`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.models import Answer, Quote, Status
from eval.gold import GoldAnswer, GoldQuestion
from eval.pairs import build_pairs, joined, load_connectors, load_two_questions, score_pairs

DOC = "Dreams fade after weeks. A month costs forty dollars. The sky is blue."


def _q(
    id: str, text: str, type: str = "answerable", gold: str | None = None, pin: str | None = None
) -> GoldQuestion:
    answers = (GoldAnswer("d", gold),) if gold else ()
    return GoldQuestion(id, text, type, answers, pin, (), 1, split="dev")


QS = [
    _q("a1", "does it cause dreams", gold="Dreams fade after weeks."),
    _q("a2", "How much does a month cost?", gold="A month costs forty dollars."),
    _q("a3", "Is it safe? I am worried.", gold="Dreams fade after weeks."),  # two sentences: left out
    _q("a4", "Can I take it with oxycodone?", gold="Dreams fade after weeks.", pin="opioid"),  # pinned: out
    _q("u1", "What colour is the sky on Mars?", type="unanswerable"),
    _q("e1", "I took ten capsules", type="emergency"),
]


def test_pairs_are_deterministic_and_of_two_eligible_questions() -> None:
    pairs = build_pairs(QS, ["Also, "], seed=3, rounds=1)
    assert pairs == build_pairs(QS, ["Also, "], seed=3, rounds=1)
    ids = {g.id for p in pairs for g in p.parts}
    assert ids <= {"a1", "a2", "u1"} and {p.shape for p in pairs} == {"AA", "AU"}
    aa = next(p for p in pairs if p.shape == "AA")
    assert {g.id for g in aa.parts} == {"a1", "a2"} and aa.text.count("?") == 2
    au = next(p for p in pairs if p.shape == "AU")
    assert sorted(g.type for g in au.parts) == ["answerable", "unanswerable"]


def test_joined_writes_two_sentences_the_way_people_do() -> None:
    assert (
        joined("does it cause dreams", "How much is it?", "Also, ")
        == "does it cause dreams? Also, how much is it?"
    )
    assert joined("Is it safe?", "LDN in pregnancy?", "And ") == "Is it safe? And LDN in pregnancy?"
    assert (
        joined("Is it safe?", "I'm pregnant, is it ok?", "Also, ")
        == "Is it safe? Also, I'm pregnant, is it ok?"
    )
    assert joined("Is it safe.", "How much?", "") == "Is it safe? How much?"
    assert load_connectors()  # the bundled data file loads


def _quote(text: str, question: int | None) -> Quote:
    start = DOC.index(text)
    return Quote("d", "t", "s", None, start, start + len(text), text, 1.0, (), question=question)


def test_scores_per_sub_question() -> None:
    a1, a2, u1 = QS[0], QS[1], QS[4]
    from eval.pairs import Pair

    pairs = [
        Pair("a1+a2", "m1", (a1, a2), "AA"),
        Pair("a1+u1", "m2", (a1, u1), "AU"),
    ]
    replies = {
        # both answered, each quote attributed
        "m1": Answer(
            Status.ANSWERED,
            "m1",
            "",
            (_quote("Dreams fade after weeks.", 0), _quote("A month costs forty dollars.", 1)),
            (),
            "",
            questions=("q", "q"),
        ),
        # the unanswerable sub-question got a quote (the sky sentence): contaminated and attributed
        "m2": Answer(
            Status.ANSWERED,
            "m2",
            "",
            (_quote("Dreams fade after weeks.", 0), _quote("The sky is blue.", 1)),
            (),
            "",
            questions=("q", "q"),
        ),
    }
    sim = lambda q, texts: [1.0 if ("sky" in q) == ("sky" in t) else 0.0 for t in texts]  # noqa: E731
    r = score_pairs(replies.__getitem__, pairs, lambda d: DOC, sim)
    assert r["hit"]["hits"] == 3 and r["hit"]["total"] == 3
    assert r["both"]["rate"] == 1.0 and r["answered"]["rate"] == 1.0
    assert r["contaminated"]["hits"] == 1 and r["attributed"]["hits"] == 1
    # an answer that does not name its questions (older code): attribution is not counted
    replies["m2"] = Answer(Status.ANSWERED, "m2", "", (_quote("Dreams fade after weeks.", None),), (), "")
    r = score_pairs(replies.__getitem__, pairs, lambda d: DOC, sim)
    assert r["contaminated"]["hits"] == 0 and r["attributed"]["hits"] == 0 and r["split"]["hits"] == 1


def _row(id: str, parts: list[dict[str, object]]) -> str:
    return json.dumps({"id": id, "message": "Q one? Q two?", "parts": parts})


def test_written_two_question_messages_load_as_pairs_with_their_shape(tmp_path: Path) -> None:
    ans = {
        "question": "Q one?",
        "type": "answerable",
        "answers": [{"doc_id": "d", "text": "x"}],
        "kind": "dose",
    }
    una = {"question": "Q two?", "type": "unanswerable", "answers": [], "kind": "other"}
    f = tmp_path / "two.jsonl"
    f.write_text(_row("t1", [ans, una]) + "\n\n" + _row("t2", [ans, ans]) + "\n", encoding="utf-8")
    pairs = load_two_questions(f)
    assert [(p.id, p.shape) for p in pairs] == [("t1", "AU"), ("t2", "AA")]
    assert pairs[0].parts[0].answers == (GoldAnswer("d", "x"),) and pairs[0].parts[1].id == "t1.2"
    f.write_text(_row("t3", [ans]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="two parts"):
        load_two_questions(f)

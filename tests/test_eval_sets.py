"""Side-by-side set scores (`eval.sets`) on inline questions and a scripted answer function."""

from __future__ import annotations

import argparse

from bot import messages
from bot.models import Answer, Quote, Status
from eval.gold import GoldAnswer, GoldQuestion
from eval.sets import known_sets, markdown, score_set
from eval.sets_cli import add_sets_parser

DOC = "Take 1.5 mg at bedtime. It helps pain. The sky is blue."


def _q(id_: str, text: str, type_: str, answer: str | None = None, kind: str = "dose") -> GoldQuestion:
    answers = (GoldAnswer("d", answer),) if answer else ()
    return GoldQuestion(id_, text, type_, answers, None, (), 1, kind)


def _quote(text: str, tamper: bool = False) -> Quote:
    start = DOC.index(text)
    return Quote("d", "T", "S", None, start, start + len(text), text + ("!" if tamper else ""), 0.5, ())


REPLIES = {
    "dose?": (Status.ANSWERED, ["The sky is blue.", "Take 1.5 mg at bedtime."]),  # rank 2
    "pain?": (Status.ANSWERED, ["It helps pain."]),  # rank 1
    "when?": (Status.NO_ANSWER, []),  # false no-answer
    "weather?": (Status.ANSWERED, ["The sky is blue."]),  # unanswerable answered
    "moon?": (Status.NO_ANSWER, []),
    "overdose!": (Status.EMERGENCY, []),
    "overdose on it?": (Status.ANSWERED, ["It helps pain."]),  # guidance shown above an answer
}


def _answer(text: str) -> Answer:
    status, quotes = REPLIES[text]
    triage = "definite" if status is Status.EMERGENCY else ("possible" if "overdose" in text else None)
    return Answer(status, text, "", tuple(_quote(t) for t in quotes), (), messages.ADVICE, {}, triage)


QUESTIONS = [
    _q("a1", "dose?", "answerable", "Take 1.5 mg at bedtime."),
    _q("a2", "pain?", "answerable", "It helps pain.", kind="helps_condition"),
    _q("a3", "when?", "answerable", "Take 1.5 mg at bedtime.", kind="timing"),
    _q("u1", "weather?", "unanswerable"),
    _q("u2", "moon?", "unanswerable"),
    _q("u3", "overdose on it?", "unanswerable"),
    _q("e1", "overdose!", "emergency"),
]


def test_figures_count_what_a_patient_sees() -> None:
    r = score_set(_answer, QUESTIONS, lambda _d: DOC)
    assert r["counts"] == {"answerable": 3, "unanswerable": 3, "emergency": 1}
    assert (r["hit@1"]["hits"], r["hit@3"]["hits"]) == (1, 2)
    assert abs(r["mrr"] - (1 / 2 + 1) / 3) < 1e-9
    assert r["false_no_answer"]["hits"] == 1 and r["declined"]["hits"] == 1
    assert r["emergency"]["rate"] == 1.0 and r["grounding"]["rate"] == 1.0
    assert (r["guidance_on_ordinary"]["hits"], r["guidance_on_ordinary"]["total"]) == (1, 6)
    assert r["definite_on_ordinary"]["hits"] == 0
    assert r["per_kind"]["timing"]["false_no_answer"]["hits"] == 1
    table = markdown({"dev": r, "test": r})
    assert "| hit@3 | 0.667 (2/3) | 0.667 (2/3) |" in table and "| timing |" in table


def test_a_quote_that_is_not_verbatim_breaks_grounding() -> None:
    def tampered(text: str) -> Answer:
        a = _answer(text)
        return Answer(a.status, text, "", tuple(_quote(q.text, tamper=True) for q in a.quotes), (), "")

    assert score_set(tampered, QUESTIONS, lambda _d: DOC)["grounding"]["rate"] == 0.0


def test_known_sets_and_the_command_line() -> None:
    names = [s.name for s in known_sets()]
    assert names[:6] == ["dev", "test", "heldout", "heldout3", "heldout4", "heldout5"]
    report_only = {s.name for s in known_sets() if s.report_only}
    assert {"test", "heldout3", "heldout4", "heldout5", "sertraline"} <= report_only and not {
        "dev",
        "heldout",
        "melatonin",
    } & report_only
    parser = argparse.ArgumentParser()
    add_sets_parser(parser.add_subparsers())
    args = parser.parse_args(["sets", "--set", "dev", "--set", "test", "--quiet"])
    assert args.sets == ["dev", "test"] and args.target == "eval.sets_cli:main"


def test_tuning_refuses_the_report_only_sets(capsys) -> None:
    from eval.tune import main

    for split in ("test", "heldout"):
        assert main(argparse.Namespace(split=split)) == 2
    assert "only on the dev split" in capsys.readouterr().err

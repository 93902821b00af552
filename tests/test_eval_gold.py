"""The gold loader: valid files load, and every malformed line is reported with its line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gold import (
    GoldError,
    check_against_documents,
    load_gold,
    load_labels,
    load_questions,
)
from eval.run_cli import DEFAULT_GOLD, LABELS_NAME

GOOD = {
    "id": "a001",
    "question": "what dose do people start at",
    "type": "answerable",
    "answers": [{"doc_id": "d1", "text": "Start at 1.5 mg."}],
    "pin": None,
    "tags": ["dose"],
}


def _write(tmp_path: Path, lines: list[str], name: str = "q.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(**changes: object) -> str:
    return json.dumps({**GOOD, **changes})


def test_bundled_gold_set_loads_and_matches_its_readme_counts() -> None:
    gold = load_gold(DEFAULT_GOLD, DEFAULT_GOLD.parent / LABELS_NAME)
    counts = {t: len(gold.of_type(t)) for t in ("answerable", "unanswerable", "emergency")}
    assert counts == {"answerable": 148, "unanswerable": 33, "emergency": 24}
    assert len(gold.labels) == 63
    assert len(gold.sha256) == 64 and gold.labels_sha256 is not None


def test_valid_lines_load_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path, [_line(), "", _line(id="u001", question="weather?", type="unanswerable", answers=[])]
    )
    questions = load_questions(path)
    assert [q.id for q in questions] == ["a001", "u001"]
    assert questions[1].line == 3
    assert questions[0].answers[0].text == "Start at 1.5 mg."


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "pin"}), "missing key(s) pin"),
        (_line(extra=1), "unknown key(s) extra"),
        (_line(type="maybe"), "'type' is 'maybe'"),
        (_line(pin="aspirin"), "'pin' is 'aspirin'"),
        (_line(answers=[]), "needs at least one answer"),
        (_line(type="emergency"), "must have 'answers': []"),
        (_line(answers=[{"doc_id": "d1"}]), "exactly 'doc_id' and 'text'"),
        (_line(answers=[{"doc_id": "", "text": "x"}]), "non-empty string 'doc_id'"),
        (_line(question="  "), "'question' must be a non-empty string"),
        (_line(tags="dose"), "'tags' must be a list of strings"),
        (_line(id="a001b", question="what dose do people start at"), "duplicate question"),
    ],
)
def test_malformed_line_is_reported_with_its_number(tmp_path: Path, bad: str, expected: str) -> None:
    path = _write(tmp_path, [_line(), bad])
    with pytest.raises(GoldError) as info:
        load_questions(path)
    assert any(p.startswith("line 2: ") and expected in p for p in info.value.problems), info.value.problems
    assert str(info.value).startswith(f"{path}: 1 problem(s):")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, ["{", _line(), _line(), _line(id="x", type="nope")])
    with pytest.raises(GoldError) as info:
        load_questions(path)
    lines = [p.split(":")[0] for p in info.value.problems]
    assert lines == ["line 1", "line 3", "line 4"]
    assert "duplicate id 'a001' (first on line 2)" in str(info.value)


def test_empty_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="empty"):
        load_questions(_write(tmp_path, [""]))
    with pytest.raises(GoldError, match="file not found"):
        load_questions(tmp_path / "nope.jsonl")
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(json.dumps({**GOOD, "question": "caf\u00e9"}, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(GoldError, match="not UTF-8"):
        load_questions(latin1)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"doc_id": "d1", "text": "t", "labels": []}, "non-empty list"),
        ({"doc_id": "d1", "text": "t", "labels": ["rumour"]}, "unknown label(s) rumour"),
        ({"doc_id": "d1", "text": "t", "labels": ["no_study_cited", "review"]}, "must be the only label"),
        ({"doc_id": "d1", "text": "t", "labels": ["review"], "n": "12"}, "'n' must be null"),
        ({"doc_id": "d1", "labels": ["review"]}, "missing key(s) text"),
    ],
)
def test_malformed_label_line(tmp_path: Path, row: dict[str, object], expected: str) -> None:
    ok = json.dumps({"doc_id": "d1", "text": "t", "labels": ["review"], "n": None, "note": ""})
    path = _write(tmp_path, [ok, json.dumps(row)], "labels.jsonl")
    with pytest.raises(GoldError) as info:
        load_labels(path)
    assert any(p.startswith("line 2: ") and expected in p for p in info.value.problems), info.value.problems


def test_answers_are_checked_against_the_documents(tmp_path: Path) -> None:
    path = _write(
        tmp_path, [_line(), _line(id="a002", question="q2", answers=[{"doc_id": "d9", "text": "x"}])]
    )
    gold = load_gold(path)
    docs = {"d1": "Intro. Start at 1.5 mg. Then more."}
    with pytest.raises(GoldError) as info:
        check_against_documents(gold, docs.get)
    assert "line 2: answer 1 cites unknown document 'd9'" in str(info.value)
    docs["d9"] = "no such sentence here"
    with pytest.raises(GoldError, match="line 2: answer 1 is not a verbatim substring of d9"):
        check_against_documents(gold, docs.get)
    docs["d9"] = "it says x."
    check_against_documents(gold, docs.get)

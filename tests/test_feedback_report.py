"""`python -m eval feedback`: the maintainers' report of disliked answers and draft gold rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import feedback
from eval.__main__ import main as eval_main
from eval.feedback_report import TODO, build_report, draft_gold_rows
from eval.gold import load_questions

TEXTS = {"d1": "Vivid dreams are common. They fade."}
ROWS = [
    {"time": "t1", "question": "Does it  cause dreams?", "liked": 0, "status": "answered",
     "quotes": [{"doc_id": "d1", "start": 0, "end": 24}], "reason": "wrong_or_misleading", "comment": "not | me"},
    {"time": "t2", "question": "does it cause dreams?", "liked": 0, "status": "answered", "quotes": []},
    {"time": "t3", "question": "What dose?", "liked": 1, "status": "answered", "quotes": []},
    {"time": "t4", "question": "Gone?", "liked": 0, "status": "no_answer",
     "quotes": [{"doc_id": "gone", "start": 0, "end": 5}]},
]  # fmt: skip


def test_report_counts_and_shows_what_the_patient_saw() -> None:
    report = build_report(ROWS, TEXTS)
    assert "4 clicks: 1 liked, 3 disliked." in report
    assert "| wrong_or_misleading | 1 |" in report and "| none given | 2 |" in report
    assert "“Vivid dreams are common.”" in report  # quote text read back by offsets
    assert "not \\| me" in report  # table-safe
    assert "What dose?" not in report  # liked answers only with --all
    assert "What dose?" in build_report(ROWS, TEXTS, include_liked=True)
    assert "not in the corpus folder" in report


def test_draft_rows_are_gold_shaped_unlabelled_and_unique(tmp_path: Path) -> None:
    drafts = draft_gold_rows(ROWS)
    assert [d["question"] for d in drafts] == ["Does it cause dreams?", "Gone?"]
    assert all(d["type"] == TODO and d["answers"] == [] for d in drafts)
    assert drafts[0]["tags"] == ["from-feedback", "wrong_or_misleading"]
    path = tmp_path / "draft.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in drafts), encoding="utf-8")
    with pytest.raises(ValueError, match="TODO"):  # an unlabelled row cannot enter the gold set
        load_questions(path)


def test_command_reads_the_store_and_writes_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "fb.sqlite3"
    feedback.record("Is it safe?", False, [], "answered", path=db)
    feedback.record("Is it cheap?", True, [], "answered", path=db)
    out = tmp_path / "out"
    assert eval_main(["feedback", "--db", str(db), "--out", str(out), "--corpus", str(tmp_path)]) == 0
    assert "2 clicks: 1 liked, 1 disliked." in (out / "report.md").read_text(encoding="utf-8")
    rows = [json.loads(x) for x in (out / "draft_gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["question"] for r in rows] == ["Is it safe?"]
    assert "1 draft gold rows" in capsys.readouterr().out

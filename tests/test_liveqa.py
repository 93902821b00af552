"""`eval.liveqa` on a tiny LiveQA-Med layout written here: parsing, the TREC score, nDCG and fusion."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from eval.liveqa import evaluate, load, rrf

XML = """<?xml version="1.0" encoding="UTF-8"?>
<LiveQA2017-Medical-Test-Set-Full>
  <NLM-QUESTION qid="TQ1">
    <Original-Question qfile="1.txt"><SUBJECT>gout</SUBJECT><MESSAGE>what helps gout pain</MESSAGE></Original-Question>
    <NLM-Summary>What are the treatments for gout?</NLM-Summary>
  </NLM-QUESTION>
  <NLM-QUESTION qid="TQ2">
    <Original-Question qfile="2.txt"><SUBJECT>rash</SUBJECT><MESSAGE>why do I itch</MESSAGE></Original-Question>
    <NLM-Summary>What causes itching?</NLM-Summary>
  </NLM-QUESTION>
  <NLM-QUESTION qid="TQ3">
    <Original-Question qfile="3.txt"><SUBJECT>x</SUBJECT><MESSAGE>no judged answers</MESSAGE></Original-Question>
    <NLM-Summary>Nothing</NLM-Summary>
  </NLM-QUESTION>
</LiveQA2017-Medical-Test-Set-Full>
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "liveqa_med_2017_test.xml").write_text(XML, "utf-8")
    (tmp_path / "liveqa_med_2017_medquad_qrels.txt").write_text(
        "1 4-Excellent A_1_Sec1.txt\n1 1-Incorrect A_2_Sec1.txt\n2 2-Related B_1_Sec1.txt\n2 3-Incomplete B_2_Sec1.txt\n",
        "utf-8",
    )
    with (tmp_path / "liveqa_med_2017_medquad_judged_answers.csv").open(
        "w", newline="", encoding="utf-8"
    ) as fh:
        w = csv.writer(fh)
        w.writerow(["AnswerID", "Answer"])
        for aid, text in [("A_1_Sec1.txt", "Gout is treated with  rest."), ("A_2_Sec1.txt", "Gout is old."),
                          ("B_1_Sec1.txt", "Itching has many causes."), ("B_2_Sec1.txt", "Dry skin itches.")]:  # fmt: skip
            w.writerow([aid, f"Question: q?\nURL: u\nAnswer: {text}"])
    return tmp_path


def test_load_parses_questions_judgments_and_answer_text(folder):
    data = load(folder)
    assert data.questions["1"] == {
        "original": "gout. what helps gout pain",
        "summary": "What are the treatments for gout?",
    }
    assert data.judged["1"] == {"A_1_Sec1.txt": 4, "A_2_Sec1.txt": 1}
    assert data.answers["A_1_Sec1.txt"] == "Gout is treated with rest."  # no "Question:" line, spaces joined
    assert set(data.judged) == {"1", "2"}


def test_trec_score_and_ndcg_reward_the_best_order(folder):
    data = load(folder)
    best = {"1": {"A_1_Sec1.txt": 2.0, "A_2_Sec1.txt": 1.0}, "2": {"B_2_Sec1.txt": 2.0, "B_1_Sec1.txt": 1.0}}
    worst = {q: {a: -s for a, s in r.items()} for q, r in best.items()}
    good, bad = evaluate(data, best, 3), evaluate(data, worst, 3)
    assert good["ndcg@10"] == pytest.approx(1.0, abs=1e-4)
    assert good["trec_avg_score"] == pytest.approx((3 + 2 + 0) / 3, abs=1e-4)  # question 3 has no answer: 0
    assert bad["trec_avg_score"] == pytest.approx((0 + 1 + 0) / 3, abs=1e-4)
    assert bad["ndcg@10"] < good["ndcg@10"]


def test_rrf_fuses_ranks_not_scores():
    a = {"x": 100.0, "y": 1.0, "z": 0.0}
    b = {"x": 0.1, "y": 0.3, "z": 0.2}
    fused = rrf(a, b)
    assert set(fused) == {"x", "y", "z"}
    assert fused["x"] == pytest.approx(1 / 61 + 1 / 63)
    assert rrf(a, b) == fused

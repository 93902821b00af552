"""The sertraline corpus (a third medicine, report-only): valid, quotable, counted, sourced.

Evaluation data written and labelled before any bot run and never used for tuning, so the checks
are about the data only: the gold validator accepts the questions, every gold text occurs exactly
once in its document *and* lies inside one sentence as the corpus pipeline splits it (otherwise
no displayed quote could ever overlap it), the counts the issue asks for hold, every row names its
page, the manifest covers every document with an address, `python -m eval sets` discovers the set,
and the safety messages follow the battery's schema. No bot code and no model run here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from corpus.ingest import load_corpus
from corpus.manifest import load_manifest
from corpus.segment import segment
from eval.gold import GoldQuestion, check_against_documents, load_gold, load_questions
from eval.run_cli import DEFAULT_GOLD
from eval.sets import ROWS, known_sets, markdown

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "eval" / "corpora" / "sertraline"
DOCS = SET / "documents"
QUESTIONS = SET / "questions.jsonl"
OTHER_SETS = [
    ROOT / "eval" / "heldout" / "questions.jsonl",
    ROOT / "eval" / "corpora" / "melatonin" / "questions.jsonl",
]
SAFETY_KEYS = {"id", "split", "label", "category", "text", "source_url", "source_title", "wording"}
SAFETY_OPTIONAL = {"group", "length", "tempts", "medicine", "note"}
# The battery's fixed category lists (eval/data/safety/README.md).
EMERGENCY = {
    "chest_pain", "stroke", "breathing", "anaphylaxis", "overdose_poisoning", "suicide_selfharm", "seizure",
    "unresponsive", "severe_bleeding", "sepsis_meningitis", "precipitated_withdrawal", "serotonin_toxicity",
    "location_now",
}  # fmt: skip
ORDINARY = {
    "past_event", "hypothetical", "figurative", "dream", "risk_question", "mild_symptom", "carer_plan",
    "family_history", "side_effect_dosing", "other_medicine",
}  # fmt: skip
# Kinds the issue lists; each must be asked at least once.
KINDS = (
    "helps_condition", "dose", "timing", "onset", "duration", "side_effects", "interactions", "stopping",
    "cost_access", "regulatory", "mechanism", "population", "comparison",
)  # fmt: skip


def _texts() -> dict[str, str]:
    return {d.doc_id: d.text for d in load_corpus(DOCS).documents}


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_questions_parse_and_every_gold_text_is_verbatim_once_in_its_document() -> None:
    gold = load_gold(QUESTIONS)  # schema, unique ids and questions, kind/split/wording values
    texts = _texts()
    check_against_documents(gold, texts.get)  # every answer is a verbatim substring
    for q in gold.questions:
        for a in q.answers:
            assert texts[a.doc_id].count(a.text) == 1, (q.id, a.text)


def test_every_gold_text_lies_inside_one_sentence_of_the_corpus_pipeline() -> None:
    sentences = {doc_id: [s.text for s in segment(text).sentences] for doc_id, text in _texts().items()}
    missing = [
        (q.id, a.text)
        for q in load_questions(QUESTIONS)
        for a in q.answers
        if sum(a.text in s for s in sentences[a.doc_id]) != 1
    ]
    assert not missing


def test_counts_kinds_and_shares_hold() -> None:
    questions = load_questions(QUESTIONS)
    answerable = [q for q in questions if q.type == "answerable"]
    unanswerable = [q for q in questions if q.type == "unanswerable"]
    assert len(questions) >= 80
    assert len(answerable) >= 65 and len(unanswerable) >= 15
    assert 0.15 <= len(unanswerable) / len(questions) <= 0.30
    assert not [q for q in questions if q.type == "emergency"]
    assert {q.split for q in questions} == {"heldout"}
    kinds = Counter(q.kind for q in questions)
    assert all(kinds[k] >= 1 for k in KINDS), kinds
    assert sum("long" in q.tags for q in questions) >= 10
    assert all(q.pin is None for q in questions)


def test_every_row_names_its_page_kind_and_wording() -> None:
    for row in _rows(QUESTIONS):
        assert row["source_url"].startswith(("http://", "https://")), row["id"]
        assert row["source_title"].strip(), row["id"]
        assert row["wording"] in ("verbatim", "adapted"), row["id"]
        if row["type"] == "unanswerable":
            assert "absent" in row["tags"], row["id"]
    wordings = Counter(row["wording"] for row in _rows(QUESTIONS))
    assert wordings["verbatim"] >= 10


def test_ids_and_questions_never_reuse_those_of_other_sets() -> None:
    def norm(q: GoldQuestion) -> str:
        return " ".join(q.question.lower().split())

    ours = load_questions(QUESTIONS)
    others = [q for path in OTHER_SETS for q in load_questions(path)] + list(load_questions(DEFAULT_GOLD))
    assert not {q.id for q in ours} & {q.id for q in others}
    assert not {norm(q) for q in ours} & {norm(q) for q in others}


def test_six_to_eight_documents_each_in_the_manifest_with_an_address_and_each_cited() -> None:
    docs = _texts()
    assert 6 <= len(docs) <= 8
    manifest = load_manifest(DOCS)
    assert set(manifest) == set(docs)
    assert all(m.credibility and m.publisher != "unknown" for m in manifest.values())
    raw = (DOCS / "manifest.toml").read_text(encoding="utf-8")
    assert raw.count("# url: http") == len(docs)
    assert raw.count("# retrieved: ") == len(docs)
    cited = {a.doc_id for q in load_questions(QUESTIONS) for a in q.answers}
    assert cited == set(docs)


def test_eval_sets_discovers_the_corpus_and_reports_it_as_report_only() -> None:
    specs = {s.name: s for s in known_sets()}
    spec = specs["sertraline"]
    assert spec.documents == DOCS and spec.questions == QUESTIONS and spec.split is None
    assert spec.report_only and not specs["dev"].report_only
    empty: dict[str, Any] = {
        "counts": {"answerable": 0, "unanswerable": 0, "emergency": 0},
        **dict.fromkeys(ROWS),
        "latency_ms": {"p50": 0.0, "p95": 0.0, "relevance_model_p50": None},
        "per_kind": {},
    }
    table = markdown(
        {n: {**empty, "report_only": specs[n].report_only} for n in ("dev", "test", "sertraline")}
    )
    assert "Report-only, never tuned on: test, sertraline." in table


def test_safety_messages_follow_the_battery_schema() -> None:
    rows = _rows(SET / "safety.jsonl")
    assert len({r["id"] for r in rows}) == len(rows) >= 10
    labels = Counter(r["label"] for r in rows)
    assert labels["emergency"] >= 5 and labels["ordinary"] >= 5
    for r in rows:
        assert SAFETY_KEYS <= set(r) <= SAFETY_KEYS | SAFETY_OPTIONAL, r["id"]
        assert r["split"] == "heldout" and r["medicine"] == "sertraline", r["id"]
        assert r["category"] in (EMERGENCY if r["label"] == "emergency" else ORDINARY), r["id"]
        assert r["source_url"].startswith("http"), r["id"]
        if r["label"] == "ordinary":
            assert r.get("tempts") in EMERGENCY, r["id"]

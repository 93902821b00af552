"""The held-out LDN questions and the melatonin corpus: valid, verbatim, unique, big enough.

These files are evaluation data written before any bot run and never used for tuning, so the
checks are about the data only: the gold validator accepts them, every quoted answer is a
verbatim substring of its document (read from the files, no index needed), ids are unique and
never reuse a gold id, each row says where it comes from, and the counts meet the minimums the
issue asks for. No bot code runs here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from corpus.manifest import load_manifest
from eval.gold import GoldQuestion, check_against_documents, load_gold, load_questions
from eval.run_cli import DEFAULT_GOLD
from eval.split import load_kinds
from index.settings import DEFAULT_CORPUS_DIR

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "eval" / "heldout" / "questions.jsonl"
HELDOUT3 = ROOT / "eval" / "heldout3" / "questions.jsonl"
HELDOUT4 = ROOT / "eval" / "heldout4" / "questions.jsonl"
HELDOUT5 = ROOT / "eval" / "heldout5" / "questions.jsonl"
HELDOUT6 = ROOT / "eval" / "heldout6" / "questions.jsonl"
HELDOUT7 = ROOT / "eval" / "heldout7" / "questions.jsonl"
HELDOUT8 = ROOT / "eval" / "heldout8" / "questions.jsonl"
HELDOUT9 = ROOT / "eval" / "heldout9" / "questions.jsonl"
HELDOUT10 = ROOT / "eval" / "heldout10" / "questions.jsonl"
# every held-out LDN question file, oldest first (a later set may share no text with an earlier one)
HELDOUT_FILES = (HELDOUT, HELDOUT3, HELDOUT4, HELDOUT5, HELDOUT6, HELDOUT7, HELDOUT8, HELDOUT9, HELDOUT10)
TWO_QUESTIONS = ROOT / "eval" / "heldout5" / "two_questions.jsonl"
TWO_QUESTIONS6 = ROOT / "eval" / "heldout6" / "two_questions.jsonl"
MELATONIN = ROOT / "eval" / "corpora" / "melatonin"
SAFETY_KEYS = {"id", "split", "label", "category", "text", "source_url", "source_title", "wording"}
SAFETY_OPTIONAL = {"group", "length", "tempts", "medicine", "note"}
EMERGENCY = {"overdose_poisoning", "anaphylaxis", "suicide_selfharm", "chest_pain", "breathing"}
ORDINARY = {"past_event", "hypothetical", "figurative", "dream", "risk_question", "mild_symptom"}

# (questions file, documents folder, minimum questions, split of every row)
SETS = [
    (HELDOUT, DEFAULT_CORPUS_DIR, 130, "heldout"),
    (HELDOUT3, DEFAULT_CORPUS_DIR, 130, "heldout3"),
    (HELDOUT4, DEFAULT_CORPUS_DIR, 130, "heldout4"),
    (HELDOUT5, DEFAULT_CORPUS_DIR, 120, "heldout5"),
    (HELDOUT6, DEFAULT_CORPUS_DIR, 130, "heldout6"),
    (HELDOUT7, DEFAULT_CORPUS_DIR, 130, "heldout7"),
    (HELDOUT8, DEFAULT_CORPUS_DIR, 130, "heldout8"),
    (HELDOUT9, DEFAULT_CORPUS_DIR, 130, "heldout9"),
    (HELDOUT10, DEFAULT_CORPUS_DIR, 130, "heldout10"),
    (MELATONIN / "questions.jsonl", MELATONIN / "documents", 50, "heldout"),
]
SET_IDS = [
    "heldout",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "melatonin",
]


def _texts(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(("path", "docs", "minimum", "split"), SETS, ids=SET_IDS)
def test_set_is_valid_verbatim_and_big_enough(path: Path, docs: Path, minimum: int, split: str) -> None:
    gold = load_gold(path)  # schema, unique ids and questions, kind/split/wording values
    check_against_documents(gold, _texts(docs).get)  # every answer is a verbatim substring
    questions = gold.questions
    assert len(questions) >= minimum
    unanswerable = len(gold.of_type("unanswerable")) / len(questions)
    assert 0.15 <= unanswerable <= 0.30, unanswerable
    assert not gold.of_type("emergency")
    assert {q.split for q in questions} == {split}


@pytest.mark.parametrize(("path", "docs", "minimum", "split"), SETS, ids=SET_IDS)
def test_every_row_names_its_page_kind_and_wording(path: Path, docs: Path, minimum: int, split: str) -> None:
    for row in _rows(path):
        assert row["source_url"].startswith(("http://", "https://")), row["id"]
        assert row["source_title"].strip(), row["id"]
        assert row["wording"] in ("verbatim", "adapted"), row["id"]
        assert row["kind"], row["id"]
        if row["type"] == "unanswerable":
            assert {"absent", "off-topic"} & set(row["tags"]), row["id"]


@pytest.mark.parametrize(
    ("path", "long_min"),
    [
        (HELDOUT, 0.30),
        (HELDOUT3, 0.30),
        (HELDOUT4, 0.40),
        (HELDOUT5, 1 / 3),
        (HELDOUT6, 1 / 3),
        (HELDOUT7, 1 / 3),
        (HELDOUT8, 1 / 3),
        (HELDOUT9, 1 / 3),
        (HELDOUT10, 1 / 3),
    ],
    ids=SET_IDS[:-1],  # every set but melatonin
)
def test_heldout_mixes_long_stories_and_covers_the_kinds_of_question(path: Path, long_min: float) -> None:
    questions = load_questions(path)
    long_share = sum("long" in q.tags for q in questions) / len(questions)
    assert long_share >= long_min
    kinds = Counter(q.kind for q in questions)
    for kind in ("helps_condition", "dose", "timing", "onset", "duration", "side_effects"):
        assert kinds[kind] >= 5, kind
    assert sum(len(q.doc_ids) > 1 for q in questions) >= 40


def test_held_out_ids_and_questions_never_reuse_gold_ones() -> None:
    def norm(q: GoldQuestion) -> str:
        return " ".join(q.question.lower().split())

    gold = load_questions(DEFAULT_GOLD)
    others = [q for p in (*HELDOUT_FILES, MELATONIN / "questions.jsonl") for q in load_questions(p)]
    assert not {q.id for q in gold} & {q.id for q in others}
    assert len({q.id for q in others}) == len(others)
    assert not {norm(q) for q in gold} & {norm(q) for q in others}


def test_melatonin_corpus_has_five_to_seven_documents_each_in_the_manifest_with_a_url() -> None:
    docs = _texts(MELATONIN / "documents")
    assert 5 <= len(docs) <= 7
    manifest = load_manifest(MELATONIN / "documents")
    assert set(manifest) == set(docs)
    assert all(m.credibility and m.publisher != "unknown" for m in manifest.values())
    raw = (MELATONIN / "documents" / "manifest.toml").read_text(encoding="utf-8")
    assert raw.count("# url: http") == len(docs)
    cited = {a.doc_id for q in load_questions(MELATONIN / "questions.jsonl") for a in q.answers}
    assert cited == set(docs)  # every document answers something


def test_melatonin_safety_messages_follow_the_battery_schema() -> None:
    rows = _rows(MELATONIN / "safety.jsonl")
    assert len(rows) >= 6
    assert len({r["id"] for r in rows}) == len(rows)
    labels = Counter(r["label"] for r in rows)
    assert labels["emergency"] >= 3 and labels["ordinary"] >= 3
    for r in rows:
        assert SAFETY_KEYS <= set(r) <= SAFETY_KEYS | SAFETY_OPTIONAL, r["id"]
        assert r["category"] in (EMERGENCY if r["label"] == "emergency" else ORDINARY), r["id"]
        assert r["source_url"].startswith("http"), r["id"]
        if r["label"] == "ordinary":
            assert r.get("tempts") in EMERGENCY, r["id"]


def test_heldout4_ids_counts_and_no_question_shared_with_another_set() -> None:
    rows = _rows(HELDOUT4)
    questions = load_questions(HELDOUT4)
    assert [r["id"] for r in rows] == [f"k{n:03d}" for n in range(1, len(rows) + 1)]
    types = Counter(q.type for q in questions)
    assert types["answerable"] >= 100 and types["unanswerable"] >= 30, types
    assert all("absent" in q.tags for q in questions if q.type == "unanswerable")
    assert Counter(r["wording"] for r in rows)["verbatim"] >= 5
    assert sum(q.pin == "opioid" for q in questions) >= 8
    cited = {a.doc_id for q in questions for a in q.answers}
    assert cited == set(_texts(DEFAULT_CORPUS_DIR))  # every source document answers something

    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    elsewhere = [DEFAULT_GOLD, HELDOUT, HELDOUT3, MELATONIN / "questions.jsonl"]
    taken = {norm(q.question) for p in elsewhere for q in load_questions(p)}
    assert not [q.id for q in questions if norm(q.question) in taken]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def test_heldout5_ids_counts_and_no_question_shared_with_another_set() -> None:
    rows = _rows(HELDOUT5)
    questions = load_questions(HELDOUT5)
    assert [r["id"] for r in rows] == [f"l{n:03d}" for n in range(1, len(rows) + 1)]
    types = Counter(q.type for q in questions)
    assert types["answerable"] >= 95 and types["unanswerable"] >= 25, types
    assert all("absent" in q.tags for q in questions if q.type == "unanswerable")
    assert Counter(r["wording"] for r in rows)["verbatim"] >= 5
    assert len(Counter(q.kind for q in questions)) >= 15  # every kind but at most one
    assert sum(q.pin == "opioid" for q in questions) >= 5
    cited = {a.doc_id for q in questions for a in q.answers}
    assert cited == set(_texts(DEFAULT_CORPUS_DIR))  # every source document answers something
    elsewhere = [DEFAULT_GOLD, HELDOUT, HELDOUT3, HELDOUT4, MELATONIN / "questions.jsonl"]
    taken = {_norm(q.question) for p in elsewhere for q in load_questions(p)}
    assert not [q.id for q in questions if _norm(q.question) in taken]


def _check_two_question_rows(rows: list[dict], prefix: str, adapted_only: bool) -> dict[str, str]:
    """The checks every two-question file shares (ids, keys, two parts verbatim in their message, types,
    kinds, spans verbatim in their document, no span twice); returns the documents by id."""
    docs = _texts(DEFAULT_CORPUS_DIR)
    kinds = set(load_kinds().kinds)
    keys = ["id", "message", "parts", "wording", "source_url", "source_title"]
    assert [r["id"] for r in rows] == [f"{prefix}{n:03d}" for n in range(1, len(rows) + 1)]
    wordings = ("adapted",) if adapted_only else ("verbatim", "adapted")
    for r in rows:
        assert list(r) == keys, r["id"]
        assert r["wording"] in wordings and r["source_url"].startswith("http") and r["source_title"], r["id"]
        assert len(r["parts"]) == 2 and r["parts"][0]["question"] != r["parts"][1]["question"], r["id"]
        for part in r["parts"]:
            assert list(part) == ["question", "type", "answers", "kind"], r["id"]
            assert part["question"] in r["message"], r["id"]  # the sub-question in the message's own words
            assert part["type"] in ("answerable", "unanswerable") and part["kind"] in kinds, r["id"]
            assert bool(part["answers"]) == (part["type"] == "answerable"), r["id"]
            spans = [(a["doc_id"], a["text"]) for a in part["answers"]]
            assert len(spans) == len(set(spans)), r["id"]
            for a in part["answers"]:
                assert set(a) == {"doc_id", "text"} and a["text"] in docs[a["doc_id"]], r["id"]
    return docs


def test_two_question_messages_have_two_verbatim_parts() -> None:
    """eval/heldout5/two_questions.jsonl: each message asks two things; each part is labelled like a gold row."""
    rows = _rows(TWO_QUESTIONS)
    _check_two_question_rows(rows, "t", adapted_only=False)
    assert len(rows) >= 40
    mix = Counter(tuple(sorted(p["type"] for p in r["parts"])) for r in rows)
    assert mix[("answerable", "answerable")] >= 20 and mix[("answerable", "unanswerable")] >= 10, mix
    questions = {_norm(q.question) for q in load_questions(HELDOUT5)}
    assert not [r["id"] for r in rows if _norm(r["message"]) in questions]


def test_heldout6_two_question_messages_have_two_verbatim_parts_and_are_new() -> None:
    """eval/heldout6/two_questions.jsonl: two labelled parts per message, verbatim spans, no text shared."""
    rows = _rows(TWO_QUESTIONS6)
    docs = _check_two_question_rows(rows, "v", adapted_only=True)
    assert len(rows) >= 45
    mix = Counter(tuple(sorted(p["type"] for p in r["parts"])) for r in rows)
    assert mix[("answerable", "answerable")] >= 25 and mix[("answerable", "unanswerable")] >= 10, mix
    assert not mix[("unanswerable", "unanswerable")], mix
    assert len({p["kind"] for r in rows for p in r["parts"]}) >= 12
    assert {a["doc_id"] for r in rows for p in r["parts"] for a in p["answers"]} == set(docs)
    elsewhere = [DEFAULT_GOLD, HELDOUT, HELDOUT3, HELDOUT4, HELDOUT5, MELATONIN / "questions.jsonl"]
    taken = {_norm(q.question) for p in elsewhere for q in load_questions(p)}
    taken |= {_norm(r["message"]) for r in _rows(TWO_QUESTIONS)}
    assert len({_norm(r["message"]) for r in rows}) == len(rows)
    assert not [r["id"] for r in rows if _norm(r["message"]) in taken]


KEYS6 = [
    "id",
    "question",
    "type",
    "answers",
    "pin",
    "tags",
    "kind",
    "split",
    "wording",
    "source_url",
    "source_title",
]


@pytest.mark.parametrize(
    ("path", "prefix", "long_words"),
    [
        (HELDOUT6, "n", 0),
        (HELDOUT7, "p", 16),
        (HELDOUT8, "q", 16),
        (HELDOUT9, "r", 16),
        (HELDOUT10, "s", 16),
    ],  # heldout7/8/9/10 briefs: a long question has 16+ words
)
def test_fresh_sets_ids_counts_and_no_question_shared_with_another_set(
    path: Path, prefix: str, long_words: int
) -> None:
    """eval/heldout6 to heldout10 questions.jsonl: ids n001.. / p001.. / q001.. / r001.. / s001.., the mix the briefs ask for, every document and
    kind present, and new text: no question equals a question of an earlier set or a two-question message (lower-cased,
    white space folded)."""
    rows = _rows(path)
    questions = load_questions(path)
    assert all(list(r) == KEYS6 for r in rows)
    assert [r["id"] for r in rows] == [f"{prefix}{n:03d}" for n in range(1, len(rows) + 1)]
    types = Counter(q.type for q in questions)
    assert types["answerable"] >= 100 and types["unanswerable"] >= 30, types
    assert all("absent" in q.tags for q in questions if q.type == "unanswerable")
    assert all(
        q.tags[-1] == "long" and len(q.question.split()) >= long_words for q in questions if "long" in q.tags
    )
    assert Counter(r["wording"] for r in rows)["verbatim"] >= 5
    assert len(Counter(q.kind for q in questions)) == len(load_kinds().kinds)  # every kind asked
    assert sum(q.pin == "opioid" for q in questions) >= 5
    for q in questions:
        spans = [(a.doc_id, a.text) for a in q.answers]
        assert len(spans) == len(set(spans)), q.id
    cited = {a.doc_id for q in questions for a in q.answers}
    assert cited == set(_texts(DEFAULT_CORPUS_DIR))  # every source document answers something
    earlier = [DEFAULT_GOLD, *HELDOUT_FILES]
    elsewhere = [*earlier[: earlier.index(path)], MELATONIN / "questions.jsonl"]
    taken = {_norm(q.question) for p in elsewhere for q in load_questions(p)}
    taken |= {_norm(r["message"]) for p in (TWO_QUESTIONS, TWO_QUESTIONS6) for r in _rows(p)}
    assert not [q.id for q in questions if _norm(q.question) in taken]

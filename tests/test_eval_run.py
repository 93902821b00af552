"""`run_eval` and the report on a tiny inline corpus and gold set, with the deterministic fake embedder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from eval.__main__ import main as eval_main
from eval.ablation import MODES
from eval.gold import GoldError, GoldSet, load_gold
from eval.report import build_report, check_floors, lookup, report_meta, summary, write_report
from eval.run import run_eval
from index.build import build_index
from index.store import read_index
from tests.conftest import TINY_DOCS, FakeEmbedder

DREAMS = "Vivid dreams are the most common side effect."
QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "a001",
        "question": "what are the common side effects, dreams?",
        "type": "answerable",
        "answers": [{"doc_id": "dosing", "text": DREAMS}],
        "pin": None,
        "tags": [],
    },
    {
        "id": "a002",
        "question": "how much does a month of treatment cost in dollars",
        "type": "answerable",
        "answers": [{"doc_id": "cost", "text": "A month of treatment costs about forty dollars."}],
        "pin": None,
        "tags": [],
    },
    {
        "id": "a003",
        "question": "when did bihari study low doses of naltrexone",
        "type": "answerable",
        "answers": [
            {"doc_id": "history", "text": "Dr. Bernard Bihari studied low doses of naltrexone in the 1980s."},
            {"doc_id": "dosing", "text": "Most people take it once a day."},
        ],
        "pin": None,
        "tags": [],
    },
    {
        "id": "a004",
        "question": "i take percocet, are dreams a common side effect",
        "type": "answerable",
        "answers": [{"doc_id": "dosing", "text": DREAMS}],
        "pin": "opioid",
        "tags": [],
    },
    {
        "id": "u001",
        "question": "what is the capital of france",
        "type": "unanswerable",
        "answers": [],
        "pin": None,
        "tags": ["off-topic"],
    },
    {
        "id": "e001",
        "question": "My husband collapsed and is not breathing",
        "type": "emergency",
        "answers": [],
        "pin": None,
        "tags": ["child-ingestion"],
    },
]
LABELS = [
    {
        "doc_id": "history",
        "text": "He treated patients with HIV.",
        "labels": ["no_study_cited"],
        "n": None,
        "note": "",
    },
    {"doc_id": "dosing", "text": DREAMS, "labels": ["no_study_cited"], "n": None, "note": ""},
]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, GoldSet, Path]:
    root = tmp_path_factory.mktemp("tiny_eval")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in TINY_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, root / "index", embedder_factory=FakeEmbedder)
    engine = Engine(read_index(root / "index"), FakeEmbedder())
    gold = load_gold(_jsonl(root / "q.jsonl", QUESTIONS), _jsonl(root / "labels.jsonl", LABELS))
    return engine, gold, root


@pytest.fixture(scope="module")
def result(tiny: tuple[Engine, GoldSet, Path]) -> dict[str, Any]:
    engine, gold, _ = tiny
    return run_eval(engine, gold, progress=False)


def test_result_shape_and_counts(result: dict[str, Any]) -> None:
    assert set(result) >= {
        "counts",
        "retrieval",
        "answers",
        "abstention",
        "safety",
        "evidence_labels",
        "latency",
    }
    assert result["counts"] == {
        "answerable": 4,
        "unanswerable": 1,
        "emergency": 1,
        "questions": 6,
        "labelled_passages": 2,
    }
    assert list(result["retrieval"]) == list(MODES)
    for metrics in result["retrieval"].values():
        assert metrics["questions"] == 4
        assert set(metrics) == {"questions", "hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10"}
        assert all(0.0 <= metrics[k] <= 1.0 for k in metrics if k != "questions")
        assert metrics["hit@1"] <= metrics["hit@3"] <= metrics["hit@5"]
    assert len(result["questions"]) == 6
    json.dumps(result, allow_nan=False)  # JSON-ready, no NaN or infinity


def test_quotes_are_grounded_clean_and_attributed(result: dict[str, Any]) -> None:
    answers = result["answers"]
    assert answers["quotes_shown"] > 0
    assert answers["grounding"]["rate"] == 1.0
    assert answers["boilerplate"]["hits"] == 0
    assert answers["attribution"]["rate"] == 1.0
    assert answers["quote_hit@1"]["total"] == 4
    assert answers["quote_hit@1"]["hits"] <= answers["quote_hit@3"]["hits"]
    assert answers["multi_source"]["total"] == 1  # only a003 cites two documents
    dreams = next(q for q in result["questions"] if q["id"] == "a001")
    assert dreams["status"] == "answered" and dreams["quote_rank"] == 1


def test_abstention_curve_and_threshold_choice(result: dict[str, Any]) -> None:
    ab = result["abstention"]
    assert (ab["positives"], ab["negatives"]) == (1, 4)
    assert ab["tp"] + ab["fn"] == 1 and ab["fp"] + ab["tn"] == 4
    thresholds = [p["threshold"] for p in ab["curve"]]
    assert len(thresholds) == 101 and thresholds[0] == 0.0 and thresholds[-1] == 1.0
    assert ab["signal"] == "similarity"  # no relevance model in this engine
    best = max(p["balanced_accuracy"] for p in ab["curve"])
    assert ab["chosen"]["balanced_accuracy"] == best
    kept = [p["kept"] for p in ab["curve"]]
    assert kept == sorted(kept, reverse=True)  # raising the threshold never keeps more
    assert ab["signal_missing"] == 0


def test_safety_and_advice_cover_every_status(result: dict[str, Any]) -> None:
    safety = result["safety"]
    assert safety["emergency_recall"] == {
        "hits": 1,
        "total": 1,
        "rate": 1.0,
        "wilson95": pytest.approx([0.2065, 1.0], abs=1e-3),
    }
    assert safety["false_alarm"]["hits"] == 0 and safety["false_alarm"]["total"] == 5
    assert safety["emergency_recall_definite"]["total"] == 1 and safety["guidance_shown"]["total"] == 5
    assert safety["opioid_pin_recall"]["total"] == 1  # the tiny corpus has no opioid warning to pin
    assert safety["advice"]["rate"] == 1.0
    assert {"answered", "no_answer", "emergency", "invalid"} <= set(safety["advice_by_status"])


def test_evidence_labels_and_latency(result: dict[str, Any]) -> None:
    labels = result["evidence_labels"]
    assert labels["passages"] == 2
    assert labels["per_label"]["no_study_cited"]["support"] == 2
    assert 0.0 <= labels["micro"]["precision"] <= 1.0
    assert result["latency"]["questions"] == 6
    assert 0 <= result["latency"]["p50_ms"] <= result["latency"]["p95_ms"] <= result["latency"]["max_ms"]


def test_report_files_and_floors(
    tiny: tuple[Engine, GoldSet, Path], result: dict[str, Any], tmp_path: Path
) -> None:
    engine, gold, _ = tiny
    floors = {
        "min": {"answers.grounding.rate": 1.0, "answers.no_such_metric": 0.0},
        "max": {"answers.boilerplate.rate": 0.0},
    }
    report = build_report(result, report_meta(engine, gold), floors)
    written = write_report(report, tmp_path / "out")
    assert all(p.is_file() and p.stat().st_size > 0 for p in written.values())
    saved = json.loads(written["json"].read_text(encoding="utf-8"))
    assert len(saved["meta"]["index_manifest_sha256"]) == 64
    assert saved["meta"]["gold"]["sha256"] == gold.sha256
    assert saved["meta"]["model"]["identity"] == "fake-identity-1"
    markdown = written["md"].read_text(encoding="utf-8")
    for heading in (
        "## Retrieval",
        "## Answers",
        "## Abstention",
        "## Safety",
        "## Evidence labels",
        "no correct quote in the first 3",
        "answered anyway",
    ):
        assert heading in markdown
    assert written["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    by_path = {f["path"]: f["passed"] for f in report["floors"]}
    assert by_path == {
        "answers.grounding.rate": True,
        "answers.no_such_metric": False,
        "answers.boilerplate.rate": True,
    }
    assert "FAIL answers.no_such_metric" in summary(report)


def test_lookup_and_check_floors_are_strict() -> None:
    data = {"a": {"b": 0.5, "flag": True}}
    assert lookup(data, "a.b") == 0.5
    assert lookup(data, "a.flag") is None and lookup(data, "a.c") is None
    checks = check_floors(data, {"min": {"a.b": 0.6}, "max": {"a.b": 0.5}})
    assert [c.passed for c in checks] == [False, True]


def test_gold_citing_an_unknown_document_is_rejected(
    tiny: tuple[Engine, GoldSet, Path], tmp_path: Path
) -> None:
    engine, _, _ = tiny
    bad = dict(QUESTIONS[0], answers=[{"doc_id": "nope", "text": DREAMS}])
    gold = load_gold(_jsonl(tmp_path / "bad.jsonl", [bad]))
    with pytest.raises(GoldError, match="line 1: answer 1 cites unknown document 'nope'"):
        run_eval(engine, gold, progress=False)


def test_cli_reports_a_malformed_gold_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "q.jsonl"
    gold.write_text(json.dumps(QUESTIONS[0]) + "\n{oops\n", encoding="utf-8")
    assert eval_main(["run", "--gold", str(gold), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "line 2: not valid JSON" in err
    assert not (tmp_path / "out").exists()


def test_gold_without_labels_and_without_floors(tiny: tuple[Engine, GoldSet, Path], tmp_path: Path) -> None:
    engine, _, _ = tiny
    gold = load_gold(_jsonl(tmp_path / "q.jsonl", QUESTIONS[:2]))
    result = run_eval(engine, gold, progress=False)
    assert result["evidence_labels"] == {"passages": 0}
    assert result["abstention"]["positives"] == 0 and result["safety"]["emergency_recall"]["total"] == 0
    report = build_report(result, report_meta(engine, gold))
    written = write_report(report, tmp_path / "out")
    markdown = written["md"].read_text(encoding="utf-8")
    assert "## Evidence labels" not in markdown and "## CI floors" not in markdown
    assert "floors:" not in summary(report)

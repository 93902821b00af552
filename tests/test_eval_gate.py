"""CI gate: the full evaluation on the bundled gold set, with the real model, meets every floor.

The floors are in `eval/thresholds.toml` (each documented with the value it was set from). One
session-scoped run (index built into a tmp folder with the packaged all-MiniLM-L6-v2, then
`run_eval`) is shared by every test here, and each floor is its own test so a failure names the
metric. Marked `model`: deselect with `-m "not model"`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.engine import BotSettings, Engine
from eval.gold import load_gold
from eval.report import THRESHOLDS_FILE, build_report, load_thresholds, report_meta, write_report
from eval.run import run_eval
from eval.run_cli import DEFAULT_GOLD, LABELS_NAME
from index.build import build_index
from tests.conftest import SEED_CORPUS_DIR

pytestmark = pytest.mark.model

THRESHOLDS = load_thresholds(THRESHOLDS_FILE)
FLOORS = [(bound, path, limit) for bound, table in THRESHOLDS.items() for path, limit in table.items()]


@pytest.fixture(scope="session")
def gate_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    index_dir = tmp_path_factory.mktemp("eval_gate") / "index"
    build_index(SEED_CORPUS_DIR, index_dir)
    engine = Engine.load(index_dir, None, BotSettings())
    gold = load_gold(DEFAULT_GOLD, DEFAULT_GOLD.parent / LABELS_NAME)
    result = run_eval(engine, gold, progress=False)
    return build_report(result, report_meta(engine, gold, index_dir), THRESHOLDS)


@pytest.mark.parametrize(("bound", "path", "limit"), FLOORS, ids=[f"{b}:{p}" for b, p, _ in FLOORS])
def test_floor(gate_report: dict[str, Any], bound: str, path: str, limit: float) -> None:
    check = next(f for f in gate_report["floors"] if f["path"] == path and f["bound"] == bound)
    assert check["value"] is not None, f"{path} is missing from the report (renamed metric?)"
    assert check["passed"], f"{path} = {check['value']:.4f}, {bound} allowed {limit}"


def test_report_is_written(gate_report: dict[str, Any], tmp_path: Path) -> None:
    written = write_report(gate_report, tmp_path)
    assert {p.name for p in written.values()} == {"report.json", "report.md", "abstention.png"}
    assert gate_report["counts"]["questions"] == 205
    assert gate_report["meta"]["model"]["name"] == "sentence-transformers/all-MiniLM-L6-v2"

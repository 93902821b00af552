"""Write the grounding evaluation's report: `report.json`, `report.md` and `abstention.png`.

* `report.json`: every number of `eval.run.run_eval`, per-question records, the CI floor checks
  (`eval.gates`), and what was measured: sha256 of the index manifest JSON, the corpus hash, the
  model name and identity, the gold files' sha256 and a UTC timestamp. Two reports with the same
  hashes were measured on the same inputs.
* `report.md` (`eval.report_markdown`): the same numbers as tables for people, plus the lists
  maintainers act on.
* `abstention.png` (`eval.report_plots`): the abstention threshold curve.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.engine import Engine
from eval.gates import THRESHOLDS_FILE, FloorCheck, ThresholdsError, check_floors, load_thresholds, lookup
from eval.gold import GoldSet
from eval.report_markdown import render_markdown
from eval.report_plots import plot_abstention


def report_meta(engine: Engine, gold: GoldSet, index_dir: Path | None = None) -> dict[str, Any]:
    manifest = engine.data.manifest
    return {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "index_dir": str(index_dir) if index_dir else None,
        "index_manifest_sha256": hashlib.sha256(manifest.to_json().encode("utf-8")).hexdigest(),
        "index_built_at": manifest.built_at,
        "corpus_hash": manifest.corpus_hash,
        "model": {
            "name": manifest.model_name,
            "identity": manifest.model_identity,
            "dimension": manifest.dimension,
        },
        "gold": {"path": str(gold.path), "sha256": gold.sha256},
        "labels": {"path": str(gold.labels_path) if gold.labels_path else None, "sha256": gold.labels_sha256},
    }


# -- markdown ------------------------------------------------------------------------------------


def build_report(
    result: dict[str, Any], meta: dict[str, Any], thresholds: dict[str, dict[str, float]] | None = None
) -> dict[str, Any]:
    checks = check_floors(result, thresholds) if thresholds else []
    return {"meta": meta, "floors": [asdict(c) for c in checks], **result}


def write_report(report: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md", "png": out_dir / "abstention.png"}
    paths["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    plot_abstention(report, paths["png"])
    return paths


def summary(report: dict[str, Any]) -> str:
    r, a, ab, s = (
        report["retrieval"]["hybrid+select"],
        report["answers"],
        report["abstention"],
        report["safety"],
    )
    lines = [
        f"retrieval hybrid+select: hit@1 {r['hit@1']:.3f}  hit@3 {r['hit@3']:.3f}  MRR@10 {r['mrr@10']:.3f}  "
        f"nDCG@10 {r['ndcg@10']:.3f}",
        f"answers: grounding {a['grounding']['rate']:.3f}  boilerplate {a['boilerplate']['rate']:.3f}  "
        f"attribution {a['attribution']['rate']:.3f}  quote hit@3 {a['quote_hit@3']['rate']:.3f}  "
        f"multi-source {a['multi_source']['rate']:.3f}",
        f"abstention: F1 {ab['f1']:.3f} (P {ab['precision']:.3f} R {ab['recall']:.3f}) at {ab['engine']['threshold']:.2f}; "
        f"best balanced accuracy {ab['chosen']['balanced_accuracy']:.3f} at {ab['chosen']['threshold']:.2f}",
        f"safety: emergency recall {s['emergency_recall']['rate']:.3f}  false alarms {s['false_alarm']['hits']}/"
        f"{s['false_alarm']['total']}  opioid pin {s['opioid_pin_recall']['rate']:.3f}  advice {s['advice']['rate']:.3f}",
    ]
    lab = report["evidence_labels"]
    if lab.get("passages"):
        lines.append(
            f"evidence labels: micro precision {lab['micro']['precision']:.3f}  recall {lab['micro']['recall']:.3f}"
        )
    failed = [f for f in report.get("floors", []) if not f["passed"]]
    if report.get("floors"):
        lines.append(f"floors: {len(report['floors']) - len(failed)}/{len(report['floors'])} pass")
        lines += [f"  FAIL {f['path']} = {f['value']} ({f['bound']} {f['limit']})" for f in failed]
    return "\n".join(lines)


__all__ = [
    "THRESHOLDS_FILE",
    "FloorCheck",
    "ThresholdsError",
    "build_report",
    "check_floors",
    "load_thresholds",
    "lookup",
    "render_markdown",
    "report_meta",
    "summary",
    "write_report",
]

"""Write the grounding evaluation's report: `report.json`, `report.md` and `abstention.png`.

* `report.json`: every number of `eval.run.run_eval`, per-question records, the CI floor checks,
  and what was measured: sha256 of the index manifest JSON, the corpus hash, the model name and
  identity, the gold files' sha256 and a UTC timestamp. Two reports with the same hashes were
  measured on the same inputs.
* `report.md`: the same numbers as tables for people, plus the lists maintainers act on: the
  answerable questions with no correct quote in the first three, and the unanswerable questions
  that were answered anyway.
* `abstention.png`: answerable-kept and unanswerable-rejected rates against the similarity
  threshold, with the data-chosen and the engine's thresholds marked.

Floors live in `eval/thresholds.toml` as two tables, `[min]` and `[max]`, whose keys are dotted
paths into `report.json` (e.g. ``"answers.grounding.rate" = 1.0``). A missing path fails the
check rather than passing silently, so renaming a metric cannot switch its gate off.
"""

from __future__ import annotations

import hashlib
import json
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.engine import Engine
from eval.gold import GoldSet

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.toml"
BOUNDS = ("min", "max")


class ThresholdsError(ValueError):
    """The thresholds file is missing or malformed."""


@dataclass(frozen=True)
class FloorCheck:
    path: str
    bound: str  # "min": value must be >= limit; "max": value must be <= limit
    limit: float
    value: float | None
    passed: bool


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdsError(f"{path}: cannot read thresholds ({exc})") from exc
    out: dict[str, dict[str, float]] = {}
    for key, table in raw.items():
        if key not in BOUNDS or not isinstance(table, dict):
            raise ThresholdsError(f"{path}: unexpected entry {key!r}; use the tables [min] and [max]")
        for metric, limit in table.items():
            if isinstance(limit, bool) or not isinstance(limit, int | float):
                raise ThresholdsError(f"{path}: [{key}] {metric} must be a number, got {limit!r}")
        out[key] = {metric: float(limit) for metric, limit in table.items()}
    return out


def lookup(result: dict[str, Any], path: str) -> float | None:
    node: Any = result
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def check_floors(result: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[FloorCheck]:
    checks = []
    for bound in BOUNDS:
        for path, limit in thresholds.get(bound, {}).items():
            value = lookup(result, path)
            ok = value is not None and (value >= limit - 1e-12 if bound == "min" else value <= limit + 1e-12)
            checks.append(FloorCheck(path, bound, limit, value, ok))
    return checks


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
def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return " ".join(str(value).split()).replace("|", "\\|")


def _table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _rate_row(name: str, r: dict[str, Any]) -> list[object]:
    lo, hi = r["wilson95"]
    return [name, r["rate"], f"{r['hits']}/{r['total']}", f"{lo:.3f}–{hi:.3f}"]


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(title: str, *body: str) -> list[str]:
    return ["", f"## {title}", "", *body]


def _md_inputs(report: dict[str, Any]) -> list[str]:
    meta, c = report["meta"], report["counts"]
    rows: list[list[object]] = [
        ["gold file", f"`{meta['gold']['path']}` sha256 `{meta['gold']['sha256'][:16]}`"],
        ["index manifest sha256", f"`{meta['index_manifest_sha256'][:16]}` (built {meta['index_built_at']})"],
        ["corpus hash", f"`{meta['corpus_hash'][:16]}`"],
        ["model", f"{meta['model']['name']} (identity `{meta['model']['identity'][:12]}`)"],
        ["engine settings", ", ".join(f"{k}={v}" for k, v in report["settings"].items())],
    ]
    return [
        "# Answer-grounding evaluation",
        "",
        f"Measured {meta['timestamp']} on {c['questions']} questions ({c['answerable']} answerable, "
        f"{c['unanswerable']} unanswerable, {c['emergency']} emergency) and "
        f"{c['labelled_passages']} labelled passages.",
        "",
        _table(["input", "value"], rows),
    ]


def _md_floors(report: dict[str, Any]) -> list[str]:
    if not report.get("floors"):
        return []
    rows: list[list[object]] = []
    for f in report["floors"]:
        value = "missing" if f["value"] is None else f["value"]
        sign = "≥" if f["bound"] == "min" else "≤"
        rows.append([f["path"], sign, f["limit"], value, "pass" if f["passed"] else "**FAIL**"])
    return _section("CI floors (eval/thresholds.toml)", _table(["metric", "", "limit", "measured", ""], rows))


def _md_retrieval(report: dict[str, Any]) -> list[str]:
    ks = ["hit@1", "hit@3", "hit@5", "mrr@10", "ndcg@10"]
    rows: list[list[object]] = [[mode, *(m[k] for k in ks)] for mode, m in report["retrieval"].items()]
    title = "Retrieval (answerable questions; units are sentences, passages in `hybrid`)"
    return _section(title, _table(["mode", *ks], rows))


def _md_answers(report: dict[str, Any]) -> list[str]:
    ans = report["answers"]
    names = ["grounding", "boilerplate", "attribution", "quote_hit@1", "quote_hit@3", "multi_source"]
    names.append("lost_in_selection")
    table = _table(["metric", "rate", "count", "95% interval"], [_rate_row(n, ans[n]) for n in names])
    return _section(f"Answers ({ans['quotes_shown']} quotes shown, quoted caveats included)", table)


def _md_abstention(report: dict[str, Any]) -> list[str]:
    ab = report["abstention"]

    def point(name: str, p: dict[str, float]) -> list[object]:
        return [name, p["threshold"], p["kept"], p["rejected"], p["balanced_accuracy"]]

    rows = [
        point("best balanced accuracy (data)", ab["chosen"]),
        point("DEFAULT_MIN_SIMILARITY", ab["default"]),
        point("engine setting (this run)", ab["engine"]),
    ]
    headers = [
        "threshold on best_similarity",
        "value",
        "answerable kept",
        "unanswerable rejected",
        "balanced acc.",
    ]
    return _section(
        "Abstention (`no_answer` on unanswerable = positive class)",
        f"Precision {ab['precision']:.3f}, recall {ab['recall']:.3f}, F1 {ab['f1']:.3f} "
        f"(tp {ab['tp']}, fp {ab['fp']}, fn {ab['fn']}, tn {ab['tn']}).",
        "",
        _table(headers, rows),
        "",
        "![abstention curve](abstention.png)",
    )


def _md_safety(report: dict[str, Any]) -> list[str]:
    safe = report["safety"]
    names = ("emergency_recall", "false_alarm", "opioid_pin_recall", "immunosuppressant_pin_recall")
    rows = [_rate_row(n, safe[n]) for n in (*names, "pin_false_alarm", "advice")]
    by = ", ".join(f"{k} {v['hits']}/{v['total']}" for k, v in safe["advice_by_status"].items())
    return _section(
        "Safety",
        _table(["metric", "rate", "count", "95% interval"], rows),
        "",
        f"Advice by status: {by}. Pin recall leaves out pinned emergencies (triage wins): "
        f"opioid {safe['opioid_pin_emergencies_excluded']}, "
        f"immunosuppressant {safe['immunosuppressant_pin_emergencies_excluded']}.",
    )


def _md_labels(report: dict[str, Any]) -> list[str]:
    lab = report["evidence_labels"]
    if not lab.get("passages"):
        return []
    cols = ["support", "tp", "fp", "fn", "precision", "recall", "f1"]
    scored = [*lab["per_label"].items(), ("micro", lab["micro"])]
    rows: list[list[object]] = [[k, *(v[c] for c in cols)] for k, v in scored]
    em, na = lab["exact_match"], lab["n_agreement"]
    mismatches = [
        f"- line {m['line']}: gold {m['gold']}, predicted {m['predicted']}: “{_short(m['text'], 90)}”"
        for m in lab["mismatches"]
    ]
    return _section(
        f"Evidence labels ({lab['passages']} passages)",
        _table(["label", *cols], rows),
        "",
        f"Exact label-set match {em['hits']}/{em['total']}; participant count agrees {na['hits']}/{na['total']}.",
        "",
        *mismatches,
    )


def _md_lists(report: dict[str, Any]) -> list[str]:
    lat = report["latency"]
    questions = report["questions"]

    def first(q: dict[str, Any]) -> str:
        return _short(q["quotes"][0]["text"], 80) if q["quotes"] else "—"

    missed = [q for q in questions if q["type"] == "answerable" and (q["quote_rank"] or 99) > 3]
    missed_rows: list[list[object]] = [
        [
            q["id"],
            _short(q["question"], 70),
            q["status"],
            q["retrieval_rank"]["hybrid+select"] or "—",
            first(q),
        ]
        for q in missed
    ]
    wrong = [q for q in questions if q["type"] == "unanswerable" and q["status"] != "no_answer"]
    wrong_rows: list[list[object]] = [
        [
            q["id"],
            _short(q["question"], 70),
            q["status"],
            "—" if q["best_similarity"] is None else q["best_similarity"],
            first(q),
        ]
        for q in wrong
    ]
    return [
        *_section(
            "Latency (warm, informative)",
            f"p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms "
            f"over {lat['questions']} questions.",
        ),
        *_section(
            f"Answerable questions with no correct quote in the first 3 ({len(missed)})",
            _table(
                ["id", "question", "status", "retrieval rank (hybrid+select)", "first quote shown"],
                missed_rows,
            ),
        ),
        *_section(
            f"Unanswerable questions answered anyway ({len(wrong)})",
            _table(["id", "question", "status", "best_similarity", "first quote shown"], wrong_rows),
        ),
        "",
    ]


def render_markdown(report: dict[str, Any]) -> str:
    parts = (
        _md_inputs,
        _md_floors,
        _md_retrieval,
        _md_answers,
        _md_abstention,
        _md_safety,
        _md_labels,
        _md_lists,
    )
    return "\n".join(line for part in parts for line in part(report))


# -- plot ------------------------------------------------------------------------------------------
def plot_abstention(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ab = report["abstention"]
    xs = [p["threshold"] for p in ab["curve"]]
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    ax.plot(
        xs, [p["kept"] for p in ab["curve"]], label=f"answerable kept (n={ab['negatives']})", color="tab:blue"
    )
    ax.plot(
        xs,
        [p["rejected"] for p in ab["curve"]],
        label=f"unanswerable rejected (n={ab['positives']})",
        color="tab:red",
    )
    ax.plot(
        xs, [p["balanced_accuracy"] for p in ab["curve"]], label="balanced accuracy", color="grey", ls=":"
    )
    chosen, current = ab["chosen"]["threshold"], ab["engine"]["threshold"]
    ax.axvline(chosen, color="tab:green", ls="--", label=f"best balanced accuracy ({chosen:.2f})")
    ax.axvline(current, color="black", ls="-.", label=f"engine threshold ({current:.2f})")
    ax.set(
        xlabel='threshold on signals["best_similarity"] (centred cosine)',
        ylabel="rate",
        ylim=(-0.02, 1.02),
        title="Abstention: answerable kept vs unanswerable rejected",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.08), fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- writing -----------------------------------------------------------------------------------------
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

"""`report.md`: the evaluation's numbers as tables for people, plus the lists maintainers act on
(answerable questions with no correct quote in the first three, unanswerable ones answered)."""

from __future__ import annotations

from typing import Any


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
        point("shipped default (bot/data/answer.toml)", ab["default"]),
        point("engine setting (this run)", ab["engine"]),
    ]
    headers = [
        f"threshold on the {ab.get('signal', 'similarity')} signal",
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
    names = (
        "emergency_recall",
        "emergency_recall_definite",
        "false_alarm",
        "guidance_shown",
        "opioid_pin_recall",
        "immunosuppressant_pin_recall",
    )
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
            "—" if q["confidence"] is None else q["confidence"],
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
            _table(["id", "question", "status", "confidence", "first quote shown"], wrong_rows),
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

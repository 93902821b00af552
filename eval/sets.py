"""Side-by-side scores of the bot on several question sets: `python -m eval sets`.

The sets (issue #11: tune on dev, report on test, never tune on held-out):

| name | questions | documents |
|---|---|---|
| `dev` | `eval/gold/questions.jsonl`, rows with `"split": "dev"` | the bundled corpus |
| `test` | the same file, `"split": "test"` | the bundled corpus |
| `heldout` | `eval/heldout/questions.jsonl` | the bundled corpus |
| `heldout3` | `eval/heldout3/questions.jsonl` | the bundled corpus |
| `heldout4` | `eval/heldout4/questions.jsonl` | the bundled corpus (written session 7, first run that session) |
| `heldout5` | `eval/heldout5/questions.jsonl` | the bundled corpus (written session 8, first run that session) |
| `heldout6` | `eval/heldout6/questions.jsonl` | the bundled corpus (written session 9, first run that session) |
| `heldout7` | `eval/heldout7/questions.jsonl` | the bundled corpus (written session 9) |
| `heldout8` | `eval/heldout8/questions.jsonl` | the bundled corpus (written session 9) |
| `heldout9` | `eval/heldout9/questions.jsonl` | the bundled corpus (written session 10) |
| `heldout10` | `eval/heldout10/questions.jsonl` | the bundled corpus (written session 11) |
| `<name>` | `eval/corpora/<name>/questions.jsonl` | `eval/corpora/<name>/documents/`, indexed into a temporary folder |

Report-only sets (`SetSpec.report_only`) are listed under the table. Since session 5 (2026-12-02)
two sets are no longer report-only: `heldout` (its failures have informed decisions, so it is
spent: a second dev set; `heldout3`, written before any bot run, replaces it) and `melatonin`
(transfer-dev since 2026-12-01, `eval/corpora/melatonin/README.md`). `test`, `heldout3` and every
later `eval/heldout<N>/` (found by name), and `sertraline` are never tuned on.

Per set, over the replies of `Engine.answer` with the shipped settings:

- `hit@1`, `hit@3`, `mrr`: answerable questions whose displayed quotes (pinned cautions
  included: they are shown first) have a quote overlapping a gold span at rank 1 / within the
  first 3; mean reciprocal rank of the first such quote (0 when none);
- `false_no_answer`: share of answerable questions told the sources do not answer (or given
  the "English only" message);
- `declined`: share of unanswerable questions with no quotes;
- `emergency`: share of emergency questions shown the emergency guidance (`Answer.triage` set,
  "definite" or "possible", as `eval.scores` counts emergency recall);
- `guidance_on_ordinary` / `definite_on_ordinary`: share of the other (ordinary) questions shown
  the emergency guidance at any level / at "definite" (the answer replaced): triage false alarms
  on real patient questions, beside the safety batteries' own figures;
- `grounding`: share of displayed quotes (quoted caveats included) equal to
  `document.text[start:end]`; must be 1.0;
- `per_kind`: the same answer figures per gold `kind` (the kind of answer asked);
- latency p50/p95 of one answer, and the relevance model's share of it.

Trade-off: a set's figures are over its own questions only, so small kinds (2–3 questions)
move by a third with one question: read `per_kind` as a list of where to look, not a score.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.models import Answer, Status
from eval.gold import GoldQuestion
from eval.grounding_metrics import find_spans, percentile, spans_overlap

EVAL_DIR = Path(__file__).resolve().parent
GOLD = EVAL_DIR / "gold" / "questions.jsonl"
HELDOUT = EVAL_DIR / "heldout" / "questions.jsonl"
TUNED_CORPORA = frozenset({"melatonin"})  # other medicines' sets tuned on (transfer-dev)
CORPORA = EVAL_DIR / "corpora"
NO_ANSWER = {Status.NO_ANSWER.value, Status.INVALID.value}  # "invalid": e.g. taken as not English


@dataclass(frozen=True)
class SetSpec:
    name: str
    questions: Path
    split: str | None = None  # keep only rows of this split
    documents: Path | None = None  # another corpus (indexed for the run); None: the bundled one
    report_only: bool = True  # never tuned on: every set but dev (the report says so)


def known_sets() -> list[SetSpec]:
    """dev, test, heldout, every `eval/heldout<N>/` with questions (report-only) and every
    `eval/corpora/<name>/` with questions and documents."""
    out = [
        SetSpec("dev", GOLD, "dev", report_only=False),
        SetSpec("test", GOLD, "test"),
        SetSpec("heldout", HELDOUT, report_only=False),  # spent since session 5: a second dev set
    ]
    numbered = [d for d in EVAL_DIR.glob("heldout*") if d.name[len("heldout") :].isdigit()]
    for d in sorted(numbered, key=lambda d: int(d.name[len("heldout") :])):
        if (d / "questions.jsonl").is_file():
            out.append(SetSpec(d.name, d / "questions.jsonl"))
    if CORPORA.is_dir():
        for d in sorted(CORPORA.iterdir()):
            if (d / "questions.jsonl").is_file() and (d / "documents").is_dir():
                tuned = d.name in TUNED_CORPORA
                out.append(
                    SetSpec(d.name, d / "questions.jsonl", None, d / "documents", report_only=not tuned)
                )
    return out


def _rate(xs: Sequence[bool]) -> dict[str, Any]:
    return {"hits": sum(xs), "total": len(xs), "rate": (sum(xs) / len(xs)) if xs else None}


def _first_rank(answer: Answer, spans: list[tuple[str, int, int]]) -> int | None:
    for i, q in enumerate(answer.quotes, start=1):
        if any(d == q.doc_id and spans_overlap((a, b), (q.start, q.end)) for d, a, b in spans):
            return i
    return None


def _answer_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ranks = [r["rank"] for r in rows]
    return {
        "n": len(rows),
        "hit@1": _rate([r == 1 for r in ranks]),
        "hit@3": _rate([r is not None and r <= 3 for r in ranks]),
        "mrr": (sum(1.0 / r for r in ranks if r) / len(ranks)) if ranks else None,
        "false_no_answer": _rate([r["status"] in NO_ANSWER for r in rows]),
    }


def score_set(
    answer: Callable[[str], Answer],
    questions: Sequence[GoldQuestion],
    document_text: Callable[[str], str],
    model_seconds: list[float] | None = None,
) -> dict[str, Any]:
    """Run `answer` on every question and return the figures above plus per-question records;
    `model_seconds`, when given, is filled by `answer` with the relevance model's time per call."""
    records: list[dict[str, Any]] = []
    grounded: list[bool] = []
    seconds: list[float] = []
    model_seconds = model_seconds if model_seconds is not None else []
    for q in questions:
        t0 = time.perf_counter()
        a = answer(q.question)
        seconds.append(time.perf_counter() - t0)
        shown = [*a.quotes, *(c.quote for c in a.caveats if c.quote is not None)]
        grounded.extend(document_text(x.doc_id)[x.start : x.end] == x.text for x in shown)
        spans = [(g.doc_id, s, e) for g in q.answers for s, e in find_spans(document_text(g.doc_id), g.text)]
        records.append(
            {
                "id": q.id,
                "type": q.type,
                "kind": q.kind or "other",
                "status": a.status.value,
                "triage": a.triage,
                "rank": _first_rank(a, spans) if q.type == "answerable" else None,
                "quotes": len(a.quotes),
                "confidence": a.signals.get("confidence"),
            }
        )
    answerable = [r for r in records if r["type"] == "answerable"]
    unanswerable = [r for r in records if r["type"] == "unanswerable"]
    emergency = [r for r in records if r["type"] == "emergency"]
    kinds = sorted({r["kind"] for r in answerable})
    return {
        "counts": {
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "emergency": len(emergency),
        },
        **_answer_figures(answerable),
        "declined": _rate([r["quotes"] == 0 for r in unanswerable]),
        "emergency": _rate([r["triage"] is not None for r in emergency]),  # guidance shown (eval.scores)
        # ordinary questions (answerable or not) that got the emergency guidance: a false alarm
        # costs nothing at "possible" (the answer is below it) and the whole answer at "definite"
        "guidance_on_ordinary": _rate([r["triage"] is not None for r in [*answerable, *unanswerable]]),
        "definite_on_ordinary": _rate([r["triage"] == "definite" for r in [*answerable, *unanswerable]]),
        "grounding": _rate(grounded),
        "per_kind": {k: _answer_figures([r for r in answerable if r["kind"] == k]) for k in kinds},
        "latency_ms": {
            "p50": 1000 * percentile(seconds, 50),
            "p95": 1000 * percentile(seconds, 95),
            "relevance_model_p50": 1000 * percentile(model_seconds, 50) if model_seconds else None,
        },
        "records": records,
    }


def _fmt(x: Any) -> str:
    if isinstance(x, dict):
        return "—" if x.get("rate") is None else f"{x['rate']:.3f} ({x['hits']}/{x['total']})"
    return "—" if x is None else f"{x:.3f}"


ROWS = (
    "hit@1", "hit@3", "mrr", "false_no_answer", "declined", "emergency", "guidance_on_ordinary",
    "definite_on_ordinary", "grounding",
)  # fmt: skip


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """One table of the headline figures, sets side by side, then hit@3 per kind."""
    names = list(results)
    lines = [
        "| figure | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        "| answerable / unanswerable / emergency | "
        + " | ".join(
            "{answerable} / {unanswerable} / {emergency}".format(**results[n]["counts"]) for n in names
        )
        + " |",
    ]
    lines += [f"| {row} | " + " | ".join(_fmt(results[n].get(row)) for n in names) + " |" for row in ROWS]
    lines.append("| latency p50 / p95 ms | " + " | ".join(
        "{:.0f} / {:.0f}".format(results[n]["latency_ms"]["p50"], results[n]["latency_ms"]["p95"]) for n in names
    ) + " |")  # fmt: skip
    lines.append("| relevance model p50 ms | " + " | ".join(
        _fmt(results[n]["latency_ms"]["relevance_model_p50"]) for n in names
    ) + " |")  # fmt: skip
    report_only = [n for n in names if results[n].get("report_only", n != "dev")]
    if report_only:
        lines += ["", "Report-only, never tuned on: " + ", ".join(report_only) + "."]
    tuned = [n for n in names if n not in report_only]
    if tuned:
        lines += ["Tuned on (figures are not evidence of generality): " + ", ".join(tuned) + "."]
    kinds = sorted({k for n in names for k in results[n]["per_kind"]})
    lines += ["", "hit@3 (false no-answer) per kind of question:", ""]
    lines += ["| kind | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for k in kinds:
        cells = []
        for n in names:
            f = results[n]["per_kind"].get(k)
            cells.append(
                "—" if f is None else f"{_fmt(f['hit@3'])}, fna {f['false_no_answer']['hits']}/{f['n']}"
            )
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write(results: dict[str, dict[str, Any]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "sets.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    path = out / "sets.md"
    path.write_text(markdown(results), encoding="utf-8")
    return path

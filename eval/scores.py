"""The parts of the grounding evaluation that score replies already collected: abstention,
safety and evidence labels (see `eval.run` for the whole run and what each number means)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from bot import messages
from bot.answer_settings import load_answer_settings
from bot.engine import Engine
from bot.evidence import LABEL_KEYS, label_evidence, participants
from bot.models import Answer, Status
from eval.gold import GoldSet
from eval.grounding_metrics import (
    best_threshold,
    multilabel_scores,
    rates_at,
    threshold_curve,
    threshold_grid,
)
from eval.metrics import RateSummary, f1, precision_recall


def rate(outcomes: Iterable[bool | int]) -> dict[str, Any]:
    """hits, total, rate and Wilson 95% interval of a list of outcomes."""
    s = RateSummary.of(outcomes)
    lo, hi = s.wilson()
    return {"hits": s.hits, "total": s.total, "rate": s.rate, "wilson95": [lo, hi]}


def abstention_scores(
    engine: Engine, replies: dict[str, Answer], signal: dict[str, float | None], gold: GoldSet
) -> dict[str, Any]:
    answerable, unanswerable = gold.of_type("answerable"), gold.of_type("unanswerable")
    no = {q.id: replies[q.id].status == Status.NO_ANSWER for q in answerable + unanswerable}
    tp = sum(no[q.id] for q in unanswerable)
    fn = len(unanswerable) - tp
    fp = sum(no[q.id] for q in answerable)
    precision, recall = precision_recall(tp, fp, fn)
    # A question without a signal (triage fired) is never "kept" at any threshold.
    keep = [s if (s := signal[q.id]) is not None else float("-inf") for q in answerable]
    reject = [s if (s := signal[q.id]) is not None else float("-inf") for q in unanswerable]
    curve = threshold_curve(keep, reject, threshold_grid(0.0, 1.0, 0.01))
    chosen = best_threshold(curve)
    point = lambda p: {**asdict(p), "balanced_accuracy": p.balanced_accuracy}  # noqa: E731
    signal_name, current = engine.ranker.abstention
    shipped = load_answer_settings().rank  # the shipped cut, beside the one this run used
    default = shipped.min_relevance if signal_name == "relevance" else shipped.min_similarity
    return {
        "positives": len(unanswerable),
        "negatives": len(answerable),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": len(answerable) - fp,
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "signal_missing": sum(signal[q.id] is None for q in answerable + unanswerable),
        "curve": [point(p) for p in curve],
        "chosen": point(chosen),
        "signal": signal_name,
        "default": point(rates_at(keep, reject, default)),
        "engine_threshold": current,
        "engine": point(rates_at(keep, reject, current)),
    }


def safety_scores(replies: dict[str, Answer], extra: Sequence[Answer], gold: GoldSet) -> dict[str, Any]:
    emergencies = gold.of_type("emergency")
    others = [q for q in gold.questions if q.type != "emergency"]
    out: dict[str, Any] = {
        # recall: the emergency guidance shown at either triage level; false alarm: the emergency
        # message alone (the answer withheld); guidance_shown: ordinary questions shown the guidance
        "emergency_recall": rate(replies[q.id].triage is not None for q in emergencies),
        "emergency_recall_definite": rate(replies[q.id].status == Status.EMERGENCY for q in emergencies),
        "false_alarm": rate(replies[q.id].status == Status.EMERGENCY for q in others),
        "guidance_shown": rate(replies[q.id].triage is not None for q in others),
    }
    for kind in ("opioid", "immunosuppressant"):
        pinned = [q for q in others if q.pin == kind]
        out[f"{kind}_pin_recall"] = rate(
            bool(replies[q.id].quotes) and replies[q.id].quotes[0].pinned == kind for q in pinned
        )
        out[f"{kind}_pin_emergencies_excluded"] = sum(q.pin == kind for q in emergencies)
    out["pin_false_alarm"] = rate(
        any(x.pinned is not None for x in replies[q.id].quotes) for q in others if q.pin is None
    )
    every = [*replies.values(), *extra]
    out["advice"] = rate(a.advice == messages.ADVICE for a in every)
    by_status: dict[str, dict[str, int]] = {}
    for a in every:
        row = by_status.setdefault(a.status.value, {"hits": 0, "total": 0})
        row["total"] += 1
        row["hits"] += a.advice == messages.ADVICE
    out["advice_by_status"] = by_status
    return out


def label_scores(gold: GoldSet) -> dict[str, Any]:
    if not gold.labels:
        return {"passages": 0}
    truth = [set(p.labels) for p in gold.labels]
    predicted = [{str(lab.key) for lab in label_evidence(p.text)} for p in gold.labels]
    keys = [str(k) for k in LABEL_KEYS]
    scores = multilabel_scores(truth, predicted, keys)

    def row(s: Any, support: int) -> dict[str, Any]:
        return {
            "tp": s.tp,
            "fp": s.fp,
            "fn": s.fn,
            "support": support,
            "precision": s.precision,
            "recall": s.recall,
            "f1": s.f1,
        }

    with_n = [p for p in gold.labels if p.n is not None]
    return {
        "passages": len(gold.labels),
        "per_label": {k: row(scores[k], sum(k in t for t in truth)) for k in keys},
        "micro": row(scores["micro"], sum(len(t) for t in truth)),
        "exact_match": rate(t == p for t, p in zip(truth, predicted, strict=True)),
        "n_agreement": rate(participants(p.text) == p.n for p in with_n),
        "mismatches": [
            {"line": p.line, "text": p.text, "gold": sorted(t), "predicted": sorted(pr)}
            for p, t, pr in zip(gold.labels, truth, predicted, strict=True)
            if t != pr
        ],
    }

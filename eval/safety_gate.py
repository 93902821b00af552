"""`python -m eval safety-gate`: leave-one-battery-out figures of the triage gate (session 9).

The gate (`bot.triage.gate`) may lower a message at `possible` (not exempt: no red flag, suicide
component below its cut) to no guidance. Per configuration (which features, the regression's C, the
threshold's margin in log-odds), each file of the dev pool (`eval.safety_pool`, one fold per file)
is held out in turn:

1. the gate's rows are the training files' messages that main's shipped triage puts at `possible`
   and not exempt (the answer sets' questions are always training, never held out);
2. the threshold by nested leave-one-file-out over the training files only
   (`bot.triage.gate_fit.nested_threshold`), so it is chosen out of sample;
3. the regression refitted on all training rows, applied to the held-out file's gated messages.

Printed and written: per file, emergencies missed (no guidance at any level), ordinary messages shown,
ordinary at `definite`, for main's shipped triage and each configuration, and the decision rule's
verdict (eval/README.md, "Session 9: triage gate"). Never heldout9 or later (the pool's fixed list).
Embeddings come from the `safety-lobo` cache (`--cache`).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.triage import Triager
from bot.triage.data import CUES, EXEMPLARS, THRESHOLDS, load_cues, load_exemplars, load_thresholds
from bot.triage.gate_fit import ALWAYS_TRAIN, fit, needed_margin, nested_threshold, predict
from eval.safety_lobo_run import Vectors, encode_pool, write_report
from eval.safety_lobo_run import fit as fit_model
from eval.safety_pool import FOLD_FILES, pool_rows


@dataclass(frozen=True)
class Pool:
    """Main's shipped triage on every pool message, and the gate's features."""

    fold: list[str]
    emergency: np.ndarray  # bool
    kind: list[str]
    level: list[str | None]
    gated: np.ndarray  # bool: at `possible` and not exempt (what the gate may lower)
    x: dict[str, np.ndarray]  # feature block name -> (n, k)


@dataclass(frozen=True)
class Config:
    name: str
    parts: str = "best,whole,scalars"
    c: float = 1.0
    margin: float = 1.0  # log-odds below the lowest out-of-fold emergency
    nested: bool = False  # margin = what the training files needed (gate_fit.needed_margin) + `margin`


def parse_config(spec: str) -> Config:
    """`name=N,parts=best+whole+scalars,c=1,margin=1|nested+0.5` (all but name optional; parts joined
    by '+'; `nested+M`: the margin the training files needed, plus M)."""
    kv = dict(part.split("=", 1) for part in spec.split(","))
    margin = kv.get("margin", "1.0")
    nested = margin.startswith("nested")
    return Config(
        kv["name"],
        kv.get("parts", "best+whole+scalars").replace("+", ","),
        float(kv.get("c", 1.0)),
        float(margin.removeprefix("nested") or 0.0),
        nested,
    )


def build_pool(triager: Triager, vectors: Vectors) -> Pool:
    """Main's triage (no gate) on every pool message; the feature blocks by `Triager.gate_features`."""
    t = triager.thresholds
    enc = encode_pool(pool_rows(), t, vectors)
    fold, kind, level, gated, emergency, rows = [], [], [], [], [], []
    for e in enc:
        s = triager.unit_scores(e.units, e.vectors, e.n_scored)
        tri = triager.decide(s, e.vectors)
        x = triager.gate_features(s, e.vectors, "best,whole,scalars")
        fold.append(e.row.file if e.row.file in FOLD_FILES else ALWAYS_TRAIN)
        emergency.append(e.row.emergency)
        kind.append(e.row.category)
        level.append(None if tri.level is None else tri.level.value)
        gated.append(x is not None)
        rows.append(x)
    d = enc[0].vectors.shape[1]
    width = next(len(r) for r in rows if r is not None)
    full = np.stack([r if r is not None else np.zeros(width, np.float32) for r in rows])
    x_blocks = {"best": full[:, :d], "whole": full[:, d : 2 * d], "scalars": full[:, 2 * d :]}
    return Pool(fold, np.array(emergency), kind, level, np.array(gated), x_blocks)


def design(pool: Pool, parts: str) -> np.ndarray:
    return np.hstack([pool.x[p] for p in parts.split(",")])


def lowered_in(pool: Pool, cfg: Config, held: str | None) -> tuple[np.ndarray, float, float]:
    """The held-out fold's messages the gate lowers (bool over the pool), the threshold used, and the
    headroom: the lowest held-out gated emergency's log-odds minus the threshold's (inf if none).
    `held=None`: fitted on every file and applied to every file (what would ship, in sample)."""
    x = design(pool, cfg.parts)
    folds = np.asarray(pool.fold)
    train = pool.gated & (folds != held) if held is not None else pool.gated
    xs, ys, fs = x[train], pool.emergency[train], folds[train].tolist()
    margin = cfg.margin + (needed_margin(xs, ys, fs, cfg.c) if cfg.nested else 0.0)
    thr, _ = nested_threshold(xs, ys, fs, cfg.c, margin)
    w, b = fit(x[train], pool.emergency[train], cfg.c)
    target = pool.gated & (folds == held) if held is not None else pool.gated & (folds != ALWAYS_TRAIN)
    out = np.zeros(len(folds), dtype=bool)
    headroom = float("inf")
    if np.any(target):
        p = predict(w, b, x[target])
        out[target] = p < thr
        pe = p[pool.emergency[target]]
        if len(pe):
            headroom = float(_logit(pe.min()) - _logit(thr))
    return out, thr, headroom


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-12), 1 - 1e-12)
    return float(np.log(p / (1 - p)))


def figures(pool: Pool, lowered: np.ndarray, held: str) -> dict[str, Any]:
    idx = [i for i, f in enumerate(pool.fold) if f == held]
    shown = [pool.level[i] is not None and not lowered[i] for i in idx]
    e = [i for i in idx if pool.emergency[i]]
    o = [i for i in idx if not pool.emergency[i]]
    missed = [i for i, s in zip(idx, shown, strict=True) if pool.emergency[i] and not s]
    return {
        "fold": held,
        "emergencies": len(e),
        "missed": len(missed),
        "missed_kinds": sorted(pool.kind[i] for i in missed),
        "ordinary": len(o),
        "shown": sum(s for i, s in zip(idx, shown, strict=True) if not pool.emergency[i]),
        "definite": sum(pool.level[i] == "definite" for i in o),
        "lowered_emergencies": sum(bool(lowered[i]) for i in e),
        "lowered_ordinary": sum(bool(lowered[i]) for i in o),
        "lowered_ordinary_kinds": sorted(pool.kind[i] for i in o if lowered[i]),
    }


def pooled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = (
        "emergencies",
        "missed",
        "ordinary",
        "shown",
        "definite",
        "lowered_emergencies",
        "lowered_ordinary",
    )
    out: dict[str, Any] = {k: sum(r[k] for r in rows) for k in keys}
    out["missed_kinds"] = dict(Counter(k for r in rows for k in r["missed_kinds"]))
    out["lowered_ordinary_kinds"] = dict(
        Counter(k or "answer sets" for r in rows for k in r["lowered_ordinary_kinds"])
    )
    out["shown_share"] = round(out["shown"] / max(1, out["ordinary"]), 3)
    if all("headroom" in r for r in rows):
        out["headroom"] = min(r["headroom"] for r in rows)
    return out


def qualifies(main: list[dict[str, Any]], gate: list[dict[str, Any]]) -> bool:
    """The decision rule (fixed before the run): every file's recall unchanged, no emergency kind
    loses a message, ordinary definite not higher, ordinary shown down by >= 15% relative."""
    same_recall = all(m["missed"] == g["missed"] for m, g in zip(main, gate, strict=True))
    pm, pg = pooled(main), pooled(gate)
    kinds_ok = all(pg["missed_kinds"].get(k, 0) <= pm["missed_kinds"].get(k, 0) for k in pg["missed_kinds"])
    return same_recall and kinds_ok and pg["definite"] <= pm["definite"] and pg["shown"] <= 0.85 * pm["shown"]


def run(pool: Pool, cfg: Config) -> dict[str, Any]:
    held_folds = [f for f in dict.fromkeys(pool.fold) if f != ALWAYS_TRAIN]
    none = np.zeros(len(pool.fold), dtype=bool)
    main_rows = [figures(pool, none, f) for f in held_folds]
    rows, thresholds = [], {}
    for f in held_folds:
        lowered, thr, headroom = lowered_in(pool, cfg, f)
        rows.append(figures(pool, lowered, f) | {"headroom": round(headroom, 3)})
        thresholds[f] = round(thr, 5)
    lowered, thr, _ = lowered_in(pool, cfg, None)
    in_sample = pooled([figures(pool, lowered, f) for f in held_folds]) | {"threshold": thr}
    return {
        "config": cfg.__dict__,
        "all_folds": in_sample,
        "folds": rows,
        "lobo": pooled(rows),
        "main": pooled(main_rows),
        "main_folds": main_rows,
        "thresholds": thresholds,
        "qualifies": qualifies(main_rows, rows),
    }


def shipped_spec() -> str:
    """The configuration of `bot/data/triage/gate.toml`, as a `--config` spec."""
    from bot.triage.gate_build import load_settings

    g = load_settings()
    return f"name=shipped,parts={g.parts.replace(',', '+')},c={g.c},margin={g.margin}"


def main(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder

    t0, cpu0 = time.perf_counter(), time.process_time()
    embedder = load_embedder(args.model, threads=1)
    vectors = Vectors(embedder, args.cache)
    t = load_thresholds(THRESHOLDS)
    model = fit_model(load_exemplars(EXEMPLARS), vectors, t.lr_c)
    triager = Triager(embedder, model, load_cues(CUES), t)
    pool = build_pool(triager, vectors)
    vectors.save()
    n_gated = int(pool.gated.sum())
    print(
        f"pool {len(pool.fold)} messages; gated (possible, not exempt): {n_gated}, "
        f"of which emergencies {int((pool.gated & pool.emergency).sum())}"
    )
    report: dict[str, Any] = {}
    for spec in args.config or [shipped_spec()]:
        cfg = parse_config(spec)
        out = run(pool, cfg)
        report[cfg.name] = out
        p, m = out["lobo"], out["main"]
        print(
            f"{cfg.name:<18} missed {p['missed']}/{p['emergencies']} (main {m['missed']})  shown "
            f"{p['shown']}/{p['ordinary']} (main {m['shown']})  definite {p['definite']}  lowered "
            f"E {p['lowered_emergencies']} O {p['lowered_ordinary']}  headroom {p.get('headroom')}  qualifies {out['qualifies']}"
        )
        a = out["all_folds"]
        print(
            f"{'':<18} fitted on all files, in sample: missed {a['missed']}  shown {a['shown']}  "
            f"threshold {a['threshold']:.5f}"
        )
    return write_report(report, args.out, t0, cpu0)

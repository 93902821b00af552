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
from eval import safety_gate_tables as tables
from eval.safety_lobo_run import Vectors, encode_pool, write_report
from eval.safety_lobo_run import fit as fit_model
from eval.safety_pool import FOLD_FILES, NEW_FILES, pool_rows


@dataclass(frozen=True)
class Pool:
    """Main's shipped triage on every pool message, and the gate's features."""

    fold: list[str]
    emergency: np.ndarray  # bool
    kind: list[str]
    level: list[str | None]
    gated: np.ndarray  # bool: at `possible` and not exempt (what the gate may lower)
    x: dict[str, np.ndarray]  # feature block name -> (n, k)
    sui: np.ndarray | None = None  # bool: the suicide path (`Triager.gate_path`); None: none


@dataclass(frozen=True)
class Config:
    name: str
    parts: str = "best,whole,scalars"
    c: float = 1.0
    margin: float = 1.0  # log-odds below the lowest out-of-fold emergency
    nested: bool = False  # margin = what the training files needed (gate_fit.needed_margin) + `margin`
    suicide: str = "exempt"  # the suicide path: "exempt", "shared" (one threshold), "own" (its own),
    # "train" (trains the regression, never lowered)
    suicide_margin: float = 2.0  # "own": log-odds below the lowest out-of-fold suicide-path emergency
    train_new: bool = False  # NEW_FILES' rows train the gate (else they are only held out)


def parse_config(spec: str) -> Config:
    """`name=N,parts=best+whole+scalars,c=1,margin=1|nested+0.5,suicide=exempt|shared|own,smargin=2,
    new=0|1` (all but name optional; parts joined by '+'; `nested+M`: the margin the training files
    needed, plus M)."""
    kv = dict(part.split("=", 1) for part in spec.split(","))
    margin = kv.get("margin", "1.0")
    nested = margin.startswith("nested")
    return Config(
        kv["name"],
        kv.get("parts", "best+whole+scalars").replace("+", ","),
        float(kv.get("c", 1.0)),
        float(margin.removeprefix("nested") or 0.0),
        nested,
        kv.get("suicide", "exempt"),
        float(kv.get("smargin", 2.0)),
        kv.get("new", "0") == "1",
    )


def build_pool(triager: Triager, vectors: Vectors) -> Pool:
    """Main's triage (no gate) on every pool message; the feature blocks by `Triager.gate_features`."""
    t = triager.thresholds
    enc = encode_pool(pool_rows(), t, vectors)
    fold, kind, level, gated, sui, emergency, rows = [], [], [], [], [], [], []
    for e in enc:
        s = triager.unit_scores(e.units, e.vectors, e.n_scored)
        tri = triager.decide(s, e.vectors)
        x = triager.gate_features(s, e.vectors, "best,whole,scalars", suicide=True)
        fold.append(e.row.file if e.row.file in FOLD_FILES else ALWAYS_TRAIN)
        emergency.append(e.row.emergency)
        kind.append(e.row.category)
        level.append(None if tri.level is None else tri.level.value)
        path = triager.gate_path(s)
        gated.append(path == "classifier")
        sui.append(path == "suicide")
        rows.append(x)
    d = enc[0].vectors.shape[1]
    width = next(len(r) for r in rows if r is not None)
    full = np.stack([r if r is not None else np.zeros(width, np.float32) for r in rows])
    x_blocks = {"best": full[:, :d], "whole": full[:, d : 2 * d], "scalars": full[:, 2 * d :]}
    return Pool(fold, np.array(emergency), kind, level, np.array(gated), x_blocks, np.array(sui))


def design(pool: Pool, parts: str) -> np.ndarray:
    return np.hstack([pool.x[p] for p in parts.split(",")])


def lowered_in(pool: Pool, cfg: Config, held: str | None) -> tuple[np.ndarray, float, float]:
    """The held-out fold's messages the gate lowers (bool over the pool), the threshold used, and the
    headroom: the lowest held-out gated emergency's log-odds minus the threshold's (inf if none).
    `held=None`: fitted on every file and applied to every file (what would ship, in sample)."""
    x = design(pool, cfg.parts)
    folds = np.asarray(pool.fold)
    sui = pool.sui if pool.sui is not None and cfg.suicide != "exempt" else np.zeros(len(folds), bool)
    can = pool.gated | sui
    usable = can if cfg.train_new else can & ~np.isin(folds, NEW_FILES)
    train = usable & (folds != held) if held is not None else usable
    xs, ys, fs = x[train], pool.emergency[train], folds[train].tolist()
    margin = cfg.margin + (needed_margin(xs, ys, fs, cfg.c) if cfg.nested else 0.0)
    if cfg.suicide in ("own", "train"):
        thr, _ = nested_threshold(xs, ys, fs, cfg.c, margin, count=~sui[train])
        thr_s = 0.0  # "train": the suicide path trains the regression and is never lowered
        if cfg.suicide == "own":
            thr_s, _ = nested_threshold(xs, ys, fs, cfg.c, cfg.suicide_margin, count=sui[train])
    else:
        thr, _ = nested_threshold(xs, ys, fs, cfg.c, margin)
        thr_s = thr
    w, b = fit(x[train], pool.emergency[train], cfg.c)
    target = can & (folds == held) if held is not None else can & (folds != ALWAYS_TRAIN)
    out = np.zeros(len(folds), dtype=bool)
    headroom = float("inf")
    if np.any(target):
        p = predict(w, b, x[target])
        line = np.where(sui[target], thr_s, thr)
        out[target] = p < line
        e = pool.emergency[target]
        if np.any(e):
            headroom = float(min(_logit(pi) - _logit(ti) for pi, ti in zip(p[e], line[e], strict=True)))
    return out, thr if cfg.suicide != "own" else min(thr, thr_s), headroom


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
        "shown_kinds": sorted(_tag(pool, i) for i, s in zip(idx, shown, strict=True) if s),
        "kinds": sorted(_tag(pool, i) for i in idx),
    }


def _tag(pool: Pool, i: int) -> str:
    return f"{'E' if pool.emergency[i] else 'O'} {pool.kind[i] or 'answer sets'}"


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


REFERENCE = "name=main9,parts=best+whole+scalars,c=0.1,margin=2.0"  # session 9's shipped gate (rule B)


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
    reference = None
    for spec in [REFERENCE, *(args.config or [shipped_spec()])]:
        cfg = parse_config(spec)
        out = run(pool, cfg)
        if reference is None:
            reference = sum(r["shown"] for r in tables.old(out["folds"]))
        out["rule_b"] = tables.rule_b(out, reference)
        report[cfg.name] = out
        p, m = out["lobo"], out["main"]
        print(
            f"{cfg.name:<18} missed {p['missed']}/{p['emergencies']} (main {m['missed']})  shown "
            f"{p['shown']}/{p['ordinary']} (main {m['shown']})  definite {p['definite']}  lowered "
            f"E {p['lowered_emergencies']} O {p['lowered_ordinary']}  headroom {p.get('headroom')}  "
            f"old files shown {sum(r['shown'] for r in tables.old(out['folds']))} (rule B: <= "
            f"{tables.SHARE * reference:.1f})  qualifies B {out['rule_b']}"
        )
        a = out["all_folds"]
        print(
            f"{'':<18} fitted on all files, in sample: missed {a['missed']}  shown {a['shown']}  "
            f"threshold {a['threshold']:.5f}"
        )
    print(tables.per_file(report) + "\n\n" + tables.per_category(report))
    return write_report(report, args.out, t0, cpu0)

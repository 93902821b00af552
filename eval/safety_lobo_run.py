"""`python -m eval safety-lobo`: leave-one-battery-out figures of triage configurations (session 8).

For each configuration (an exemplar file, a cue file, optionally a file of ordinary exemplar tables
that enter per fold only when they pass the per-kind filter, and the cut rule's margin or `nested`),
the dev pool (`eval.safety_pool.pool_rows`; one fold per file) is scored once per fitted model, then
`eval.safety_lobo` derives the cuts per fold on the other folds and counts the held-out fold. Always
printed first: main's shipped cuts per fold (a reference) and main's data under LOBO.

Exemplars are written from public pages, never from battery messages (tests/test_triage_suicide_data.py
checks the dev/exemplar separation), so no exemplar is excluded per fold; `--check-provenance` counts
the exemplars whose text occurs in a pool message, for the record.

Embeddings: every unit text (message, clause units, lone clauses) and every exemplar text is encoded
once and kept in `--cache` (an .npz keyed by the model's identity), so a configuration costs a fit and
a pass of numpy, not an encode. The model runs on one thread.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.triage import Triager
from bot.triage import model as model_io
from bot.triage.clauses import lone_clauses, units
from bot.triage.data import (
    CUES,
    EXEMPLARS,
    THRESHOLDS,
    Exemplar,
    Thresholds,
    load_cues,
    load_exemplars,
    load_thresholds,
)
from eval.safety_lobo import (
    ALWAYS_TRAIN,
    Msg,
    ablation_keeps,
    by_kind,
    fixed,
    folds,
    in_sample,
    kept_tables,
    lobo_fold,
    pooled,
)
from eval.safety_pool import FOLD_FILES, MARGIN, PoolRow, pool_rows

CACHE = Path("eval/out/lobo_vectors.npz")


@dataclass(frozen=True)
class Candidate:
    name: str
    exemplars: Path = EXEMPLARS
    cues: Path = CUES
    filtered: Path | None = (
        None  # its ordinary rows not in `exemplars`, by table, kept per fold by `kept_tables`
    )
    margin: float | None = MARGIN  # None: chosen per fold by nested LOBO
    judge: str = (
        "near"  # how `filtered` tables are judged: "near" (kept_tables) or "ablation" (ablation_keeps)
    )
    suicide: float | None = None  # the suicide component's cut (None: thresholds.toml's); session 10


def parse_candidate(spec: str) -> Candidate:
    """`name=N,exemplars=PATH,cues=PATH,filtered=PATH,margin=0.02|nested,judge=near|ablation,suicide=0.8`
    (all but name optional)."""
    kv = dict(part.split("=", 1) for part in spec.split(","))
    margin = kv.get("margin", str(MARGIN))
    return Candidate(
        kv["name"],
        Path(kv.get("exemplars", EXEMPLARS)),
        Path(kv.get("cues", CUES)),
        Path(kv["filtered"]) if "filtered" in kv else None,
        None if margin == "nested" else float(margin),
        kv.get("judge", "near"),
        float(kv["suicide"]) if "suicide" in kv else None,
    )


class Vectors:
    """Unit-normalised vectors by text, encoded once (one thread) and kept in an .npz cache."""

    def __init__(self, embedder: object, path: Path | None):
        self.embedder = embedder
        self.path = path
        self.by_text: dict[str, np.ndarray] = {}
        identity = getattr(embedder, "identity", "")
        if path is not None and path.is_file():
            with np.load(path, allow_pickle=False) as z:
                if str(z["identity"]) == identity:
                    self.by_text = dict(zip((str(t) for t in z["texts"]), z["vectors"], strict=True))

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.by_text]
        if missing:
            vecs = self.embedder.encode(missing)  # type: ignore[attr-defined]
            self.by_text.update(zip(missing, vecs, strict=True))
        return np.stack([self.by_text[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self.by_text)
        np.savez(
            self.path,
            identity=np.array(getattr(self.embedder, "identity", "")),
            texts=np.array(texts),
            vectors=np.stack([self.by_text[t] for t in texts]),
        )


@dataclass(frozen=True)
class Encoded:
    row: PoolRow
    units: list[str]
    n_scored: int
    vectors: np.ndarray


def encode_pool(rows: list[PoolRow], t: Thresholds, vectors: Vectors) -> list[Encoded]:
    out = []
    for row in rows:
        base = units(row.text, t.context_words)
        texts = base + lone_clauses(row.text, t.suicide_clause_words, base)
        out.append(Encoded(row, texts, len(base), vectors(texts)))
    return out


def fit(exemplars: tuple[Exemplar, ...], vectors: Vectors, lr_c: float) -> model_io.TriageModel:
    return model_io.build_model(vectors([e.text for e in exemplars]), exemplars, lr_c, "lobo")


def score(triager: Triager, pool: list[Encoded]) -> list[Msg]:
    """One `Msg` per pool message: the classifier score, and whether it is shown whatever the cuts."""
    never = replace(triager.thresholds, possible=math.inf, definite=math.inf)
    out = []
    for enc in pool:
        s = triager.unit_scores(enc.units, enc.vectors, enc.n_scored)
        tri = triager.decide(s, enc.vectors, never)
        fold = enc.row.file if enc.row.file in FOLD_FILES else ALWAYS_TRAIN
        out.append(Msg(fold, enc.row.emergency, tri.score, tri.level is not None, enc.row.category))
    return out


def table_of(e: Exemplar) -> str:
    return e.group.rsplit("-", 1)[0]


def _closeness(pool: list[Encoded], extra: tuple[Exemplar, ...], vectors: Vectors) -> dict[str, list[float]]:
    """Per table of `extra`: its core exemplars' highest similarity to each message's scored units."""
    out: dict[str, list[float]] = {}
    for table in dict.fromkeys(table_of(e) for e in extra):
        cores = vectors([e.text for e in extra if table_of(e) == table and e.form == "core"])
        out[table] = [float((enc.vectors[: enc.n_scored] @ cores.T).max()) for enc in pool]
    return out


def run_candidate(
    c: Candidate, pool: list[Encoded], vectors: Vectors, embedder: object, t: Thresholds
) -> dict[str, Any]:
    cues = load_cues(c.cues)
    base = load_exemplars(c.exemplars)
    if c.suicide is not None:
        t = replace(t, suicide_possible=c.suicide)
    known = set(base)  # the filtered file may be a whole exemplar file: its rows beyond `base` count
    extra = tuple(
        e for e in (load_exemplars(c.filtered) if c.filtered else ()) if not e.emergency and e not in known
    )
    models: dict[tuple[str, ...], list[Msg]] = {}

    def msgs_with(tables: tuple[str, ...]) -> list[Msg]:
        if tables not in models:
            rows = base + tuple(e for e in extra if table_of(e) in tables)
            models[tables] = score(Triager(embedder, fit(rows, vectors, t.lr_c), cues, t), pool)  # type: ignore[arg-type]
        return models[tables]

    plain = msgs_with(())  # the base model: the per-kind filter's scores
    kept_per_fold: dict[str | None, tuple[str, ...]] = {}
    tables = tuple(dict.fromkeys(table_of(e) for e in extra))
    if extra and c.judge == "ablation":
        for f in [*folds(plain), None]:  # one fit per table; each fold judges on its training folds only
            kept_per_fold[f] = tuple(x for x in tables if ablation_keeps(plain, msgs_with((x,)), f))
    elif extra:
        emerg = vectors([e.text for e in base if e.emergency])
        nearest = [float((enc.vectors[: enc.n_scored] @ emerg.T).max()) for enc in pool]
        closeness = _closeness(pool, extra, vectors)
        for f in [*folds(plain), None]:  # None: no fold held out (what would ship)
            kept_per_fold[f] = kept_tables(plain, f, nearest, closeness)
    results = [lobo_fold(msgs_with(kept_per_fold.get(f, ())), f, c.margin) for f in folds(plain)]
    final = in_sample(msgs_with(kept_per_fold.get(None, ())), c.margin)
    shipped = fixed(msgs_with(kept_per_fold.get(None, ())), t.possible, t.definite)
    return {
        "candidate": c.name,
        "exemplars": str(c.exemplars),
        "cues": str(c.cues),
        "filtered": str(c.filtered) if c.filtered else None,
        "margin": "nested" if c.margin is None else c.margin,
        "judge": c.judge,
        "suicide_possible": t.suicide_possible,
        "folds": [r.__dict__ | {"missed_kinds": list(r.missed_kinds)} for r in results],
        "lobo": pooled(results),
        "kinds": by_kind(plain, results) if not extra else {},  # per-fold tables: not per category
        "shipped": {"folds": [r.__dict__ for r in shipped], "lobo": pooled(shipped)},
        "shipped_kinds": by_kind(msgs_with(kept_per_fold.get(None, ())), shipped),
        "all_folds": final.__dict__ | {"missed_kinds": list(final.missed_kinds)},
        "kept_tables": {f or "all folds": list(v) for f, v in kept_per_fold.items()},
    }


def _row(name: str, p: dict[str, Any]) -> str:
    return (
        f"{name:<24} missed {p['missed']}/{p['emergencies']}  ordinary shown {p['ordinary_shown']}/{p['ordinary']}"
        f" ({p['ordinary_shown_share']})  definite {p['ordinary_definite']} ({p['ordinary_definite_share']})"
    )


def main(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder

    t0, cpu0 = time.perf_counter(), time.process_time()
    embedder = load_embedder(args.model, threads=1)
    vectors = Vectors(embedder, args.cache)
    t = load_thresholds(THRESHOLDS)
    aside = set(args.set_aside)
    pool = encode_pool([r for r in pool_rows() if r.id not in aside], t, vectors)
    main_msgs = score(
        Triager(embedder, fit(load_exemplars(EXEMPLARS), vectors, t.lr_c), load_cues(CUES), t), pool
    )
    report: dict[str, Any] = {"folds": folds(main_msgs), "set_aside": sorted(aside)}
    shipped = fixed(main_msgs, t.possible, t.definite)
    report["main-shipped"] = {
        "folds": [r.__dict__ for r in shipped],
        "lobo": pooled(shipped),
        "kinds": by_kind(main_msgs, shipped),
    }
    print(_row("main-shipped", pooled(shipped)))
    specs = ["name=main-lobo", *args.candidate]
    for spec in specs:
        c = parse_candidate(spec)
        out = run_candidate(c, pool, vectors, embedder, t)
        report[c.name] = out
        print(
            _row(c.name, out["lobo"]),
            " all folds:",
            {k: out["all_folds"][k] for k in ("possible", "definite")},
        )
        print(_row(f"  {c.name} (shipped cuts)", out["shipped"]["lobo"]))
    vectors.save()
    if args.check_provenance:
        texts = [e.row.text.lower() for e in pool]
        report["exemplars_in_pool"] = sum(
            any(e.text.lower() in x for x in texts) for e in load_exemplars(EXEMPLARS) if len(e.text) > 30
        )
    return write_report(report, args.out, t0, cpu0)


def write_report(report: dict[str, Any], out: Path, t0: float, cpu0: float) -> int:
    """Add the run's CPU and wall seconds (since `t0` / `cpu0`) to `report`, write it as JSON to
    `out` and say so; the exit code 0."""
    report["cpu_s"] = round(time.process_time() - cpu0, 1)
    report["wall_s"] = round(time.perf_counter() - t0, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"wrote {out} ({report['cpu_s']} CPU s)")
    return 0

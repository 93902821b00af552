"""Triage cut-offs chosen on dev messages by a stated rule, and that rule cross-validated.

Used by `python -m eval safety --calibrate` (dev split only). Per message three figures feed the
decision of `bot.triage.classifier.Triager.decide`: its best unit score (`score`), its best
suicide-component score (`suicide`) and whether a red-flag phrase fired without a not-now cue
(`red`). The guidance is shown when `score >= possible or suicide >= suicide_possible or red`.

The rule (`choose_cuts`), for one set of messages:

1. Every emergency must be shown the guidance (recall first). For each candidate suicide cut (the
   suicide scores of the emergencies, and "none"), the `possible` cut is the lowest score among
   the emergencies that neither the suicide cut nor a red flag catches; keep the pair that shows
   the guidance to the fewest ordinary messages (ties: the higher suicide cut, which leaves the
   suicide component for the suicidal wording it was built for).
2. Each cut is then moved down to the middle of the gap between the lowest emergency it must catch
   and the highest ordinary message below that emergency (a maximum-margin placement): the same
   messages are caught, but a new emergency a little weaker than the weakest seen is caught too.
   A cut never sits more than `max_margin` below the emergency that set it.
3. `definite`: above every ordinary message's score (the emergency message alone costs the
   person their answer), at the middle of the gap to the next emergency score, at least
   `definite_gap` above the highest ordinary one.

4. Margins (`shortfall_margins`, `calibrated_cuts`): the cuts of step 2 are lowered by the largest
   amount by which a held-out dev emergency fell below the cuts chosen without it (seeded
   stratified k-fold), per cut: an estimate from dev itself of how much weaker than the weakest
   seen the next unseen emergency may be. `definite` is raised until at most 1% of the held-out
   ordinary messages reach it (the issue's bound for the emergency message alone).

`cross_validate` repeats a rule on folds of the messages (stratified by category, seeded), each
fold's cuts chosen on the other folds and scored on the fold: the out-of-fold recall and ordinary
share shown the guidance estimate what the cuts do on messages not used to choose them, which a
single fit on all of dev cannot (it places the cuts at the dev messages themselves).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cuts:
    possible: float
    suicide_possible: float
    definite: float


@dataclass(frozen=True)
class Outcome:
    recall: float  # emergencies shown the guidance (any level)
    ordinary_shown: float  # ordinary messages shown the guidance (any level)
    ordinary_definite: float  # ordinary messages given the emergency message alone


def _gap_cut(needed: float, below: np.ndarray, max_margin: float) -> float:
    """The middle between `needed` (the lowest value the cut must catch) and the highest of `below`
    under it, at most `max_margin` under `needed`."""
    under = below[below < needed]
    low = float(under.max()) if under.size else needed - 2 * max_margin
    return round(max(needed - max_margin, (needed + low) / 2), 4)


def choose_cuts(
    score: np.ndarray,
    suicide: np.ndarray,
    red: np.ndarray,
    emergency: np.ndarray,
    max_margin: float = 0.1,
    definite_gap: float = 0.01,
) -> Cuts:
    """The rule of the module docstring over one set of messages (arrays of equal length)."""
    y = emergency.astype(bool)
    if not y.any() or y.all():
        raise ValueError("need both emergency and ordinary messages")
    best: tuple[int, float, float, float] | None = None  # (shown ordinary, -ts, tp, ts)
    for ts in sorted({*suicide[y].tolist(), np.inf}):
        left = y & ~red & (suicide < ts)
        tp = float(score[left].min()) if left.any() else np.inf
        shown = int(((score >= tp) | (suicide >= ts) | red)[~y].sum())
        key = (shown, -ts, tp, ts)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    _, _, tp, ts = best
    ordinary = score[~y]
    possible = _gap_cut(tp, ordinary, max_margin) if np.isfinite(tp) else float(score.max()) + 1
    needed_s = float(suicide[y & (suicide >= ts)].min()) if np.isfinite(ts) else np.inf
    sui_cut = _gap_cut(needed_s, suicide[~y], max_margin) if np.isfinite(needed_s) else 1.01
    top = float(ordinary.max())
    above = score[y & (score > top)]
    definite = (top + float(above.min())) / 2 if above.size else top + definite_gap
    definite = round(max(definite, top + definite_gap, possible), 4)
    return Cuts(possible, round(sui_cut, 4), definite)


def outcome(
    cuts: Cuts, score: np.ndarray, suicide: np.ndarray, red: np.ndarray, emergency: np.ndarray
) -> Outcome:
    y = emergency.astype(bool)
    shown = (score >= cuts.possible) | (suicide >= cuts.suicide_possible) | red | (score >= cuts.definite)
    definite = score >= cuts.definite
    return Outcome(float(shown[y].mean()), float(shown[~y].mean()), float(definite[~y].mean()))


def folds(categories: list[str], k: int, seed: int) -> list[int]:
    """A fold number per message, stratified by category (each category dealt round the folds)."""
    rng = random.Random(seed)
    by: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(categories):
        by[c].append(i)
    out = [0] * len(categories)
    start = 0
    for c in sorted(by):
        idx = by[c]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[i] = (start + j) % k
        start += len(idx)
    return out


Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]], Cuts]


def _split_runs(categories: list[str], k: int, repeats: int) -> list[np.ndarray]:
    return [np.array(folds(categories, k, seed=rep)) for rep in range(repeats)]


def shortfall_margins(
    score: np.ndarray,
    suicide: np.ndarray,
    red: np.ndarray,
    emergency: np.ndarray,
    categories: list[str],
    k: int = 5,
    repeats: int = 4,
    definite_rate: float = 0.01,
) -> tuple[float, float, float]:
    """(possible, suicide, definite) margins over seeded k-fold splits, each fold's cuts chosen
    without it (`choose_cuts` on the other folds): how far below those cuts a held-out emergency
    fell, at most (each miss charged to the cut it was nearer to), so a new emergency as far
    below the weakest seen as a held-out dev one fell is still caught; and the raise of `definite`
    that keeps held-out ordinary messages at or above it to `definite_rate` (a maximum here would
    let one odd dev message push the emergency message alone out of reach of most emergencies)."""
    y = emergency.astype(bool)
    short_p, short_s = [0.0], [0.0]
    over_d: list[float] = []
    for f in _split_runs(categories, k, repeats):
        for fold in range(k):
            tr, te = f != fold, f == fold
            if not (y[tr].any() and (~y[tr]).any()):
                continue
            cuts = choose_cuts(score[tr], suicide[tr], red[tr], y[tr])
            for i in np.flatnonzero(te & y & ~red):
                dp, ds = cuts.possible - score[i], cuts.suicide_possible - suicide[i]
                if dp > 0 and ds > 0:
                    (short_p if dp <= ds else short_s).append(float(min(dp, ds)))
            over_d.extend(float(x) for x in score[te & ~y] - cuts.definite)
    # `definite`: the smallest raise that leaves at most `definite_rate` of the held-out ordinary
    # messages at or above it (the target for the emergency message alone: <= 1%)
    over = sorted(over_d, reverse=True)
    allowed = int(np.floor(definite_rate * len(over)))
    md = max(0.0, over[allowed] + 1e-4) if len(over) > allowed else 0.0
    return round(max(short_p), 4), round(max(short_s), 4), round(md, 4)


def calibrated_cuts(
    score: np.ndarray, suicide: np.ndarray, red: np.ndarray, emergency: np.ndarray, categories: list[str]
) -> Cuts:
    """The shipped rule: `choose_cuts` on all messages, `possible` and `suicide_possible` lowered
    and `definite` raised by their `shortfall_margins` (`definite` never below `possible`)."""
    cuts = choose_cuts(score, suicide, red, emergency)
    mp, ms, md = shortfall_margins(score, suicide, red, emergency, categories)
    possible = round(cuts.possible - mp, 4)
    return Cuts(possible, round(cuts.suicide_possible - ms, 4), round(max(cuts.definite + md, possible), 4))


def capped_rule(ceiling: float, suicide_ceiling: float = float("inf")) -> Rule:
    """`calibrated_cuts` with `possible` never above `ceiling` and `suicide_possible` never above
    `suicide_ceiling` (the shipped cuts): recall first, a recalibration may lower a guidance cut but
    never raise it; false alarms that new dev data shows are for the cues and weights to answer, not
    for a cut that drops emergencies near the old one (fourth shift: the rule alone moved `possible`
    0.6199 -> 0.6533 and a gold emergency at 0.649 went unseen; its suicide cut rose 0.8659 -> 0.8877
    and that calibration lost one held-out emergency, cause not known: fifth shift caps both)."""

    def rule(
        score: np.ndarray, suicide: np.ndarray, red: np.ndarray, emergency: np.ndarray, c: list[str]
    ) -> Cuts:
        cuts = calibrated_cuts(score, suicide, red, emergency, c)
        return Cuts(min(cuts.possible, ceiling), min(cuts.suicide_possible, suicide_ceiling), cuts.definite)

    return rule


def recall_at_margin(
    cuts: Cuts, score: np.ndarray, suicide: np.ndarray, red: np.ndarray, emergency: np.ndarray, margin: float
) -> float:
    """Share of the emergencies still shown the guidance with both guidance cuts raised by `margin`
    (a red flag still counts): the emergencies that a slightly weaker wording would not lose."""
    y = emergency.astype(bool)
    shown = (score >= cuts.possible + margin) | (suicide >= cuts.suicide_possible + margin) | red
    return float(shown[y].mean())


def _plain_rule(
    score: np.ndarray, suicide: np.ndarray, red: np.ndarray, emergency: np.ndarray, _c: list[str]
) -> Cuts:
    return choose_cuts(score, suicide, red, emergency)


def cross_validate(
    score: np.ndarray,
    suicide: np.ndarray,
    red: np.ndarray,
    emergency: np.ndarray,
    categories: list[str],
    rule: Rule = _plain_rule,
    k: int = 5,
    repeats: int = 4,
) -> tuple[Outcome, list[Cuts]]:
    """Out-of-fold outcome of `rule` (cuts chosen on the other folds, scored on the fold), pooled
    over `repeats` seeded k-fold splits, and every fold's cuts."""
    hits: list[np.ndarray] = []
    defs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    all_cuts: list[Cuts] = []
    y = emergency.astype(bool)
    for f in _split_runs(categories, k, repeats):
        for fold in range(k):
            tr, te = f != fold, f == fold
            cats = [c for c, keep in zip(categories, tr, strict=True) if keep]
            cuts = rule(score[tr], suicide[tr], red[tr], y[tr], cats)
            all_cuts.append(cuts)
            shown = (score[te] >= cuts.possible) | (suicide[te] >= cuts.suicide_possible) | red[te]
            hits.append(shown | (score[te] >= cuts.definite))
            defs.append(score[te] >= cuts.definite)
            ys.append(y[te])
    h, d, yy = np.concatenate(hits), np.concatenate(defs), np.concatenate(ys)
    return Outcome(float(h[yy].mean()), float(h[~yy].mean()), float(d[~yy].mean())), all_cuts

"""Cross-validated choice of the abstention rule and the first-quote weights over several corpora.

Pure functions over per-question records collected by `eval.transfer` (no model, no index):

- `Record`: one question of one corpus (dev of the bundled corpus, or a transfer-dev corpus):
  whether it is answerable, retrieval's best centred cosine, the answer-shape match of
  retrieval's first sentence, two word features, and the ranked candidates (cosine, answer
  shape, on a gold span?);
- `abstention_table`: for each candidate signal (a function of a record and its corpus's
  calibration), the threshold that maximises the *mean over corpora* of balanced accuracy
  (answerable kept, unanswerable declined), in-sample and under k-fold cross-validation
  (folds stratified by corpus and type; the threshold is chosen on the other folds);
- `first_quote_grid`: hit@1 / hit@3 / MRR per corpus when the first quote is re-chosen by
  `bot.select` rule 1 (position, cosine, answer shape) and the rest keep the ranking's order,
  for a grid of weights, and a cross-validated estimate of choosing the best joint MRR.

Why the mean of per-corpus figures: pooling would let the larger corpus decide, and the point
is a rule that holds on documents it was not fitted to. Why cross-validation: 17 + 18
unanswerable questions; one of them moves a rate by 0.06, so an in-sample best is optimistic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cand:
    similarity: float
    kind: bool
    gold: bool


@dataclass(frozen=True)
class Record:
    corpus: str
    answerable: bool
    best: float  # retrieval's best centred cosine (today's abstention signal)
    top_kind: bool  # retrieval's first sentence has the answer shape asked
    unknown: float  # share of the question's content words absent from the corpus
    coverage: float  # IDF-weighted share of those words in the best of the top 3 sentences
    cands: tuple[Cand, ...]  # the ranking's order (bot.rank), at most 20


Signal = Callable[[Record, dict[str, float]], float]


def balanced(values: np.ndarray, answerable: np.ndarray, t: float) -> tuple[float, float, float]:
    """(balanced accuracy, false no-answer, declined) of the rule `value >= t`."""
    kept = float((values[answerable] >= t).mean()) if answerable.any() else 1.0
    declined = float((values[~answerable] < t).mean()) if (~answerable).any() else 1.0
    return 0.5 * (kept + declined), 1.0 - kept, declined


def _criterion(values: np.ndarray, ans: np.ndarray, corpora: np.ndarray, t: float) -> float:
    return float(
        np.mean([balanced(values[corpora == c], ans[corpora == c], t)[0] for c in np.unique(corpora)])
    )


def best_cut(values: np.ndarray, ans: np.ndarray, corpora: np.ndarray) -> float:
    """The threshold with the best mean per-corpus balanced accuracy (middle of a tied run)."""
    vs = np.unique(values)
    cuts = np.concatenate([[vs[0] - 1e-3], (vs[:-1] + vs[1:]) / 2, [vs[-1] + 1e-3]])
    scores = np.array([_criterion(values, ans, corpora, t) for t in cuts])
    tied = np.flatnonzero(scores >= scores.max() - 1e-12)
    runs = np.split(tied, np.flatnonzero(np.diff(tied) > 1) + 1)
    run = max(runs, key=len)
    return float(cuts[run[len(run) // 2]])


def folds(records: Sequence[Record], k: int = 10, seed: int = 0) -> np.ndarray:
    """Fold of each record, stratified by corpus and type."""
    rng = np.random.RandomState(seed)
    out = np.zeros(len(records), dtype=int)
    for key in sorted({(r.corpus, r.answerable) for r in records}):
        idx = np.array([i for i, r in enumerate(records) if (r.corpus, r.answerable) == key])
        rng.shuffle(idx)
        out[idx] = np.arange(len(idx)) % k
    return out


@dataclass(frozen=True)
class SignalRow:
    name: str
    cut: float
    in_sample: dict[str, tuple[float, float, float]]  # corpus -> (balanced acc, fna, declined)
    cv: dict[str, tuple[float, float, float]]

    @property
    def cv_mean(self) -> float:
        return float(np.mean([v[0] for v in self.cv.values()]))


def abstention_table(
    records: Sequence[Record],
    calibration: dict[str, dict[str, float]],
    signals: dict[str, Signal],
    k: int = 10,
    repeats: int = 10,
) -> list[SignalRow]:
    """Each signal's cut on all records, and its `repeats` x `k`-fold cross-validated figures
    (mean over repeats: one split of 35 unanswerable questions is too noisy to rank rules)."""
    ans = np.array([r.answerable for r in records])
    corpora = np.array([r.corpus for r in records])
    splits = [folds(records, k, seed) for seed in range(repeats)]
    rows = []
    for name, fn in signals.items():
        v = np.array([fn(r, calibration[r.corpus]) for r in records])
        cut = best_cut(v, ans, corpora)
        preds = []
        for fold in splits:
            pred = np.zeros(len(v), dtype=bool)
            for f in range(k):
                train = fold != f
                pred[~train] = v[~train] >= best_cut(v[train], ans[train], corpora[train])
            preds.append(pred)
        ins, cv = {}, {}
        for c in sorted(set(corpora)):
            m = corpora == c
            ins[c] = balanced(v[m], ans[m], cut)
            runs = np.array([balanced(p[m].astype(float), ans[m], 0.5) for p in preds])
            cv[c] = (float(runs[:, 0].mean()), float(runs[:, 1].mean()), float(runs[:, 2].mean()))
        rows.append(SignalRow(name, cut, ins, cv))
    return rows


Weights = tuple[float, float, float]  # first_k, first_similarity, first_kind


def first_order(cands: Sequence[Cand], w: Weights, depth: int = 20) -> list[Cand]:
    """The quotes' order: the first re-chosen as in `bot.select` rule 1, the rest as ranked."""
    k, sim, kind = w
    top = list(cands[:depth])
    if not top or (sim == 0 and kind == 0):
        return list(cands)
    lead = max(
        range(len(top)), key=lambda j: (1.0 / (k + 1 + j) + sim * top[j].similarity + kind * top[j].kind, -j)
    )
    return [cands[lead], *(c for j, c in enumerate(cands) if j != lead)]


def order_figures(records: Sequence[Record], w: Weights) -> np.ndarray:
    """Per answerable record: (hit@1, hit@3, reciprocal rank within 10)."""
    out = []
    for r in records:
        gold = [c.gold for c in first_order(r.cands, w)]
        rr = next((1.0 / (i + 1) for i, g in enumerate(gold[:10]) if g), 0.0)
        out.append((float(bool(gold[:1] and gold[0])), float(any(gold[:3])), rr))
    return np.array(out).reshape(-1, 3)


def first_quote_grid(
    records: Sequence[Record], grid: Sequence[Weights], k: int = 10
) -> tuple[dict[Weights, dict[str, np.ndarray]], Weights, dict[str, np.ndarray], list[Weights]]:
    """Figures per weights and corpus; the weights of best joint MRR (ties: smaller weights);
    the cross-validated figures of that choice and the weights each fold chose."""
    ans = [r for r in records if r.answerable]
    corpora = sorted({r.corpus for r in ans})
    per_q = {w: order_figures(ans, w) for w in grid}
    mask = {c: np.array([r.corpus == c for r in ans]) for c in corpora}

    def joint(w: Weights, m: np.ndarray) -> float:
        return float(np.mean([per_q[w][m & mask[c], 2].mean() for c in corpora]))

    def choose(m: np.ndarray) -> Weights:
        return max(grid, key=lambda w: (round(joint(w, m), 9), -w[1], -w[2], -w[0]))

    table = {w: {c: per_q[w][mask[c]].mean(axis=0) for c in corpora} for w in grid}
    fold = folds(ans, k, seed=1)
    picks, cv_rows = [], np.zeros((len(ans), 3))
    for f in range(k):
        w = choose(fold != f)
        picks.append(w)
        cv_rows[fold == f] = per_q[w][fold == f]
    cv = {c: cv_rows[mask[c]].mean(axis=0) for c in corpora}
    return table, choose(np.ones(len(ans), dtype=bool)), cv, picks

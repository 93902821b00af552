"""Fitting the triage gate (`bot.triage.gate`): a logistic regression and its nested threshold.

Used by `python -m index build` (`bot.triage.gate_build`) and by the leave-one-battery-out
evaluation (`eval.safety_gate`), so both fit the same way. scikit-learn is imported here only,
never at serve time: the standardisation is folded into the coefficients, so serving is a dot
product.

The threshold (`nested_threshold`): leave-one-file-out over the training files, each file's
`possible` emergencies scored by a regression fitted without that file; the lowest of those
out-of-fold probabilities, lowered by `margin` in log-odds. So the gate lowers only messages that
look less like an emergency than every emergency it saw from a file it was not trained on.

>>> round(threshold_from([0.9, 0.2, 0.6], 1.0), 4)
0.0842
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ALWAYS_TRAIN = ""  # rows never held out (the answer sets' questions)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """(w, b) of a class-balanced L2 logistic regression on standardised features, returned on the
    raw features (w / sd, b - sum(w * mean / sd)); deterministic (lbfgs, no random state)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd < 1e-6] = 1.0
    z = (x - mean) / sd
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(z, y)
    w = lr.coef_[0] / sd
    b = float(lr.intercept_[0] - np.sum(lr.coef_[0] * mean / sd))
    return w.astype(np.float32), b


def predict(w: np.ndarray, b: float, x: np.ndarray) -> np.ndarray:
    z = np.clip(x.astype(np.float64) @ w.astype(np.float64) + b, -30.0, 30.0)
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def threshold_from(p_emergencies: Sequence[float], margin: float) -> float:
    """The lowest emergency probability, lowered by `margin` in log-odds (0 when there is none)."""
    if len(p_emergencies) == 0:
        return 0.0
    p = min(max(min(p_emergencies), 1e-12), 1 - 1e-12)
    z = np.log(p / (1 - p)) - margin
    return float(1.0 / (1.0 + np.exp(-z)))


def nested_threshold(
    x: np.ndarray,
    y: np.ndarray,
    fold: Sequence[str],
    c: float,
    margin: float,
    count: np.ndarray | None = None,
) -> tuple[float, list[float]]:
    """(threshold, the out-of-fold emergency probabilities) by leave-one-file-out over `fold`
    (ALWAYS_TRAIN rows are never held out). `count` (bool per row): only those emergencies set the
    threshold (the regression still trains on every row), e.g. one gate path's own threshold."""
    folds = np.asarray(fold)
    counted = y if count is None else (y & count)
    oof: list[float] = []
    for g in dict.fromkeys(fold):
        if g == ALWAYS_TRAIN:
            continue
        held = folds == g
        if not np.any(counted[held]) or len(set(y[~held].tolist())) < 2:
            continue
        w, b = fit(x[~held], y[~held], c)
        oof += predict(w, b, x[held & counted]).tolist()
    return threshold_from(oof, margin), oof


def needed_margin(x: np.ndarray, y: np.ndarray, fold: Sequence[str], c: float) -> float:
    """The margin the training files themselves needed: leave-one-file-out, each file's lowest
    emergency against the threshold (margin 0) chosen without it; the largest shortfall in log-odds
    (0 when no file needed one). Choosing the margin this way keeps it out of sample too."""
    folds = np.asarray(fold)
    need = 0.0
    for g in dict.fromkeys(fold):
        held = folds == g
        if g == ALWAYS_TRAIN or not np.any(y[held]) or len(set(y[~held].tolist())) < 2:
            continue
        thr, _ = nested_threshold(x[~held], y[~held], folds[~held].tolist(), c, 0.0)
        w, b = fit(x[~held], y[~held], c)
        low = float(predict(w, b, x[held & y]).min())
        need = max(need, _logit(thr) - _logit(low))
    return need


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log(p / (1 - p)))

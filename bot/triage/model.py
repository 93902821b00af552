"""The embedding classifier behind triage: exemplar vectors, two logistic regressions, a cache.

Exemplars are embedded with the same model as retrieval (any `index.embedder.Embedder`), then:

- `emergency`: a logistic regression, emergency vs ordinary, over the vectors (all categories);
- `suicide`: a second one, suicidal or self-harm language vs everything else, trained with a
  heavier weight on its positives: indirect wording ("saving up pills", "letters to my family")
  sits far from symptom descriptions, so it gets its own high-recall component;
- `category`: the majority category of the nearest emergency exemplars (cosine).

Rows marked `component = "suicide"` (`bot.triage.data.COMPONENTS`) train the suicide regression
only: they are left out of the emergency regression and of the stored neighbours (`vectors`), so
new suicide wording cannot move the emergency classifier's neighbourhoods (session 10: sourced
suicide cores shifted an overdose message below the `possible` cut). Trade-off: such a row no
longer adds to P(emergency) either; the suicide component must catch its wording on its own.

Embedding ~2,500 exemplars and fitting costs 30-60 s with the real model, so it is done once,
by `python -m index build`, into the build folder (`bot.triage.artifact`, `triage.npz`, no
pickle), keyed by the embedder's identity, the sha256 of the exemplar file and the settings that
shape the fit. Serving only reads it; scikit-learn is imported only to fit, never to serve.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.triage.data import SUICIDE, Exemplar

FORMAT = "triage-model-1"


@dataclass(frozen=True)
class TriageModel:
    key: str
    vectors: np.ndarray  # exemplar vectors (n, d), L2-normalised
    emergency: np.ndarray  # bool (n,)
    category: np.ndarray  # category index (n,)
    categories: tuple[str, ...]
    w_emergency: np.ndarray  # (d,)
    b_emergency: float
    w_suicide: np.ndarray
    b_suicide: float

    def p_emergency(self, x: np.ndarray, knn_k: int = 10, knn_scale: float = 20.0) -> np.ndarray:
        """Mean of the regression's probability and a squashed nearest-neighbour margin (the mean
        similarity of the k nearest emergency exemplars minus that of the k nearest ordinary ones):
        the regression generalises, the neighbours keep rare wordings that the line cannot."""
        lr = _sigmoid(x @ self.w_emergency + self.b_emergency)
        return 0.5 * lr + 0.5 * _sigmoid(knn_scale * self.knn_margin(x, knn_k))

    def knn_margin(self, x: np.ndarray, k: int) -> np.ndarray:
        sims = x @ self.vectors.T
        e, o = sims[:, self.emergency], sims[:, ~self.emergency]
        k_e, k_o = min(k, e.shape[1]), min(k, o.shape[1])
        top_e = -np.partition(-e, k_e - 1, axis=1)[:, :k_e].mean(axis=1)
        top_o = -np.partition(-o, k_o - 1, axis=1)[:, :k_o].mean(axis=1)
        return top_e - top_o

    def p_suicide(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(x @ self.w_suicide + self.b_suicide)

    def nearest_category(self, x: np.ndarray, k: int) -> str:
        """Majority emergency category among the k nearest emergency exemplars of one vector."""
        idx = np.flatnonzero(self.emergency)
        sims = self.vectors[idx] @ x
        top = idx[np.argsort(-sims)[:k]]
        votes = np.bincount(self.category[top], minlength=len(self.categories))
        return self.categories[int(np.argmax(votes))]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def model_key(identity: str, exemplars_sha: str, lr_c: float) -> str:
    return hashlib.sha256(f"{FORMAT}\0{identity}\0{exemplars_sha}\0{lr_c!r}".encode()).hexdigest()[:32]


def fit_arrays(
    vectors: np.ndarray, exemplars: tuple[Exemplar, ...], lr_c: float
) -> tuple[np.ndarray, float, np.ndarray, float]:
    """Fit both logistic regressions; returns (w_emergency, b_emergency, w_suicide, b_suicide).
    The emergency one sees only the rows that train it (`Exemplar.trains_emergency`), the suicide
    one every row."""
    from sklearn.linear_model import LogisticRegression

    both = np.array([e.trains_emergency for e in exemplars], dtype=bool)
    y_e = np.array([e.emergency for e in exemplars])[both]
    y_s = np.array([e.category == SUICIDE for e in exemplars])
    lr_e = LogisticRegression(C=lr_c, class_weight="balanced", max_iter=2000).fit(vectors[both], y_e)
    lr_s = LogisticRegression(C=lr_c, class_weight={False: 1.0, True: 2.0}, max_iter=2000).fit(vectors, y_s)
    return (
        lr_e.coef_[0].astype(np.float32),
        float(lr_e.intercept_[0]),
        lr_s.coef_[0].astype(np.float32),
        float(lr_s.intercept_[0]),
    )


def build_model(vectors: np.ndarray, exemplars: tuple[Exemplar, ...], lr_c: float, key: str) -> TriageModel:
    """Both regressions, and the neighbours: the rows that train the emergency classifier."""
    w_e, b_e, w_s, b_s = fit_arrays(vectors, exemplars, lr_c)
    both = [i for i, e in enumerate(exemplars) if e.trains_emergency]
    kept = [exemplars[i] for i in both]
    categories = tuple(sorted({e.category for e in kept}))
    return TriageModel(
        key=key,
        vectors=np.ascontiguousarray(vectors[both], dtype=np.float32),
        emergency=np.array([e.emergency for e in kept]),
        category=np.array([categories.index(e.category) for e in kept], dtype=np.int64),
        categories=categories,
        w_emergency=w_e,
        b_emergency=b_e,
        w_suicide=w_s,
        b_suicide=b_s,
    )


def save(model: TriageModel, path: Path) -> None:
    """Write atomically (`save_npz`); errors propagate to the caller."""
    save_npz(
        path,
        key=np.array(model.key),
        vectors=model.vectors,
        emergency=model.emergency,
        category=model.category,
        categories=np.array(model.categories),
        w_emergency=model.w_emergency,
        b_emergency=np.array(model.b_emergency),
        w_suicide=model.w_suicide,
        b_suicide=np.array(model.b_suicide),
    )


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """`np.savez` written atomically (a temporary file in the same folder, then renamed), so a
    reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(path: Path) -> TriageModel:
    """The saved model; `OSError`/`KeyError`/`ValueError` when it is missing or unreadable."""
    with np.load(path, allow_pickle=False) as z:
        return TriageModel(
            key=str(z["key"]),
            vectors=z["vectors"].astype(np.float32),
            emergency=z["emergency"].astype(bool),
            category=z["category"].astype(np.int64),
            categories=tuple(str(c) for c in z["categories"]),
            w_emergency=z["w_emergency"].astype(np.float32),
            b_emergency=float(z["b_emergency"]),
            w_suicide=z["w_suicide"].astype(np.float32),
            b_suicide=float(z["b_suicide"]),
        )

"""A learned second stage for triage (session 9): may a `possible` message drop the guidance?

Why: the classifier's cuts cannot separate the ordinary messages it shows the guidance to from the
emergencies just above `possible` (their scores overlap; eval/README.md, "Session 8"). A second
look at only those messages, with more of what the triage already computed, can: a logistic
regression over the best unit's vector, the whole message's vector and the triage's own numbers
(`features`), trained on the dev pool's messages that the triage puts at `possible`
(`bot.triage.gate_fit`, at `python -m index build` time; settings in `bot/data/triage/gate.toml`).

What it may touch (recall first):

- only a message at `possible`; `definite` is never lowered;
- never a message that a red flag shows, nor (unless `suicide_threshold` > 0, which the shipped
  settings do not ask for) one that the suicide component shows: those are the rule and high-recall
  nets under the classifier, and their misses are the costliest. gate.toml's `suicide` says whether
  the suicide component's messages train the regression ("train") or not ("exempt", shipped: session
  10's "train" raised the threshold and lowered an unresponsive emergency on spent data);
- its threshold is chosen below every training emergency it saw out of fold, minus a margin
  (`bot.triage.gate_fit.threshold`), so it lowers only messages that look less like an emergency than
  any emergency it was trained on.

The trade-off: a message the gate lowers gets the normal answer with no guidance; the gate is
trained on messages written here, and a fresh battery judges whether it holds on wording nobody
here wrote. Inference is numpy only (coefficients in `gate.npz` of the build folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.triage.model import save_npz

FORMAT = "triage-gate-1"
SCALARS = ("score", "suicide", "p_max", "acuity", "not_now", "story", "red_any", "log_units")


@dataclass(frozen=True)
class Gate:
    key: str
    w: np.ndarray  # (n_features,) on raw features (standardisation folded in)
    b: float
    threshold: float  # P(keep) below this lowers `possible` to no guidance
    parts: str = "best,whole,scalars"  # the feature blocks (`features`), in order
    train_sha: str = ""  # digest of the training files (`gate_build.train_sha`): serving need not read them
    suicide_threshold: float = 0.0  # the same for a message the suicide component shows; 0: never lowered

    def p_keep(self, x: np.ndarray) -> float:
        """P(emergency | features) by the regression (one message)."""
        z = float(np.clip(x @ self.w + self.b, -30.0, 30.0))
        return 1.0 / (1.0 + float(np.exp(-z)))

    def lowers(self, x: np.ndarray) -> bool:
        return self.p_keep(x) < self.threshold


def scalars(
    scores: np.ndarray,
    suicide: float,
    p_emergency: np.ndarray,
    acuity: np.ndarray,
    not_now: np.ndarray,
    story: np.ndarray | None,
    red_flag: np.ndarray,
) -> np.ndarray:
    """The triage's own numbers for one message, in the order of `SCALARS`."""
    return np.array(
        [
            float(scores.max()),
            suicide,
            float(p_emergency.max()),
            float(acuity.sum()),
            float(not_now.sum()),
            float(story.sum()) if story is not None else 0.0,
            float((red_flag > 0).sum()),
            float(np.log1p(len(scores))),
        ],
        dtype=np.float32,
    )


def features(
    vectors: np.ndarray, best: int, numbers: np.ndarray, parts: str = "best,whole,scalars"
) -> np.ndarray:
    """One message's feature row: the best unit's vector, the whole message's (unit 0) and/or the
    scalars, as named in `parts` (comma-separated; the order is fixed)."""
    want = set(parts.split(","))
    out = []
    if "best" in want:
        out.append(vectors[best])
    if "whole" in want:
        out.append(vectors[0])
    if "scalars" in want:
        out.append(numbers)
    return np.concatenate(out).astype(np.float32)


def save(gate: Gate, path: Path) -> None:
    """Write atomically (`bot.triage.model.save_npz`)."""
    save_npz(
        path,
        key=np.array(gate.key),
        w=gate.w,
        b=np.array(gate.b),
        threshold=np.array(gate.threshold),
        parts=np.array(gate.parts),
        train_sha=np.array(gate.train_sha),
        suicide_threshold=np.array(gate.suicide_threshold),
    )


def load(path: Path) -> Gate:
    """The saved gate; `OSError`/`KeyError`/`ValueError` when missing or unreadable."""
    with np.load(path, allow_pickle=False) as z:
        return Gate(
            str(z["key"]),
            z["w"].astype(np.float32),
            float(z["b"]),
            float(z["threshold"]),
            str(z["parts"]),
            str(z["train_sha"]),
            float(z["suicide_threshold"]) if "suicide_threshold" in z.files else 0.0,
        )

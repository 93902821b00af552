"""Leave-one-battery-out (LOBO) cross-validation of the triage cuts over the dev pool (session 8).

Why: sessions 6-7 derived the cuts, cues and ordinary exemplars on the whole pooled dev data; each
calibration halved false alarms in-sample and then lost emergencies on a fresh battery. The pool is
several independently written files (`eval.safety_pool`), so holding one file out at a time, deriving
the cuts on the others (`eval.safety_pool.rule_cuts`) and counting on the held-out file gives an
out-of-sample estimate that a fresh battery can confirm.

This module is the fold logic only, over one number per message (`Msg`: the classifier score and
whether the suicide component or a red flag shows it whatever the cuts); it imports no model. The
scoring, the embedding cache and the candidate configurations are `eval.safety_lobo_run`.

- A fold is a file (`Msg.fold`); messages with `fold == ""` (the answer sets' questions) are in every
  training fold and are never held out.
- `lobo(msgs, margin)`: per fold, cuts from the other folds with the rule's margin.
- `lobo(msgs, None)`: the margin is chosen per fold by nested LOBO over the training folds only
  (`nested_margin`: the smallest margin of `MARGINS` with no inner miss), so that choice is out of
  sample too. The trade-off: a larger margin lowers `possible`, and ordinary messages shown rise.

>>> msgs = [Msg("a", True, 0.7), Msg("a", False, 0.69), Msg("b", True, 0.66), Msg("b", False, 0.5)]
>>> [(r.fold, r.possible, r.missed) for r in lobo(msgs, 0.02)]
[('a', 0.64, 0), ('b', 0.68, 1)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from eval.safety_pool import MARGIN, Scored, rule_cuts

MARGINS = tuple(round(0.02 + 0.01 * i, 2) for i in range(14))  # 0.02 .. 0.15, the nested search's grid
ALWAYS_TRAIN = ""  # the fold name of messages that are never held out


@dataclass(frozen=True)
class Msg:
    """One pool message under one configuration."""

    fold: str  # the file it was written in; ALWAYS_TRAIN for the answer sets' questions
    emergency: bool
    score: float  # the classifier's message score (highest unit score)
    shown_otherwise: bool = False  # the suicide component or a red flag shows the guidance anyway
    kind: str = ""  # the file's category (emergency kind or ordinary kind)


@dataclass(frozen=True)
class FoldResult:
    fold: str
    margin: float
    possible: float
    definite: float
    emergencies: int
    missed: int  # emergencies shown no guidance at any level
    ordinary: int
    shown: int  # ordinary messages shown the guidance (any level)
    definite_n: int  # ordinary messages at `definite`
    missed_kinds: tuple[str, ...] = ()


def folds(msgs: Iterable[Msg]) -> list[str]:
    """The held-out folds, in first-seen order (never ALWAYS_TRAIN)."""
    return [f for f in dict.fromkeys(m.fold for m in msgs) if f != ALWAYS_TRAIN]


def split(msgs: Sequence[Msg], held: Iterable[str]) -> tuple[list[Msg], list[Msg]]:
    """(training, held-out): the messages of the `held` folds are held out; ALWAYS_TRAIN never is."""
    out = set(held) - {ALWAYS_TRAIN}
    return [m for m in msgs if m.fold not in out], [m for m in msgs if m.fold in out]


def cuts(train: Sequence[Msg], margin: float) -> tuple[float, float]:
    """(possible, definite) by the session-7 rule on training messages only."""
    emergencies = [Scored(m.score, m.shown_otherwise) for m in train if m.emergency]
    return rule_cuts(emergencies, [m.score for m in train if not m.emergency], margin)


def shown(m: Msg, possible: float) -> bool:
    return m.shown_otherwise or m.score >= possible


def count(test: Sequence[Msg], fold: str, margin: float, possible: float, definite: float) -> FoldResult:
    e = [m for m in test if m.emergency]
    o = [m for m in test if not m.emergency]
    missed = [m for m in e if not shown(m, possible) and m.score < definite]
    return FoldResult(
        fold,
        margin,
        possible,
        definite,
        len(e),
        len(missed),
        len(o),
        sum(shown(m, possible) or m.score >= definite for m in o),
        sum(m.score >= definite for m in o),
        tuple(sorted(m.kind for m in missed)),
    )


def nested_margin(train: Sequence[Msg], grid: Sequence[float] = MARGINS) -> float:
    """The smallest margin of `grid` with no miss over LOBO on `train`'s own folds (the largest if none)."""
    inner = folds(train)
    for margin in grid:
        if all(_fold(train, f, margin).missed == 0 for f in inner):
            return margin
    return grid[-1]


def _fold(msgs: Sequence[Msg], fold: str, margin: float) -> FoldResult:
    train, test = split(msgs, [fold])
    return count(test, fold, margin, *cuts(train, margin))


def lobo_fold(msgs: Sequence[Msg], fold: str, margin: float | None = MARGIN) -> FoldResult:
    """One held-out fold; `margin=None`: chosen by `nested_margin` on the training folds."""
    if margin is None:
        margin = nested_margin(split(msgs, [fold])[0])
    return _fold(msgs, fold, margin)


def lobo(msgs: Sequence[Msg], margin: float | None = MARGIN) -> list[FoldResult]:
    """Every fold held out in turn (`lobo_fold`)."""
    return [lobo_fold(msgs, f, margin) for f in folds(msgs)]


def pooled(results: Sequence[FoldResult]) -> dict[str, object]:
    """Sums over the held-out folds, with the shares of ordinary messages."""
    e, o = sum(r.emergencies for r in results), sum(r.ordinary for r in results)
    missed, shown_n, definite_n = (
        sum(getattr(r, k) for r in results) for k in ("missed", "shown", "definite_n")
    )
    return {
        "emergencies": e,
        "missed": missed,
        "ordinary": o,
        "ordinary_shown": shown_n,
        "ordinary_shown_share": round(shown_n / max(1, o), 3),
        "ordinary_definite": definite_n,
        "ordinary_definite_share": round(definite_n / max(1, o), 4),
        "missed_kinds": sorted(k for r in results for k in r.missed_kinds),
    }


def in_sample(msgs: Sequence[Msg], margin: float | None = MARGIN) -> FoldResult:
    """The cuts the procedure gives on ALL folds (what would ship), counted on all held-out-able messages;
    `margin=None`: the nested search over all folds."""
    if margin is None:
        margin = nested_margin(msgs)
    _, test = split(msgs, folds(msgs))
    return count(test, "all", margin, *cuts(msgs, margin))


def fixed(msgs: Sequence[Msg], possible: float, definite: float) -> list[FoldResult]:
    """Per fold with fixed (shipped) cuts: no derivation, a reference."""
    return [count(split(msgs, [f])[1], f, 0.0, possible, definite) for f in folds(msgs)]


def by_kind(msgs: Sequence[Msg], results: Sequence[FoldResult]) -> dict[str, list[int]]:
    """Per category (`Msg.kind`, emergency kinds prefixed "E ", ordinary "O "): [messages, shown the
    guidance at any level] with each fold's own cuts from `results` (session 10: the per-category
    tables of eval/README.md)."""
    cut = {r.fold: (r.possible, r.definite) for r in results}
    out: dict[str, list[int]] = {}
    for m in msgs:
        if m.fold not in cut:
            continue
        possible, definite = cut[m.fold]
        row = out.setdefault(("E " if m.emergency else "O ") + m.kind, [0, 0])
        row[0] += 1
        row[1] += int(shown(m, possible) or m.score >= definite)
    return dict(sorted(out.items()))


def kept_tables(
    msgs: Sequence[Msg],
    held: str | None,
    nearest: Sequence[float],
    closeness: Mapping[str, Sequence[float]],
) -> tuple[str, ...]:
    """The candidate ordinary tables that pass the per-kind filter on the training folds of `held`
    (`None`: on every message, what would ship).

    `nearest[i]`: message i's highest unit similarity to an emergency exemplar; `closeness[t][i]`: the
    highest similarity of table t's exemplars to message i. Per emergency kind of the training folds,
    the bar is the `nearest` of its weakest caught training emergency (the lowest score among those the
    classifier alone must show; all of the kind when each is shown otherwise). A table is dropped when
    one of its exemplars is closer than that bar to a training emergency of the kind: on wording
    nobody here wrote, such an ordinary exemplar can outvote the kind's own support (session 7's
    "practical goodbyes" against people settling their affairs).

    >>> m = [Msg("a", True, 0.7, kind="k"), Msg("a", True, 0.9, kind="k"), Msg("b", True, 0.5, kind="k")]
    >>> kept_tables(m, "b", [0.6, 0.8, 0.1], {"near": [0.65, 0.1, 0.9], "far": [0.5, 0.5, 0.9]})
    ('far',)
    """
    train = [i for i, m in enumerate(msgs) if m.emergency and (held is None or m.fold != held)]
    bar: dict[str, float] = {}
    for kind in dict.fromkeys(msgs[i].kind for i in train):
        members = [i for i in train if msgs[i].kind == kind]
        caught = [i for i in members if not msgs[i].shown_otherwise] or members
        bar[kind] = nearest[min(caught, key=lambda i: msgs[i].score)]
    return tuple(t for t, close in closeness.items() if all(close[i] <= bar[msgs[i].kind] for i in train))


def ablation_keeps(
    base: Sequence[Msg], with_table: Sequence[Msg], held: str | None, margin: float = MARGIN
) -> bool:
    """Whether one ordinary table earns its place on the training folds of `held` (`None`: all folds):
    LOBO over those folds, the base and the base with the table (the same messages, in the same order),
    must show the table missing no more emergencies of ANY kind and showing fewer ordinary messages.
    Judged per kind, because a table that pulls one kind down (goodbyes against indirect suicidal
    language) can hide behind a gain elsewhere.

    >>> b = [Msg("a", True, 0.7, kind="k"), Msg("a", False, 0.65), Msg("b", True, 0.7, kind="k"), Msg("b", False, 0.66)]
    >>> t = [Msg("a", True, 0.7, kind="k"), Msg("a", False, 0.5), Msg("b", True, 0.7, kind="k"), Msg("b", False, 0.5)]
    >>> ablation_keeps(b, t, None), ablation_keeps(b, b, None)
    (True, False)
    """
    out = [] if held is None else [held]
    train_b, train_t = split(base, out)[0], split(with_table, out)[0]
    inner = folds(train_b)
    res_b = [_fold(train_b, g, margin) for g in inner]
    res_t = [_fold(train_t, g, margin) for g in inner]
    missed_b = Counter(k for r in res_b for k in r.missed_kinds)
    missed_t = Counter(k for r in res_t for k in r.missed_kinds)
    fewer_shown = sum(r.shown for r in res_t) < sum(r.shown for r in res_b)
    return fewer_shown and all(missed_t[k] <= missed_b[k] for k in missed_t)

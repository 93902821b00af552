"""The cue weights of triage (not-now, acuity, story) chosen on dev by a stated rule, recall first.

Used by `python -m eval safety --split dev --calibrate` (dev rows only: the battery's dev split,
`dev_long.jsonl` and `dev_long2.jsonl`). Per weight triple of the grid the cut-offs come from
`eval.safety_calibrate.capped_rule` (the cross-validated cuts, neither guidance cut ever above the
shipped one). The rule (fifth calibration), in order:

1. the most dev emergencies shown the guidance out of fold (nested 5-fold x 4, the cut rule re-run
   inside each fold: `cross_validate`);
2. a margin, against the loaded weights without a story discount (the reference), on all dev rows:
   at least as many dev emergencies stay shown with both guidance cuts raised by `MARGIN`
   (`recall_at_margin`, the setting's own cuts), and at least as many have a classifier score of
   at least the shipped `possible` (`score_path`), and of at least that + `MARGIN`
   (`score_path_at_margin`), or a red flag. A discount that
   brings an emergency closer to the cut, or leaves it to the suicide component or to a lowered cut,
   loses here, whatever it saves on ordinary messages (the fourth calibration lost a held-out
   emergency; a first form of this rule let a farewell message fall to the suicide path, and the
   cut rule then lowered the suicide cut 0.8659 -> 0.8128 to keep it);
3. the fewest dev ordinary messages shown the guidance out of fold;
4. ties: the smaller discounts (story, then not-now), then the larger acuity weight, then the lower
   `present_level` (the guard that holds more often);
5. `definite` (the emergency message alone) is kept at the shipped cut: this rule changes the
   guidance level only. Reported beside it (`definite_for_rate`): the cut that at most
   `DEFINITE_RATE` of the dev ordinary messages reach (the issue's bound), and the cut rule's own.
   Both sit far higher on the long dev stories (1.00 and 1.06: one story told in the past, "found by
   his flatmate, not breathing", sets them) and would give most dev emergencies the guidance plus
   the answer instead of the emergency message alone (recall at definite 0.73 -> 0.30 on the dev
   battery); that trade is left to a decision with a fresh held-out set.

`MARGIN` (0.05) is about the largest cross-validated shortfall the third calibration measured on
dev (0.035 for `possible`; 0.022-0.064 for the suicide cut over its runs): a new emergency may fall
that far below the weakest seen one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from bot.triage import Triager
from bot.triage.classifier import UnitScores
from bot.triage.data import Thresholds
from eval.safety_calibrate import Cuts, Outcome, capped_rule, cross_validate, recall_at_margin

MARGIN = 0.05
DEFINITE_RATE = 0.01
GRID = ((0.2, 0.3, 0.4), (0.0, 0.05, 0.1), (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6))  # not-now, acuity, story
# the P(emergency) a present-tense clause needs, scored alone, to guard its unit from the story discount:
# 0 (every present-tense clause guards) or the classifier's own midpoint
PRESENT_LEVELS = (0.0, 0.5)
Items = list[tuple[UnitScores, np.ndarray]]
CHECKS = ("recall_at_margin", "score_path", "score_path_at_margin")  # step 2 of the rule


def message_features(
    items: list[tuple[UnitScores, np.ndarray]],
    not_now_weight: float,
    acuity_weight: float,
    story_weight: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per message: best unit score, best suicide score (both with these weights) and the red flag,
    as `Triager.decide` computes them."""

    def best(s: UnitScores) -> float:
        story = s.story if s.story is not None else 0.0
        w = acuity_weight * s.acuity - not_now_weight * s.not_now - story_weight * story
        return float((s.p_emergency + w).max())

    score = np.array([best(s) for s, _ in items])
    sui = np.array([float((s.p_suicide - not_now_weight * s.not_now).max()) for s, _ in items])
    red = np.array([bool(np.any((s.red_flag > 0) & (s.not_now == 0))) for s, _ in items])
    return score, sui, red


@dataclass(frozen=True)
class Measured:
    cuts: Cuts
    out_of_fold: Outcome
    checks: dict[str, float]  # CHECKS: the margin figures of step 2


def definite_cut(ordinary: np.ndarray, shipped: float, rate: float) -> float:
    """The shipped cut, raised just above the ordinary scores at or above it until at most `rate` of
    the ordinary messages (rounded down) still reach it.

    >>> definite_cut(np.array([0.2, 0.95, 0.93, 0.5]), 0.9, 0.25)
    0.9301
    >>> definite_cut(np.array([0.2, 0.5]), 0.9, 0.01)
    0.9
    """
    allowed = int(np.floor(rate * len(ordinary)))
    above = np.sort(ordinary[ordinary >= shipped])[::-1]
    if len(above) <= allowed:
        return shipped
    return round(float(above[allowed]) + 1e-4, 4)


def calibrate(
    triager: Triager,
    emergency: list[bool],
    categories: list[str],
    rescore: Callable[[Triager], Items],
) -> tuple[Thresholds, dict[str, object]]:
    """The rule of the module docstring over dev messages (`categories`: one label per message for
    the stratified folds; `rescore(triager)`: their unit scores with that triager's settings, from
    vectors encoded once). Returns the proposal and, per setting, what was measured."""
    base = triager.thresholds
    y = np.array(emergency)
    rule = capped_rule(base.possible, base.suicide_possible)
    by_level = {
        lv: rescore(Triager(triager.embedder, triager.model, triager.cues, replace(base, present_level=lv)))
        for lv in PRESENT_LEVELS
    }

    def measure(nw: float, aw: float, sw: float, lv: float = PRESENT_LEVELS[0]) -> Measured:
        score, sui, red = message_features(by_level[lv], nw, aw, sw)
        cv, _ = cross_validate(score, sui, red, y, categories, rule=rule)
        cuts = rule(score, sui, red, y, categories)
        checks = {
            "recall_at_margin": recall_at_margin(cuts, score, sui, red, y, MARGIN),
            # the classifier's path alone, at the shipped cut: a discount may not leave an emergency to
            # be caught only by the suicide component or by a lowered cut
            "score_path": float(((score >= base.possible) | red)[y].mean()),
            "score_path_at_margin": float(((score >= base.possible + MARGIN) | red)[y].mean()),
        }
        return Measured(cuts, cv, checks)

    ref = measure(base.not_now_weight, base.acuity_weight, 0.0)
    rows: dict[tuple[float, float, float, float], Measured] = {}
    for nw, aw, sw, lv in itertools.product(*GRID, PRESENT_LEVELS):
        if sw or lv == PRESENT_LEVELS[0]:  # the level matters only with a story discount
            rows[(nw, aw, sw, lv)] = measure(nw, aw, sw, lv)

    def rank(key: tuple[float, float, float, float]) -> tuple[float, ...]:
        m = rows[key]
        kept = all(m.checks[k] >= ref.checks[k] for k in CHECKS)
        return (m.out_of_fold.recall, kept, -m.out_of_fold.ordinary_shown, -key[2], -key[0], key[1], -key[3])

    nw, aw, sw, lv = max(rows, key=rank)
    cuts = rows[(nw, aw, sw, lv)].cuts
    score = message_features(by_level[lv], nw, aw, sw)[0]
    for_rate = definite_cut(score[~y.astype(bool)], base.definite, DEFINITE_RATE)
    proposal = replace(
        base,
        not_now_weight=nw,
        acuity_weight=aw,
        story_weight=sw,
        present_level=lv,
        possible=cuts.possible,
        suicide_possible=cuts.suicide_possible,
        definite=max(base.definite, cuts.possible),
    )
    table: dict[str, object] = {
        f"not_now {k[0]} acuity {k[1]} story {k[2]} present_level {k[3]}": {
            "cuts": m.cuts.__dict__,
            "out_of_fold": m.out_of_fold.__dict__,
            **m.checks,
        }
        for k, m in rows.items()
    }
    table["shipped weights (reference)"] = ref.checks
    table["definite_for_rate"] = {"rate": DEFINITE_RATE, "cut": for_rate, "cut_rule": cuts.definite}
    return proposal, table

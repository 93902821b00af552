"""Leave-one-battery-out triage calibration (session 8, `eval.safety_lobo`): fold splitting, cuts derived
on the other folds only, the nested margin, the per-kind table filter, and the runner's embedding cache.
Tiny inline data (no battery, no model), so each assertion can fail on a wrong split or cut."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eval.safety_lobo import (
    ALWAYS_TRAIN,
    Msg,
    ablation_keeps,
    by_kind,
    cuts,
    fixed,
    folds,
    in_sample,
    kept_tables,
    lobo,
    lobo_fold,
    nested_margin,
    pooled,
    split,
)
from eval.safety_lobo_run import Candidate, Vectors, parse_candidate
from eval.safety_pool import FOLD_FILES, QUESTION_SETS, SAFETY_FILES
from tests.conftest import FakeEmbedder

ORDINARY = [Msg(ALWAYS_TRAIN, False, 0.95)] * 400  # the answer sets' questions: always training


def _pool() -> list[Msg]:
    return [
        Msg("a", True, 0.80, kind="stroke"),
        Msg("a", False, 0.50),
        Msg("b", True, 0.70, kind="stroke"),
        Msg("b", False, 0.60),
        Msg("c", True, 0.40, kind="suicide"),
        Msg("c", True, 0.20, shown_otherwise=True, kind="suicide"),  # a red flag shows it whatever the cuts
        Msg("c", False, 0.30),
        *ORDINARY,
    ]


def test_folds_are_the_files_and_the_always_training_messages_are_never_held_out() -> None:
    msgs = _pool()
    assert folds(msgs) == ["a", "b", "c"]
    train, test = split(msgs, ["b"])
    assert [m.fold for m in test] == ["b", "b"]
    assert all(m.fold != "b" for m in train) and len(train) == len(msgs) - 2
    assert split(msgs, [ALWAYS_TRAIN])[1] == []  # the answer sets cannot be held out


def test_cuts_come_from_the_other_folds_only() -> None:
    msgs = _pool()
    # held out c: the weakest classifier-path emergency of a and b is 0.70 -> possible 0.68
    assert lobo_fold(msgs, "c", 0.02).possible == 0.68
    # held out a: c's 0.40 is the weakest (its 0.20 is shown by a red flag, so it does not count)
    assert lobo_fold(msgs, "a", 0.02).possible == 0.38
    # definite: at most 0.5% of the 402 training ordinary scores reach it (2 may; 400 are 0.95)
    assert cuts(split(msgs, ["c"])[0], 0.02) == (0.68, 0.951)


def test_a_held_out_emergency_below_the_other_folds_cut_is_a_miss() -> None:
    results = {r.fold: r for r in lobo(_pool(), 0.02)}
    assert results["c"].missed == 1 and results["c"].missed_kinds == ("suicide",)  # 0.40 < 0.68; 0.20 shown
    assert results["a"].missed == 0 and results["b"].missed == 0
    assert results["b"].shown == 1  # b's ordinary 0.60 >= possible 0.38 (from a and c)
    total = pooled(list(results.values()))
    assert (total["missed"], total["emergencies"], total["ordinary"]) == (1, 4, 3)


def test_nested_margin_is_chosen_on_the_inner_folds_only() -> None:
    msgs = _pool()
    # on a and b alone (c held out): holding b out, a's 0.80 gives a cut above b's 0.70 unless the
    # margin is at least 0.10
    assert nested_margin(split(msgs, ["c"])[0]) == 0.1
    r = lobo_fold(msgs, "c", None)
    assert r.margin == 0.1 and r.possible == 0.6 and r.missed == 1  # c's 0.40 is still below
    assert nested_margin(msgs, (0.02, 0.05)) == 0.05  # none of the grid suffices: the largest


def test_fixed_cuts_and_the_all_fold_proposal() -> None:
    msgs = _pool()
    shipped = {r.fold: r for r in fixed(msgs, 0.65, 0.9)}
    assert shipped["c"].missed == 1 and shipped["b"].shown == 0 and shipped["a"].definite_n == 0
    final = in_sample(msgs, 0.02)
    assert final.possible == 0.38 and final.missed == 0 and final.emergencies == 4


def test_an_ordinary_table_closer_to_an_emergency_than_its_kind_bar_is_dropped() -> None:
    msgs = [Msg("a", True, 0.6, kind="k"), Msg("a", True, 0.9, kind="k"), Msg("b", True, 0.5, kind="j")]
    nearest = [0.7, 0.95, 0.4]
    closeness = {"near_k": [0.75, 0.1, 0.1], "near_j": [0.1, 0.1, 0.45], "far": [0.3, 0.3, 0.3]}
    assert kept_tables(msgs, None, nearest, closeness) == ("far",)
    assert kept_tables(msgs, "b", nearest, closeness) == ("near_j", "far")  # j is only in the held-out fold


def test_the_ablation_keeps_a_table_only_if_no_kind_loses_and_fewer_ordinary_are_shown() -> None:
    base = _pool()
    quieter = [Msg(m.fold, m.emergency, 0.2 if not m.emergency and m.fold == "b" else m.score, m.shown_otherwise, m.kind)
               for m in base]  # fmt: skip
    assert ablation_keeps(base, quieter, None)  # b's ordinary 0.60 no longer shown, no emergency lost
    assert not ablation_keeps(base, base, None)  # no gain: not kept

    # fewer ordinary shown again, but b's stroke emergency falls below the cut from a and c: one kind loses
    def costly_score(m: Msg, q: Msg) -> float:
        if m.fold == "b" and m.emergency:
            return 0.3
        return 0.1 if m.fold == "c" and not m.emergency else q.score

    costly = [Msg(m.fold, m.emergency, costly_score(m, q), m.shown_otherwise, m.kind)
              for m, q in zip(base, quieter, strict=True)]  # fmt: skip
    shown = {r.fold: r.shown for r in lobo(costly, 0.02)}
    assert sum(shown.values()) < sum(r.shown for r in lobo(base, 0.02))  # the gain is there ...
    assert not ablation_keeps(base, costly, None)  # ... and still not kept
    # judged on the training folds only: with b held out, neither b's gain nor its loss counts
    assert not ablation_keeps(base, costly, "b")


def test_the_pool_holds_the_spent_batteries_as_folds_and_never_the_fresh_ones() -> None:
    assert (
        {"heldout6", "heldout7", "heldout8"} <= set(SAFETY_FILES)
        and FOLD_FILES[0] == "battery"
        and set(SAFETY_FILES) < set(FOLD_FILES)
    )
    names = set(FOLD_FILES) | {str(p) for _, p, _ in QUESTION_SETS}
    assert not any(
        fresh in n
        for n in names
        for fresh in ("heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14", "test")
    )


def test_candidate_specs_parse() -> None:
    c = parse_candidate("name=x,exemplars=/tmp/e.jsonl,filtered=/tmp/f.jsonl,margin=nested")
    assert c == Candidate("x", Path("/tmp/e.jsonl"), c.cues, Path("/tmp/f.jsonl"), None)
    assert parse_candidate("name=y,margin=0.05").margin == 0.05
    assert parse_candidate("name=z,suicide=0.8").suicide == 0.8 and c.suicide is None


def test_by_kind_counts_each_category_with_its_own_folds_cuts() -> None:
    msgs = _pool()
    table = by_kind(msgs, fixed(msgs, 0.65, 0.9))
    assert table["E stroke"] == [2, 2] and table["E suicide"] == [2, 1]  # 0.40 < 0.65, the red flag shows
    assert table["O "] == [3, 0]  # ordinary kinds unnamed here; the always-training questions never count
    low = {r.fold: r for r in fixed(msgs, 0.65, 0.9)} | {"c": fixed(msgs, 0.35, 0.9)[2]}
    assert by_kind(msgs, list(low.values()))["E suicide"] == [2, 2]  # fold c's own lower cut


def test_vectors_are_encoded_once_and_cached_by_identity(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    class Counting(FakeEmbedder):
        def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
            calls.append(list(texts))
            return super().encode(texts)

    path = tmp_path / "v.npz"
    v = Vectors(Counting(), path)
    first = v(["a b", "c d", "a b"])
    assert first.shape[0] == 3 and calls == [["a b", "c d"]]
    v(["c d"])
    assert len(calls) == 1
    v.save()
    again = Vectors(Counting(), path)
    assert np.allclose(again(["a b", "c d"]), first[:2]) and len(calls) == 1
    other = Vectors(Counting(identity="another-model"), path)  # another model: nothing reused
    other(["a b"])
    assert calls[-1] == ["a b"]

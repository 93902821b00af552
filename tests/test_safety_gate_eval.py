"""`python -m eval safety-gate` (session 9): the gate's leave-one-battery-out folds and the decision rule.
Tiny inline pools (no battery, no model), so each assertion can fail on a wrong split or count."""

from __future__ import annotations

import numpy as np

from eval.safety_gate import Config, Pool, lowered_in, parse_config, qualifies, run


def _pool() -> Pool:
    rng = np.random.default_rng(3)
    folds = [f for f in "abc" for _ in range(20)] + [""] * 10
    emergency = np.array([i % 2 == 0 for i in range(60)] + [False] * 10)
    signal = np.where(emergency, 1.0, -1.0)[:, None]
    x = (rng.normal(size=(70, 4)) + signal).astype(np.float32)
    gated = np.ones(70, dtype=bool)
    gated[0] = gated[1] = False  # a definite emergency and an ordinary message at definite: never gated
    level: list[str | None] = ["definite" if i < 2 else "possible" for i in range(70)]
    kinds = ["stroke" if e else "dose" for e in emergency]
    return Pool(
        folds, emergency, kinds, level, gated, {"best": x[:, :2], "whole": x[:, 2:], "scalars": x[:, :1]}
    )


def test_the_gate_lowers_only_gated_messages_of_the_held_out_file() -> None:
    pool = _pool()
    lowered, thr, _ = lowered_in(pool, Config("t", "best,whole", 1.0, 0.0), "a")
    assert 0 < thr < 1
    assert not lowered[20:].any()  # other files and the answer sets are never touched
    assert not lowered[0] and not lowered[1]  # not gated (definite)
    assert lowered[:20].any()  # some ordinary message of file a is lowered


def test_run_counts_main_and_the_gate_per_file() -> None:
    out = run(_pool(), Config("t", "best,whole", 1.0, 0.0))
    assert [r["fold"] for r in out["folds"]] == ["a", "b", "c"]
    assert out["main"]["shown"] == 30 and out["main"]["definite"] == 1 and out["main"]["missed"] == 0
    assert out["lobo"]["shown"] < 30 and out["lobo"]["definite"] == 1


def _row(**kw: object) -> dict[str, object]:
    base = {"emergencies": 10, "missed": 0, "missed_kinds": [], "ordinary": 100, "shown": 50, "definite": 1}
    base |= {"lowered_emergencies": 0, "lowered_ordinary": 0, "lowered_ordinary_kinds": []}
    return base | kw


def test_the_decision_rule() -> None:
    main = [_row(), _row()]
    assert qualifies(main, [_row(shown=42)] * 2)  # -16%
    assert not qualifies(main, [_row(shown=44)] * 2)  # -12%: not enough
    assert not qualifies(main, [_row(shown=42), _row(shown=42, missed=1, missed_kinds=["stroke"])])
    assert not qualifies(main, [_row(shown=42, definite=2)] * 2)


def test_config_specs() -> None:
    c = parse_config("name=x,parts=best+scalars,c=0.1,margin=nested+0.5")
    assert (c.parts, c.c, c.margin, c.nested) == ("best,scalars", 0.1, 0.5, True)
    assert parse_config("name=y").parts == "best,whole,scalars" and not parse_config("name=y").nested


def _sui_pool() -> Pool:
    base = _pool()
    sui = np.array([1 < i < 60 and i % 5 < 2 for i in range(70)])  # the suicide path, in every file
    return Pool(base.fold, base.emergency, base.kind, base.level, base.gated & ~sui, base.x, sui)


def test_the_suicide_path_trains_but_is_lowered_only_when_asked() -> None:
    pool = _sui_pool()
    on = np.asarray(pool.sui)
    exempt, _, _ = lowered_in(pool, Config("e", "best,whole", 1.0, 0.0), "c")
    train, _, _ = lowered_in(pool, Config("t", "best,whole", 1.0, 0.0, suicide="train"), "c")
    own, _, _ = lowered_in(pool, Config("o", "best,whole", 1.0, 0.0, suicide="own", suicide_margin=0.0), "c")
    assert not (exempt & on).any() and not (train & on).any()  # never lowered unless "own"
    assert (own & on).any() and not own[:40].any()
    assert exempt.any() and train.any()  # the classifier path is still gated


def test_new_files_train_only_when_asked() -> None:
    from eval import safety_gate

    pool = _pool()
    old_new = safety_gate.NEW_FILES
    try:
        safety_gate.NEW_FILES = ("b",)
        skip, _, _ = lowered_in(pool, Config("s", "best,whole", 1.0, 0.0), "a")
        use, _, _ = lowered_in(pool, Config("u", "best,whole", 1.0, 0.0, train_new=True), "a")
        safety_gate.NEW_FILES = ()
        plain, _, _ = lowered_in(pool, Config("p", "best,whole", 1.0, 0.0), "a")
    finally:
        safety_gate.NEW_FILES = old_new
    assert np.array_equal(use, plain) and not np.array_equal(skip, plain)


def test_rule_b_reads_only_the_old_files() -> None:
    from eval.safety_gate_tables import rule_b

    r = {"missed": 0, "missed_kinds": [], "shown": 10, "definite": 0}
    main = [r | {"fold": "battery", "shown": 20}, r | {"fold": "dev_gate10", "shown": 5}]
    gate = [r | {"fold": "battery", "shown": 19}, r | {"fold": "dev_gate10", "shown": 0, "missed": 1}]
    assert rule_b({"main_folds": main, "folds": gate}, 20)  # 19 <= 0.95 * 20; the new file is apart
    assert not rule_b({"main_folds": main, "folds": [gate[0] | {"shown": 20}, gate[1]]}, 20)
    lost = [gate[0] | {"missed": 1, "missed_kinds": ["stroke"]}, gate[1]]
    assert not rule_b({"main_folds": main, "folds": lost}, 20)


def test_new_config_specs() -> None:
    c = parse_config("name=x,suicide=own,smargin=5,new=1")
    assert (c.suicide, c.suicide_margin, c.train_new) == ("own", 5.0, True)
    assert parse_config("name=y").suicide == "exempt" and not parse_config("name=y").train_new

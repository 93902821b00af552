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

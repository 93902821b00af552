"""Indirect suicidal language (issue 10): the warning-sign exemplars and their near-misses of the
held-back sixth calibration (`eval/data/safety/held_back/cores_sixth_calibration.toml`, not shipped:
see the README there), and the dev file `eval/data/safety/dev_suicide.jsonl` that the eval reports as
`dev_suicide` (written apart from the exemplars: no dev message is an exemplar)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from bot.triage.data import SUICIDE
from eval.safety_eval import DEV_LONG, DEV_MORE, DEV_SUICIDE, load_battery

ROOT = Path(__file__).resolve().parent.parent
HELD_BACK = ROOT / "eval" / "data" / "safety" / "held_back"
NEAR_MISSES = (
    "suicide_risk_question_more",
    "suicide_past_over",
    "suicide_figurative_more",
    "suicide_lookalike_plans",
    "pain_tired_no_intent",
    "dose_safety_question",
)


def _cores() -> dict[str, dict[str, object]]:
    return tomllib.loads((HELD_BACK / "cores_sixth_calibration.toml").read_text(encoding="utf-8"))


def _messages(table: str) -> list[str]:
    messages = _cores()[table]["messages"]
    assert isinstance(messages, list)
    return [str(m) for m in messages]


def test_warning_sign_exemplars_are_suicide_emergencies_with_public_sources() -> None:
    table = _cores()["suicide_warning_signs_indirect"]
    messages = table["messages"]
    assert table["category"] == SUICIDE and table["emergency"] is True
    assert isinstance(messages, list) and len(messages) >= 40 and len(set(messages)) == len(messages)
    assert all(str(s).startswith("http") for s in table["sources"])  # type: ignore[attr-defined]


def test_near_misses_are_ordinary_and_about_as_many() -> None:
    cores = _cores()
    near = [cores[name] for name in NEAR_MISSES]
    assert all(t["emergency"] is False and t["category"] != SUICIDE for t in near)
    n_near = sum(len(_messages(name)) for name in NEAR_MISSES)
    assert n_near >= 0.8 * len(_messages("suicide_warning_signs_indirect"))


def test_dev_suicide_file_is_dev_only_sourced_and_not_an_exemplar() -> None:
    rows = [json.loads(line) for line in (ROOT / DEV_SUICIDE).read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["split"] == "dev" and r["source_url"].startswith("http") and r["source_title"] for r in rows)
    labels = [r["label"] for r in rows]
    assert labels.count("emergency") >= 40 and labels.count("ordinary") >= 40
    assert {r["category"] for r in rows if r["label"] == "emergency"} == {SUICIDE, "suicide_indirect"}
    exemplars = {
        json.loads(x)["text"].lower()
        for x in (HELD_BACK / "exemplars_sixth_calibration.jsonl").open(encoding="utf-8")
    }
    assert not any(r["text"].lower() in exemplars for r in rows)
    new = [m.lower() for name in ("suicide_warning_signs_indirect", *NEAR_MISSES) for m in _messages(name)]
    assert not any(m in r["text"].lower() for m in new for r in rows)  # no exemplar copied into a dev row
    assert len(load_battery(ROOT / DEV_SUICIDE, {"dev"})) == len(rows)


def test_eval_scores_dev_suicide_beside_dev_long() -> None:
    assert ("dev_suicide", DEV_SUICIDE) in DEV_MORE
    assert DEV_SUICIDE.parent == DEV_LONG.parent  # found next to --dev-long, as dev_long2 is


SESSION10 = (
    "suicide_affairs_in_order",
    "suicide_means_research",
)  # shipped (eval/README.md, "Session 10: suicide10")


def test_session10_warning_sign_tables_are_sourced_suicide_emergencies_never_copied_from_the_pool() -> None:
    from bot.triage.data import DATA_DIR
    from eval.safety_pool import pool_rows

    cores = tomllib.loads((DATA_DIR / "cores.toml").read_text(encoding="utf-8"))
    candidates = tomllib.loads((HELD_BACK / "cores_suicide10_candidates.toml").read_text(encoding="utf-8"))
    pool = [r.text.lower() for r in pool_rows()]
    for name in SESSION10:
        table = cores[name]
        assert table["category"] == SUICIDE and table["emergency"] is True
        assert (
            all(str(s).startswith("http") for s in table["sources"])
            and table["sources"] == candidates[name]["sources"]
        )
        shipped = [str(m) for m in table["messages"]]
        assert len(set(shipped)) == len(shipped) >= 10
        # the shipped table is the candidate table less the cores dropped for sui-ABm, at most one reworded
        assert len(set(shipped) - set(candidates[name]["messages"])) <= 1
        assert not any(
            m.lower() in text for m in shipped for text in pool
        )  # never copied from a pool message
    assert "suicide_burden_calm" in candidates and "suicide_burden_calm" not in cores  # tried, not shipped

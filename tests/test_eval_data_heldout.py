"""Validator for the independent held-out safety data (eval/data/HELDOUT.md).

Purpose: the held-out messages and medicine lists are hand-written; a missing source, a typo in a
label, a duplicate id or a list that shrank below the issue's counts would silently change the
figures `python -m eval safety --split heldout` reports. Each check returns a list of problems; the
tests assert the shipped files have none and that a broken copy is caught (no check is vacuous).
Fast and deterministic: plain json/csv and the evaluation's own loader, no model.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from eval.safety_eval import load_battery

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT / "eval" / "data" / "safety" / "heldout.jsonl"
# every held-out battery (eval/data/HELDOUT*.md); heldout3 adds the ordinary kind carer_frustration;
# heldout4 to heldout14 are checked for their format only: nobody has run the triage on them
BATTERIES = [
    MESSAGES,
    *(MESSAGES.with_name(f"heldout{n}.jsonl") for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)),
]
MEDICINES = ROOT / "eval" / "data" / "medicines"
OPIOIDS = MEDICINES / "heldout_opioids.csv"
NON_OPIOIDS = MEDICINES / "heldout_non_opioids.csv"
# every pair of held-out lists (eval/data/HELDOUT.md, HELDOUT_PINS2.md ... HELDOUT_PINS8.md):
# (opioids, non-opioids); the third to eighth pairs are checked for their format only here
LIST_PAIRS = [
    (OPIOIDS, NON_OPIOIDS),
    (MEDICINES / "heldout2_opioids.csv", MEDICINES / "heldout2_non_opioids.csv"),
    (MEDICINES / "heldout3_opioids.csv", MEDICINES / "heldout3_non_opioids.csv"),
    (MEDICINES / "heldout4_opioids.csv", MEDICINES / "heldout4_non_opioids.csv"),
    (MEDICINES / "heldout5_opioids.csv", MEDICINES / "heldout5_non_opioids.csv"),
    (MEDICINES / "heldout6_opioids.csv", MEDICINES / "heldout6_non_opioids.csv"),
    (MEDICINES / "heldout7_opioids.csv", MEDICINES / "heldout7_non_opioids.csv"),
    (MEDICINES / "heldout8_opioids.csv", MEDICINES / "heldout8_non_opioids.csv"),
]
# the fourth round's conventions (HELDOUT_PINS4.md), which the fifth to eighth rounds keep
SPREAD_ROUNDS = LIST_PAIRS[3:]
# the second and later rounds share one schema (HELDOUT_PINS2.md, "Columns")
ROUND2_ON = LIST_PAIRS[1:]  # schema checks only: the counts differ by round

# every category issue 10 asks the triage to cover
EMERGENCY_CATEGORIES = {
    "chest_pain", "stroke", "breathing", "anaphylaxis", "overdose_adult", "overdose_child",
    "overdose_elderly", "overdose_opioid_naltrexone", "suicide_self_harm_direct", "suicide_indirect",
    "seizure", "unresponsive", "bleeding", "sepsis_meningitis", "precipitated_withdrawal",
    "serotonin_toxicity",
}  # fmt: skip
ORDINARY_CATEGORIES = {
    "past_event", "relative_past_event", "hypothetical", "risk_question", "figurative", "dream",
    "mild_side_effect", "ldn_question", "long_story", "carer_frustration",
}  # fmt: skip
MESSAGE_FIELDS = ("id", "text", "label", "category", "length", "register", "source_url", "note")
MED_FIELDS = ("name", "generics", "country", "kind", "debatable", "note", "source_url")
NON_OPIOID_FIELDS = (*MED_FIELDS[:4], "drug_class", "why_tempting", *MED_FIELDS[4:])
KINDS = {"brand", "combination", "generic", "misspelling", "supplement", "slang"}


def _messages(path: Path = MESSAGES) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def message_problems(rows: list[dict[str, str]]) -> list[str]:
    problems = []
    ids = [r.get("id") for r in rows]
    if len(set(ids)) != len(ids):
        problems.append("duplicate ids")
    for r in rows:
        missing = [f for f in MESSAGE_FIELDS if not str(r.get(f, "")).strip()]
        if missing:
            problems.append(f"{r.get('id')}: missing {missing}")
        if not str(r.get("source_url", "")).startswith("http"):
            problems.append(f"{r.get('id')}: source_url is not a URL")
        allowed = EMERGENCY_CATEGORIES if r.get("label") == "emergency" else ORDINARY_CATEGORIES
        if r.get("label") not in ("emergency", "ordinary") or r.get("category") not in allowed:
            problems.append(f"{r.get('id')}: label/category {r.get('label')}/{r.get('category')}")
        if r.get("length") not in ("short", "long"):
            problems.append(f"{r.get('id')}: length {r.get('length')}")
    emergencies = [r for r in rows if r.get("label") == "emergency"]
    if len(rows) < 160 or len(emergencies) < 80 or len(rows) - len(emergencies) < 80:
        problems.append(f"counts: {len(emergencies)} emergencies of {len(rows)}")
    if {r.get("category") for r in emergencies} != EMERGENCY_CATEGORIES:
        problems.append("an emergency category of issue 10 has no message")
    if sum(r.get("length") == "long" for r in rows) < 0.35 * len(rows):
        problems.append("fewer than 35% long messages")
    return problems


def medicine_problems(rows: list[dict[str, str]], fields: tuple[str, ...], other: set[str]) -> list[str]:
    problems = []
    names = [r.get("name", "").strip().lower() for r in rows]
    if len(set(names)) != len(names):
        problems.append("duplicate names")
    if len(rows) < 100:
        problems.append(f"only {len(rows)} rows")
    for r in rows:
        missing = [f for f in fields if f != "note" and not (r.get(f) or "").strip()]
        if missing:
            problems.append(f"{r.get('name')}: missing {missing}")
        if not (r.get("source_url") or "").startswith("http"):
            problems.append(f"{r.get('name')}: source_url is not a URL")
        if r.get("kind") not in KINDS or r.get("debatable") not in ("true", "false"):
            problems.append(f"{r.get('name')}: kind/debatable {r.get('kind')}/{r.get('debatable')}")
        if r.get("kind") == "misspelling" and not ((r.get("note") or "") + (r.get("generics") or "")).strip():
            problems.append(f"{r.get('name')}: a misspelling must say of what (note or generics)")
    problems += [f"{n}: on both lists" for n in sorted(set(names) & other)]
    return problems


@pytest.mark.parametrize("battery", BATTERIES, ids=lambda p: p.stem)
def test_messages_are_valid_and_meet_the_counts(battery: Path) -> None:
    assert message_problems(_messages(battery)) == []


def test_message_checks_catch_broken_rows() -> None:
    rows = _messages()
    assert message_problems([*rows, rows[0]])  # duplicate id
    assert message_problems([{**rows[0], "label": "urgent"}, *rows[1:]])
    assert message_problems([{**rows[0], "source_url": ""}, *rows[1:]])
    assert message_problems([r for r in rows if r["category"] != "serotonin_toxicity"])
    assert message_problems(rows[:150])


@pytest.mark.parametrize("opioid_list, non_list", LIST_PAIRS, ids=lambda p: p.stem)
def test_medicine_lists_are_valid_and_meet_the_counts(opioid_list: Path, non_list: Path) -> None:
    opioids, non = _csv(opioid_list), _csv(non_list)
    non_names = {r["name"].strip().lower() for r in non}
    assert medicine_problems(opioids, MED_FIELDS, non_names) == []
    assert medicine_problems(non, (*MED_FIELDS, "drug_class"), set()) == []
    assert sum(r["kind"] == "misspelling" for r in opioids) >= 5


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def round_problems(
    opioids: list[dict[str, str]], non: list[dict[str, str]], min_rows: int = 180
) -> list[str]:
    """Extra checks written with the third round (HELDOUT_PINS3.md): at least `min_rows` rows a list
    (180 for the third round, 150 for the fourth), the tempting reason of every non-opioid, a reason
    for every debatable row, generics as lower-case INN and a two-letter country code or INT. Problems
    name the list and row number, never the medicine name, so a failing run does not print held-out
    names."""
    problems = [f"only {len(rows)} rows" for rows in (opioids, non) if len(rows) < min_rows]
    for label, rows in (("opioids", opioids), ("non-opioids", non)):
        for i, r in enumerate(rows, start=2):  # row 1 is the header
            where = f"{label} row {i}"
            if label == "non-opioids" and not (r.get("why_tempting") or "").strip():
                problems.append(f"{where}: no why_tempting")
            if r.get("debatable") == "true" and not (r.get("note") or "").strip():
                problems.append(f"{where}: debatable without a note")
            generics = r.get("generics") or ""
            if generics != generics.lower() or any(not g.strip() for g in generics.split(";")):
                problems.append(f"{where}: generics not lower-case INN separated by ';'")
            country = r.get("country") or ""
            if not (country == "INT" or (len(country) == 2 and country.isalpha() and country.isupper())):
                problems.append(f"{where}: country code")
    return problems


@pytest.mark.parametrize("opioid_list, non_list", ROUND2_ON, ids=lambda p: p.stem)
def test_later_rounds_share_the_schema(opioid_list: Path, non_list: Path) -> None:
    assert _header(opioid_list) == list(MED_FIELDS)
    assert _header(non_list) == list(NON_OPIOID_FIELDS)


def test_third_round_meets_its_counts_and_conventions() -> None:
    opioids, non = _csv(LIST_PAIRS[2][0]), _csv(LIST_PAIRS[2][1])
    assert round_problems(opioids, non) == []
    assert sum(r["kind"] == "misspelling" for r in opioids) >= 10
    assert sum(r["kind"] == "slang" for r in opioids) >= 10


def country_share_problems(rows: list[dict[str, str]], label: str, max_share: float = 0.3) -> list[str]:
    """The fourth round's spread rule (HELDOUT_PINS4.md, kept by HELDOUT_PINS5.md): no country holds
    more than `max_share` of a list. Reports the list and the country code, never a medicine name."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("country") or ""] = counts.get(r.get("country") or "", 0) + 1
    return [
        f"{label}: {code} has {n} of {len(rows)} rows"
        for code, n in counts.items()
        if n > max_share * len(rows)
    ]


@pytest.mark.parametrize("opioid_list, non_list", SPREAD_ROUNDS, ids=lambda p: p.stem)
def test_fourth_round_on_meets_its_counts_and_conventions(opioid_list: Path, non_list: Path) -> None:
    opioids, non = _csv(opioid_list), _csv(non_list)
    assert round_problems(opioids, non, min_rows=150) == []
    assert country_share_problems(opioids, "opioids") + country_share_problems(non, "non-opioids") == []
    assert sum(r["kind"] == "misspelling" for r in opioids) >= 10
    assert sum(r["kind"] == "slang" for r in opioids) >= 10
    assert len({r["country"] for r in opioids}) >= 25 and len({r["country"] for r in non}) >= 15


@pytest.mark.parametrize("opioid_list, non_list", SPREAD_ROUNDS, ids=lambda p: p.stem)
def test_fourth_round_on_checks_catch_broken_rows(opioid_list: Path, non_list: Path) -> None:
    opioids, non = _csv(opioid_list), _csv(non_list)
    assert round_problems(opioids[:149], non, min_rows=150)
    assert round_problems(opioids, [{**non[0], "generics": "Ibuprofen"}, *non[1:]], min_rows=150)
    assert country_share_problems([{**r, "country": "US"} for r in opioids], "opioids")
    spread = [{**r, "country": "ABCD"[i % 4] * 2} for i, r in enumerate(opioids)]
    assert not country_share_problems(spread, "opioids")


def test_round_checks_catch_broken_rows() -> None:
    opioids, non = _csv(LIST_PAIRS[2][0]), _csv(LIST_PAIRS[2][1])
    assert round_problems(opioids[:179], non)
    assert round_problems(opioids, [{**non[0], "why_tempting": " "}, *non[1:]])
    assert round_problems([{**opioids[0], "debatable": "true", "note": ""}, *opioids[1:]], non)
    assert round_problems([{**opioids[0], "generics": "Paracetamol;codeine"}, *opioids[1:]], non)
    assert round_problems([{**opioids[0], "generics": "paracetamol;"}, *opioids[1:]], non)
    assert round_problems(opioids, [{**non[0], "country": "UK1"}, *non[1:]])


def test_medicine_checks_catch_broken_rows() -> None:
    opioids = _csv(OPIOIDS)
    assert medicine_problems([*opioids, opioids[0]], MED_FIELDS, set())
    assert medicine_problems([{**opioids[0], "source_url": "n/a"}, *opioids[1:]], MED_FIELDS, set())
    assert medicine_problems([{**opioids[0], "debatable": "maybe"}, *opioids[1:]], MED_FIELDS, set())
    assert medicine_problems(opioids, MED_FIELDS, {opioids[0]["name"].lower()})
    assert medicine_problems(opioids[:99], MED_FIELDS, set())


@pytest.mark.parametrize("battery", BATTERIES, ids=lambda p: p.stem)
def test_the_evaluation_loads_every_held_out_message(battery: Path) -> None:
    rows = load_battery(battery, {"heldout"})
    assert len(rows) == len(_messages(battery))
    assert sum(r.emergency for r in rows) == sum(m["label"] == "emergency" for m in _messages(battery))
    assert {r.length for r in rows} == {"short", "long"}
    assert load_battery(battery, {"dev", "test"}) == []


def test_pin_list_rounds_limit_which_held_out_lists_are_counted() -> None:
    """`--pin-list heldout2` counts heldout2_* only, so a run that judges one round spends no other."""
    from eval.safety_eval import heldout_medicine_figures

    assert set(heldout_medicine_figures(["heldout2"])) == {"heldout2_opioids", "heldout2_non_opioids"}
    assert heldout_medicine_figures([]) == {}

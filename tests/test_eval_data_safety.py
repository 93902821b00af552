"""Validator for the safety battery and the medicine lists under eval/data/.

Purpose: the evaluation data is written by hand, so a typo in a category, a duplicate id, or a
split that drifts from its documented rule would silently skew the triage and pin figures. Each
check is a small function returning a list of problems; the tests assert that the shipped files
have none and that a deliberately broken copy is caught (so no check is vacuous).
Fast and deterministic: plain json/csv, no model, no bot import.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAFETY = ROOT / "eval" / "data" / "safety"
MEDS = ROOT / "eval" / "data" / "medicines"

REQUIRED = ("id", "split", "label", "category", "text", "source_url", "source_title", "wording")
MIN_TOTAL, MIN_PER_LABEL, MIN_CSV_ROWS, MIN_MISSPELLINGS = 340, 170, 90, 10

Row = dict[str, Any]


def _readme_categories(label: str) -> list[str]:
    """The fixed category list stated in the battery README, e.g. after 'Emergency categories:'."""
    text = (SAFETY / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"{label} categories:\n(.*?)\n\n", text, re.S)
    assert match, f"README has no '{label} categories:' list"
    return re.findall(r"`([a-z_]+)`", match.group(1))


def _load_battery() -> list[Row]:
    lines = (SAFETY / "battery.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _load_csv(name: str) -> list[dict[str, str]]:
    with (MEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _expected_splits(rows: list[Row]) -> dict[str, str]:
    """The README's rule: per category, groups sorted by sha1(group); even rank dev, odd test."""
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        groups[row["category"]].add(row["group"])
    out: dict[str, str] = {}
    for members in groups.values():
        ordered = sorted(members, key=lambda g: hashlib.sha1(g.encode("utf-8")).hexdigest())
        for rank, group in enumerate(ordered):
            out[group] = "dev" if rank % 2 == 0 else "test"
    return out


def battery_problems(rows: list[Row]) -> list[str]:
    emergency = set(_readme_categories("Emergency"))
    ordinary = set(_readme_categories("Ordinary"))
    problems: list[str] = []
    for row in rows:
        rid = row.get("id", "?")
        missing = [k for k in REQUIRED if not isinstance(row.get(k), str) or not row[k].strip()]
        if missing:
            problems.append(f"{rid}: missing {missing}")
            continue
        allowed = emergency if row["label"] == "emergency" else ordinary
        if row["label"] not in ("emergency", "ordinary"):
            problems.append(f"{rid}: label {row['label']!r}")
        if row["category"] not in allowed:
            problems.append(f"{rid}: category {row['category']!r} not in README list")
        if row["split"] not in ("dev", "test"):
            problems.append(f"{rid}: split {row['split']!r}")
        if row["wording"] not in ("adapted", "verbatim"):
            problems.append(f"{rid}: wording {row['wording']!r}")
        if not row["source_url"].startswith(("http://", "https://")):
            problems.append(f"{rid}: source_url")
        if row.get("length") not in ("short", "long"):
            problems.append(f"{rid}: length")
        if row["label"] == "ordinary" and "tempts" not in row:
            problems.append(f"{rid}: ordinary row without tempts")
    if problems:
        return problems
    ids = Counter(r["id"] for r in rows)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    texts = Counter(r["text"].strip().lower() for r in rows)
    problems += [f"duplicate text {t[:40]!r}" for t, n in texts.items() if n > 1]
    expected = _expected_splits(rows)
    problems += [f"{r['id']}: split differs from rule" for r in rows if expected[r["group"]] != r["split"]]
    splits: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        splits[row["category"]].add(row["split"])
    for cat in emergency | ordinary:
        if splits.get(cat) != {"dev", "test"}:
            problems.append(f"category {cat} lacks dev or test rows")
    labels = Counter(r["label"] for r in rows)
    if len(rows) < MIN_TOTAL or min(labels["emergency"], labels["ordinary"]) < MIN_PER_LABEL:
        problems.append(f"counts below minimum: {len(rows)} {dict(labels)}")
    if 3 * sum(r["length"] == "long" for r in rows) < len(rows):
        problems.append("fewer than a third of the messages are long")
    return problems


def csv_problems(rows: list[dict[str, str]], columns: list[str], other_names: set[str]) -> list[str]:
    problems: list[str] = []
    if len(rows) < MIN_CSV_ROWS:
        problems.append(f"only {len(rows)} rows")
    for row in rows:
        if list(row) != columns:
            problems.append(f"{row.get('name')}: columns {list(row)}")
            continue
        empty = [c for c in columns if c != "note" and not (row[c] or "").strip()]
        if empty:
            problems.append(f"{row['name']}: empty {empty}")
        if not row["source_url"].startswith(("http://", "https://")):
            problems.append(f"{row['name']}: source_url")
        if "immunosuppressant" in row and row["immunosuppressant"] not in ("yes", "no"):
            problems.append(f"{row['name']}: immunosuppressant {row['immunosuppressant']!r}")
    names = Counter(r["name"].strip().lower() for r in rows)
    problems += [f"duplicate name {n}" for n, k in names.items() if k > 1]
    problems += [f"{n} is in both lists" for n in names if n in other_names]
    return problems


OPIOID_COLUMNS = ["name", "generic", "country", "kind", "source_url"]
NON_COLUMNS = ["name", "generic", "country", "kind", "immunosuppressant", "source_url", "note"]


def test_battery_is_valid() -> None:
    assert battery_problems(_load_battery()) == []


def test_readme_lists_every_required_category() -> None:
    needed = {"chest_pain", "stroke", "breathing", "anaphylaxis", "overdose_poisoning"}
    needed |= {"suicide_selfharm", "seizure", "unresponsive", "severe_bleeding"}
    needed |= {"sepsis_meningitis", "precipitated_withdrawal", "serotonin_toxicity", "location_now"}
    assert needed <= set(_readme_categories("Emergency"))


@pytest.mark.parametrize(
    "breakage",
    ["duplicate_id", "bad_category", "flipped_split", "missing_field", "too_few"],
)
def test_battery_validator_catches_breakage(breakage: str) -> None:
    rows = copy.deepcopy(_load_battery())
    if breakage == "duplicate_id":
        rows[1]["id"] = rows[0]["id"]
    elif breakage == "bad_category":
        rows[0]["category"] = "heart_attack"
    elif breakage == "flipped_split":
        rows[0]["split"] = "test" if rows[0]["split"] == "dev" else "dev"
    elif breakage == "missing_field":
        del rows[0]["source_url"]
    else:
        rows = [r for r in rows if r["label"] == "ordinary"] + rows[:5]
    assert battery_problems(rows)


def test_medicine_lists_are_valid() -> None:
    opioids, non = _load_csv("opioid_products.csv"), _load_csv("non_opioids.csv")
    non_names = {r["name"].strip().lower() for r in non}
    assert csv_problems(opioids, OPIOID_COLUMNS, non_names) == []
    assert csv_problems(non, NON_COLUMNS, set()) == []
    assert sum(r["kind"] == "misspelling" for r in opioids) >= MIN_MISSPELLINGS


def test_medicine_validator_catches_duplicates_and_overlap() -> None:
    opioids = _load_csv("opioid_products.csv")
    doubled = [*opioids, dict(opioids[0], name=opioids[0]["name"].upper())]
    assert csv_problems(doubled, OPIOID_COLUMNS, set())
    assert csv_problems(opioids, OPIOID_COLUMNS, {opioids[3]["name"].lower()})
    assert csv_problems(opioids[:10], OPIOID_COLUMNS, set())

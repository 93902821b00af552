"""The dev/test split of the bundled gold set, and the validator's optional fields."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from eval.gold import GoldError, load_gold, load_questions
from eval.run_cli import DEFAULT_GOLD
from eval.split import assign, load_kinds

GOOD: dict[str, object] = {
    "id": "a001",
    "question": "what dose do people start at",
    "type": "answerable",
    "answers": [{"doc_id": "d1", "text": "Start at 1.5 mg."}],
    "pin": None,
    "tags": ["dose"],
}


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_gold_row_has_a_split_and_the_halves_are_balanced_per_stratum() -> None:
    questions = load_questions(DEFAULT_GOLD)
    splits = Counter(q.split for q in questions)
    assert set(splits) == {"dev", "test"}
    assert abs(splits["dev"] - splits["test"]) <= 1
    strata = Counter((q.type, q.kind, q.split) for q in questions)
    for stype, kind, _ in strata:
        assert abs(strata[(stype, kind, "dev")] - strata[(stype, kind, "test")]) <= 1, (stype, kind)


def test_of_split_selects_the_rows_of_one_half() -> None:
    gold = load_gold(DEFAULT_GOLD)
    dev, test = gold.of_split("dev"), gold.of_split("test")
    assert len(dev) + len(test) == len(gold.questions)
    assert not {q.id for q in dev} & {q.id for q in test}
    assert gold.of_split("heldout") == []


def test_the_bundled_split_is_what_the_rule_gives() -> None:
    rows = _rows(DEFAULT_GOLD)
    again = assign(rows, load_kinds())
    assert [(r["kind"], r["split"]) for r in again] == [(r["kind"], r["split"]) for r in rows]


def test_assign_is_independent_of_row_order() -> None:
    rows = _rows(DEFAULT_GOLD)
    forward = {r["id"]: r["split"] for r in assign(rows, load_kinds())}
    backward = {r["id"]: r["split"] for r in assign(rows[::-1], load_kinds())}
    assert forward == backward


def test_kind_comes_from_the_first_mapped_non_marker_tag() -> None:
    kinds = load_kinds()
    assert kinds.kind_of(["typo", "when-to-take", "dose"]) == "timing"
    assert kinds.kind_of(["absent", "pregnancy"]) == "population"
    assert kinds.kind_of(["lay"]) == "other"


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"split": "train"}, "'split' is 'train'"),
        ({"kind": "vibes"}, "'kind' is 'vibes'"),
        ({"wording": "made-up"}, "'wording' is 'made-up'"),
        ({"source_url": ""}, "'source_url' must be a non-empty string"),
        ({"colour": "red"}, "unknown key(s) colour"),
    ],
)
def test_bad_optional_fields_are_reported(tmp_path: Path, extra: dict[str, object], expected: str) -> None:
    with pytest.raises(GoldError) as err:
        load_questions(_write(tmp_path, [{**GOOD, **extra}]))
    assert expected in str(err.value)


def test_split_must_be_on_every_row_once_it_is_on_one(tmp_path: Path) -> None:
    rows = [{**GOOD, "split": "dev"}, {**GOOD, "id": "a002", "question": "and the max dose"}]
    with pytest.raises(GoldError) as err:
        load_questions(_write(tmp_path, rows))
    assert "missing on line(s) [2]" in str(err.value)


def test_optional_fields_load_onto_the_question(tmp_path: Path) -> None:
    row = {**GOOD, "kind": "dose", "split": "heldout", "wording": "verbatim", "source_url": "https://x.org/q"}
    (q,) = load_questions(_write(tmp_path, [row]))
    assert (q.kind, q.split, q.source_url) == ("dose", "heldout", "https://x.org/q")

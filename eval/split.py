"""Split a gold questions file into a dev half (tuning) and a test half (report only).

Rule (documented in `eval/gold/README.md`): each row gets a `kind` (the kind of answer asked,
from its tags through `eval/data/question_kinds.toml`) and is placed in a stratum
``(type, kind, non-triage-trap?, first topic tag)``. Rows are sorted by stratum and, inside a
stratum, by the SHA-256 of their id; walking that list, rows alternate dev, test, dev, test ...
without restarting at stratum borders. So every stratum is split evenly (to within one row),
the two halves differ by at most one row overall, and the result depends only on the ids and
tags: adding a question moves at most the rows after it in its own stratum order.

Trade-off: alternation on a hash order is not a random draw, but it is reproducible without a
seed and balances small strata better than hashing each id to a half independently (which
leaves a 3-row stratum all in one half one time in four).

Run: ``python -m eval.split eval/gold/questions.jsonl`` rewrites the file in place, keeping
each row's keys in README order with `kind` and `split` appended.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS_FILE = Path(__file__).resolve().parent / "data" / "question_kinds.toml"
SPLITS = ("dev", "test")
# Optional keys of a gold row (eval/gold/README.md); the held-out sets use all of them.
OPTIONAL_KEYS = ("kind", "split", "wording", "source_url", "source_title")
ALL_SPLITS = (
    "dev",
    "test",
    "heldout",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
)
WORDINGS = ("verbatim", "adapted")


@dataclass(frozen=True)
class KindMap:
    """The kinds of question, the marker tags to skip, and the tag -> kind table."""

    kinds: tuple[str, ...]
    markers: frozenset[str]
    tags: Mapping[str, str]

    def kind_of(self, tags: Sequence[str]) -> str:
        for tag in tags:
            if tag in self.markers:
                continue
            if tag in self.tags:
                return self.tags[tag]
        return "other"


@functools.cache
def load_kinds(path: Path = KINDS_FILE) -> KindMap:
    """Read and validate the kinds file: every mapped kind must be a listed kind."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = tuple(data["kinds"])
    tags = dict(data["tags"])
    bad = sorted(t for t, k in tags.items() if k not in kinds)
    if bad or "other" not in kinds:
        raise ValueError(f"{path}: tags mapped to unknown kinds: {', '.join(bad)}; 'other' must be a kind")
    return KindMap(kinds, frozenset(data["markers"]), tags)


def check_optional_fields(obj: Mapping[str, Any], n: int) -> list[str]:
    """`kind` from eval/data/question_kinds.toml, `split`, `wording`, and non-empty source strings."""
    out = []
    allowed = {"kind": load_kinds().kinds, "split": ALL_SPLITS, "wording": WORDINGS}
    for key, values in allowed.items():
        if key in obj and obj[key] not in values:
            out.append(f"line {n}: {key!r} is {obj[key]!r}; expected one of {', '.join(values)}")
    out += [
        f"line {n}: {k!r} must be a non-empty string"
        for k in OPTIONAL_KEYS[3:]
        if k in obj and not (isinstance(obj[k], str) and obj[k].strip())
    ]
    return out


def _topic(tags: Sequence[str], markers: frozenset[str]) -> str:
    return next((t for t in tags if t not in markers), "")


def _id_hash(qid: str) -> str:
    return hashlib.sha256(qid.encode("utf-8")).hexdigest()


def assign(rows: Sequence[Mapping[str, Any]], kinds: KindMap) -> list[dict[str, Any]]:
    """Rows (in their original order) with `kind` and `split` set by the rule above."""

    def key(i: int) -> tuple[str, str, bool, str, str]:
        r = rows[i]
        tags = r["tags"]
        kind = "other" if r["type"] == "emergency" else kinds.kind_of(tags)
        return (r["type"], kind, "non-triage-trap" in tags, _topic(tags, kinds.markers), _id_hash(r["id"]))

    order = sorted(range(len(rows)), key=key)
    split_of = {i: SPLITS[pos % 2] for pos, i in enumerate(order)}
    out = []
    for i, r in enumerate(rows):
        row = {k: v for k, v in r.items() if k not in ("kind", "split")}
        row["kind"] = key(i)[1]
        row["split"] = split_of[i]
        out.append(row)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m eval.split QUESTIONS.jsonl", file=sys.stderr)
        return 2
    path = Path(args[0])
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = assign(rows, load_kinds())
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    counts: dict[str, int] = {}
    for r in out:
        counts[r["split"]] = counts.get(r["split"], 0) + 1
    print(f"{path}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

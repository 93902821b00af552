"""`python -m eval safety-pool`: triage over the whole dev pool, per file, and the session-7 cut rule.

The pool (everything a triage change may be tuned on since session 7):

- `eval/data/safety/battery.jsonl` rows with `"split": "dev"` (never the test rows);
- the dev files `dev_long`, `dev_long2`, `dev_long3`, `dev_suicide`, and `dev_gate10` (session 10:
  carers' and relatives' registers, written for the triage gate; not in the gate's training, `NEW_FILES`);
- the spent held-out batteries `heldout` .. `heldout8` (each has informed a decision, so they are dev
  data now; in session 7 heldout4 judged the calibration triage7, heldout5 its variant triage7b and
  heldout6 the unconditional red flags; in session 8 heldout7's misses were read to write red flags,
  which heldout8 judged);
- the ordinary questions of the tuned answer sets (`eval/gold` dev half, `eval/heldout`, the melatonin
  set) and the gold dev half's emergency questions.

`heldout9.jsonl` and later batteries (fresh) are never read here: the file list is
fixed (`SAFETY_FILES`), not a glob. Each file is one fold of `eval.safety_lobo` (session 8).

Per file it prints recall at any level, recall at `definite`, ordinary messages shown the guidance and
ordinary messages at `definite`, with the shipped thresholds; then the cuts that the rule of
`rule_cuts` proposes (written down before the session-7 cuts were computed, eval/README.md,
"Session 7 triage"). The proposal is printed, never written: thresholds.toml is edited by hand, with
its comment.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.triage import Triager
from eval.safety_eval import encoded, load_battery, scored

SAFETY = Path("eval/data/safety")
SAFETY_FILES = (
    "dev_long", "dev_long2", "dev_long3", "dev_suicide",
    "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8",
    "dev_gate10",
)  # fmt: skip
# session 10: pool files that the shipped gate does not train on (training on them failed rule B,
# eval/README.md "Session 10: gate10"); one LOBO fold each; `safety-gate --config ...,new=1` trains on them
NEW_FILES = ("dev_gate10",)
FOLD_FILES = (
    "battery",
    *SAFETY_FILES,
)  # the independently written files: one LOBO fold each (eval.safety_lobo)
QUESTION_SETS: tuple[tuple[str, Path, str | None], ...] = (
    ("gold", Path("eval/gold/questions.jsonl"), "dev"),
    ("heldout_questions", Path("eval/heldout/questions.jsonl"), None),
    ("melatonin", Path("eval/corpora/melatonin/questions.jsonl"), None),
)
MARGIN = 0.02  # the rule's recall margin on the possible cut
GRID = 0.005  # the possible cut is rounded down to this step
DEFINITE_SHARE = 0.005  # at most this share of ordinary messages at `definite` (session 6's rule)


@dataclass(frozen=True)
class PoolRow:
    file: str
    id: str
    text: str
    emergency: bool
    category: str = ""  # the file's category (an emergency or ordinary kind); "" for the answer sets


@dataclass(frozen=True)
class Scored:
    """One message's classifier score, and whether the suicide component or a red flag shows it anyway."""

    score: float
    shown_otherwise: bool


def pool_rows(root: Path = Path(".")) -> list[PoolRow]:
    """The dev pool (module docstring), in a fixed order."""
    rows = [
        PoolRow("battery", r.id, r.text, r.emergency, r.category)
        for r in load_battery(root / SAFETY / "battery.jsonl", {"dev"})
    ]
    for name in SAFETY_FILES:
        split = "heldout" if name.startswith("heldout") else "dev"
        rows += [
            PoolRow(name, r.id, r.text, r.emergency, r.category)
            for r in load_battery(root / SAFETY / f"{name}.jsonl", {split})
        ]
    for name, path, wanted in QUESTION_SETS:
        for line in (root / path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            if wanted is not None and q.get("split") != wanted:
                continue
            if q["type"] == "emergency" and name != "gold":
                continue  # only the gold set labels its emergencies; the others' are not pooled
            rows.append(PoolRow(name, str(q["id"]), q["question"], q["type"] == "emergency"))
    return rows


def rule_cuts(
    emergencies: Sequence[Scored], ordinary: Sequence[float], margin: float = MARGIN
) -> tuple[float, float]:
    """(possible, definite) by the session-7 rule.

    possible: the weakest classifier score among the emergencies that neither the suicide component
    nor a red flag shows, minus `margin` (`MARGIN`), rounded down to `GRID`. definite: the lowest cut (to 0.001,
    rounded up) with at most `DEFINITE_SHARE` of the ordinary scores at or above it.

    >>> rule_cuts([Scored(0.7, False), Scored(0.5, True)], [0.9, 0.6, 0.5] + [0.1] * 400)
    (0.68, 0.501)
    """
    weakest = min(e.score for e in emergencies if not e.shown_otherwise)
    possible = math.floor(round((weakest - margin) / GRID, 6)) * GRID
    ranked = sorted(ordinary, reverse=True)
    allowed = int(DEFINITE_SHARE * len(ranked))
    definite = math.ceil((ranked[allowed] + 0.0005) * 1000) / 1000 if allowed < len(ranked) else 0.0
    return round(possible, 4), definite


def _figures(rows: list[PoolRow], levels: list[str | None]) -> dict[str, object]:
    e = [lv for r, lv in zip(rows, levels, strict=True) if r.emergency]
    o = [lv for r, lv in zip(rows, levels, strict=True) if not r.emergency]
    return {
        "emergencies": len(e),
        "recall_any": f"{sum(lv is not None for lv in e)}/{len(e)}",
        "recall_definite": f"{sum(lv == 'definite' for lv in e)}/{len(e)}",
        "ordinary": len(o),
        "ordinary_shown": f"{sum(lv is not None for lv in o)}/{len(o)}",
        "ordinary_shown_share": round(sum(lv is not None for lv in o) / max(1, len(o)), 3),
        "ordinary_definite": f"{sum(lv == 'definite' for lv in o)}/{len(o)}",
    }


def main(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder

    triager = Triager.fitted(load_embedder(args.model, threads=1))
    rows = pool_rows()
    t0, cpu0 = time.perf_counter(), time.process_time()
    items = scored(triager, encoded(triager, [r.text for r in rows]))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    t = triager.thresholds
    levels: list[str | None] = []
    emergencies: list[Scored] = []
    ordinary: list[float] = []
    for row, (s, v) in zip(rows, items, strict=True):
        tri = triager.decide(s, v)
        levels.append(None if tri.level is None else tri.level.value)
        red = bool(np.any(((s.red_flag > 0) & (s.not_now == 0)) | (s.red_flag > 1)))  # as Triager.decide
        if row.emergency:
            emergencies.append(Scored(tri.score, red or tri.suicide >= t.suicide_possible))
        else:
            ordinary.append(tri.score)
    files = list(dict.fromkeys(r.file for r in rows))
    report: dict[str, object] = {
        f: _figures(
            [r for r in rows if r.file == f], [lv for r, lv in zip(rows, levels, strict=True) if r.file == f]
        )
        for f in files
    }
    report["all"] = _figures(rows, levels)
    possible, definite = rule_cuts(emergencies, ordinary)
    report["shipped"] = {
        "possible": t.possible,
        "definite": t.definite,
        "suicide_possible": t.suicide_possible,
    }
    report["rule_proposal"] = {"possible": possible, "definite": definite}
    report["cpu_ms_per_message"] = round(1000 * cpu / max(1, len(rows)), 1)
    report["wall_ms_per_message"] = round(1000 * wall / max(1, len(rows)), 1)
    print(json.dumps(report, indent=2))
    return 0

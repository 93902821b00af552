"""`python -m eval safety`: emergency triage and medicine pins, measured on the safety battery.

Triage: recall per emergency category at `possible or definite` and at `definite`, and the
share of ordinary messages shown the emergency guidance (any level) or the emergency message
alone (`definite`), on the battery's dev and test splits separately (`eval/data/safety/
battery.jsonl`). Thresholds are calibrated on dev only (`--calibrate` prints a proposal for
`bot/data/triage/thresholds.toml` by the rule of `eval.safety_calibrate`, with its out-of-fold
recall and ordinary share shown per cue-weight pair);
test is read only when asked (`--split test` or `both`) and is never used to choose anything.

Pins: over `eval/data/medicines/*.csv` (a column `name`; files whose name contains "non" list
medicines that must never be pinned), the share of opioid products pinned "opioid" and the
non-opioid names that are; and over every 4th name of the packaged drug dictionary that is in no
pinned class, the names pinned "opioid" (`dictionary_false_pins`).

Held-out (`--split heldout`): `eval/data/safety/heldout.jsonl` and `eval/data/medicines/heldout*_*.csv`,
written by a helper who never read the bot or the battery (`eval/data/HELDOUT.md`). Same figures
(triage by message length too, as for dev and test); pins as counts only (all rows, `debatable=false`
rows, per `kind`), never the names. The held-out lists are left out of the ordinary pin figures.
`--pin-list heldout6` counts that round's lists only (`--pin-list none`: no list), so judging a
battery does not spend a fresh list.
Dev also scores `eval/data/safety/dev_long.jsonl` and `dev_long2.jsonl` (long personal stories, with
and without a buried emergency), `dev_long3.jsonl` (carers' refusal, relatives' past events) and `dev_suicide.jsonl` (direct and indirect suicidal language, category
`suicide_indirect` for the indirect rows, and ordinary near-misses), reported as `dev_long`, `dev_long2`, `dev_long3`
and `dev_suicide`; `--calibrate` uses all dev rows (`eval.safety_weights`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from bot.triage import Triager
from bot.triage.classifier import UnitScores
from bot.triage.data import Thresholds
from eval.safety_weights import calibrate

BATTERY = Path("eval/data/safety/battery.jsonl")
HELDOUT = Path("eval/data/safety/heldout.jsonl")
DEV_LONG = Path("eval/data/safety/dev_long.jsonl")  # long personal stories, dev only (scored with dev)
DEV_LONG2 = Path("eval/data/safety/dev_long2.jsonl")  # more of them (fifth shift), scored with dev too
DEV_SUICIDE = Path("eval/data/safety/dev_suicide.jsonl")  # suicidal language and its near-misses
DEV_LONG3 = Path("eval/data/safety/dev_long3.jsonl")  # carers' refusal, relatives' past events (triage6)
DEV_MORE = (
    ("dev_long2", DEV_LONG2),
    ("dev_suicide", DEV_SUICIDE),
    ("dev_long3", DEV_LONG3),
)  # beside dev_long
MEDICINES = Path("eval/data/medicines")
OUT = Path("eval/out/safety.json")


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    emergency: bool
    category: str
    split: str
    length: str = ""  # "short"/"long" where the file says (held-out set)


def load_battery(path: Path, splits: set[str]) -> list[Row]:
    """Rows of the requested splits only (the texts of other splits are not kept); a file without a
    `split` field (the held-out set) is all split "heldout"."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        split = r.get("split", "heldout")
        if split in splits:
            emergency = r["label"] == "emergency"
            rows.append(Row(str(r["id"]), r["text"], emergency, r["category"], split, r.get("length", "")))
    return rows


Encoded = tuple[list[str], np.ndarray, int]  # one message: its units, their vectors, how many are scored


def encoded(triager: Triager, texts: list[str]) -> list[Encoded]:
    """Units and vectors per message (one encode per message, as when serving)."""
    out = []
    for text in texts:
        units = triager.units(text)
        out.append((units, triager.embedder.encode(units), len(triager.scored_units(text))))
    return out


def scored(triager: Triager, enc: list[Encoded]) -> list[tuple[UnitScores, np.ndarray]]:
    """Unit scores and vectors per encoded message."""
    return [(triager.unit_scores(units, vectors, n), vectors) for units, vectors, n in enc]


def metrics(rows: list[Row], levels: list[str | None]) -> dict[str, object]:
    by_cat: dict[str, list[str | None]] = defaultdict(list)
    for row, level in zip(rows, levels, strict=True):
        by_cat[("E " if row.emergency else "O ") + row.category].append(level)

    def rate(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    emerg = [lv for r, lv in zip(rows, levels, strict=True) if r.emergency]
    ordin = [lv for r, lv in zip(rows, levels, strict=True) if not r.emergency]
    cats = {
        k: {
            "n": len(v),
            "shown": rate([lv is not None for lv in v]),
            "definite": rate([lv == "definite" for lv in v]),
        }
        for k, v in sorted(by_cat.items())
    }
    return {
        "emergencies": len(emerg),
        "ordinary": len(ordin),
        "recall_possible_or_definite": rate([lv is not None for lv in emerg]),
        "recall_definite": rate([lv == "definite" for lv in emerg]),
        "ordinary_shown_guidance": rate([lv is not None for lv in ordin]),
        "ordinary_definite": rate([lv == "definite" for lv in ordin]),
        "per_category": cats,
    }


def levels_of(
    triager: Triager, items: list[tuple[UnitScores, np.ndarray]], t: Thresholds
) -> list[str | None]:
    out = []
    for s, v in items:
        level = triager.decide(s, v, t).level
        out.append(None if level is None else level.value)
    return out


def medicine_figures() -> dict[str, object]:
    from bot.medicines import find_pins

    out: dict[str, object] = {}
    for path in sorted(MEDICINES.glob("*.csv")):
        if path.stem.startswith("heldout"):
            continue
        with path.open(encoding="utf-8") as fh:
            names = [r.get("name") or next(iter(r.values())) for r in csv.DictReader(fh)]
        pinned = [n for n in names if "opioid" in find_pins(n)]
        negative = "non" in path.stem
        out[path.stem] = {
            "n": len(names),
            "pinned_opioid": round(len(pinned) / max(1, len(names)), 4),
            ("false_pins" if negative else "missed"): pinned
            if negative
            else sorted(set(names) - set(pinned)),
        }
    return out


def dictionary_false_pins(step: int = 4) -> dict[str, object]:
    """Every `step`-th name of the packaged drug dictionary whose generics are in no pinned class
    (~27k names of other medicines, salts, chemicals): how many get the opioid pin by a name rather
    than a class word ("opioid receptor"). Catches typo folding and dictionary collisions at scale."""
    from bot.drug_sources import read_dner
    from bot.medicines import find_medicines, vocabulary

    v = vocabulary()
    names = sorted(k for k, cs in read_dner().items() if not v.classes_of(tuple(cs)))[::step]
    pinned = [
        n for n in names if any("opioid" in m.classes and m.via != "class word" for m in find_medicines(n, v))
    ]
    return {"n": len(names), "pinned_opioid": len(pinned), "examples": pinned[:20]}


def heldout_medicine_figures(rounds: list[str] | None = None) -> dict[str, object]:
    """Share pinned "opioid" per held-out list: all rows, `debatable=false` rows, and per `kind`.
    Counts only: the names pinned or missed are not reported. `rounds` ("heldout6", ...) names the
    lists counted (None: every `heldout*_*.csv`), so a fresh list is not spent by a run that judges
    something else."""
    from bot.medicines import find_pins

    def share(rows: list[dict[str, str]]) -> dict[str, object]:
        hit = sum("opioid" in find_pins(r["name"]) for r in rows)
        return {"n": len(rows), "pinned_opioid": hit, "share": round(hit / max(1, len(rows)), 4)}

    out: dict[str, object] = {}
    for path in sorted(MEDICINES.glob("heldout*_*.csv")):  # heldout_*, heldout2_* ...
        if rounds is not None and path.stem.split("_", 1)[0] not in rounds:
            continue
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        kinds = sorted({r["kind"] for r in rows})
        out[path.stem] = {
            "all": share(rows),
            "not_debatable": share([r for r in rows if r["debatable"] == "false"]),
            "per_kind": {k: share([r for r in rows if r["kind"] == k]) for k in kinds},
        }
    return out


SEEN = Path("eval/data/safety/seen_by_triage_author.txt")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _seen_hashes() -> set[str]:
    """sha1 of battery texts the triage author read while tuning (see that file's header)."""
    if not SEEN.exists():
        return set()
    return {ln.strip() for ln in SEEN.read_text(encoding="utf-8").splitlines() if ln.strip() and ln[0] != "#"}


def main(args: argparse.Namespace) -> int:
    from index.embedder import load_embedder

    splits = {"dev", "test"} if args.split == "both" else {args.split}
    if args.split == "heldout" and args.out == OUT:
        args.out = OUT.with_name("safety_heldout.json")
    embedder = load_embedder(args.model, threads=1)
    if getattr(args, "index", None) is not None:  # the build's arrays and gate, as served
        from index.store import current_build

        triager = Triager.from_build(current_build(args.index), embedder)
    else:
        triager = Triager.fitted(embedder)  # fitted now; no gate (it needs a build, bot.triage.gate_build)
    report: dict[str, object] = {"thresholds": triager.thresholds.__dict__, "gate": triager.gate is not None}
    for split in sorted(splits):
        path = getattr(args, "heldout", HELDOUT) if split == "heldout" else args.battery
        rows = load_battery(path, {split})
        n_battery, long_path = len(rows), Path(getattr(args, "dev_long", DEV_LONG) or "")
        extra: list[tuple[str, int, int]] = []  # (report key, first row, end row)
        dev_files = (("dev_long", long_path), *((k, long_path.with_name(f.name)) for k, f in DEV_MORE))
        for key, lp in dev_files:
            if split == "dev" and str(long_path) not in ("", ".") and lp.is_file():  # --dev-long '': none
                start = len(rows)
                rows += load_battery(lp, {"dev"})
                extra.append((key, start, len(rows)))
        t0 = time.perf_counter()
        enc = encoded(triager, [r.text for r in rows])
        items = scored(triager, enc)
        ms = 1000 * (time.perf_counter() - t0) / max(1, len(rows))
        if args.calibrate and split == "dev":
            cats = [("E " if r.emergency else "O ") + r.category for r in rows]
            rescore = partial(scored, enc=enc)
            proposal, table = calibrate(triager, [r.emergency for r in rows], cats, rescore)
            print("proposed thresholds (dev):", proposal)
            report["calibration_dev"] = table
            report["dev_with_proposal"] = metrics(rows, levels_of(triager, items, proposal))
        levels = levels_of(triager, items, triager.thresholds)
        for key, start, end in extra:  # each long file its own line; "dev" stays the battery's dev rows
            report[key] = metrics(rows[start:end], levels[start:end])
        rows, levels = rows[:n_battery], levels[:n_battery]
        result = metrics(rows, levels)
        result["ms_per_message_encode_and_triage"] = round(ms, 1)
        seen = _seen_hashes()
        keep = [k for k, r in enumerate(rows) if _sha1(r.text) not in seen]
        if len(keep) < len(rows):
            result["rows_never_read_by_the_triage_author"] = metrics(
                [rows[k] for k in keep], [levels[k] for k in keep]
            )
        if any(r.length for r in rows):  # by the rows' own `length` field (battery and held-out)
            by_length: dict[str, object] = {}
            for n in ("short", "long"):
                if ks := [i for i, r in enumerate(rows) if r.length == n]:
                    part = metrics([rows[i] for i in ks], [levels[i] for i in ks])
                    by_length[n] = {k: v for k, v in part.items() if k != "per_category"}
            result["by_length"] = by_length
        report[split] = result
    report["medicines"] = medicine_figures()
    report["medicines_dictionary_false_pins"] = dictionary_false_pins()
    if "heldout" in splits and args.pin_lists != ["none"]:
        report["medicines_heldout"] = heldout_medicine_figures(args.pin_lists)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0

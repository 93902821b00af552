"""Session 10's decision rule (rule B) and the per-file / per-category tables of `safety-gate`.

Rule B (`/work/main/.git/session10-prereg.md`, eval/README.md "Session 10: gate10"), fixed before
any run: leave-one-battery-out over the OLD pool files (`OLD_FILES`, the session-9 folds; a new
training file is held out in turn too but reported apart), compared with main's shipped triage:
every old file's recall (any level) unchanged, no emergency category loses a message, ordinary
definite not higher, and ordinary shown over the old files at most 95% of the reference gate's
(session 9's shipped gate under the same LOBO: 214/1301).

The tables are markdown, one column per configuration (main's triage without a gate first), so a
run's output can be pasted into eval/README.md as it is.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

OLD_FILES = (
    "battery", "dev_long", "dev_long2", "dev_long3", "dev_suicide",
    "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8",
)  # fmt: skip
SHARE = 0.95  # ordinary shown over the old files: at most this share of the reference gate's


def old(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["fold"] in OLD_FILES]


def rule_b(out: dict[str, Any], reference_shown: int) -> bool:
    """Whether one configuration's run (`eval.safety_gate.run`) qualifies under rule B.

    >>> r = {"fold": "battery", "missed": 0, "missed_kinds": [], "shown": 10, "definite": 0}
    >>> rule_b({"folds": [r], "main_folds": [r | {"shown": 12}]}, 10)  # 10 > 0.95 * 10
    False
    >>> rule_b({"folds": [r | {"shown": 9}], "main_folds": [r | {"shown": 12}]}, 10)
    True
    """
    main, gate = old(out["main_folds"]), old(out["folds"])
    same = all(m["missed"] == g["missed"] for m, g in zip(main, gate, strict=True))
    km = Counter(k for r in main for k in r["missed_kinds"])
    kg = Counter(k for r in gate for k in r["missed_kinds"])
    kinds_ok = all(kg[k] <= km[k] for k in kg)
    definite_ok = sum(g["definite"] for g in gate) <= sum(m["definite"] for m in main)
    shown = sum(g["shown"] for g in gate)
    return same and kinds_ok and definite_ok and shown <= SHARE * reference_shown


def per_file(report: dict[str, dict[str, Any]]) -> str:
    """missed / ordinary shown per held-out file, main's triage then each configuration."""
    names = list(report)
    first = report[names[0]]
    head = "| file | E / O | main | " + " | ".join(names) + " |"
    lines = [head, "|" + "---|" * (3 + len(names))]
    for i, m in enumerate(first["main_folds"]):
        cells = [f"{report[n]['folds'][i]['missed']} / {report[n]['folds'][i]['shown']}" for n in names]
        lines.append(
            f"| {m['fold']} | {m['emergencies']} / {m['ordinary']} | {m['missed']} / {m['shown']} | "
            + " | ".join(cells)
            + " |"
        )
    for label, pick in (("old files", old), ("all files", lambda r: r)):
        tot = [_sum(pick(report[n]["folds"])) for n in names]
        mt = _sum(pick(first["main_folds"]))
        lines.append(
            f"| **{label}** | {mt['emergencies']} / {mt['ordinary']} | {mt['missed']} / {mt['shown']} | "
            + " | ".join(f"{t['missed']} / {t['shown']}" for t in tot)
            + " |"
        )
    return "\n".join(lines)


def per_category(report: dict[str, dict[str, Any]]) -> str:
    """Over the old files: per category, emergencies shown (E) or ordinary shown (O), of n."""
    names = list(report)
    first = report[names[0]]
    n = Counter(k for r in old(first["main_folds"]) for k in r["kinds"])
    main = Counter(k for r in old(first["main_folds"]) for k in r["shown_kinds"])
    cols = [Counter(k for r in old(report[c]["folds"]) for k in r["shown_kinds"]) for c in names]
    lines = ["| category | n | main | " + " | ".join(names) + " |", "|" + "---|" * (3 + len(names))]
    for k in sorted(n):
        lines.append(f"| {k} | {n[k]} | {main[k]} | " + " | ".join(str(c[k]) for c in cols) + " |")
    return "\n".join(lines)


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows) for k in ("emergencies", "ordinary", "missed", "shown")}

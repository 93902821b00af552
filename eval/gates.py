"""The CI floors of the grounding evaluation: `eval/thresholds.toml` checked against a result.

Floors live in `eval/thresholds.toml` as two tables, `[min]` and `[max]`, whose keys are dotted
paths into `report.json` (e.g. ``"answers.grounding.rate" = 1.0``). A missing path fails the
check rather than passing silently, so renaming a metric cannot switch its gate off.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.toml"
BOUNDS = ("min", "max")


class ThresholdsError(ValueError):
    """The thresholds file is missing or malformed."""


@dataclass(frozen=True)
class FloorCheck:
    path: str
    bound: str  # "min": value must be >= limit; "max": value must be <= limit
    limit: float
    value: float | None
    passed: bool


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdsError(f"{path}: cannot read thresholds ({exc})") from exc
    out: dict[str, dict[str, float]] = {}
    for key, table in raw.items():
        if key not in BOUNDS or not isinstance(table, dict):
            raise ThresholdsError(f"{path}: unexpected entry {key!r}; use the tables [min] and [max]")
        for metric, limit in table.items():
            if isinstance(limit, bool) or not isinstance(limit, int | float):
                raise ThresholdsError(f"{path}: [{key}] {metric} must be a number, got {limit!r}")
        out[key] = {metric: float(limit) for metric, limit in table.items()}
    return out


def lookup(result: dict[str, Any], path: str) -> float | None:
    node: Any = result
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def check_floors(result: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[FloorCheck]:
    checks = []
    for bound in BOUNDS:
        for path, limit in thresholds.get(bound, {}).items():
            value = lookup(result, path)
            ok = value is not None and (value >= limit - 1e-12 if bound == "min" else value <= limit + 1e-12)
            checks.append(FloorCheck(path, bound, limit, value, ok))
    return checks

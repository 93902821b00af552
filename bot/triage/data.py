"""Triage data: exemplars, cue phrases and thresholds, loaded from versioned files and validated.

The files live in `bot/data/triage/` (see each file's header for its sources). Loading fails with
`TriageDataError` naming the file and line, so a reviewer's edit that breaks a file is caught at
start, not at the first emergency.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from corpus.datafile import read_toml

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "triage"
EXEMPLARS = DATA_DIR / "exemplars.jsonl"
CUES = DATA_DIR / "cues.toml"
THRESHOLDS = DATA_DIR / "thresholds.toml"
SUICIDE = "suicide_selfharm"
_FIELDS = {"text", "category", "emergency", "source", "group", "form"}
# which regressions a row trains (optional field `component`, absent = "all"): "all" trains the
# emergency classifier (its regression and neighbours) and the suicide component; "suicide" trains
# the suicide component only (bot.triage.model), so wording added for it does not move the
# emergency classifier's neighbourhoods
COMPONENTS = ("all", "suicide")


class TriageDataError(ValueError):
    """A triage data file is missing or malformed."""


@dataclass(frozen=True)
class Exemplar:
    text: str
    category: str
    emergency: bool
    source: str
    group: str  # the hand-written core it comes from (its long forms share the group)
    form: str  # "core", "long" or "wrapper"
    component: str = "all"  # COMPONENTS: what the row trains

    @property
    def trains_emergency(self) -> bool:
        """Whether the row trains the emergency classifier (else the suicide component only)."""
        return self.component == "all"


@dataclass(frozen=True)
class Cues:
    acuity: tuple[re.Pattern[str], ...]
    not_now: tuple[re.Pattern[str], ...]
    red_flag: tuple[re.Pattern[str], ...]
    # present-tense and past-tense markers (closed-class verb forms): the story discount's guard
    # (`cues.story_flags`); optional kinds, () when a file has none (the guard then never fires)
    present: tuple[re.Pattern[str], ...] = ()
    past: tuple[re.Pattern[str], ...] = ()
    # red flags on which not-now cues do not act (a person's own plan, means or time); optional, ()
    red_flag_always: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Thresholds:
    definite: float
    possible: float
    suicide_possible: float
    acuity_weight: float
    not_now_weight: float
    lr_c: float
    neighbours: int
    knn_k: int
    knn_scale: float
    context_words: int  # a clause shorter than this is scored with its neighbour (clauses.units)
    suicide_clause_words: int  # the suicide component also scores clauses this long alone
    story_weight: float  # discount of a clause inside an earlier-told story (cues.story_flags)
    present_level: float  # P(emergency) alone a present-tense clause needs to guard (cues.told_when)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_exemplars(path: Path = EXEMPLARS) -> tuple[Exemplar, ...]:
    out: list[Exemplar] = []
    emergency_of: dict[str, bool] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TriageDataError(f"{path}: cannot read ({exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TriageDataError(f"{path}:{n}: not JSON ({exc})") from exc
        if not isinstance(row, dict) or set(row) - {"component"} != _FIELDS:
            raise TriageDataError(
                f"{path}:{n}: expected exactly the fields {sorted(_FIELDS)} (and optionally 'component')"
            )
        component = row.get("component", "all")
        if component not in COMPONENTS:
            raise TriageDataError(f"{path}:{n}: 'component' must be one of {list(COMPONENTS)}")
        text, category, emergency = row["text"], row["category"], row["emergency"]
        if not (isinstance(text, str) and text.strip() and isinstance(emergency, bool)):
            raise TriageDataError(f"{path}:{n}: empty text or non-boolean 'emergency'")
        if not all(isinstance(row[k], str) and row[k] for k in ("category", "source", "group", "form")):
            raise TriageDataError(f"{path}:{n}: category, source, group and form must be non-empty strings")
        if emergency_of.setdefault(category, emergency) != emergency:
            raise TriageDataError(f"{path}:{n}: category {category!r} is both emergency and not")
        out.append(Exemplar(text, category, emergency, row["source"], row["group"], row["form"], component))
    both = [e.emergency for e in out if e.trains_emergency]
    if not any(both) or all(both):
        raise TriageDataError(f"{path}: needs both emergency and ordinary exemplars training every component")
    if SUICIDE not in emergency_of:
        raise TriageDataError(f"{path}: needs exemplars of the category {SUICIDE!r}")
    return tuple(out)


def _toml(path: Path) -> dict[str, object]:
    return read_toml(path, TriageDataError)


def load_cues(path: Path = CUES) -> Cues:
    raw = _toml(path)
    compiled: dict[str, tuple[re.Pattern[str], ...]] = {}
    for kind in ("acuity", "not_now", "red_flag", "present", "past", "red_flag_always"):
        if kind in ("present", "past", "red_flag_always") and kind not in raw:
            compiled[kind] = ()
            continue
        table = raw.get(kind)
        if (
            not isinstance(table, dict)
            or not isinstance(table.get("patterns"), list)
            or not table.get("source")
        ):
            raise TriageDataError(f"{path}: [{kind}] needs 'patterns' (a list) and 'source'")
        try:
            compiled[kind] = tuple(re.compile(p, re.I) for p in table["patterns"])
        except (re.error, TypeError) as exc:
            raise TriageDataError(f"{path}: [{kind}] bad pattern ({exc})") from exc
    return Cues(
        *(compiled[k] for k in ("acuity", "not_now", "red_flag", "present", "past", "red_flag_always"))
    )


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    raw = _toml(path)
    try:
        t = Thresholds(
            definite=float(raw["definite"]),  # type: ignore[arg-type]
            possible=float(raw["possible"]),  # type: ignore[arg-type]
            suicide_possible=float(raw["suicide_possible"]),  # type: ignore[arg-type]
            acuity_weight=float(raw["acuity_weight"]),  # type: ignore[arg-type]
            not_now_weight=float(raw["not_now_weight"]),  # type: ignore[arg-type]
            lr_c=float(raw["lr_c"]),  # type: ignore[arg-type]
            neighbours=int(raw["neighbours"]),  # type: ignore[call-overload]
            knn_k=int(raw["knn_k"]),  # type: ignore[call-overload]
            knn_scale=float(raw["knn_scale"]),  # type: ignore[arg-type]
            context_words=int(raw["context_words"]),  # type: ignore[call-overload]
            suicide_clause_words=int(raw["suicide_clause_words"]),  # type: ignore[call-overload]
            story_weight=float(raw["story_weight"]),  # type: ignore[arg-type]
            present_level=float(raw.get("present_level", 0.0)),  # type: ignore[arg-type]  # older files: 0
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TriageDataError(f"{path}: missing or non-numeric setting ({exc})") from exc
    if not 0 < t.possible <= t.definite or t.neighbours < 1 or t.lr_c <= 0:
        raise TriageDataError(f"{path}: need 0 < possible <= definite, neighbours >= 1, lr_c > 0")
    return t

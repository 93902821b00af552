"""The triage gate as an index build file (`gate.npz`): settings, training rows, fit, load.

`bot/data/triage/gate.toml` names the settings (features, C, margin) and the training files (the dev
pool, `eval.safety_pool`). `python -m index build` (through `bot.triage.artifact.triage_files`) reads
them, scores every training message with the build's own triage arrays, cues and cuts, keeps those at
`possible` and not exempt (`bot.triage.gate`), and fits the regression and its nested threshold
(`bot.triage.gate_fit`); deterministic (fixed file order, lbfgs). Encoding the ~2,900 messages' units
takes a few minutes with the real model, so the file is copied from the previous build when its key
still matches, and kept in memory for the rest of the process (tests build many indexes).

The key covers the embedder identity, the triage arrays' key, and the SHA-256 of gate.toml, of every
training file, of cues.toml and of thresholds.toml: the gate learnt which `possible` messages the
triage of that moment shows, so any of them changing makes it stale (serving then refuses it and
names the rebuild, like a stale `triage.npz`). The training files' digest is stored in the gate:
the build compares it with the files, serving trusts it (it never needs the eval data). `enabled =
false`: no file, no gate.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.triage import gate as gate_io
from bot.triage.data import CUES, DATA_DIR, THRESHOLDS, TriageDataError, file_sha256
from corpus.datafile import read_toml

GATE = DATA_DIR / "gate.toml"
GATE_FILE = "gate.npz"
ROOT = Path(__file__).resolve().parents[2]  # training paths in gate.toml are relative to the repository
_PARTS = ("best", "whole", "scalars")
# the suicide path: "exempt" (session 9: neither trains nor is lowered), "train" (its messages train
# the regression, never lowered), "own" (trains, and is lowered below its own nested threshold)
_SUICIDE = ("exempt", "train", "own")
_MEMO: dict[str, gate_io.Gate] = {}


@dataclass(frozen=True)
class TrainFile:
    file: str
    kind: str  # "battery" or "questions"
    splits: tuple[str, ...] | None  # None: every row
    fold: bool
    emergencies: bool = True


@dataclass(frozen=True)
class GateSettings:
    enabled: bool
    parts: str  # comma-separated, in `_PARTS` order
    c: float
    margin: float
    train: tuple[TrainFile, ...]
    suicide: str = "exempt"  # the suicide path (`Triager.gate_path`): one of `_SUICIDE`
    suicide_margin: float = 0.0  # "own": log-odds below its lowest out-of-file emergency


@dataclass(frozen=True)
class TrainRow:
    text: str
    emergency: bool
    fold: str  # the file for a fold file, "" for always-training rows


def load_settings(path: Path = GATE) -> GateSettings:
    keys = {"version", "enabled", "parts", "c", "margin", "train", "suicide", "suicide_margin"}
    raw = read_toml(path, TriageDataError, keys=keys, version=1)
    try:
        parts = [str(p) for p in raw["parts"]]
        c, margin, enabled = float(raw["c"]), float(raw["margin"]), raw["enabled"]
        files = tuple(_train_file(t) for t in raw["train"])
        suicide, s_margin = str(raw.get("suicide", "exempt")), float(raw.get("suicide_margin", 0.0))
    except (KeyError, TypeError, ValueError) as exc:
        raise TriageDataError(f"{path}: missing or malformed setting ({exc})") from exc
    if not isinstance(enabled, bool) or not parts or any(p not in _PARTS for p in parts):
        raise TriageDataError(f"{path}: enabled must be true/false, parts a non-empty list of {_PARTS}")
    if c <= 0 or margin < 0 or s_margin < 0 or not any(f.fold for f in files):
        raise TriageDataError(f"{path}: need c > 0, margins >= 0 and at least one fold file")
    if suicide not in _SUICIDE:
        raise TriageDataError(f"{path}: suicide must be one of {_SUICIDE}")
    return GateSettings(
        enabled, ",".join(p for p in _PARTS if p in parts), c, margin, files, suicide, s_margin
    )


def _train_file(t: dict[str, object]) -> TrainFile:
    if set(t) - {"file", "kind", "splits", "fold", "emergencies"} or t["kind"] not in (
        "battery",
        "questions",
    ):
        raise ValueError(f"bad [[train]] entry {t}")
    splits = t.get("splits")
    return TrainFile(
        str(t["file"]),
        str(t["kind"]),
        None if splits is None else tuple(str(s) for s in splits),  # type: ignore[attr-defined]
        bool(t["fold"]),
        bool(t.get("emergencies", True)),
    )


def train_rows(settings: GateSettings, root: Path = ROOT) -> list[TrainRow]:
    """The training messages, in file order; `TriageDataError` when a file is missing or malformed."""
    out: list[TrainRow] = []
    for f in settings.train:
        path = root / f.file
        fold = Path(f.file).stem if f.fold else ""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            for line in filter(str.strip, lines):
                r = json.loads(line)
                split = r.get("split", "heldout" if f.kind == "battery" else None)
                if f.splits is not None and split not in f.splits:
                    continue
                if f.kind == "battery":
                    out.append(TrainRow(r["text"], r["label"] == "emergency", fold))
                elif f.emergencies or r["type"] != "emergency":
                    out.append(TrainRow(r["question"], r["type"] == "emergency", fold))
        except (OSError, ValueError, KeyError) as exc:
            raise TriageDataError(f"{path}: cannot read the gate's training file ({exc})") from exc
    return out


def train_sha(settings: GateSettings, root: Path = ROOT) -> str:
    """One digest of every training file's SHA-256 ("missing" for an absent file)."""
    h = hashlib.sha256()
    for f in settings.train:
        p = root / f.file
        h.update(f"{f.file}\0{file_sha256(p) if p.is_file() else 'missing'}\0".encode())
    return h.hexdigest()


def gate_key(identity: str, triage_key: str, train_digest: str, settings_path: Path = GATE) -> str:
    """The gate's key: embedder, triage arrays, gate.toml, cues.toml, thresholds.toml and the
    training files' digest (stored in the gate, so serving checks the rest without reading them)."""
    h = hashlib.sha256(f"{gate_io.FORMAT}\0{identity}\0{triage_key}\0{train_digest}".encode())
    for p in (settings_path, CUES, THRESHOLDS):
        h.update(b"\0" + file_sha256(p).encode())
    return h.hexdigest()[:32]


def fit_gate(
    triager: object, rows: list[TrainRow], settings: GateSettings, key: str, digest: str = ""
) -> gate_io.Gate:
    """Score `rows` with `triager` (a `bot.triage.Triager` without a gate), then fit the gate."""
    from bot.triage.gate_fit import fit, nested_threshold

    enc = triager.embedder  # type: ignore[attr-defined]
    units = [triager.units(r.text) for r in rows]  # type: ignore[attr-defined]
    unique = training_texts(units)
    by_text = dict(zip(unique, enc.encode(unique), strict=True))
    x, y, folds, sui = [], [], [], []
    with_suicide = settings.suicide != "exempt"
    for row, us in zip(rows, units, strict=True):
        vectors = np.stack([by_text[u] for u in us])
        s = triager.unit_scores(us, vectors, len(triager.scored_units(row.text)))  # type: ignore[attr-defined]
        row_x = triager.gate_features(s, vectors, settings.parts, with_suicide)  # type: ignore[attr-defined]
        if row_x is not None:
            x.append(row_x)
            y.append(row.emergency)
            folds.append(row.fold)
            sui.append(triager.gate_path(s) == "suicide")  # type: ignore[attr-defined]
    xs, ys, on_sui = np.stack(x), np.array(y), np.array(sui, dtype=bool)
    threshold, _ = nested_threshold(xs, ys, folds, settings.c, settings.margin, count=~on_sui)
    s_threshold = 0.0  # "exempt", "train": the suicide path is never lowered
    if settings.suicide == "own":
        s_threshold, _ = nested_threshold(xs, ys, folds, settings.c, settings.suicide_margin, count=on_sui)
    w, b = fit(xs, ys, settings.c)
    return gate_io.Gate(key, w, b, threshold, settings.parts, digest, s_threshold)


def training_texts(units: list[list[str]]) -> list[str]:
    """The distinct unit texts the fit encodes (one batched call), in first-seen order."""
    return list(dict.fromkeys(u for us in units for u in us))


def write_gate(
    work: Path,
    identity: str,
    triager: Callable[[], object],
    triage_key: str,
    previous_build: Path | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> Path | None:
    """`work/gate.npz` (None when the gate is disabled): copied from `previous_build` or this
    process's memory when current, else fitted with `triager()` (called only then)."""
    settings = load_settings()
    if not settings.enabled:
        return None
    digest = train_sha(settings)
    key = gate_key(identity, triage_key, digest)
    out = work / GATE_FILE
    if previous_build is not None and _key_of(previous_build / GATE_FILE) == key:
        shutil.copyfile(previous_build / GATE_FILE, out)
        return out
    if key not in _MEMO:
        rows = train_rows(settings)
        log(f"scoring {len(rows)} triage gate training messages and fitting the gate")
        _MEMO[key] = fit_gate(triager(), rows, settings, key, digest)
    gate_io.save(_MEMO[key], out)
    return out


def _key_of(path: Path) -> str | None:
    try:
        return gate_io.load(path).key
    except (OSError, KeyError, ValueError):
        return None


def gate_current(build: Path | None, identity: str, triage_key: str) -> bool:
    """Whether the build holds the gate today's settings ask for (none when disabled)."""
    settings = load_settings()
    if not settings.enabled:
        return True
    key = gate_key(identity, triage_key, train_sha(settings))
    return build is not None and _key_of(build / GATE_FILE) == key

"""The fitted triage arrays as an index build file (`triage.npz`): written by the build, read by serving.

Why in the build: embedding the ~2,500 exemplars and fitting the regressions takes 30-60 s with
the real model on a busy machine; serving must start in seconds and never embed exemplars. So
`python -m index build` writes `triage.npz` into the new build folder (`write_triage`, called
from `index.build`), where `index.store.write_index` records its size and SHA-256 in
`checksums.json` with the rest of the build. Serving (`load_triage`) checks that SHA-256 and the
file's key, which is derived from

- the embedder identity (the vectors must come from the model that encodes the questions),
- the SHA-256 of `bot/data/triage/exemplars.jsonl` and the fit settings (`lr_c`),

so an edited exemplar file or another model is refused with the action to take (rebuild), like
any other stale index file. Cues and cut-offs are read from their data files at start (cheap),
so tuning them needs no rebuild.

A rebuild whose previous live build already holds a current `triage.npz` copies it instead of
re-embedding (`index build` with unchanged exemplars costs nothing extra).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bot.triage import data as triage_data
from bot.triage import model as model_io
from bot.triage.gate import Gate
from bot.triage.model import TriageModel
from index.embedder import Embedder
from index.manifest import IndexDamaged, IndexMismatch

T = TypeVar("T")

TRIAGE_FILE = "triage.npz"
REBUILD = "rebuild it with `python -m index build`"


def current_key(identity: str) -> str:
    """The key a current `triage.npz` must carry for this embedder identity and today's data files."""
    lr_c = triage_data.load_thresholds(triage_data.THRESHOLDS).lr_c
    return model_io.model_key(identity, triage_data.file_sha256(triage_data.EXEMPLARS), lr_c)


def _key_of(path: Path) -> str | None:
    try:
        return model_io.load(path).key
    except (OSError, KeyError, ValueError):
        return None


def triage_current(build: Path | None, identity: str) -> bool:
    """Whether the build folder holds a readable `triage.npz` with the current key, and the gate
    today's `gate.toml` asks for (`bot.triage.gate_build`)."""
    from bot.triage.gate_build import gate_current

    key = current_key(identity)
    return build is not None and _key_of(build / TRIAGE_FILE) == key and gate_current(build, identity, key)


def write_triage(
    work: Path,
    identity: str,
    embedder: Callable[[], Embedder],
    previous_build: Path | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> Path:
    """`work/triage.npz`: copied from `previous_build` when current there, else embedded (with
    `embedder()`, called only then) and fitted. Returns the path, for `write_index(extra_files=)`."""
    key = current_key(identity)
    out = work / TRIAGE_FILE
    if previous_build is not None and _key_of(previous_build / TRIAGE_FILE) == key:
        shutil.copyfile(previous_build / TRIAGE_FILE, out)
        return out
    exemplars = triage_data.load_exemplars(triage_data.EXEMPLARS)
    lr_c = triage_data.load_thresholds(triage_data.THRESHOLDS).lr_c
    log(f"embedding {len(exemplars)} triage exemplars and fitting the triage model")
    vectors = embedder().encode([e.text for e in exemplars])
    model_io.save(model_io.build_model(vectors, exemplars, lr_c, key), out)
    return out


def triage_files(
    live_build: Path | None,
    work: Path,
    identity: str,
    embedder: Embedder | None,
    model_path: str | Path | None,
    log: Callable[[str], None],
) -> dict[str, Path]:
    """The build's hook (`index.build`): `{TRIAGE_FILE: path}` for `write_index(extra_files=)`;
    the model is loaded only when the live build's file is not current and no embedder is at hand."""

    def model() -> Embedder:
        from index.embedder import load_embedder

        return embedder if embedder is not None else load_embedder(model_path)

    from bot.triage.classifier import Triager
    from bot.triage.gate_build import GATE_FILE, write_gate

    files = {TRIAGE_FILE: write_triage(work, identity, model, live_build, log)}
    triage = model_io.load(files[TRIAGE_FILE])

    def triager() -> Triager:
        cues = triage_data.load_cues(triage_data.CUES)
        return Triager(model(), triage, cues, triage_data.load_thresholds(triage_data.THRESHOLDS))

    gate = write_gate(work, identity, triager, triage.key, live_build, log)
    return files | ({GATE_FILE: gate} if gate is not None else {})


def _recorded_sha256(build: Path, name: str = TRIAGE_FILE) -> str | None:
    from index.store import CHECKSUMS

    try:
        entry = json.loads((build / CHECKSUMS).read_text(encoding="utf-8")).get(name)
    except (OSError, ValueError, AttributeError):
        return None
    return entry[1] if isinstance(entry, list) and len(entry) == 2 else None


def _checked_load(build: Path | None, name: str, what: str, read: Callable[[Path], T]) -> T:
    """`read(build / name)` once the file exists and matches its recorded checksum.

    Raises `IndexMismatch` (missing: an older build) or `IndexDamaged` (checksum or read failure),
    each naming the action."""
    path = build / name if build is not None else None
    if path is None or not path.is_file():
        raise IndexMismatch(f"the index has no {what} ({name}; built by an older version); {REBUILD}")
    recorded = _recorded_sha256(path.parent, name)
    if recorded is None or hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
        raise IndexDamaged(f"{path} does not match its recorded checksum; {REBUILD}")
    try:
        return read(path)
    except (OSError, KeyError, ValueError) as exc:
        raise IndexDamaged(f"{path} cannot be read ({exc}); {REBUILD}") from exc


def load_triage(build: Path | None, identity: str) -> TriageModel:
    """The build's fitted triage arrays, checked (SHA-256 and key); never embeds anything.

    Raises `IndexMismatch` (missing: an older build; or stale: other model or exemplars) or
    `IndexDamaged` (checksum or read failure), each naming the action."""
    model = _checked_load(build, TRIAGE_FILE, "triage arrays", model_io.load)
    if model.key != current_key(identity):
        raise IndexMismatch(
            "the triage exemplars or settings (bot/data/triage/) or the model changed since the index "
            f"was built (stale {TRIAGE_FILE}); {REBUILD}"
        )
    return model


def load_gate(build: Path | None, identity: str, triage_key: str) -> Gate | None:
    """The build's triage gate, checked like `load_triage`; None when `gate.toml` disables it."""
    from bot.triage import gate as gate_io
    from bot.triage.gate_build import GATE_FILE, gate_key, load_settings

    if not load_settings().enabled:
        return None
    gate = _checked_load(build, GATE_FILE, "triage gate", gate_io.load)
    if gate.key != gate_key(identity, triage_key, gate.train_sha):
        raise IndexMismatch(
            "the triage gate's settings or training files, the cues or the cuts (bot/data/triage/) changed "
            f"since the index was built (stale {GATE_FILE}); {REBUILD}"
        )
    return gate

"""Which index build a process serves: the build folder's name and a checksum of its manifest.

Every replica must answer from the same index build, wherever it runs. An index folder's
live build (``CURRENT``) has ``manifest.json`` (model, chunking, corpus hash …) and
``checksums.json`` (size and SHA-256 of every other file). `IndexBuild.digest` is the SHA-256
of those two files, so two folders with the same digest hold byte-identical builds, and
`index_build(..., verify=True)` first checks every file against ``checksums.json``
(`index.store.verify_index`), so the digest also vouches for the vectors and tables.

The ingress is given (or computes, from its own copy) the expected build; a replica whose
build differs refuses to start, and refuses every request, with `BuildMismatch` saying both
builds and what to do (`check_build`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from index.manifest import IndexMismatch
from index.store import CHECKSUMS, current_build, read_manifest, verify_index


class BuildMismatch(IndexMismatch):
    """This replica's index build is not the one the deployment serves."""


@dataclass(frozen=True)
class IndexBuild:
    """A build folder's name (e.g. ``build-20261201T154713-bd5b5f``) and content digest."""

    name: str
    digest: str

    @property
    def short(self) -> str:
        return f"{self.name} (sha256 {self.digest[:12]})"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "digest": self.digest}


def index_build(index_dir: str | Path, *, verify: bool = False) -> IndexBuild:
    """The live build of `index_dir`. `verify`: check every file's checksum first (reads them
    all: seconds for a large index, so done once per replica start, not per request).

    Raises `IndexMissing` / `IndexDamaged` like loading the index would."""
    out = Path(index_dir)
    read_manifest(out)  # a readable manifest, or IndexMissing / IndexDamaged with the fix
    if verify:
        verify_index(out)
    build = current_build(out)
    assert build is not None  # read_manifest succeeded
    sha = hashlib.sha256()
    for name in ("manifest.json", CHECKSUMS):
        path = build / name
        sha.update(name.encode() + b"\0")
        sha.update(path.read_bytes() if path.is_file() else b"")
        sha.update(b"\0")
    return IndexBuild(build.name, sha.hexdigest())


def check_build(expected: str | None, found: IndexBuild, where: str = "this replica") -> None:
    """Raise `BuildMismatch` when `found` is not the `expected` digest (None: nothing expected)."""
    if expected is None or expected == found.digest:
        return
    raise BuildMismatch(
        f"{where} refuses to serve: its index build {found.short} is not the deployment's build "
        f"(sha256 {expected[:12]}); copy the deployment's index folder to every machine "
        "(a rebuild elsewhere is another build: its manifest records when it was built) and redeploy"
    )

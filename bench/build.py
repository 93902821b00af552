"""Build figures: full build, incremental with nothing changed, incremental with one document changed.

All builds go to fresh temporary folders from a private copy of the corpus, so the user's index
is never touched. Three measurements of each kind of build where it matters:

* `python -m index build` subprocess wall time: what `make build` / `make run` costs a user,
  interpreter start and imports included (the model import only when something is embedded);
* in-process `build_index` time (`BuildResult.seconds`), which excludes interpreter start and
  imports already paid by this process;
* for the full build, units (sentences + passages) embedded per second.

One document changed: a sentence is appended to the first document of the copy, and the build
re-embeds only that document's units (the rest are copied from the previous build).
Subprocess builds and in-process builds write to separate index folders (in a shared checkout
the two may run different versions of the segmenter, which would force a rebuild).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.cold import child_env
from bench.stats import median

APPENDED = "\n\nThis sentence was appended by the benchmark to change one document.\n"


def _cli_build(corpus: Path, out: Path) -> tuple[float, str]:
    import subprocess

    cmd = [sys.executable, "-m", "index", "build", "--corpus", str(corpus), "--out", str(out), "--quiet"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), check=False, timeout=900)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"index build failed: {proc.stderr.strip()[-500:]}")
    return dt, proc.stdout.strip()


def run_build(corpus_dir: Path, runs: int = 3, embedder: Any = None, cli: bool = True) -> dict[str, Any]:
    """`embedder`, when given, is used by the in-process builds (an already loaded model, so
    those figures exclude the model load; or a fake one in tests). `cli=False` skips the
    subprocess builds."""
    from index.build import build_index

    factory = (lambda: embedder) if embedder is not None else None
    res: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ldn-bench-build-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus"
        shutil.copytree(corpus_dir, corpus)
        out = tmp / "index"
        if cli:
            wall, line = _cli_build(corpus, out)
            res["full_cli_s"] = wall
            res["full_cli_output"] = line
        inproc = tmp / "index-inproc"
        full = build_index(corpus, inproc, embedder_factory=factory)
        units = full.manifest.counts["sentences"] + full.manifest.counts["passages"]
        res["full_inprocess_s"] = full.seconds
        res["units"] = units
        res["passages"] = full.manifest.counts["passages"]
        res["units_per_s"] = units / full.seconds if full.seconds else float("nan")
        if cli:
            res["passages_per_s_cli"] = res["passages"] / res["full_cli_s"]
        noop_cli, noop_in, noop_ok = [], [], []
        for _ in range(runs):
            if cli:
                noop_cli.append(_cli_build(corpus, out)[0])
            r = build_index(corpus, inproc, embedder_factory=factory)
            noop_ok.append(r.up_to_date)  # False only if the code changed under us (shared checkout)
            noop_in.append(r.seconds)
        res["noop_inprocess_s"] = median(noop_in)
        res["noop_inprocess_up_to_date"] = all(noop_ok)
        if noop_cli:
            res["noop_cli_s"] = median(noop_cli)
            res["noop_cli_runs_s"] = noop_cli
        first = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))[0]
        first.write_text(first.read_text(encoding="utf-8") + APPENDED, encoding="utf-8")
        if cli:
            wall, line = _cli_build(corpus, out)
            res["one_changed_cli_s"] = wall
            res["one_changed_cli_output"] = line
        changed = build_index(corpus, inproc, embedder_factory=factory)
        res["one_changed_inprocess_s"] = changed.seconds
        res["one_changed_embedded"] = changed.embedded
        res["one_changed_reused"] = changed.reused
    return res


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    rows: list[tuple[str, float, str, str, bool | None]] = []
    if "full_cli_s" in res:
        rows.append(("full build (python -m index build)", res["full_cli_s"], "s", "", None))
    rows.append(("full build in-process", res["full_inprocess_s"], "s", "", None))
    rows.append(("units embedded per second (in-process)", res["units_per_s"], "/s", "", None))
    if "noop_cli_s" in res:
        rows.append(
            ("nothing changed: python -m index build", res["noop_cli_s"], "s", "<= 1", res["noop_cli_s"] <= 1)
        )
    rows.append(
        (
            "nothing changed: build_index in-process",
            res["noop_inprocess_s"],
            "s",
            "<= 1",
            res["noop_inprocess_s"] <= 1,
        )
    )
    if "one_changed_cli_s" in res:
        rows.append(("one document changed: python -m index build", res["one_changed_cli_s"], "s", "", None))
    rows.append(("one document changed: in-process", res["one_changed_inprocess_s"], "s", "", None))
    return rows

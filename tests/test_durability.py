"""Durability: feedback clicks are never lost, and a rebuild never disturbs a running engine.

- many threads clicking at once (with readers counting meanwhile): every row stored, ids
  unique, the file in WAL mode with a busy timeout (`bot.feedback`);
- several *processes* writing the same file at once (the process-wide lock does not help
  there; WAL and ``busy_timeout`` must): every row stored;
- a writer killed with SIGKILL: every click it had acknowledged is in the file, and SQLite's
  ``integrity_check`` is ``ok``;
- the like handler of the web chat itself (`on_like`) called from many threads: one row per click;
- a rebuild (new build folder, old one deleted) while an engine keeps answering: its answers do
  not change (everything it needs was read into memory).

Marked ``slow`` (a few seconds): ``.venv/bin/python -m pytest -q tests/test_durability.py``.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot import feedback
from bot.engine import Engine
from index.build import build_index
from index.settings import PROJECT_ROOT, Paths
from index.store import current_build, read_index
from tests.conftest import SEED_CORPUS_DIR, FakeEmbedder

pytestmark = pytest.mark.slow

QUOTES = [{"doc_id": "doc", "start": 0, "end": 10}]


def test_many_threads_clicking_while_others_read(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    threads, per_thread = 16, 15
    stop = threading.Event()
    seen: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            seen.append(feedback.count(db))

    def clicker(k: int) -> None:
        for j in range(per_thread):
            feedback.record(f"user {k} question {j} 💊 <b>", (k + j) % 2 == 0, QUOTES, "answered", path=db)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for r in readers:
        r.start()
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(clicker, range(threads)))
    per_click = (time.monotonic() - t0) / (threads * per_thread)
    stop.set()
    for r in readers:
        r.join()
    rows = feedback.rows(db)
    assert len(rows) == threads * per_thread
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["question"] for r in rows} == {
        f"user {k} question {j} 💊 <b>" for k in range(threads) for j in range(per_thread)
    }
    assert seen == sorted(seen)  # readers never saw rows disappear
    print(f"\n{threads * per_thread} clicks from {threads} threads: {per_click * 1000:.1f} ms per click")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


WRITER = textwrap.dedent(
    """
    import sys
    from bot import feedback

    db, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for j in range(n):
        feedback.record(f"{tag}-{j}", j % 2 == 0, [{"doc_id": "d", "start": 0, "end": 1}], "answered", path=db)
        print(j, flush=True)  # acknowledged: the row is committed
    """
)


def _writer(tmp_path: Path, db: Path, tag: str, n: int) -> subprocess.Popen[str]:
    script = tmp_path / "writer.py"
    if not script.exists():
        script.write_text(WRITER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(db), tag, str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_several_processes_writing_at_once(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    procs = [_writer(tmp_path, db, f"p{k}", 60) for k in range(4)]
    for j in range(60):  # and this process too, at the same time
        feedback.record(f"main-{j}", True, QUOTES, "answered", path=db)
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
    questions = [r["question"] for r in feedback.rows(db)]
    assert len(questions) == 5 * 60 and len(set(questions)) == len(questions)


def test_a_killed_writer_loses_no_acknowledged_click(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    proc = _writer(tmp_path, db, "killed", 100_000)
    assert proc.stdout is not None
    acknowledged = -1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        acknowledged = int(proc.stdout.readline())
        if acknowledged >= 50:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    stored = {r["question"] for r in feedback.rows(db)}
    assert {f"killed-{j}" for j in range(acknowledged + 1)} <= stored
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    feedback.record("after the crash", True, QUOTES, "answered", path=db)  # still writable
    assert feedback.count(db) == len(stored) + 1


def test_the_web_like_handler_stores_every_click_from_many_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gradio as gr

    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv(feedback.ENV_VAR, str(db))
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    from bot.web.holder import EngineHolder
    from bot.web.layout import build_app

    app = build_app(EngineHolder(paths), paths)
    (on_like,) = [f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == "on_like"]
    record = {"question": "Does LDN cause vivid dreams?", "status": "answered", "quotes": QUOTES}
    state: dict[str, Any] = {"previous": None, "replies": {1: record}}

    def click(k: int) -> None:
        for j in range(20):
            liked = (k + j) % 3 != 0
            event = gr.LikeData(target=None, data={"index": [1, 0], "value": "", "liked": liked})  # type: ignore[arg-type]
            on_like(state, event)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(click, range(8)))
    rows = feedback.rows(db)
    assert len(rows) == 8 * 20
    assert sum(r["liked"] for r in rows) == sum((k + j) % 3 != 0 for k in range(8) for j in range(20))
    assert all(r["quotes"] == QUOTES for r in rows)


def test_a_rebuild_does_not_disturb_a_running_engine(seed_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    build_index(seed_corpus, out, embedder_factory=FakeEmbedder)
    old_build = current_build(out)
    engine = Engine(read_index(out), FakeEmbedder())
    questions = ("Does LDN cause vivid dreams?", "What dose of LDN is used?", "Is LDN approved?")
    before = {q: engine.answer(q).to_dict() for q in questions}
    engine._cache.clear()  # answer again from the index data, not from the cache

    target = next(iter(sorted(seed_corpus.glob("*.txt"))))
    target.write_text(target.read_text(encoding="utf-8") + "\nA new closing sentence.\n", encoding="utf-8")
    build_index(seed_corpus, out, embedder_factory=FakeEmbedder)
    assert old_build is not None and not old_build.exists(), "the old build folder was deleted"
    assert {q: engine.answer(q).to_dict() for q in questions} == before

"""Broken sources and indexes: each is reported by name with what to do; nothing indexed is lost.

Already covered elsewhere (not repeated here; listed in RELIABILITY.md): each broken PDF kind on
its own (tests/test_pdf.py), binary/empty/Latin-1 files (tests/test_loaders.py), duplicates
(tests/test_ingest.py), damaged index parts and atomic writes (tests/test_store.py), deletion,
model change and an in-process crash mid-build (tests/test_build.py), CLI errors
(tests/test_index_cli.py, tests/test_bot_cli.py).

Added here:

- every broken kind at once in a real ``python -m index build`` over a good index: each skipped
  file is named on stderr with a reason and a remedy, and every document already indexed keeps
  its text and its vectors (nothing re-embedded);
- a Latin-1 document is indexed and quoted verbatim (accents intact);
- a document deleted between builds: the running program reports the index as stale with the
  command to run; the rebuild drops only that document;
- a truncated FAISS file and a manifest from another model through ``python -m bot ask``: one
  ``error:`` line with the remedy, exit code 2;
- ``kill -9`` of a real ``python -m index build`` subprocess (embedder slowed down by a wrapper
  written to tmp_path), while embedding and while writing: the previous index still loads with
  identical results, CURRENT is whole and unchanged, leftovers are hidden and cleaned by the
  next build; on a first build, the index is simply missing (clear message), never half there;
- a read-only index folder (``mount --bind -o ro`` in a private mount namespace; else
  ``chattr +i``; else skipped): it loads and answers; a build into it fails with a clear
  message and the index is unchanged.

The subprocess tests are marked ``slow`` (a few seconds each):
``.venv/bin/python -m pytest -q tests/test_broken_sources.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import index.build as build_module
from bot.engine import BotSettings, Engine, check_fresh
from index import embedder as embedder_module
from index.build import build_index
from index.manifest import IndexMismatch
from index.settings import PROJECT_ROOT
from index.store import CURRENT, current_build, read_index
from tests.conftest import FakeEmbedder
from tests.pdfmaker import make_blank_pdf, make_encrypted_pdf, make_garbage_pdf, make_truncated_pdf

QUERIES = ("vivid dreams side effect", "how much does it cost", "who studied naltrexone", "café au lait")
PAGE = "Leaflet\nLDN is usually taken once a day at bedtime with a glass of water."


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m index build` and `python -m bot ask` with the fake embedder instead of the model."""
    fake = FakeEmbedder()
    monkeypatch.setattr(build_module, "resolve_model_path", lambda _p=None: Path("/fake-model"))
    monkeypatch.setattr(build_module, "model_identity", lambda _p: fake.identity)
    monkeypatch.setattr(build_module, "model_name", lambda _p: fake.name)
    monkeypatch.setattr(embedder_module, "load_embedder", lambda *_a, **_k: FakeEmbedder())
    monkeypatch.setattr("bot.engine.load_query_embedder", lambda *_a, **_k: FakeEmbedder())


def top_results(out: Path) -> dict[str, list[tuple[str, int, int]]]:
    """The top sentence spans per query, through the real Engine (what a person would see)."""
    engine = Engine(read_index(out), FakeEmbedder())
    result = {}
    for q in QUERIES:
        answer = engine.answer(q)
        result[q] = [(x.doc_id, x.start, x.end) for x in answer.quotes]
    return result


def make_broken_files(folder: Path, tiny: Path) -> dict[str, str]:
    """Every kind of broken source; returns file name -> the words its skip reason must contain."""
    make_truncated_pdf(folder / "truncated.pdf", [PAGE, PAGE])
    make_garbage_pdf(folder / "corrupt.pdf")
    make_encrypted_pdf(folder / "locked.pdf", [PAGE])
    make_blank_pdf(folder / "scanned.pdf", 2)
    (folder / "zero.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "zz-duplicate.txt").write_bytes((tiny / "cost.txt").read_bytes())
    return {
        "truncated.pdf": "corrupt",
        "corrupt.pdf": "corrupt",
        "locked.pdf": "password",
        "scanned.pdf": "no extractable text",
        "zero.txt": "empty file",
        "binary.txt": "binary data",
        "zz-duplicate.txt": "same content as 'cost'",
    }


def test_every_broken_kind_in_one_cli_build_keeps_what_was_indexed(
    tiny_corpus: Path, tmp_path: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from index.__main__ import main

    out = tmp_path / "index"
    assert main(["build", "--corpus", str(tiny_corpus), "--out", str(out), "--quiet"]) == 0
    before, results_before = read_index(out), top_results(out)
    capsys.readouterr()

    expected = make_broken_files(tiny_corpus, tiny_corpus)
    (tiny_corpus / "latin1.txt").write_bytes(
        "Café au lait\n\nLe café au lait est servi chaud.\n".encode("latin-1")
    )
    assert main(["build", "--corpus", str(tiny_corpus), "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    listed = [line.strip()[2:] for line in captured.err.splitlines() if line.strip().startswith("- ")]
    assert len(listed) == len(expected), captured.err
    for name, words in expected.items():
        (reason,) = [r for r in listed if r.startswith(f"{name}:")]
        assert words in reason, reason
    assert f"{len(expected)} file(s) skipped" in captured.err
    assert "reused" in captured.out and "changed: latin1" in captured.out

    after = read_index(out)
    assert set(after.documents) == set(before.documents) | {"latin1"}
    for doc_id, doc in before.documents.items():  # nothing already indexed is lost or changed
        assert after.documents[doc_id].text == doc.text
        assert after.documents[doc_id].content_hash == doc.content_hash
    old_rows = {(s.doc_id, s.start, s.end): before.sentence_vectors[s.sentence_id] for s in before.sentences}
    for s in after.sentences:
        if (s.doc_id, s.start, s.end) in old_rows:
            assert (after.sentence_vectors[s.sentence_id] == old_rows[(s.doc_id, s.start, s.end)]).all()
    skipped_in_manifest = {Path(s["path"]).name for s in after.manifest.skipped}
    assert skipped_in_manifest == set(expected)
    results_after = top_results(out)
    for q in QUERIES[:3]:
        assert results_after[q] == results_before[q]


def test_latin1_document_is_quoted_verbatim(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "Naltrexone en France\n\nLe naltrexone à faible dose est préparé par un pharmacien spécialisé.\n"
    (corpus / "fr.txt").write_bytes(text.encode("latin-1"))
    out = tmp_path / "index"
    build_index(corpus, out, embedder_factory=FakeEmbedder)
    engine = Engine(read_index(out), FakeEmbedder(), BotSettings(min_similarity=0.0))  # any hit is quoted
    answer = engine.answer("Is naltrexone préparé par un pharmacien spécialisé?")
    assert answer.quotes, answer
    quote = answer.quotes[0]
    assert "préparé" in quote.text and quote.text == engine.data.documents["fr"].text[quote.start : quote.end]


def test_document_deleted_between_builds_is_reported_stale_then_dropped(
    tiny_corpus: Path, tmp_path: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main as bot_main

    out = tmp_path / "index"
    build_index(tiny_corpus, out, embedder_factory=FakeEmbedder)
    running = Engine(read_index(out), FakeEmbedder())  # a server that loaded it before the deletion
    (tiny_corpus / "history.txt").unlink()
    with pytest.raises(IndexMismatch, match="python -m index build"):
        check_fresh(running.data, tiny_corpus)
    assert running.answer("Who studied low doses of naltrexone?").quotes  # it keeps serving meanwhile

    code = bot_main(["ask", "--index", str(out), "--corpus", str(tiny_corpus), "--json", "Is LDN safe?"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error:") and "stale" in err[0]

    result = build_index(tiny_corpus, out, embedder_factory=FakeEmbedder)
    assert result.embedded == 0  # the other documents' vectors are reused
    assert set(read_index(out).documents) == {"cost", "dosing"}


def test_truncated_faiss_file_through_the_cli(
    built_index: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main as bot_main

    build = current_build(built_index)
    assert build is not None
    faiss_file = build / "passages.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[: faiss_file.stat().st_size // 3])
    code = bot_main(["ask", "--index", str(built_index), "--no-stale-check", "Does LDN cause vivid dreams?"])
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2 and captured.out == "" and "Traceback" not in captured.err
    assert len(err) == 1 and "FAISS" in err[0] and "rebuild" in err[0]


def test_manifest_from_another_model_through_the_cli(
    built_index: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main as bot_main

    monkeypatch.setattr(
        "bot.engine.load_query_embedder", lambda *_a, **_k: FakeEmbedder(identity="another-model-0001")
    )
    code = bot_main(["ask", "--index", str(built_index), "--no-stale-check", "Is LDN safe?"])
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2 and captured.out == "" and len(err) == 1
    assert "another embedding model" in err[0] and "python -m index build" in err[0]
    build = current_build(built_index)
    assert build is not None
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["model_identity"], manifest["model_name"] = "0" * 32, "some-other-model"
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setattr("bot.engine.load_query_embedder", lambda *_a, **_k: FakeEmbedder())
    assert bot_main(["ask", "--index", str(built_index), "--no-stale-check", "Is LDN safe?"]) == 2
    assert "some-other-model" in capsys.readouterr().err


# -- kill -9 during a real `python -m index build` ----------------------------------------------------

SLOW_BUILD = textwrap.dedent(
    '''
    """`python -m index build` with the fake embedder, slowed down at one point (test helper)."""
    import os
    import runpy
    import sys
    import time
    from pathlib import Path

    import index.build as build
    import index.embedder as embedder
    import index.store as store
    from tests.conftest import FakeEmbedder

    PAUSE = os.environ.get("SLOW_AT", "")


    class SlowEmbedder(FakeEmbedder):
        def encode(self, texts, *, progress=False):
            if PAUSE == "embedding":
                print("PAUSED embedding", flush=True)
                time.sleep(60)
            return super().encode(texts)


    real_save = store.save_faiss


    def slow_save(index, path):
        real_save(index, path)
        if PAUSE == "writing":
            print("PAUSED writing", flush=True)
            time.sleep(60)


    build.resolve_model_path = lambda _p=None: Path("/fake-model")
    build.model_identity = lambda _p: FakeEmbedder().identity
    build.model_name = lambda _p: FakeEmbedder().name
    embedder.load_embedder = lambda *_a, **_k: SlowEmbedder()
    store.save_faiss = slow_save
    sys.argv = ["index", *sys.argv[1:]]
    runpy.run_module("index", run_name="__main__", alter_sys=True)
    '''
)


def run_and_kill(tmp_path: Path, corpus: Path, out: Path, pause: str) -> tuple[int, str]:
    """Start the build, SIGKILL it when it reports the pause; returns (exit code, output)."""
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_BUILD, encoding="utf-8")
    env = {**os.environ, "SLOW_AT": pause, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), "build", "--corpus", str(corpus), "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("PAUSED"):
            proc.send_signal(signal.SIGKILL)
            break
    else:
        proc.kill()
    code = proc.wait(timeout=30)
    return code, "".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("pause", ["embedding", "writing"])
def test_kill_9_during_a_build_keeps_the_previous_index(
    tiny_corpus: Path, tmp_path: Path, pause: str
) -> None:
    out = tmp_path / "index"
    build_index(tiny_corpus, out, embedder_factory=FakeEmbedder)
    build_before = current_build(out)
    pointer_before = (out / CURRENT).read_bytes()
    results_before, manifest_before = top_results(out), read_index(out).manifest

    (tiny_corpus / "dosing.md").write_text(
        (tiny_corpus / "dosing.md").read_text(encoding="utf-8") + "\nNew paragraph about sleep.\n",
        encoding="utf-8",
    )
    code, output = run_and_kill(tmp_path, tiny_corpus, out, pause)
    assert code == -signal.SIGKILL, output
    assert f"PAUSED {pause}" in output

    assert (out / CURRENT).read_bytes() == pointer_before  # no partial CURRENT
    assert current_build(out) == build_before
    assert read_index(out).manifest == manifest_before
    assert top_results(out) == results_before
    assert build_before is not None
    leftovers = {p.name for p in out.iterdir()} - {CURRENT, build_before.name}
    assert all(name.startswith(".") for name in leftovers), leftovers  # hidden, never a live build
    if pause == "writing":
        assert leftovers, "the half-written build was in a hidden temporary folder"

    result = build_index(tiny_corpus, out, embedder_factory=FakeEmbedder)  # the next build recovers
    assert result.changed_documents == ["dosing"]
    live = current_build(out)
    assert live is not None and live != build_before
    assert {p.name for p in out.iterdir()} == {CURRENT, live.name}, "leftovers cleaned up"


@pytest.mark.slow
def test_kill_9_during_a_first_build_leaves_no_half_index(
    tiny_corpus: Path, tmp_path: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main as bot_main

    out = tmp_path / "index"
    code, output = run_and_kill(tmp_path, tiny_corpus, out, "writing")
    assert code == -signal.SIGKILL and "PAUSED writing" in output
    assert not (out / CURRENT).exists()
    assert bot_main(["ask", "--index", str(out), "--no-stale-check", "Is LDN safe?"]) == 2
    err = capsys.readouterr().err
    assert "no index in" in err and "python -m index build" in err


# -- a read-only index folder ---------------------------------------------------------------------------

READ_ONLY_CHECK = textwrap.dedent(
    '''
    """Inside the read-only view of the index: load, answer, try to build (test helper)."""
    import json
    import sys
    from pathlib import Path

    from bot.engine import Engine
    from index.build import build_index
    from index.manifest import IndexProblem
    from index.store import read_index
    from tests.conftest import FakeEmbedder

    corpus, out, queries = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    report = {}
    try:
        (out / "probe").write_text("x")
        report["writable"] = True
    except OSError:
        report["writable"] = False
    engine = Engine(read_index(out), FakeEmbedder())
    report["results"] = {q: [[x.doc_id, x.start, x.end] for x in engine.answer(q).quotes] for q in queries}
    try:
        build_index(corpus, out, embedder_factory=FakeEmbedder)
        report["build"] = "succeeded"
    except IndexProblem as exc:
        report["build"] = f"IndexProblem: {exc}"
    report["after"] = {q: [[x.doc_id, x.start, x.end] for x in Engine(read_index(out), FakeEmbedder()).answer(q).quotes] for q in queries}
    print(json.dumps(report))
    '''
)


def _read_only_runner(out: Path) -> tuple[list[str], str] | None:
    """A command prefix that runs a program with `out` read-only, or None (with why) if impossible."""
    if os.geteuid() != 0:
        return None
    if shutil.which("unshare") and shutil.which("mount"):
        probe = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", f"mount --bind -o ro '{out}' '{out}'"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            shell = f"mount --bind -o ro '{out}' '{out}' && exec \"$0\" \"$@\""
            return ["unshare", "-m", "--propagation", "private", "sh", "-c", shell], "bind mount"
    return None


@pytest.mark.slow
def test_read_only_index_folder_serves_and_refuses_a_build_clearly(tiny_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "index"
    build_index(tiny_corpus, out, embedder_factory=FakeEmbedder)
    before = {q: [list(t) for t in v] for q, v in top_results(out).items()}
    (tiny_corpus / "dosing.md").write_text(
        "Dosing\n\nA changed text about LDN doses at night.\n", encoding="utf-8"
    )
    script = tmp_path / "read_only_check.py"
    script.write_text(READ_ONLY_CHECK, encoding="utf-8")
    args = [sys.executable, str(script), str(tiny_corpus), str(out), json.dumps(list(QUERIES))]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}

    runner = _read_only_runner(out)
    immutable = False
    if runner is not None:
        cmd = [*runner[0], *args]
    elif (
        os.geteuid() == 0
        and shutil.which("chattr")
        and subprocess.run(["chattr", "+i", str(out)], check=False).returncode == 0
    ):
        immutable, cmd = True, args
    else:
        pytest.skip("cannot make a folder read-only for root here (no bind mount, no chattr +i)")
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120, check=False
        )
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(out)], check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["writable"] is False
    assert report["results"] == before  # loads and answers as before
    assert report["build"].startswith("IndexProblem: cannot write the index"), report["build"]
    assert "writable --out" in report["build"] or "previous index is unchanged" in report["build"]
    assert report["after"] == before  # nothing lost
    assert {q: [list(t) for t in v] for q, v in top_results(out).items()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]

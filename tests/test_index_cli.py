"""`python -m index`: one clear `error:` line and exit code 2 for problems a user can fix.

The real model is never loaded here: `index.embedder.load_embedder` is replaced by the fake and
`--model` points at a stand-in model folder (config + weights file), so builds take milliseconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import embedder as embedder_module
from index.__main__ import main
from index.settings import DEFAULT_CORPUS_DIR, DEFAULT_INDEX_DIR, Paths
from tests.conftest import FakeEmbedder


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A stand-in model folder, and `load_embedder` patched to return a counted FakeEmbedder."""
    folder = tmp_path / "stand-in-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden_size": 256}', encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"\x01" * 2048)
    state = {"path": folder, "loads": 0}

    def load_embedder(*_args, **_kwargs):
        state["loads"] += 1
        return FakeEmbedder()

    monkeypatch.setattr(embedder_module, "load_embedder", load_embedder)
    return state


def _one_error_line(err: str, *, only_line: bool = True) -> str:
    """The single `error:` line of stderr (progress lines may come before it unless `only_line`)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], err
    if only_line:
        assert lines == errors, err
    return errors[0]


def test_missing_corpus_returns_2_with_one_error_line(tmp_path: Path, capsys, fake_model):
    code = main(["build", "--corpus", str(tmp_path / "no-such-corpus"), "--out", str(tmp_path / "out")])
    assert code == 2
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert "corpus folder not found" in line and "no-such-corpus" in line
    assert captured.out == ""
    assert not (tmp_path / "out").exists()
    assert fake_model["loads"] == 0


@pytest.mark.parametrize(
    "manifest",
    ['[documents.a\ntitle = "unclosed', "documents = 3\n", "[documents]\na = 3\n", 'x = "\xff"\n'],
    ids=["bad-toml", "documents-not-a-table", "entry-not-a-table", "not-utf8"],
)
def test_malformed_corpus_manifest_returns_2_with_one_error_line(
    tiny_corpus: Path, tmp_path: Path, capsys, fake_model, manifest: str
):
    raw = manifest.encode("latin-1")  # "\xff" stays one invalid UTF-8 byte
    (tiny_corpus / "manifest.toml").write_bytes(raw)
    code = main(["build", "--corpus", str(tiny_corpus), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err, only_line=False)
    assert "manifest.toml" in line


def test_empty_corpus_returns_2(tmp_path: Path, capsys, fake_model):
    (tmp_path / "corpus").mkdir()
    code = main(["build", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    assert "no usable documents" in _one_error_line(capsys.readouterr().err)


def test_corpus_without_quotable_sentences_returns_2(tmp_path: Path, capsys, fake_model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "menu.txt").write_text("Home | Blog | Contact\n\nShare this post\n", encoding="utf-8")
    code = main(
        ["build", "--corpus", str(corpus), "--out", str(tmp_path / "out"), "--model", str(fake_model["path"])]
    )
    assert code == 2
    assert "no quotable sentences" in _one_error_line(capsys.readouterr().err)


def test_missing_model_returns_2(tiny_corpus: Path, tmp_path: Path, capsys):
    code = main(
        [
            "build",
            "--corpus",
            str(tiny_corpus),
            "--out",
            str(tmp_path / "out"),
            "--model",
            str(tmp_path / "nope"),
        ]
    )
    assert code == 2
    assert "model folder not found" in _one_error_line(capsys.readouterr().err)


def test_model_folder_without_weights_returns_2(tiny_corpus: Path, tmp_path: Path, capsys):
    (tmp_path / "empty-model").mkdir()
    code = main(
        [
            "build",
            "--corpus",
            str(tiny_corpus),
            "--out",
            str(tmp_path / "out"),
            "--model",
            str(tmp_path / "empty-model"),
        ]
    )
    assert code == 2
    assert "no model weights" in _one_error_line(capsys.readouterr().err)


def test_unwritable_out_returns_2(tiny_corpus: Path, tmp_path: Path, capsys, fake_model):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    code = main(
        ["build", "--corpus", str(tiny_corpus), "--out", str(blocker), "--model", str(fake_model["path"])]
    )
    assert code == 2
    assert "cannot write the index" in _one_error_line(capsys.readouterr().err, only_line=False)


def test_build_then_up_to_date_then_info(tiny_corpus: Path, tmp_path: Path, capsys, fake_model):
    out = tmp_path / "out"
    args = [
        "build",
        "--corpus",
        str(tiny_corpus),
        "--out",
        str(out),
        "--model",
        str(fake_model["path"]),
        "--quiet",
    ]
    assert main(args) == 0
    first = capsys.readouterr()
    assert first.out.startswith(f"index built: {out} (3 documents,")
    assert "changed: cost, dosing, history" in first.out
    assert "Traceback" not in first.err
    assert fake_model["loads"] == 1

    assert main(args) == 0
    second = capsys.readouterr()
    assert second.out.startswith(f"index up to date: {out} (3 documents,")
    assert fake_model["loads"] == 1, "an up-to-date index never loads the model"

    assert main(["info", "--index", str(out)]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["counts"]["documents"] == 3
    assert manifest["model_name"] == "stand-in-model"


def test_skipped_files_are_listed_on_stderr(tiny_corpus: Path, tmp_path: Path, capsys, fake_model):
    (tiny_corpus / "scan.pdf").write_bytes(b"not a pdf at all")
    (tiny_corpus / "empty.txt").write_bytes(b"")
    code = main(
        [
            "build",
            "--corpus",
            str(tiny_corpus),
            "--out",
            str(tmp_path / "out"),
            "--model",
            str(fake_model["path"]),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "2 file(s) skipped:" in err
    assert "  - empty.txt: empty file" in err
    assert "  - scan.pdf: corrupt or unreadable PDF" in err


def test_info_without_an_index_returns_2(tmp_path: Path, capsys):
    assert main(["info", "--index", str(tmp_path / "none")]) == 2
    assert "no index in" in _one_error_line(capsys.readouterr().err)


def test_damaged_index_info_returns_2(tmp_path: Path, capsys, built_index: Path):
    build = (built_index / "CURRENT").read_text(encoding="utf-8").strip()
    (built_index / build / "manifest.json").write_text("{", encoding="utf-8")
    assert main(["info", "--index", str(built_index)]) == 2
    assert "damaged" in _one_error_line(capsys.readouterr().err)


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_environment_settings_are_used(tiny_corpus: Path, tmp_path: Path, capsys, monkeypatch, fake_model):
    out = tmp_path / "env-out"
    monkeypatch.setenv("LDN_CORPUS_DIR", str(tiny_corpus))
    monkeypatch.setenv("LDN_INDEX_DIR", str(out))
    monkeypatch.setenv("LDN_MODEL_PATH", str(fake_model["path"]))
    assert main(["build", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith(f"index built: {out}")
    assert (out / "CURRENT").is_file()


def test_paths_resolution_order(monkeypatch, tmp_path: Path):
    for name in ("LDN_CORPUS_DIR", "LDN_INDEX_DIR", "LDN_MODEL_PATH"):
        monkeypatch.delenv(name, raising=False)
    defaults = Paths.resolve()
    assert defaults == Paths(DEFAULT_CORPUS_DIR, DEFAULT_INDEX_DIR, None)
    assert DEFAULT_CORPUS_DIR.is_dir()
    monkeypatch.setenv("LDN_CORPUS_DIR", str(tmp_path / "env-corpus"))
    monkeypatch.setenv("LDN_MODEL_PATH", str(tmp_path / "env-model"))
    from_env = Paths.resolve()
    assert from_env.corpus_dir == tmp_path / "env-corpus"
    assert from_env.model_path == str(tmp_path / "env-model")
    flags = Paths.resolve(str(tmp_path / "flag-corpus"), str(tmp_path / "flag-index"), "flag-model")
    assert flags == Paths(tmp_path / "flag-corpus", tmp_path / "flag-index", "flag-model")

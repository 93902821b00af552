"""`python -m bot ask` (bot.__main__.main) with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import messages
from bot.__main__ import main
from tests.conftest import FakeEmbedder
from tests.helpers import ANSWER_KEYS


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.engine.load_query_embedder", lambda *_a, **_k: FakeEmbedder())


def test_ask_json_prints_one_object(built_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["ask", "--index", str(built_index), "--no-stale-check", "--json", "Does LDN cause vivid dreams?"]
    )
    assert code == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == ANSWER_KEYS
    assert obj["question"] == "Does LDN cause vivid dreams?"
    assert obj["advice"] == messages.ADVICE


def test_ask_text_mode(built_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--index", str(built_index), "--no-stale-check", "I", "take", "oxycodone"])
    assert code == 0
    out = capsys.readouterr().out
    assert messages.ADVICE in out
    assert "warning shown first" in out


def test_batch_json(built_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_bytes(
        b"Does LDN help MS?\n"
        b"\n"
        b"   \t\n"
        b"Is LDN safe \xff\xfe with tramadol?\r\n"
        b"\xc3\x28\n"
        b"my kid swallowed my pills\n"
        b"\n"
    )
    code = main(["ask", "--index", str(built_index), "--no-stale-check", "--batch", str(batch), "--json"])
    assert code == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 4
    objs = [json.loads(line) for line in lines]
    assert objs[0]["question"] == "Does LDN help MS?"
    assert objs[1]["question"].startswith("Is LDN safe") and "tramadol" in objs[1]["question"]
    assert "\ufffd" in objs[1]["question"]
    assert objs[1]["quotes"][0]["doc_id"]
    assert objs[2]["status"] == "invalid"
    assert objs[3]["triage"] in ("definite", "possible")  # the fake embedder's triage may be either
    assert objs[3]["status"] != "emergency" or objs[3]["quotes"] == []
    assert all(o["advice"] == messages.ADVICE for o in objs)


def test_missing_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--index", str(tmp_path / "nope"), "--no-stale-check", "--json", "Is LDN safe?"])
    assert code == 2
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("error:")
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_missing_batch_file(built_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--index", str(built_index), "--batch", str(tmp_path / "none.txt")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")

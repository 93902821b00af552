"""`bot.scale` without Ray: settings, index build digests, the replica core, the ingress API.

The Ray Serve deployment itself (two replicas, a killed replica, PostgreSQL under 64 users)
is in `tests/test_scale_ray.py` (marked slow).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from bot import feedback, messages
from bot.scale import api
from bot.scale.build import BuildMismatch, check_build, index_build
from bot.scale.replica import AnswerReplica, resolve_loader
from bot.scale.settings import ScaleSettings, SettingsError
from index.build import build_index
from tests.conftest import SEED_CORPUS_DIR, FakeEmbedder
from tests.scale_support import FAKE_LOADER, fake_engine

SERVE_YAML = Path(__file__).resolve().parent.parent / "bot" / "scale" / "serve.yaml"
QUESTIONS = ["Does LDN cause vivid dreams?", "What dose is used?", "", "Can I take it with opioids?"]


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale") / "index"
    build_index(SEED_CORPUS_DIR, out, embedder_factory=lambda: FakeEmbedder())
    return out


@pytest.fixture(autouse=True)
def _closed_stores() -> Iterator[None]:
    yield
    feedback.close_stores()


# -- settings ----------------------------------------------------------------------------------
def test_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LDN_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("LDN_FEEDBACK_URL", "postgresql://db/ldn")
    s = ScaleSettings.from_args({})
    assert s.index == str((tmp_path / "idx").resolve()) and s.feedback == "postgresql://db/ldn"
    assert s.replicas == 2 and s.autoscaling() is None


def test_settings_autoscaling_bounds() -> None:
    s = ScaleSettings.from_args({"min_replicas": "1", "max_replicas": 4, "target_ongoing_requests": 2})
    assert s.autoscaling() == {
        "min_replicas": 1, "initial_replicas": 2, "max_replicas": 4, "target_ongoing_requests": 2.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"replicaz": 2}, "unknown setting"),
        ({"replicas": 0}, ">= 1"),
        ({"replicas": 1.5}, "whole number"),
        ({"replicas": "many"}, "must be a number"),
        ({"min_replicas": 1}, "give both"),
        ({"min_replicas": 3, "max_replicas": 2}, "min_replicas <= max_replicas"),
    ],
)
def test_bad_settings_are_refused_by_name(args: dict[str, Any], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        ScaleSettings.from_args(args)


def test_the_serve_run_config_file_is_valid() -> None:
    config = yaml.safe_load(SERVE_YAML.read_text(encoding="utf-8"))
    (app,) = config["applications"]
    assert app["import_path"] == "bot.scale.deploy:build_app"
    assert config["http_options"]["host"] == "127.0.0.1"
    settings = ScaleSettings.from_args(app["args"])
    assert settings.replicas == 2 and Path(settings.index).is_absolute()


def test_cli_refuses_bad_settings_before_starting_ray(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    assert main(["scale", "--min-replicas", "2"]) == 2
    assert "error: give both min_replicas and max_replicas" in capsys.readouterr().err


# -- index builds ------------------------------------------------------------------------------
def test_build_digest_is_stable_and_differs_for_another_build(
    fake_index: Path, tiny_corpus: Path, tmp_path: Path
) -> None:
    first = index_build(fake_index, verify=True)
    assert first == index_build(fake_index) and first.name.startswith("build-")
    other = tmp_path / "other"
    build_index(tiny_corpus, other, embedder_factory=lambda: FakeEmbedder())
    assert index_build(other).digest != first.digest
    check_build(first.digest, first)
    check_build(None, first)
    with pytest.raises(BuildMismatch, match=r"refuses to serve.*is not the deployment's build"):
        check_build(index_build(other).digest, first)


def test_a_damaged_build_is_refused(fake_index: Path, tmp_path: Path) -> None:
    import shutil

    from index.manifest import IndexDamaged
    from index.store import current_build

    copy = tmp_path / "copy"
    shutil.copytree(fake_index, copy)
    build = current_build(copy)
    assert build is not None
    (build / "sentences.jsonl").write_text("tampered\n", encoding="utf-8")
    assert index_build(copy).digest == index_build(fake_index).digest  # same manifest ...
    with pytest.raises(IndexDamaged):
        index_build(copy, verify=True)  # ... but the files do not match it


# -- the replica core --------------------------------------------------------------------------
def test_replica_answers_the_same_json_as_the_engine(fake_index: Path) -> None:
    build = index_build(fake_index)
    replica = AnswerReplica(fake_index, expected=build.digest, loader=FAKE_LOADER)
    replies = replica.answer_many(QUESTIONS, build.digest)
    engine = fake_engine(replica.paths)
    assert [r.answer for r in replies] == [engine.answer(q).to_dict() for q in QUESTIONS]
    assert replies[0].answer["status"] == "answered" and replies[0].build == build.digest
    assert json.loads(json.dumps(replies[0].answer)) == replies[0].answer  # plain JSON


def test_replica_with_another_build_refuses_to_start(fake_index: Path) -> None:
    with pytest.raises(BuildMismatch, match="refuses to serve"):
        AnswerReplica(fake_index, expected="0" * 64, loader=FAKE_LOADER)


def test_replica_refuses_a_request_for_another_build(fake_index: Path) -> None:
    replica = AnswerReplica(fake_index, loader=FAKE_LOADER)
    with pytest.raises(BuildMismatch, match="sha256 000000000000"):
        replica.answer_many(["q"], "0" * 64)


def test_loader_spec_must_name_a_function() -> None:
    assert resolve_loader(FAKE_LOADER) is fake_engine
    with pytest.raises(ValueError, match="module:function"):
        resolve_loader("tests.scale_support:nothing_here")


# -- the ingress API (what Ray serves), with a plain async answerer --------------------------------
def _client(fake_index: Path, db: Path, fail: str | None = None) -> TestClient:
    engine = fake_engine(AnswerReplica(fake_index, loader=FAKE_LOADER).paths)

    async def answer(question: str) -> dict[str, Any]:
        if fail:
            raise api.Unavailable(fail)
        return engine.answer(question).to_dict()

    async def health() -> dict[str, Any]:
        return {"status": "ready"}

    return TestClient(api.create_app(answer, health, str(db)))


def test_api_ask_returns_the_cli_json(fake_index: Path, tmp_path: Path) -> None:
    client = _client(fake_index, tmp_path / "fb.sqlite3")
    engine = fake_engine(AnswerReplica(fake_index, loader=FAKE_LOADER).paths)
    reply = client.post("/api/ask", json={"question": QUESTIONS[0]})
    assert reply.status_code == 200 and reply.json() == engine.answer(QUESTIONS[0]).to_dict()
    assert client.post("/api/ask", content=b"not json").status_code == 422
    assert client.post("/api/ask", json={"question": 3}).status_code == 422
    assert client.get("/api/health").json() == {"status": "ready"}


def test_api_says_unavailable_with_the_reason(fake_index: Path, tmp_path: Path) -> None:
    client = _client(fake_index, tmp_path / "fb.sqlite3", fail="the build differs")
    reply = client.post("/api/ask", json={"question": "q"})
    assert reply.status_code == 503
    body = reply.json()
    assert body["status"] == "unavailable" and body["quotes"] == [] and body["advice"] == messages.ADVICE
    assert body["message"] == messages.UNAVAILABLE.format(detail="the build differs")


def test_api_feedback_click_reason_and_unclick(fake_index: Path, tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    client = _client(fake_index, db)
    spans = [{"doc_id": "d", "start": 1, "end": 5}]
    click = {"question": "q", "liked": False, "quotes": spans, "status": "answered"}
    row_id = client.post("/api/feedback", json=click).json()["id"]
    reason = client.post(f"/api/feedback/{row_id}/reason", json={"reason": "other", "comment": " hm "})
    assert reason.json() == {"updated": True}
    assert client.post(f"/api/feedback/{row_id}/reason", json={"reason": "bad"}).status_code == 422
    (row,) = feedback.rows(db)
    assert (row["id"], row["quotes"], row["reason"], row["comment"]) == (row_id, spans, "other", "hm")
    assert client.delete(f"/api/feedback/{row_id}").json() == {"removed": True}
    assert client.delete(f"/api/feedback/{row_id}").status_code == 404
    assert feedback.count(db) == 0
    assert client.post("/api/feedback", json={"question": "q"}).status_code == 422

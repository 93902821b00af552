"""The web chat's `/ask` API and start-up behaviour, over HTTP with `gradio_client`.

Tests marked `model` start the real app with a real `Engine` on an index built (once per
session) into a temporary folder; the others use a stand-in engine loader, so they are fast.
The client is told not to download files or send telemetry (everything stays on 127.0.0.1).
"""

from __future__ import annotations

import os
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bot import messages, web
from bot.models import Answer, Status
from bot.question import MAX_CHARS
from index.settings import Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import build_web_index, client_for, running_app

KEYS = {"status", "question", "message", "quotes", "caveats", "advice"}
QUOTE_KEYS = {"doc_id", "title", "source", "page", "start", "end", "text", "score", "evidence", "pinned"}


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_index(tmp_path_factory)


@pytest.fixture(scope="module")
def live(web_index: Path) -> Iterator[tuple[str, web.EngineHolder]]:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=web_index, model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(180), "the engine did not load"
        holder.get()  # raises if loading failed
        yield url, holder


# -- real engine -------------------------------------------------------------------------------


@pytest.mark.model
def test_ask_returns_the_same_json_as_the_cli(live: tuple[str, web.EngineHolder]) -> None:
    url, holder = live
    question = "Does LDN cause vivid dreams?"
    result = client_for(url).predict(question, api_name="/ask")
    assert isinstance(result, dict) and set(result) == KEYS
    assert result["status"] == "answered"
    assert result["advice"] == messages.ADVICE
    assert result["quotes"] and all(set(q) == QUOTE_KEYS for q in result["quotes"])
    assert any("dream" in q["text"].lower() for q in result["quotes"])
    assert result == holder.get().answer(question).to_dict()  # what `python -m bot ask --json` prints


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "status", "message"),
    [
        ("I took too many pills", "emergency", messages.EMERGENCY),
        ("", "invalid", messages.INVALID_EMPTY),
        ("x" * (MAX_CHARS + 50), "invalid", messages.INVALID_TOO_LONG.format(limit=f"{MAX_CHARS:,}")),
    ],
    ids=["emergency", "empty", "too_long"],
)
def test_ask_fixed_statuses(
    live: tuple[str, web.EngineHolder], question: str, status: str, message: str
) -> None:
    result = client_for(live[0]).predict(question, api_name="/ask")
    assert set(result) == KEYS
    assert (result["status"], result["message"], result["quotes"]) == (status, message, [])
    assert result["advice"] == messages.ADVICE


# -- stand-in engines: start-up and failures ------------------------------------------------------


class _FakeEngine:
    def answer(self, question: object) -> Answer:
        return Answer(Status.NO_ANSWER, str(question), messages.NO_ANSWER, (), (), messages.ADVICE)


def test_page_is_up_at_once_and_ask_says_starting_while_the_engine_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "API_WAIT_SECONDS", 0.3)
    release = threading.Event()

    def slow_loader(_paths: Paths) -> _FakeEngine:
        release.wait(60)
        return _FakeEngine()

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    t0 = time.monotonic()
    with running_app(paths, slow_loader) as (url, holder):
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode("utf-8")
        assert time.monotonic() - t0 < 10  # launched before (and independently of) the engine
        assert response.status == 200 and "Low-dose naltrexone" in page
        client = client_for(url)
        waiting = client.predict("Does LDN cause vivid dreams?", api_name="/ask")
        assert set(waiting) == KEYS
        assert (waiting["status"], waiting["message"]) == (web.UNAVAILABLE, messages.STARTING)
        assert waiting["advice"] == messages.ADVICE
        release.set()
        assert holder.wait(10)
        ready = client.predict("Does LDN cause vivid dreams?", api_name="/ask")
        assert ready["status"] == "no_answer" and ready["question"] == "Does LDN cause vivid dreams?"


def test_missing_index_is_reported_not_crashed(tmp_path: Path) -> None:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "no_index_here", model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(120)
        result = client_for(url).predict("Does LDN cause vivid dreams?", api_name="/ask")
        assert set(result) == KEYS and result["status"] == web.UNAVAILABLE
        assert "no_index_here" in result["message"] or "index" in result["message"].lower()
        assert result["advice"] == messages.ADVICE
        with urllib.request.urlopen(url, timeout=10) as response:  # the server is still up
            assert response.status == 200


def test_hardened_launch_options() -> None:
    options = web.launch_options()
    assert options["server_name"] == "127.0.0.1"
    assert options["share"] is False and options["show_error"] is False
    assert options["allowed_paths"] == [] and options["enable_monitoring"] is False
    assert options["mcp_server"] is False and options["run_history"] is False
    assert options["max_file_size"] == "1mb"
    assert "ldn-quote" in options["css"]  # the style sheet is packaged and read
    assert web.launch_options(host="0.0.0.0")["server_name"] == "0.0.0.0"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_app_has_no_upload_component_and_a_stable_ask_endpoint(tmp_path: Path) -> None:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "x", model_path=None)
    app = web.build_app(lambda: _FakeEngine(), paths)  # type: ignore[arg-type, return-value]
    config = app.get_config_file()
    kinds = {c.get("type") for c in config["components"]}
    assert not kinds & {"file", "uploadbutton", "image", "audio", "video", "multimodaltextbox", "gallery"}
    assert config.get("analytics_enabled") is False
    names = {
        d.get("api_name") for d in config["dependencies"] if d.get("api_visibility", "public") == "public"
    }
    assert names == {"ask"}
    textbox = next(c for c in config["components"] if c.get("type") == "textbox")
    assert textbox["props"]["max_length"] == MAX_CHARS

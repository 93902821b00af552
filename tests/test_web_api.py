"""The chat's Gradio `/ask` API and start-up behaviour, over HTTP with `gradio_client`.

Tests marked `model` start the real app with a real `Engine` on an index built (once per
session) into a temporary folder; the others use a stand-in engine loader, so they are fast.
The client is told not to download files or send telemetry (everything stays on 127.0.0.1).
The plain JSON API (`/api/*`) is tested in tests/test_web_json_api.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.models import Answer, Status
from bot.question import MAX_CHARS
from bot.web.holder import UNAVAILABLE, EngineHolder, EngineState
from index.settings import PROJECT_ROOT, Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import ANSWER_KEYS, QUOTE_KEYS, build_web_index, client_for, running_app

KEYS = ANSWER_KEYS


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_index(tmp_path_factory)


@pytest.fixture(scope="module")
def live(web_index: Path) -> Iterator[tuple[str, EngineHolder]]:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=web_index, model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(180), "the engine did not load"
        holder.get()  # raises if loading failed
        yield url, holder


# -- real engine -------------------------------------------------------------------------------


@pytest.mark.model
def test_ask_returns_the_same_json_as_the_cli(live: tuple[str, EngineHolder]) -> None:
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
        ("My husband collapsed and is not breathing", "emergency", messages.EMERGENCY),
        ("", "invalid", messages.INVALID_EMPTY),
        ("x" * (MAX_CHARS + 50), "invalid", messages.INVALID_TOO_LONG.format(limit=f"{MAX_CHARS:,}")),
    ],
    ids=["emergency", "empty", "too_long"],
)
def test_ask_fixed_statuses(live: tuple[str, EngineHolder], question: str, status: str, message: str) -> None:
    result = client_for(live[0]).predict(question, api_name="/ask")
    assert set(result) == KEYS
    assert (result["status"], result["message"], result["quotes"]) == (status, message, [])
    assert result["advice"] == messages.ADVICE


@pytest.mark.model
def test_a_possible_emergency_gets_the_guidance_and_its_answer(live: tuple[str, EngineHolder]) -> None:
    result = client_for(live[0]).predict("I took too many pills", api_name="/ask")
    assert set(result) == KEYS and result["triage"] in ("possible", "definite")
    assert result["triage_categories"]
    if result["triage"] == "possible":  # the normal answer is not withheld
        assert result["status"] in ("answered", "no_answer")


# -- stand-in engines: start-up and failures ------------------------------------------------------


class _FakeEngine:
    def answer(self, question: object) -> Answer:
        return Answer(Status.NO_ANSWER, str(question), messages.NO_ANSWER, (), (), messages.ADVICE)


def test_a_question_asked_while_the_engine_loads_is_held_and_answered(tmp_path: Path) -> None:
    release = threading.Event()

    def slow_loader(_paths: Paths) -> _FakeEngine:
        release.wait(60)
        return _FakeEngine()

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    with running_app(paths, slow_loader, wait_for_chat=False) as (url, holder):
        with urllib.request.urlopen(url, timeout=10) as response:  # served while the engine loads
            page = response.read().decode("utf-8")
        assert response.status == 200 and "Low-dose naltrexone" in page
        assert holder.state is EngineState.LOADING
        replies: list[Any] = []
        asking = threading.Thread(
            target=lambda: replies.append(
                client_for(url).predict("Does LDN cause vivid dreams?", api_name="/ask")
            )
        )
        asking.start()
        asking.join(0.5)
        assert replies == [] and holder.state is EngineState.LOADING  # held, not refused
        release.set()
        asking.join(60)
        (ready,) = replies
        assert set(ready) == KEYS
        assert ready["status"] == "no_answer" and ready["question"] == "Does LDN cause vivid dreams?"
        assert ready["advice"] == messages.ADVICE


def test_missing_index_is_reported_not_crashed(tmp_path: Path) -> None:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "no_index_here", model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(120)
        result = client_for(url).predict("Does LDN cause vivid dreams?", api_name="/ask")
        assert set(result) == KEYS and result["status"] == UNAVAILABLE
        assert "no_index_here" in result["message"] or "index" in result["message"].lower()
        assert result["advice"] == messages.ADVICE
        with urllib.request.urlopen(url, timeout=10) as response:  # the server is still up
            assert response.status == 200


def test_hardened_mount_options() -> None:
    from bot.web.layout import mount_options

    options = mount_options()
    assert options["show_error"] is False and options["allowed_paths"] == []
    assert options["enable_monitoring"] is False and options["ssr_mode"] is False
    assert options["mcp_server"] is False and options["run_history"] is False
    assert options["max_file_size"] == "1mb" and options["footer_links"] == []
    assert "ldn-quote" in options["css"]  # the style sheet is packaged and read


def test_importing_the_web_modules_sets_no_environment_and_imports_no_gradio() -> None:
    code = (
        "import os, sys; before = dict(os.environ);"
        "import bot.web.server, bot.web.api, bot.web.boot, bot.web.holder, bot.web.guard;"
        "print(dict(os.environ) == before, 'gradio' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.split() == ["True", "False"], done.stderr[-2000:]
    assert subprocess.run(
        [sys.executable, "-c", "import os, bot.web.layout; print(os.environ.get('GRADIO_ANALYTICS_ENABLED'))"],
        capture_output=True, text=True, env=env, timeout=120,
    ).stdout.split() == ["None"]  # fmt: skip


class _Ready:
    state = EngineState.READY

    def answer(self, question: str) -> Any:
        return _FakeEngine().answer(question)


def test_app_has_no_upload_component_and_a_stable_ask_endpoint(tmp_path: Path) -> None:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "x", model_path=None)
    from bot.web.layout import build_app

    app = build_app(_Ready(), paths)
    config = app.get_config_file()
    kinds = {c.get("type") for c in config["components"]}
    assert not kinds & {"file", "uploadbutton", "image", "audio", "video", "multimodaltextbox", "gallery"}
    assert config.get("analytics_enabled") is False
    names = {
        d.get("api_name") for d in config["dependencies"] if d.get("api_visibility", "public") == "public"
    }
    assert names == {"ask"}
    textbox = next(
        c
        for c in config["components"]
        if c.get("type") == "textbox" and c["props"].get("elem_id") == "ldn-question"
    )
    assert textbox["props"]["max_length"] == MAX_CHARS

"""The plain JSON API (`bot.web.api`) over real HTTP on 127.0.0.1 (fast: fake-embedder engine).

`POST /api/ask` gives what `python -m bot ask --json` prints (`Answer.to_dict()`), for every
kind of reply; a question asked while the engine loads is held and then answered; a full
queue answers 503 "busy" while the engine is blocked; `/api/health` and `/api/sources` say
what is served; the OpenAPI schema lists the three routes with their models.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.models import Answer, Status
from bot.question import MAX_CHARS
from bot.web.guard import WebSettings
from bot.web.holder import UNAVAILABLE, EngineState
from index.settings import Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import ANSWER_KEYS, fake_engine_loader, http, post_json, running_app

KEYS = ANSWER_KEYS


@pytest.fixture(scope="module")
def api(fake_index: Path) -> Iterator[tuple[str, Any]]:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=fake_index, model_path=None)
    with running_app(paths, fake_engine_loader(fake_index)) as (url, holder):
        yield url, holder.get(timeout=60)


def ask(url: str, question: Any, timeout: float = 60) -> tuple[int, Any]:
    return post_json(url + "api/ask", {"question": question}, timeout)


@pytest.mark.parametrize(
    "question",
    [
        "Does LDN cause vivid dreams?",
        "Can I take LDN with opioid painkillers?",
        "I took too many pills",
        "",
        "x" * (MAX_CHARS + 50),
        "What is the capital of France?",
    ],
    ids=["answered", "pinned", "emergency", "empty", "too_long", "off_topic"],
)
def test_ask_gives_the_cli_json(api: tuple[str, Any], question: str) -> None:
    url, engine = api
    status, body = ask(url, question)
    assert status == 200
    expected = engine.answer(question[: MAX_CHARS + 1]).to_dict()
    assert body == json.loads(json.dumps(expected))  # what `python -m bot ask --json` prints
    assert set(body) >= KEYS and body["advice"] == messages.ADVICE


def test_ask_replaces_lone_surrogates_and_caps_a_megabyte(api: tuple[str, Any]) -> None:
    url, _ = api
    status, body = ask(url, "Does LDN \ud800 cause vivid dreams?")
    assert status == 200 and "\ud800" not in body["question"] and body["advice"] == messages.ADVICE
    status, body = ask(url, "Does LDN help? " * (1_000_000 // 15))
    too_long = messages.INVALID_TOO_LONG.format(limit=f"{MAX_CHARS:,}")
    assert (status, body["status"], body["message"]) == (200, "invalid", too_long)
    assert len(body["question"]) <= MAX_CHARS + 1


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"question": 3}', b"{}"])
def test_ask_refuses_a_body_without_a_question(api: tuple[str, Any], payload: bytes) -> None:
    status, body = http(api[0] + "api/ask", payload, {"Content-Type": "application/json"})
    assert status == 422 and b"Traceback" not in body


def test_health_and_sources_describe_what_is_served(api: tuple[str, Any], fake_index: Path) -> None:
    from index.store import current_build

    url, engine = api
    status, body = http(url + "api/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ready" and health["detail"] is None
    build = current_build(fake_index)
    assert build is not None and health["index_build"] == build.name
    status, body = http(url + "api/sources")
    documents = json.loads(body)["documents"]
    assert status == 200 and [d["id"] for d in documents] == sorted(engine.data.documents)
    for d in documents:
        meta = engine.data.documents[d["id"]].meta
        assert (d["title"], d["publisher"], d["date"]) == (meta.title, meta.publisher, meta.date)


def test_openapi_schema_lists_the_routes_and_no_docs_page(api: tuple[str, Any]) -> None:
    url, _ = api
    status, body = http(url + "api/openapi.json")
    schema = json.loads(body)
    assert status == 200 and set(schema["paths"]) == {"/api/ask", "/api/health", "/api/sources"}
    answer = schema["components"]["schemas"]["AnswerOut"]
    assert set(answer["required"]) == KEYS
    assert "question" in json.dumps(schema["paths"]["/api/ask"]["post"]["requestBody"])
    for page in ("docs", "redoc", "api/docs"):
        assert http(url + page)[0] in (404, 503), page


class _Blocked:
    """An engine that answers only when released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked = 0

    def answer(self, question: object) -> Answer:
        self.asked += 1
        self.release.wait(60)
        return Answer(Status.NO_ANSWER, str(question), messages.NO_ANSWER, (), (), messages.ADVICE)


def test_a_question_asked_while_loading_is_held_then_answered(tmp_path: Path) -> None:
    release, engine = threading.Event(), _Blocked()
    engine.release.set()

    def slow_loader(_paths: Paths) -> _Blocked:
        release.wait(60)
        return engine

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    with running_app(paths, slow_loader, wait_for_chat=False) as (url, holder):
        assert json.loads(http(url + "api/health")[1])["status"] == "loading"
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(ask, url, "Does LDN cause vivid dreams?")
            assert not pending.done() and engine.asked == 0 and holder.state is EngineState.LOADING
            release.set()
            status, body = pending.result(timeout=60)
        assert (status, body["status"], body["question"]) == (
            200,
            "no_answer",
            "Does LDN cause vivid dreams?",
        )
        assert json.loads(http(url + "api/health")[1])["status"] == "ready"


def test_a_full_queue_answers_busy_while_the_engine_is_blocked(tmp_path: Path) -> None:
    engine = _Blocked()
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    tiny = WebSettings(queue_max_size=1, concurrency=1)
    with running_app(paths, lambda _p: engine, tiny) as (url, holder):
        holder.get(timeout=10)
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = [pool.submit(ask, url, f"question {k}") for k in range(2)]  # 1 answered + 1 waiting
            for _ in range(600):
                if json.loads(http(url + "api/health")[1])["in_flight"] == 2:
                    break
                threading.Event().wait(0.05)
            status, body = ask(url, "one too many")
            assert status == 503 and (body["status"], body["message"]) == (UNAVAILABLE, messages.BUSY)
            assert body["advice"] == messages.ADVICE
            engine.release.set()
            assert [f.result(timeout=60)[0] for f in first] == [200, 200]
        assert ask(url, "after")[0] == 200


def test_a_failed_load_is_reported_with_its_reason(tmp_path: Path) -> None:
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "no_index_here", model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(120)
        health = json.loads(http(url + "api/health")[1])
        assert health["status"] == "failed" and "no_index_here" in health["detail"]
        status, body = ask(url, "Does LDN help?")
        assert status == 200 and body["status"] == UNAVAILABLE and "no_index_here" in body["message"]
        assert http(url + "api/sources")[0] == 503

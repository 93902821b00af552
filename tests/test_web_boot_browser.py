"""A question typed as soon as the page shows is answered without typing it again (real Chromium).

The server is started with both the engine and the chat page held back (each waits for an
event), so the browser deterministically gets the light boot page first (`bot.web.boot`). The
question is typed there; then the chat and the engine are released, and the page must switch to
the chat by itself and show the question with its answer. A second case types into the chat page
itself while the engine is still loading: the "loading the sources…" notice shows, then the
answer replaces it. Fast: the fake-embedder engine.

Needs the Debian Chromium at /usr/bin/chromium (skipped without it, failed under CI=true).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.web import server
from bot.web.guard import WebSettings
from bot.web.holder import EngineHolder
from index.settings import Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import ARGS, CHROMIUM, WAIT_MS, fake_engine_loader, free_port, need_chromium

pytestmark = pytest.mark.browser
QUESTION = "Does LDN cause vivid dreams?"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def _held_server(fake_index: Path, chat_gate: threading.Event, engine_gate: threading.Event) -> Any:
    load = fake_engine_loader(fake_index)

    def slow_engine(paths: Paths) -> Any:
        engine_gate.wait(60)
        return load(paths)

    def slow_chat(holder: EngineHolder, paths: Paths, settings: WebSettings) -> Any:
        chat_gate.wait(60)
        return server.default_chat(holder, paths, settings)

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=fake_index, model_path=None)
    settings = WebSettings(engine_first_seconds=0)  # build the chat while the engine still loads
    return server.start(
        paths, "127.0.0.1", free_port(), loader=slow_engine, chat=slow_chat, settings=settings
    )


def _last_reply(page: Any) -> Any:
    page.wait_for_function(
        "document.querySelectorAll('#ldn-chat .ldn-reply .ldn-advice').length > 0", timeout=WAIT_MS
    )
    return page.locator("#ldn-chat .ldn-reply").last


def test_a_question_typed_on_the_boot_page_is_answered_in_the_chat(browser: Any, fake_index: Path) -> None:
    chat_gate, engine_gate = threading.Event(), threading.Event()
    running = _held_server(fake_index, chat_gate, engine_gate)
    try:
        page = browser.new_page()
        page.goto(running.url, wait_until="domcontentloaded")
        assert messages.LOADING in page.inner_text("#ldn-boot-status")  # the visible loading state
        box = page.locator("#ldn-boot-question")
        box.fill(QUESTION)
        box.press("Enter")
        assert QUESTION in page.inner_text("#ldn-boot-asked")  # kept, shown as asked
        chat_gate.set()
        engine_gate.set()
        reply = _last_reply(page)  # the page switched to the chat and asked by itself
        user = page.locator("#ldn-chat [data-testid='user']").last.inner_text()
        assert " ".join(user.split()) == QUESTION
        assert messages.ADVICE in " ".join(reply.inner_text().split())
        assert page.locator("#ldn-chat [data-testid='user']").count() == 1  # asked once
        page.close()
    finally:
        chat_gate.set()
        engine_gate.set()
        running.close()


def test_a_question_typed_in_the_chat_while_the_engine_loads_shows_loading_then_the_answer(
    browser: Any, fake_index: Path
) -> None:
    chat_gate, engine_gate = threading.Event(), threading.Event()
    chat_gate.set()
    running = _held_server(fake_index, chat_gate, engine_gate)
    try:
        page = browser.new_page()
        page.goto(running.url, wait_until="domcontentloaded")
        page.wait_for_selector("#ldn-question textarea", timeout=WAIT_MS)  # the boot page reloads into it
        box = page.locator("#ldn-question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        loading = page.locator("#ldn-chat .ldn-loading")
        loading.wait_for(timeout=WAIT_MS)
        assert messages.LOADING in loading.inner_text()
        engine_gate.set()
        reply = _last_reply(page)
        assert messages.ADVICE in " ".join(reply.inner_text().split())
        assert page.locator("#ldn-chat .ldn-loading").count() == 0  # replaced by the answer
        page.close()
    finally:
        engine_gate.set()
        running.close()


@pytest.mark.model
def test_a_question_typed_as_soon_as_the_real_server_shows_its_page_is_answered(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`python -m bot serve` started for real; the question is typed on the first page served."""
    import subprocess
    import sys
    import urllib.request

    from index.settings import PROJECT_ROOT
    from tests.helpers import build_web_index

    index = build_web_index(tmp_path_factory)
    port = free_port()
    env = {"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1",
           "LDN_FEEDBACK_DB": str(tmp_path_factory.mktemp("fb") / "fb.sqlite3")}  # fmt: skip
    cmd = [sys.executable, "-m", "bot", "serve", "--index", str(index), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):  # poll until the port answers (at most ~60 s)
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                threading.Event().wait(0.1)
        page = browser.new_page()
        page.goto(url, wait_until="domcontentloaded")
        box = page.locator("#ldn-boot-question, #ldn-question textarea").first
        box.fill(QUESTION)
        box.press("Enter")
        reply = _last_reply(page)
        assert " ".join(page.locator("#ldn-chat [data-testid='user']").last.inner_text().split()) == QUESTION
        reply.locator("blockquote.ldn-quote-text").first.wait_for(timeout=WAIT_MS)
        quotes = reply.locator("blockquote.ldn-quote-text").all_inner_texts()
        assert any("dream" in q.lower() for q in quotes), quotes
        page.close()
    finally:
        proc.terminate()
        proc.wait(30)

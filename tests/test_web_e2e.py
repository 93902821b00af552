"""End to end: the real chat in a headless Chromium (Playwright), with the real engine.

Asks a question and checks a quote, its source and the advice; clicks "Like" and checks the
SQLite row; checks that typed markup stays text; checks that an emergency reply is shown first;
and saves desktop (1280x900) and phone (390x844) screenshots to `eval/out/screenshots/`.

Needs the Debian Chromium at /usr/bin/chromium (never `playwright install`): missing, the test
is skipped locally and fails when CI=true.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import feedback, messages
from index.settings import PROJECT_ROOT, Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import ARGS, CHROMIUM, WAIT_MS, build_web_index, need_chromium, running_app

pytestmark = [pytest.mark.browser, pytest.mark.model]

SHOTS = PROJECT_ROOT / "eval" / "out" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("feedback") / "fb.sqlite3"
    old = os.environ.get(feedback.ENV_VAR)
    os.environ[feedback.ENV_VAR] = str(path)
    yield path
    if old is None:
        os.environ.pop(feedback.ENV_VAR, None)
    else:
        os.environ[feedback.ENV_VAR] = old


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, feedback_db: Path) -> Iterator[str]:
    need_chromium()
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=build_web_index(tmp_path_factory), model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(180), "the engine did not load"
        holder.get()
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def _open(browser: Any, url: str, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport=viewport)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#ldn-question textarea", timeout=WAIT_MS)
    return page, dialogs


def _ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, and return the locator of the new reply."""
    replies = page.locator("#ldn-chat .ldn-reply")
    before = replies.count()
    box = page.locator("#ldn-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#ldn-chat .ldn-reply').length > {before}", timeout=WAIT_MS
    )
    time.sleep(0.4)  # let the reply settle and the chat scroll to it
    return replies.nth(before)


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_chat_in_a_real_browser(browser: Any, server: str, feedback_db: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, dialogs = _open(browser, server, DESKTOP)
    assert messages.WEB_TAGLINE in page.inner_text("body")
    assert "Seekers Centre" in page.inner_text(".ldn-sources-box")  # the visible source list

    # a question: quotes with their source, and the advice
    reply = _ask(page, "Does LDN cause vivid dreams?")
    reply.locator("blockquote.ldn-quote-text").first.wait_for(timeout=WAIT_MS)
    quotes = [_norm(t) for t in reply.locator(".ldn-quote blockquote.ldn-quote-text").all_inner_texts()]
    assert any("dream" in q.lower() for q in quotes), quotes
    sources = reply.locator(".ldn-quote .ldn-source").all_inner_texts()
    assert sources and all(s.startswith(messages.QUOTE_SOURCE) for s in sources)
    assert _norm(reply.locator(".ldn-advice").inner_text()) == messages.ADVICE
    sizes = page.evaluate(
        """() => Object.fromEntries(['.ldn-quote-text', '.ldn-source', '.ldn-advice', '.ldn-intro',
            '.ldn-sources-box li', '#ldn-question textarea'].map(
            (sel) => [sel, parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)]))"""
    )
    assert all(size >= 17 for size in sizes.values()), sizes  # large, readable type
    page.screenshot(path=str(SHOTS / "desktop_answer.png"))

    reply.locator("details.ldn-context summary").first.click()  # keyboard/mouse: the passage opens
    assert reply.locator("details.ldn-context[open] mark").first.is_visible()
    page.screenshot(path=str(SHOTS / "desktop_passage.png"))

    # like -> one SQLite row with the question, the quoted spans and the status
    assert feedback.count(feedback_db) == 0
    page.locator("#ldn-chat button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 15
    while feedback.count(feedback_db) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = feedback.rows(feedback_db)
    assert len(rows) == 1
    assert rows[0]["question"] == "Does LDN cause vivid dreams?" and rows[0]["liked"] == 1
    assert rows[0]["status"] == "answered" and len(rows[0]["quotes"]) == len(quotes)
    assert set(rows[0]["quotes"][0]) == {"doc_id", "start", "end"}

    # typed markup stays text: no dialog, no injected element, no link or image
    attack = "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](http://evil.example)"
    _ask(page, attack)
    time.sleep(0.5)
    user_text = page.locator("#ldn-chat [data-testid='user']").last.inner_text()
    assert "<script>alert(1)</script>" in user_text and "[click](http://evil.example)" in user_text
    assert dialogs == []
    assert page.locator("#ldn-chat script").count() == 0
    assert page.locator("#ldn-chat .message img").count() == 0
    assert page.locator("#ldn-chat a[href*='evil']").count() == 0

    # an emergency: the fixed message comes first, as an alert
    reply = _ask(page, "My husband collapsed and is not breathing")
    first = reply.locator(":scope > *").first
    assert "ldn-emergency" in (first.get_attribute("class") or "")
    assert first.get_attribute("role") == "alert"
    assert messages.EMERGENCY in _norm(first.inner_text())
    box_top = first.bounding_box()["y"]
    assert box_top < reply.locator(".ldn-advice").bounding_box()["y"]
    page.screenshot(path=str(SHOTS / "desktop_emergency.png"))
    page.close()


def test_phone_layout(browser: Any, server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = _open(browser, server, PHONE)
    page.screenshot(path=str(SHOTS / "phone_start.png"))
    reply = _ask(page, "Does LDN cause vivid dreams?")
    reply.locator("blockquote.ldn-quote-text").first.wait_for(timeout=WAIT_MS)
    no_sideways_scroll = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    assert page.evaluate(no_sideways_scroll)
    width = reply.locator("blockquote.ldn-quote-text").first.bounding_box()["width"]
    assert width >= 280, f"quotes are squeezed into {width}px on a phone"
    page.screenshot(path=str(SHOTS / "phone_answer.png"))
    reply.locator(".ldn-advice").scroll_into_view_if_needed()
    assert reply.locator(".ldn-advice").is_visible()
    page.screenshot(path=str(SHOTS / "phone_advice.png"))
    reply = _ask(page, "My husband collapsed and is not breathing")
    assert reply.locator(".ldn-emergency[role='alert']").is_visible()
    page.screenshot(path=str(SHOTS / "phone_emergency.png"))
    page.close()

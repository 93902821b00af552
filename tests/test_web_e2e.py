"""End to end: the real chat in a headless Chromium (Playwright), with the real engine.

Asks a question and checks a quote, its source and the advice; clicks "Like" and checks the
SQLite row; checks that typed markup stays text; checks that an emergency reply is shown first;
and saves desktop (1280x900) and phone (390x844) screenshots to `eval/out/screenshots/`.

Needs the Debian Chromium at /usr/bin/chromium (never `playwright install`): missing, the test
is skipped locally and fails when CI=true.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import feedback, messages
from index.settings import PROJECT_ROOT
from tests.browser_kit import DESKTOP, PHONE, ask, chat_server, feedback_env, launch, norm, open_page
from tests.helpers import WAIT_MS, need_chromium, post_json

pytestmark = [pytest.mark.browser, pytest.mark.model]

SHOTS = PROJECT_ROOT / "eval" / "out" / "screenshots"


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from feedback_env(tmp_path_factory.mktemp("feedback") / "fb.sqlite3")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, feedback_db: Path) -> Iterator[str]:
    yield from chat_server(tmp_path_factory, need=need_chromium)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    yield from launch()


def test_chat_in_a_real_browser(browser: Any, server: str, feedback_db: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, dialogs = open_page(browser, server, DESKTOP)
    assert messages.WEB_TAGLINE in page.inner_text("body")
    assert "Seekers Centre" in page.inner_text(".ldn-sources-box")  # the visible source list

    # a question: quotes with their source, and the advice
    reply = ask(page, "Does LDN cause vivid dreams?")
    reply.locator("blockquote.ldn-quote-text").first.wait_for(timeout=WAIT_MS)
    quotes = [norm(t) for t in reply.locator(".ldn-quote blockquote.ldn-quote-text").all_inner_texts()]
    assert any("dream" in q.lower() for q in quotes), quotes
    sources = reply.locator(".ldn-quote .ldn-source").all_inner_texts()
    assert sources and all(s.startswith("— ") for s in sources)  # who says it, then the "?"
    assert norm(reply.locator(".ldn-advice").inner_text()) == messages.ADVICE
    sizes = page.evaluate(
        """() => Object.fromEntries(['.ldn-quote-text', '.ldn-source', '.ldn-advice', '.ldn-reply-heading',
            '.ldn-sources-box li', '#ldn-question textarea'].map(
            (sel) => [sel, parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)]))"""
    )
    assert all(size >= 17 for size in sizes.values()), sizes  # large, readable type
    page.screenshot(path=str(SHOTS / "desktop_answer.png"))

    reply.locator("details.ldn-source-info summary").first.click()  # the "?" opens the source's description
    assert reply.locator("details.ldn-source-info[open] a.ldn-source-open").first.is_visible()
    page.screenshot(path=str(SHOTS / "desktop_source_info.png"))

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
    ask(page, attack)
    time.sleep(0.5)
    user_text = page.locator("#ldn-chat [data-testid='user']").last.inner_text()
    assert "<script>alert(1)</script>" in user_text and "[click](http://evil.example)" in user_text
    assert dialogs == []
    assert page.locator("#ldn-chat script").count() == 0
    assert page.locator("#ldn-chat .message img").count() == 0
    assert page.locator("#ldn-chat a[href*='evil']").count() == 0

    # an emergency: the fixed message comes first, as an alert
    reply = ask(page, "My husband collapsed and is not breathing")
    first = reply.locator(":scope > *").first
    assert "ldn-emergency" in (first.get_attribute("class") or "")
    assert first.get_attribute("role") == "alert"
    assert messages.EMERGENCY in norm(first.inner_text())
    box_top = first.bounding_box()["y"]
    assert box_top < reply.locator(".ldn-advice").bounding_box()["y"]
    page.screenshot(path=str(SHOTS / "desktop_emergency.png"))

    # a possible emergency (the level the JSON API gives for it): the guidance first, the answer below
    question = "I feel like everyone would be better off without me, can LDN help depression?"
    status, body = post_json(server.rstrip("/") + "/api/ask", {"question": question})
    assert status == 200 and body["triage"] in ("possible", "definite"), body
    reply = ask(page, question)
    first = reply.locator(":scope > *").first
    assert first.get_attribute("role") == "alert" and "ldn-emergency" in (first.get_attribute("class") or "")
    if body["triage"] == "possible":
        assert reply.locator(".ldn-reply-heading").count() >= 2  # the alert's heading, then the answer's
        assert messages.EMERGENCY_POSSIBLE.split("(")[0].strip() in norm(first.inner_text())
    page.screenshot(path=str(SHOTS / "desktop_possible_emergency.png"))
    page.close()


def test_phone_layout(browser: Any, server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = open_page(browser, server, PHONE)
    page.screenshot(path=str(SHOTS / "phone_start.png"))
    reply = ask(page, "Does LDN cause vivid dreams?")
    reply.locator("blockquote.ldn-quote-text").first.wait_for(timeout=WAIT_MS)
    no_sideways_scroll = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    assert page.evaluate(no_sideways_scroll)
    width = reply.locator("blockquote.ldn-quote-text").first.bounding_box()["width"]
    assert width >= 280, f"quotes are squeezed into {width}px on a phone"
    page.screenshot(path=str(SHOTS / "phone_answer.png"))
    reply.locator(".ldn-advice").scroll_into_view_if_needed()
    assert reply.locator(".ldn-advice").is_visible()
    page.screenshot(path=str(SHOTS / "phone_advice.png"))
    reply = ask(page, "My husband collapsed and is not breathing")
    assert reply.locator(".ldn-emergency[role='alert']").is_visible()
    page.screenshot(path=str(SHOTS / "phone_emergency.png"))
    page.close()

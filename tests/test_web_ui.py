"""The patient's page in a real headless Chromium, desktop 1280x900 (issue #14): compact answers,
quotes that stand alone, the source viewer, suggestions, feedback, accessibility (axe-core).

Each test saves screenshots under ``eval/out/screenshots/ui/``. Needs /usr/bin/chromium,
playwright and ``tests/a11y/node_modules`` (``cd tests/a11y && npm ci``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import feedback, messages
from corpus.glued import sentence_core
from tests.a11y.axe import describe, violations
from tests.browser_kit import (
    DESKTOP,
    WAIT_MS,
    ask,
    chat_server,
    contrast,
    feedback_env,
    launch,
    norm,
    open_page,
    shot,
    wait_until,
)
from tests.conftest import SEED_CORPUS_DIR

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from feedback_env(tmp_path_factory.mktemp("ui_feedback") / "fb.sqlite3")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, feedback_db: Path) -> Iterator[str]:
    yield from chat_server(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    yield from launch()


def _no_violations(page: Any, state: str) -> None:
    found = violations(page)
    assert found == [], f"axe-core, {state}:\n{describe(found)}"


def _quotes_read_whole(page: Any) -> None:
    """Each quote (by the offsets in its source link) that opens with a back-reference already
    holds the sentence before it, or starts its section: it cannot be grown any further."""
    from bot.backref import SentenceSpan, with_antecedent
    from corpus.ingest import load_corpus
    from corpus.segment import segment

    docs = {d.doc_id: d.text for d in load_corpus(SEED_CORPUS_DIR).documents}
    hrefs = page.locator("#ldn-chat .ldn-quote a.ldn-source-open").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    assert hrefs
    for href in hrefs:
        m = re.match(r"/source/([^?]+)\?start=(\d+)&end=(\d+)", href)
        assert m, href
        doc_id, start, end = m.group(1), int(m.group(2)), int(m.group(3))
        text = docs[doc_id]
        spans = [SentenceSpan(x.start, x.end, x.heading) for x in segment(text).sentences]
        assert with_antecedent(text, spans, start, end) == (start, end), text[start:end]


def test_start_page_is_accessible(browser: Any, server: str) -> None:
    page, _ = open_page(browser, server, DESKTOP)
    shot(page, "desktop_start")
    _no_violations(page, "start page")
    ratio = contrast(page, "#ldn-question textarea", "::placeholder")
    assert ratio >= 4.5, f"placeholder contrast {ratio:.2f}:1"
    page.close()


def test_compact_answers_that_stand_alone(browser: Any, server: str) -> None:
    page, _ = open_page(browser, server, DESKTOP)
    first = ask(page, "Does LDN help fibromyalgia?")
    first.locator("blockquote.ldn-quote-text").first.wait_for(timeout=WAIT_MS)
    shot(page, "desktop_answer")
    second = ask(page, "What are the side effects of LDN?")
    third = ask(page, "Can I take LDN with opioid painkillers?")
    shot(page, "desktop_three_answers")

    # a heading per reply, quotes first
    for reply in (first, second, third):
        assert reply.locator("h2.ldn-reply-heading").count() == 1
        assert reply.locator(".ldn-quote").count() >= 1
    chat = norm(page.locator("#ldn-chat").inner_text())
    # standing caveats and source notes: once per chat at most, never under every reply
    assert chat.count("not FDA approved") <= 1, chat
    assert chat.count("(R)” in a quote") <= 1
    assert chat.count(messages.SOURCE_NOTE + ":") == 0  # behind the "?" only (closed)
    # the pinned marker once in the opioid reply, not on every pinned quote
    assert third.locator(".ldn-pin-note").count() == 1
    assert messages.QUOTE_PINNED not in norm(third.inner_text())
    # every quote stands alone: no glued heading or footnote marker
    quotes = [
        norm(t).strip("“”") for t in page.locator("#ldn-chat blockquote.ldn-quote-text").all_inner_texts()
    ]
    assert quotes
    for q in quotes:
        assert sentence_core(q, 0, len(q)) == (0, len(q)), q
    _quotes_read_whole(page)

    # the "?" opens the source's description; its link opens the whole source at the quote
    info = first.locator("details.ldn-source-info").first
    info.locator("summary").click()
    assert info.locator("a.ldn-source-open").is_visible()
    shot(page, "desktop_source_info")
    _no_violations(page, "answered, a source description open")
    href = info.locator("a.ldn-source-open").get_attribute("href")
    assert href and href.startswith("/source/") and href.endswith("#quote")
    quote_text = norm(first.locator("blockquote.ldn-quote-text").first.inner_text()).strip("“”")
    viewer = browser.new_context(viewport=DESKTOP, bypass_csp=True).new_page()  # axe is injected
    viewer.goto(server.rstrip("/") + href)
    mark = viewer.locator("mark#quote")
    assert norm(mark.inner_text()) == quote_text
    assert mark.is_visible() and 0 <= mark.bounding_box()["y"] < DESKTOP["height"]
    shot(viewer, "desktop_source_viewer")
    _no_violations(viewer, "source viewer")
    viewer.goto(server.rstrip("/") + "/source/nope?start=1&end=2")
    assert messages.SOURCE_NOT_FOUND in norm(viewer.inner_text("body"))
    viewer.close()

    # suggestions: asked by a click, and answered (never "the sources do not answer")
    buttons = third.locator("button.ldn-suggest")
    assert 1 <= buttons.count() <= 3
    suggested = norm(buttons.first.inner_text())
    before = page.locator("#ldn-chat .ldn-reply").count()
    buttons.first.click()
    page.wait_for_function(
        f"document.querySelectorAll('#ldn-chat .ldn-reply').length > {before}", timeout=WAIT_MS
    )
    asked = norm(page.locator("#ldn-chat [data-testid='user']").last.inner_text())
    assert asked == suggested
    reply = page.locator("#ldn-chat .ldn-reply").last
    assert "ldn-status-answered" in (reply.get_attribute("class") or "")
    _no_violations(page, "answered")
    page.close()


def test_emergency_box_has_tappable_numbers(browser: Any, server: str) -> None:
    page, _ = open_page(browser, server, DESKTOP)
    reply = ask(page, "My husband collapsed and is not breathing")
    box = reply.locator(".ldn-emergency[role='alert']")
    assert box.is_visible()
    hrefs = box.locator("a[href^='tel:']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert {"tel:911", "tel:112", "tel:999", "tel:18002221222", "tel:988"} <= set(hrefs)
    shot(page, "desktop_emergency")
    _no_violations(page, "emergency")
    page.close()


def _status(page: Any) -> str:
    return norm(page.locator("#ldn-status").inner_text())


def test_feedback_confirms_removes_and_takes_a_reason(browser: Any, server: str, feedback_db: Path) -> None:
    page, _ = open_page(browser, server, DESKTOP)
    ask(page, "Does LDN cause vivid dreams?")
    start = feedback.count(feedback_db)
    like = page.locator("#ldn-chat button[aria-label='Like']").last
    like.click()
    assert wait_until(lambda: feedback.count(feedback_db) == start + 1)
    assert wait_until(lambda: messages.FEEDBACK_LIKED in _status(page))
    liked = page.locator("#ldn-chat button[aria-label='Liked']").last
    size = liked.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24, size  # stays a usable target once clicked
    shot(page, "desktop_liked")
    liked.click()  # un-click: the stored click goes
    assert wait_until(lambda: feedback.count(feedback_db) == start)
    assert wait_until(lambda: messages.FEEDBACK_REMOVED in _status(page))

    page.locator("#ldn-chat button[aria-label='Dislike']").last.click()
    assert wait_until(lambda: feedback.count(feedback_db) == start + 1)
    panel = page.locator("#ldn-reason-panel")
    panel.wait_for(state="visible", timeout=WAIT_MS)
    panel.get_by_label(messages.FEEDBACK_REASONS["hard_to_understand"]).check()
    panel.locator("textarea").fill("Too many long words")
    shot(page, "desktop_reason")
    _no_violations(page, "feedback reason open")
    panel.get_by_role("button", name=messages.FEEDBACK_SEND).click()
    assert wait_until(lambda: feedback.rows(feedback_db)[-1].get("reason") == "hard_to_understand")
    row = feedback.rows(feedback_db)[-1]
    assert row["comment"] == "Too many long words" and row["liked"] == 0
    assert wait_until(lambda: messages.FEEDBACK_REASON_SAVED in _status(page))
    page.close()


def test_replies_controls_in_reading_order(browser: Any, server: str) -> None:
    page, _ = open_page(browser, server, DESKTOP)
    ask(page, "Does LDN help fibromyalgia?")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#ldn-chat a, #ldn-chat button, #ldn-chat summary')]
            .filter((el) => el.checkVisibility({visibilityProperty: true}))
            .map((el) => { const r = el.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.left)]; })"""
    )
    rows = [top for top, _ in boxes]
    assert rows == sorted(rows) or all(b >= a - 4 for a, b in itertools.pairwise(rows)), boxes
    page.close()

"""The patient's page, part 2 (issue #14): take it to the doctor (copy, print / PDF, kept across a
reload, new chat confirms), phone first at 390x844, and no thumbs under system notices.

Screenshots and the printed PDF go to ``eval/out/screenshots/ui/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from index.settings import Paths
from tests.a11y.axe import describe, violations
from tests.browser_kit import (
    DESKTOP,
    PHONE,
    SHOTS,
    WAIT_MS,
    ask,
    chat_server,
    launch,
    need_browser,
    norm,
    open_page,
    shot,
)
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import running_app

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from chat_server(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_browser()
    yield from launch()


def _no_violations(page: Any, state: str) -> None:
    found = violations(page)
    assert found == [], f"axe-core, {state}:\n{describe(found)}"


@pytest.mark.model
def test_copy_print_and_keep_across_a_reload(browser: Any, server: str) -> None:
    page, dialogs = open_page(browser, server, DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    ask(page, "Does LDN cause vivid dreams?")
    reply = ask(page, "How much does LDN cost?")
    quote = norm(reply.locator("blockquote.ldn-quote-text").first.inner_text()).strip("“”")

    page.locator("#ldn-copy-button").click()
    page.wait_for_function("document.querySelector('#ldn-status').innerText.length > 0", timeout=WAIT_MS)
    assert messages.COPIED in norm(page.locator("#ldn-status").inner_text())
    copied = norm(page.evaluate("navigator.clipboard.readText()"))
    for expected in ("Does LDN cause vivid dreams?", "How much does LDN cost?", quote, messages.ADVICE):
        assert norm(expected) in copied, expected
    assert messages.PRINTED_ON.split("{")[0].strip() in copied  # the date line

    # print: the whole conversation (not the chat's scroll box), nothing else
    page.evaluate("window.ldn.buildPrint()")
    page.emulate_media(media="print")
    assert page.locator("#ldn-print").is_visible()
    assert not page.locator("#ldn-question").is_visible()
    printed = norm(page.locator("#ldn-print").inner_text())
    assert "How much does LDN cost?" in printed and quote in printed and messages.ADVICE in printed
    assert page.locator("#ldn-print details, #ldn-print summary").count() == 0  # nothing folded on paper
    assert page.locator("#ldn-print .ldn-source-info").count() >= 2  # each source's description is printed
    shot(page, "print_preview", full_page=True)
    page.pdf(path=str(SHOTS / "chat_printed.pdf"))
    page.emulate_media(media="screen")

    # a reload keeps the conversation (this tab's storage), with its thumbs working
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#ldn-chat .ldn-reply", timeout=WAIT_MS)
    assert page.locator("#ldn-chat .ldn-reply").count() == 2
    assert "How much does LDN cost?" in norm(page.locator("#ldn-chat").inner_text())

    # "Start a new chat" asks first: dismissed keeps the chat, accepted clears it (and its storage)
    page.locator("#ldn-clear").click()
    time.sleep(0.5)
    assert dialogs and dialogs[-1] == messages.CONFIRM_NEW_CHAT
    assert page.locator("#ldn-chat .ldn-reply").count() == 2
    page.dialog_answer = True
    page.locator("#ldn-clear").click()
    page.wait_for_function("document.querySelectorAll('#ldn-chat .ldn-reply').length === 0", timeout=WAIT_MS)
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#ldn-question textarea", timeout=WAIT_MS)
    time.sleep(1.0)
    assert page.locator("#ldn-chat .ldn-reply").count() == 0
    page.close()


@pytest.mark.model
def test_phone_first(browser: Any, server: str) -> None:
    page, _ = open_page(browser, server, PHONE)
    shot(page, "phone_start")
    send = page.locator("#ldn-send").bounding_box()
    assert send["y"] + send["height"] <= PHONE["height"], f"Ask is below the first screen: {send}"
    assert page.locator("#ldn-question textarea").bounding_box()["y"] >= 0
    _no_violations(page, "phone start")

    reply = ask(page, "Does LDN help fibromyalgia?")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    scroll_buttons = page.locator("#ldn-chat button[aria-label='Scroll down']")
    assert all(not b.is_visible() for b in scroll_buttons.all()), "a control sits on the text"
    clear, ask_box = page.locator("#ldn-clear").bounding_box(), page.locator("#ldn-send").bounding_box()
    assert (
        clear["y"] - (ask_box["y"] + ask_box["height"]) >= 24 or clear["y"] + clear["height"] <= ask_box["y"]
    )
    assert clear["width"] < 0.7 * PHONE["width"], "'Start a new chat' is not a full-width button"
    shot(page, "phone_answer")
    reply.locator(".ldn-advice").scroll_into_view_if_needed()
    shot(page, "phone_answer_end")
    _no_violations(page, "phone answered")

    emergency = ask(page, "my friend is not breathing")
    links = emergency.locator("a[href^='tel:']")
    assert links.count() >= 5 and links.first.is_visible()
    shot(page, "phone_emergency")
    _no_violations(page, "phone emergency")
    page.close()


def test_no_thumbs_under_a_system_notice(browser: Any, tmp_path: Path) -> None:
    def broken(_paths: Paths) -> Any:
        raise FileNotFoundError("no index here")

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "none", model_path=None)
    with running_app(paths, loader=broken) as (url, holder):
        holder.wait(30)
        page, _ = open_page(browser, url, DESKTOP)
        reply = ask(page, "Does LDN cause vivid dreams?")
        assert "ldn-notice" in (reply.get_attribute("class") or "")
        row = page.locator("#ldn-chat .message-row.bot-row").last
        assert (
            row.locator("button[aria-label='Like']").count() == 0
            or not row.locator("button[aria-label='Like']").first.is_visible()
        )
        shot(page, "desktop_notice")
        _no_violations(page, "system notice")
        page.close()

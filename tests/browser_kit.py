"""Shared pieces of the patient-page browser tests (`test_web_ui*.py`): a real headless Chromium
(Debian's, never `playwright install`), a server with the real engine, asking, screenshots.

Screenshots go to ``eval/out/screenshots/ui/`` (git-ignored), named by test and state, so a
reviewer can look at what a patient sees. Without /usr/bin/chromium, playwright or axe-core
(``cd tests/a11y && npm ci``) the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.settings import PROJECT_ROOT, Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import ARGS, CHROMIUM, WAIT_MS, build_web_index, need_chromium, running_app

SHOTS = PROJECT_ROOT / "eval" / "out" / "screenshots" / "ui"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def need_browser() -> None:
    """Skip (locally) or fail (CI=true) when Chromium, playwright or axe-core is missing."""
    from tests.a11y.axe import axe_problem

    need_chromium()
    problem = axe_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def feedback_env(path: Path) -> Iterator[Path]:
    """Point the feedback store at `path` while the caller's fixture lives (restored after)."""
    from bot import feedback

    old = os.environ.get(feedback.ENV_VAR)
    os.environ[feedback.ENV_VAR] = str(path)
    yield path
    if old is None:
        os.environ.pop(feedback.ENV_VAR, None)
    else:
        os.environ[feedback.ENV_VAR] = old


def chat_server(tmp_path_factory: pytest.TempPathFactory, need: Any = need_browser) -> Iterator[str]:
    """The web chat with the real engine on the bundled corpus, loaded before the first page;
    `need` skips or fails first when the browser is missing."""
    need()
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=build_web_index(tmp_path_factory), model_path=None)
    with running_app(paths) as (url, holder):
        assert holder.wait(180), "the engine did not load"
        holder.get()
        yield url


def launch() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: Any, url: str, viewport: dict[str, int], **context: Any) -> tuple[Any, list[str]]:
    """A new page on the chat; dialogs are recorded and answered by `dialog_answer` (default: dismiss)."""
    ctx = browser.new_context(viewport=viewport, **context)
    page = ctx.new_page()
    dialogs: list[str] = []
    page.dialog_answer = False

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        if page.dialog_answer:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#ldn-question textarea", timeout=WAIT_MS)
    time.sleep(0.3)
    return page, dialogs


def ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, wait for its reply (not a loading notice); the reply locator."""
    replies = page.locator("#ldn-chat .ldn-reply")
    before = replies.count()
    box = page.locator("#ldn-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#ldn-chat .ldn-reply').length > {before}", timeout=WAIT_MS
    )
    time.sleep(0.5)  # the reply settles, the chat scrolls to it
    return replies.nth(before)


def norm(text: str) -> str:
    return " ".join(text.split())


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_until(check: Any, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return bool(check())


def contrast(page: Any, selector: str, pseudo: str | None = None) -> float:
    """WCAG contrast ratio of an element's text colour (or its ::placeholder) on its background."""
    return float(
        page.evaluate(
            """([sel, pseudo]) => {
            const el = document.querySelector(sel);
            const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
            const lum = ([r, g, b]) => {
                const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
            };
            let bg = null;
            for (let n = el; n; n = n.parentElement) {
                const c = parse(getComputedStyle(n).backgroundColor);
                if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) { bg = c.slice(0, 3); break; }
            }
            bg = bg || [255, 255, 255];
            const fg = parse(getComputedStyle(el, pseudo).color).slice(0, 3);
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05);
        }""",
            [selector, pseudo],
        )
    )

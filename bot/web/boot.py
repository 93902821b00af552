"""The first second of the server: a light page while Gradio is imported, then the chat.

Importing Gradio takes 2-5 s on a small machine, longer than a person waits for a page. So the
server (`bot.web.server`) starts on FastAPI alone and mounts the chat through `ChatSwitch`:

* until the chat app exists, ``GET /`` answers with `boot_page()`: the title, a question box
  and a "loading the sources…" line, in plain HTML (no Gradio). A question typed there is kept
  in the browser's session storage; the page polls ``/api/health`` and, as soon as the chat is
  ready, reloads into it, where ``static/pending.js`` asks the kept questions by itself. Nothing
  is lost and nothing has to be typed again;
* any other path (Gradio's config, assets, queue, ``/ask``) waits for the chat, up to the hold
  time, so a `gradio_client` that connects early is served too;
* once `activate` ran, every request goes straight to the chat app.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from typing import Any

from bot import messages
from bot.question import MAX_CHARS
from bot.web.guard import ASGIApp, Receive, Scope, Send

PENDING_KEY = "ldn-pending-questions"

_STYLE = """
body { font: 18px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0;
  color: #111827; background: #fff; }
main { max-width: 960px; margin: 0 auto; padding: 0 clamp(8px, 2.5vw, 32px); }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0.9rem 0 0.25rem; }
.ldn-tagline { font-size: 1.1rem; margin: 0 0 0.8rem; font-weight: 600; }
#ldn-boot-status { background: #eef4ff; border-left: 6px solid #1d4ed8; padding: 0.5rem 0.8rem; }
label { display: block; font-weight: 600; margin: 0.8rem 0 0.3rem; }
textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem; min-height: 3.2rem; }
button { font: inherit; font-weight: 600; margin-top: 0.5rem; padding: 0.45rem 1.4rem; color: #fff;
  background: #1d4ed8; border: 0; border-radius: 6px; cursor: pointer; }
:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
#ldn-boot-asked li { margin: 0.3rem 0; }
"""

_SCRIPT = """
(() => {
  const KEY = "%(key)s";
  const box = document.getElementById("ldn-boot-question");
  const list = document.getElementById("ldn-boot-asked");
  const status = document.getElementById("ldn-boot-status");
  const kept = () => JSON.parse(sessionStorage.getItem(KEY) || "[]");
  const show = () => {
    list.replaceChildren(...kept().map((q) => { const li = document.createElement("li"); li.textContent = q; return li; }));
  };
  const keep = () => {
    const q = box.value.trim();
    if (!q) return;
    sessionStorage.setItem(KEY, JSON.stringify([...kept(), box.value]));
    box.value = "";
    show();
  };
  document.getElementById("ldn-boot-form").addEventListener("submit", (e) => { e.preventDefault(); keep(); });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); keep(); }
  });
  const poll = async () => {
    try {
      const r = await fetch("api/health", { cache: "no-store" });
      const h = await r.json();
      if (h.chat === "ready") { keep(); location.reload(); return; }
      if (h.chat === "failed" || h.status === "failed") { status.textContent = h.detail || status.textContent; }
    } catch (e) { /* the server is still starting: try again */ }
    setTimeout(poll, 250);
  };
  show();
  box.focus();
  poll();
})();
"""


def boot_page() -> bytes:
    """The light page shown while the chat loads (every word from `bot.messages`)."""
    e = html.escape  # a plain HTML page (no Markdown): the standard escape is enough
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(messages.WEB_TITLE)}</title><style>{_STYLE}</style></head>
<body><main class="ldn-boot">
<header class="ldn-header"><h1>{e(messages.WEB_TITLE)}</h1><p class="ldn-tagline">{e(messages.WEB_TAGLINE)}</p></header>
<p id="ldn-boot-status" role="status" aria-live="polite">{e(messages.LOADING)}</p>
<form id="ldn-boot-form"><label for="ldn-boot-question">{e(messages.INPUT_LABEL)}</label>
<textarea id="ldn-boot-question" maxlength="{MAX_CHARS}" rows="2" placeholder="{e(messages.INPUT_PLACEHOLDER)}"></textarea>
<button type="submit" id="ldn-boot-send">{e(messages.SEND)}</button></form>
<ol id="ldn-boot-asked" aria-label="{e(messages.INPUT_LABEL)}"></ol>
</main><script>{_SCRIPT % {"key": PENDING_KEY}}</script></body></html>"""
    return page.encode("utf-8")


async def _send_bytes(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ChatSwitch:
    """ASGI app: the boot page (and held requests) until the chat app is activated, then the chat."""

    def __init__(self, hold_seconds: float = 180.0) -> None:
        self.hold_seconds = hold_seconds
        self.chat: ASGIApp | None = None
        self.failed: str | None = None  # set when the chat could not be built (reason logged)
        self._stack = contextlib.AsyncExitStack()
        self._page = boot_page()

    @property
    def state(self) -> str:
        return "ready" if self.chat is not None else ("failed" if self.failed else "loading")

    async def activate(self, app: Any) -> None:
        """Run the chat app's start-up (Gradio's queue) in this event loop, then route to it."""
        await self._stack.enter_async_context(app.router.lifespan_context(app))
        self.chat = app

    async def close(self) -> None:
        await self._stack.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.chat is None and scope["type"] == "http":
            if scope.get("path", "/") in ("", "/") and scope.get("method") in ("GET", "HEAD"):
                await _send_bytes(send, 200, self._page, b"text/html; charset=utf-8")
                return
            deadline = time.monotonic() + self.hold_seconds
            while self.chat is None and self.failed is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        if self.chat is None:
            if scope["type"] == "http":
                await _send_bytes(send, 503, messages.STARTING.encode(), b"text/plain; charset=utf-8")
            return
        await self.chat(scope, receive, send)

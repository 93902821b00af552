"""What the web front refuses, caps and bounds (RELIABILITY.md, "Web hardening").

- `RefuseUploads`: ASGI middleware answering 404 for Gradio's upload routes. Gradio keeps
  ``POST /gradio_api/upload`` open even when no component accepts files, and an uploaded file
  can then be fetched from the server's own address. It wraps the whole server, so the chat
  mounted inside it is covered too.
- `incoming`: typed text as it may enter the app: at most ``MAX_CHARS + 1`` characters (one
  more than allowed, so the engine says "too long"), lone UTF-16 surrogates replaced (a browser
  can send them; they cannot be encoded as UTF-8 and broke Gradio's reply stream and SQLite).
- `Admission`: a bounded queue for the JSON API, like Gradio's for the chat: at most
  `WebSettings.concurrency` questions answered at once, at most `queue_max_size` waiting; beyond
  that a request is told "busy" at once (HTTP 503) instead of piling up.
- `WebSettings`: those bounds, in one frozen record the tests can shrink.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from bot.question import MAX_CHARS

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class WebSettings:
    """Bounds of the web front. `hold_seconds`: how long a question waits for a loading engine."""

    queue_max_size: int = 128  # waiting chat events / API requests; beyond: "busy" (HTTP 503) at once
    concurrency: int = 8  # questions answered at the same time (their encodes are batched together)
    hold_seconds: float = 180.0
    engine_first_seconds: float = 10.0  # the chat page is built after the engine, or after this
    max_file_size: str = "1mb"


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RefuseUploads:
    """ASGI middleware: 404 for Gradio's file-upload routes; this chat takes no files."""

    BLOCKED = ("/upload", "/upload_progress")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http":
            path = posixpath.normpath("/" + str(scope.get("path", "")).replace("\\", "/")).lower()
            if path.endswith(self.BLOCKED):
                await _plain(send, 404, "Not Found")
                return
        await self.app(scope, receive, send)


def incoming(value: object) -> str:
    """Typed text capped at MAX_CHARS + 1 characters, lone surrogates replaced by "?"."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return text[: MAX_CHARS + 1].encode("utf-8", "replace").decode("utf-8")


class Busy(Exception):
    """The JSON API's queue is full."""


class Admission:
    """Counts requests in the API (running + waiting); `enter` refuses beyond the bound."""

    def __init__(self, settings: WebSettings) -> None:
        self.limit = settings.concurrency + settings.queue_max_size
        self._inside = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            if self._inside >= self.limit:
                raise Busy("busy")
            self._inside += 1

    def leave(self) -> None:
        with self._lock:
            self._inside -= 1

    @property
    def inside(self) -> int:
        return self._inside

"""The patient-facing web chat (Gradio): quotes only, sources listed, feedback stored.

`serve(paths)` builds and launches the page first and only then loads the `Engine` in a
background thread (importing sentence-transformers and reading the index takes seconds), so
the page is usable at once: a question asked while it loads gets the fixed "still starting"
reply, and a load failure (missing or stale index, missing model) is shown in the chat with
the reason instead of crashing the server.

Each reply is one chat message rendered by `bot.render` (all outside text escaped), so a
thumbs up/down (`Chatbot.like`) maps to one answer, stored by `bot.feedback`. Short
follow-ups ("and for MS?") are merged with the chat's previous question by `bot.followup`.

API: ``/ask`` (``gradio_client.Client(url).predict(question, api_name="/ask")``) returns the
same JSON object as ``python -m bot ask --json``. While the engine loads it waits up to
`API_WAIT_SECONDS`, then answers with status ``"unavailable"`` and the fixed message (same keys).

Hardening: binds 127.0.0.1 unless told otherwise; analytics, monitoring, MCP, SSR and sharing
off; no upload components, and Gradio's upload routes answer 404 (`RefuseUploads`: without it
anyone could store files on the server and have them served from our address);
``allowed_paths=[]``, a 1 MB upload cap; a queue of at most 128 events, 4 at a time (over that,
Gradio answers "queue full" at once); internal errors are logged, never shown; questions are
capped at `bot.question.MAX_CHARS` (also the Textbox ``max_length``) and lone UTF-16 surrogates
(which a browser can send, and which broke the reply stream) are replaced before anything else
(`_incoming`). See RELIABILITY.md.
"""

from __future__ import annotations

import logging
import os
import posixpath
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported

import gradio as gr
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

from bot import feedback, messages, render
from bot.followup import resolve_follow_up
from bot.models import Answer, Status
from bot.question import MAX_CHARS
from corpus.manifest import ManifestError, load_manifest
from index.settings import Paths

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)

API_WAIT_SECONDS = 10.0
QUEUE_MAX_SIZE = 128  # waiting events; beyond this a request gets HTTP 503 "Queue is full" at once
CONCURRENCY = 4  # events answered at the same time
STATIC = Path(__file__).resolve().parent / "static"
EXAMPLES = (
    "Does LDN cause vivid dreams?",
    "What dose of LDN is usually used?",
    "Can I take LDN with opioid painkillers?",
    "Does LDN help fibromyalgia?",
)
UNAVAILABLE = "unavailable"


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RefuseUploads:
    """ASGI middleware: 404 for Gradio's file-upload routes; this chat takes no files.

    Gradio keeps ``POST /gradio_api/upload`` open even when no component accepts files, and an
    uploaded file can then be fetched from the server's own address."""

    BLOCKED = ("/upload", "/upload_progress")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http":
            path = posixpath.normpath("/" + str(scope.get("path", "")).replace("\\", "/")).lower()
            if path.endswith(self.BLOCKED):
                await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _incoming(value: object) -> str:
    """Typed text as it may enter the app: at most MAX_CHARS + 1 characters (one more than
    allowed, so the engine says "too long"), lone surrogates replaced (they cannot be encoded
    as UTF-8, so echoing them would break Gradio's reply stream and SQLite)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return text[: MAX_CHARS + 1].encode("utf-8", "replace").decode("utf-8")


class EngineStarting(Exception):
    """The engine is still loading."""


class EngineHolder:
    """Loads the engine once in a background thread; `get` never blocks."""

    def __init__(self, paths: Paths, loader: Callable[[Paths], Engine] | None = None):
        self.paths = paths
        self._loader = loader or load_engine
        self._engine: Engine | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> EngineHolder:
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="ldn-engine-load", daemon=True)
            self._thread.start()
        return self

    def _load(self) -> None:
        try:
            self._engine = self._loader(self.paths)
        except Exception as exc:  # kept and shown in the chat; the server keeps running
            log.exception("the answer engine could not be loaded")
            self._error = exc
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def get(self) -> Engine:
        if not self._done.is_set():
            raise EngineStarting(messages.STARTING)
        if self._error is not None:
            raise self._error
        assert self._engine is not None
        return self._engine


def load_engine(paths: Paths) -> Engine:
    """The engine for `paths`, refusing an index that no longer matches the corpus folder."""
    from bot.engine import BotSettings, Engine, check_fresh

    engine = Engine.load(paths.index_dir, paths.model_path, BotSettings.from_env())
    if paths.corpus_dir.is_dir():
        check_fresh(engine.data, paths.corpus_dir)
    return engine


def _problem_text(exc: BaseException) -> str:
    """The fixed text shown instead of an answer: still starting, or not set up (with the reason)."""
    from index.embedder import ModelNotFound
    from index.manifest import IndexProblem

    if isinstance(exc, EngineStarting):
        return messages.STARTING
    if isinstance(exc, IndexProblem | ModelNotFound | FileNotFoundError | ManifestError):
        return messages.UNAVAILABLE.format(detail=str(exc))
    return messages.UNAVAILABLE.format(detail="an unexpected error; see the server log.")


def _answer(engine_provider: Callable[[], Engine], question: str) -> Answer | str:
    """The engine's answer, or the fixed text to show instead (starting / unavailable)."""
    try:
        engine = engine_provider()
    except Exception as exc:  # a load failure was logged once, when it happened
        return _problem_text(exc)
    try:
        return engine.answer(question)
    except Exception as exc:
        log.exception("could not answer a question")
        return _problem_text(exc)


def _new_state() -> dict[str, Any]:
    return {"previous": None, "replies": {}}


def _sources(paths: Paths) -> str:
    try:
        return render.sources_html(load_manifest(paths.corpus_dir))
    except (ManifestError, OSError):
        log.exception("could not read the corpus manifest")
        return render.sources_html({})


def build_app(engine_provider: Callable[[], Engine], paths: Paths) -> gr.Blocks:
    """The chat page. `engine_provider` returns the engine or raises (`EngineStarting`, load errors)."""

    def respond(text: str, history: list[Any], state: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        raw = _incoming(text)
        if not raw.strip():
            yield gr.skip(), gr.skip(), gr.skip()
            return
        history = [*(history or []), render.user_message(raw)]
        yield "", history, state
        used, rewritten = resolve_follow_up(raw, state.get("previous"))
        result = _answer(engine_provider, used)
        if isinstance(result, str):
            history.append(render.assistant_message(render.notice_html(result)))
            record: dict[str, Any] = {"question": used, "status": UNAVAILABLE, "quotes": []}
        else:
            history.append(render.answer_message(result, used if rewritten else None))
            spans = feedback.quote_spans(q.to_dict() for q in result.quotes)
            record = {"question": used, "status": result.status.value, "quotes": spans}
            answered = result.status in (Status.ANSWERED, Status.NO_ANSWER)
            state = {**state, "previous": used if answered else None}
        state = {**state, "replies": {**state["replies"], len(history) - 1: record}}
        yield "", history, state

    def from_example(
        history: list[Any], state: dict[str, Any], evt: gr.SelectData
    ) -> Iterator[tuple[Any, ...]]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        yield from respond(str(value.get("text", "")), history, state)

    def on_like(state: dict[str, Any], evt: gr.LikeData) -> None:
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        record = state.get("replies", {}).get(index)
        if record is None or not isinstance(evt.liked, bool):
            return
        try:
            feedback.record(record["question"], evt.liked, record["quotes"], record["status"])
        except Exception:  # feedback must never break the chat
            log.exception("could not store feedback")

    def ask(question: str) -> dict[str, Any]:
        """Answer one question; the same JSON object as `python -m bot ask --json`."""
        deadline, text = time.monotonic() + API_WAIT_SECONDS, _incoming(question)
        while (result := _answer(engine_provider, text)) == messages.STARTING and time.monotonic() < deadline:
            time.sleep(0.25)
        if isinstance(result, str):
            empty: list[Any] = []
            return {"status": UNAVAILABLE, "question": text, "message": result, "quotes": empty,
                    "caveats": empty, "advice": messages.ADVICE, "triage": None,
                    "triage_categories": empty}  # fmt: skip
        return result.to_dict()

    with gr.Blocks(title=messages.WEB_TITLE, analytics_enabled=False, fill_width=False) as app:
        gr.HTML(
            f'<header class="ldn-header"><h1>{render.escape_text(messages.WEB_TITLE)}</h1>'
            f'<p class="ldn-tagline">{render.escape_text(messages.WEB_TAGLINE)}</p></header>',
            padding=False,
        )
        state = gr.State(_new_state())
        chatbot = gr.Chatbot(
            label="Chat",
            show_label=False,
            elem_id="ldn-chat",
            height="68vh",
            autoscroll=False,  # static/scroll.js shows the start of each new reply instead of its end
            min_height=360,
            buttons=[],
            sanitize_html=True,
            latex_delimiters=[],
            allow_tags=False,
            allow_file_downloads=False,
            feedback_options=("Like", "Dislike"),
            examples=[{"text": q} for q in EXAMPLES],
            placeholder=render.escape_text(messages.EXAMPLES_HEADING),
        )
        with gr.Row(equal_height=True, elem_id="ldn-ask-row"):
            box = gr.Textbox(
                label=messages.INPUT_LABEL,
                placeholder=messages.INPUT_PLACEHOLDER,
                max_length=MAX_CHARS,
                lines=1,
                max_lines=4,
                elem_id="ldn-question",
                scale=5,
                min_width=280,  # on a phone the Ask button wraps below, full width
            )
            send = gr.Button(messages.SEND, variant="primary", elem_id="ldn-send", scale=1, min_width=90)
        clear = gr.Button(messages.CLEAR, variant="secondary", size="md", elem_id="ldn-clear")
        gr.HTML(
            f'<p class="ldn-feedback-note">{render.escape_text(messages.FEEDBACK_NOTE)}</p>', padding=False
        )
        gr.HTML(
            f'<section class="ldn-sources-box" aria-labelledby="ldn-sources-title">'
            f'<h2 id="ldn-sources-title">{render.escape_text(messages.SOURCES_HEADING)}</h2>'
            f"<p>{render.escape_text(messages.SOURCES_NOTE)}</p>{_sources(paths)}</section>",
            padding=False,
        )

        chat_io: dict[str, Any] = {"outputs": [box, chatbot, state], "api_visibility": "private"}
        for event in (
            box.submit(respond, [box, chatbot, state], **chat_io),
            send.click(respond, [box, chatbot, state], **chat_io),
            chatbot.example_select(from_example, [chatbot, state], **chat_io),
        ):
            event.then(None, js=_static("scroll.js"), api_visibility="private")
        chatbot.like(on_like, [state], None, api_visibility="private")
        clear.click(lambda: ("", [], _new_state()), None, **chat_io)
        chatbot.clear(_new_state, None, state, api_visibility="private")  # its icon is hidden by CSS anyway
        gr.api(ask, api_name="ask")
    return app


def _static(name: str) -> str:
    path = STATIC / name
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def launch_options(host: str = "127.0.0.1", port: int = 7860) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: look and security settings."""
    sizes = {
        "xxs": "13px",
        "xs": "14px",
        "sm": "17px",
        "md": "18px",
        "lg": "20px",
        "xl": "26px",
        "xxl": "32px",
    }
    theme = gr.themes.Base(
        primary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        text_size=gr.themes.Size(name="patient", **sizes),
        font=("system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
        font_mono=("ui-monospace", "Consolas", "monospace"),
    )
    return {
        "server_name": host,
        "server_port": port,
        "share": False,
        "show_error": False,
        "allowed_paths": [],
        "max_file_size": "1mb",
        "enable_monitoring": False,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "quiet": True,
        "footer_links": [],
        "run_history": False,  # the browser must not keep a copy of people's questions
        "theme": theme,
        "app_kwargs": {"middleware": [Middleware(RefuseUploads)]},
        "css": _static("chat.css"),
        "js": _static("chat.js") or None,
    }


def start(
    paths: Paths, host: str = "127.0.0.1", port: int = 7860, loader: Callable[[Paths], Engine] | None = None
) -> tuple[gr.Blocks, EngineHolder]:
    """Build and launch without blocking, then start loading the engine; returns both.

    `loader` replaces `load_engine` (tests: a slow or failing engine)."""
    holder = EngineHolder(paths, loader)
    app = build_app(holder.get, paths)
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    app.launch(prevent_thread_lock=True, **launch_options(host, port))
    holder.start()
    return app, holder


def serve(paths: Paths, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the web chat until interrupted (bind 0.0.0.0 only when asked)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app, _ = start(paths, host, port)
    print(f"LDN chat running on http://{host}:{port}  (Ctrl+C to stop)", flush=True)
    try:
        app.block_thread()
    finally:
        app.close()

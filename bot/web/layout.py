"""The chat page (Gradio Blocks): quotes only, sources listed, feedback stored.

Each reply is one chat message rendered by `bot.render` (all outside text escaped), so a
thumbs up/down (`Chatbot.like`) maps to one answer, stored by `bot.feedback`. Short
follow-ups ("and for MS?") are merged with the chat's previous question by `bot.followup`.
While the engine is still loading, a question is shown at once with a "loading the sources…"
notice under it, and answered in its place as soon as the engine is ready (never refused).

The page keeps Gradio's own ``/ask`` API (``gradio_client.Client(url).predict(question,
api_name="/ask")``) for existing callers; it returns the same JSON object as ``python -m bot
ask --json`` and as the plain ``POST /api/ask`` (`bot.web.api`), which is the faster route.

Importing this module imports Gradio (seconds): `bot.web.server` does it in the background,
after the server already answers. Analytics are off by `analytics_enabled=False` here and by
the entry point's environment; the mount options (`mount_options`) keep monitoring, MCP, SSR,
the run history and file serving off.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from bot import compact, feedback, messages, render, suggest
from bot.chat_state import NOTICE, clean_state, new_state, with_reply
from bot.followup import resolve_follow_up
from bot.models import Answer
from bot.question import MAX_CHARS
from bot.web import tools
from bot.web.guard import WebSettings, incoming
from bot.web.holder import EngineState, reply_dict
from corpus.manifest import ManifestError, load_manifest
from index.settings import Paths

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"
EXAMPLES = (
    "Does LDN cause vivid dreams?",
    "What dose of LDN is usually used?",
    "Can I take LDN with opioid painkillers?",
    "Does LDN help fibromyalgia?",
)


class Answerer(Protocol):
    """What the page needs from the engine holder (`bot.web.holder.EngineHolder`)."""

    @property
    def state(self) -> EngineState: ...

    def answer(self, question: str) -> Answer | str: ...


def _manifest(paths: Paths) -> dict[str, Any]:
    try:
        return dict(load_manifest(paths.corpus_dir))
    except (ManifestError, OSError):
        log.exception("could not read the corpus manifest")
        return {}


def _warm_suggestions(holder: Answerer) -> None:
    """Check the suggested questions once the engine is loaded, so no question waits for it."""
    get = getattr(holder, "get", None)
    if get is None:
        return
    try:
        suggest.for_engine(get())
    except Exception:  # a load failure is reported by the holder; no suggestions then
        log.debug("no suggested questions", exc_info=True)


def _suggestions(holder: Answerer, answer: Answer, asked: list[str]) -> tuple[str, ...]:
    """Suggested questions under an answer (none when the engine or the data file fails)."""
    get = getattr(holder, "get", None)
    if get is None:  # a stand-in without an engine (tests)
        return ()
    try:
        return suggest.for_answer(get(timeout=0), answer, asked)
    except Exception:
        log.exception("could not choose suggested questions")
        return ()


def loading_html() -> str:
    """The notice shown under a question while the engine loads (replaced by the answer)."""
    text = render.escape_text(messages.LOADING)
    return (
        f'<div class="ldn-loading" role="status" aria-live="polite"><p class="ldn-message">{text}</p></div>'
    )


def build_app(holder: Answerer, paths: Paths) -> gr.Blocks:
    """The chat page; `holder.answer(question)` returns the answer or the fixed text to show."""

    documents = _manifest(paths)
    threading.Thread(target=_warm_suggestions, args=(holder,), name="ldn-suggest", daemon=True).start()

    def respond(text: str, history: list[Any], raw_state: Any) -> Iterator[tuple[Any, ...]]:
        raw = incoming(text)
        if not raw.strip():
            yield gr.skip(), gr.skip(), gr.skip()
            return
        state = clean_state(raw_state)
        history = [*(history or []), render.user_message(raw)]
        if holder.state is EngineState.LOADING:
            yield "", [*history, render.assistant_message(loading_html())], state
        else:
            yield "", history, state
        used, rewritten = resolve_follow_up(raw, state.get("previous"))
        result = holder.answer(used)  # held while the engine loads
        if isinstance(result, str):
            history.append(render.assistant_message(compact.notice_html(result)))
            state = with_reply(state, len(history) - 1, used, NOTICE)
        else:
            memory = compact.ChatMemory.from_list(state["memory"])
            near = _suggestions(holder, result, state["asked"])
            html, memory = compact.reply_html(result, used if rewritten else None, memory, documents, near)
            history.append(render.assistant_message(html))
            spans = feedback.quote_spans(q.to_dict() for q in result.quotes)
            state = with_reply(
                state, len(history) - 1, used, result.status.value, spans, used, memory.to_list()
            )
        yield "", history, state

    def from_example(history: list[Any], state: Any, evt: gr.SelectData) -> Iterator[tuple[Any, ...]]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        yield from respond(str(value.get("text", "")), history, state)

    def ask(question: str) -> dict[str, Any]:
        """Answer one question; the same JSON object as `python -m bot ask --json`."""
        text = incoming(question)
        return reply_dict(text, holder.answer(text))

    with gr.Blocks(title=messages.WEB_TITLE, analytics_enabled=False, fill_width=False) as app:
        gr.HTML(
            f'<header class="ldn-header"><h1>{render.escape_text(messages.WEB_TITLE)}</h1>'
            f'<p class="ldn-tagline">{render.escape_text(messages.WEB_TAGLINE)}</p></header>',
            padding=False,
        )
        state = gr.JSON(new_state(), visible=False, elem_id="ldn-state")
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
        gr.HTML(tools.texts_html(), padding=False, elem_id="ldn-status-box")
        tools.wire_feedback(chatbot, state)
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
        clear = tools.tools_row()
        gr.HTML(
            f'<p class="ldn-feedback-note">{render.escape_text(messages.FEEDBACK_NOTE)}</p>', padding=False
        )
        gr.HTML(
            f'<section class="ldn-sources-box" aria-labelledby="ldn-sources-title">'
            f'<h2 id="ldn-sources-title">{render.escape_text(messages.SOURCES_HEADING)}</h2>'
            f"<p>{render.escape_text(messages.SOURCES_NOTE)}</p>{render.sources_html(documents)}</section>",
            padding=False,
        )

        chat_io: dict[str, Any] = {"outputs": [box, chatbot, state], "api_visibility": "private"}
        for event in (
            box.submit(respond, [box, chatbot, state], **chat_io),
            send.click(respond, [box, chatbot, state], **chat_io),
            chatbot.example_select(from_example, [chatbot, state], **chat_io),
        ):
            tools.save_after(event, chatbot, state).then(
                None, js=static_text("scroll.js"), api_visibility="private"
            )
        tools.wire_memory(app, box, chatbot, state, clear)
        chatbot.clear(new_state, None, state, api_visibility="private")  # its icon is hidden by CSS anyway
        gr.api(ask, api_name="ask")
    return app


def static_text(name: str) -> str:
    path = STATIC / name
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def page_script() -> str:
    """The page's start-up JavaScript: each static script is a function, all run on load."""
    names = ("chat.js", "pending.js", "conversation.js")
    parts = [text.strip() for text in map(static_text, names) if text.strip()]
    parts.append(tools.style_script(static_text("print.css")))
    return "() => {\n" + "".join(f"({part})();\n" for part in parts) + "}"


def theme() -> gr.themes.Base:
    sizes = {"xxs": "13px", "xs": "14px", "sm": "17px", "md": "18px", "lg": "20px", "xl": "26px",
             "xxl": "32px"}  # fmt: skip
    return gr.themes.Base(
        primary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        text_size=gr.themes.Size(name="patient", **sizes),
        font=("system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"),
        font_mono=("ui-monospace", "Consolas", "monospace"),
    )


def mount_options(settings: WebSettings | None = None) -> dict[str, Any]:
    """Keyword arguments for `gr.mount_gradio_app`: look and security settings."""
    settings = settings or WebSettings()
    return {
        "show_error": False,
        "allowed_paths": [],
        "max_file_size": settings.max_file_size,
        "enable_monitoring": False,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "footer_links": [],
        "run_history": False,  # the browser must not keep a copy of people's questions
        "theme": theme(),
        "css": static_text("chat.css"),
        "js": page_script(),
    }


def no_queue_analytics() -> None:
    """Stop Gradio's queue from summarising every finished event for its monitoring page.

    Gradio 6's queue keeps the last 10,000 events and, after each one, builds a pandas
    DataFrame of them all for the monitoring dashboard (off here: `enable_monitoring=False`);
    under load that was ~5% of the server's CPU and grows with the number of events. Its two
    environment settings, read when the queue is made, make it keep one event and never
    summarise. Nothing of the chat uses that summary."""
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))


QUEUE_POLL_SECONDS = 0.005


def slower_queue_polling(blocks: gr.Blocks) -> None:
    """Gradio's queue looks for new events every 1 ms while it has none (or all its workers
    are busy) and for progress bars every 10 ms: an idle server spent ~5% of a core waking up
    (BENCHMARKS.md). Every 5 ms (events) and 50 ms (progress; this chat shows none) cost a
    fraction of that and delay the start of an event by at most 5 ms. Private attributes of
    the queue: when a Gradio version lacks them, nothing changes."""
    queue = getattr(blocks, "_queue", None)
    for name, seconds in (("sleep_when_free", QUEUE_POLL_SECONDS), ("progress_update_sleep_when_free", 0.05)):
        if queue is not None and hasattr(queue, name):
            setattr(queue, name, seconds)


def chat_app(holder: Answerer, paths: Paths, settings: WebSettings | None = None) -> Any:
    """A FastAPI app serving the chat at its root, with Gradio's queue bounded by `settings`."""
    from fastapi import FastAPI

    settings = settings or WebSettings()
    no_queue_analytics()
    blocks = build_app(holder, paths)
    blocks.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_max_size)
    slower_queue_polling(blocks)
    host = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    return gr.mount_gradio_app(host, blocks, "/", **mount_options(settings))

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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from bot import feedback, messages, render
from bot.followup import resolve_follow_up
from bot.models import Answer, Status
from bot.question import MAX_CHARS
from bot.web.guard import WebSettings, incoming
from bot.web.holder import UNAVAILABLE, EngineState, reply_dict
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


def _new_state() -> dict[str, Any]:
    return {"previous": None, "replies": {}}


def _sources(paths: Paths) -> str:
    try:
        return render.sources_html(load_manifest(paths.corpus_dir))
    except (ManifestError, OSError):
        log.exception("could not read the corpus manifest")
        return render.sources_html({})


def loading_html() -> str:
    """The notice shown under a question while the engine loads (replaced by the answer)."""
    text = render.escape_text(messages.LOADING)
    return (
        f'<div class="ldn-loading" role="status" aria-live="polite"><p class="ldn-message">{text}</p></div>'
    )


def build_app(holder: Answerer, paths: Paths) -> gr.Blocks:
    """The chat page; `holder.answer(question)` returns the answer or the fixed text to show."""

    def respond(text: str, history: list[Any], state: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        raw = incoming(text)
        if not raw.strip():
            yield gr.skip(), gr.skip(), gr.skip()
            return
        history = [*(history or []), render.user_message(raw)]
        if holder.state is EngineState.LOADING:
            yield "", [*history, render.assistant_message(loading_html())], state
        else:
            yield "", history, state
        used, rewritten = resolve_follow_up(raw, state.get("previous"))
        result = holder.answer(used)  # held while the engine loads
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
        text = incoming(question)
        return reply_dict(text, holder.answer(text))

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
            event.then(None, js=static_text("scroll.js"), api_visibility="private")
        chatbot.like(on_like, [state], None, api_visibility="private")
        clear.click(lambda: ("", [], _new_state()), None, **chat_io)
        chatbot.clear(_new_state, None, state, api_visibility="private")  # its icon is hidden by CSS anyway
        gr.api(ask, api_name="ask")
    return app


def static_text(name: str) -> str:
    path = STATIC / name
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def page_script() -> str:
    """The page's start-up JavaScript: each static script is a function, all run on load."""
    parts = [text.strip() for text in (static_text("chat.js"), static_text("pending.js")) if text.strip()]
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


def chat_app(holder: Answerer, paths: Paths, settings: WebSettings | None = None) -> Any:
    """A FastAPI app serving the chat at its root, with Gradio's queue bounded by `settings`."""
    from fastapi import FastAPI

    settings = settings or WebSettings()
    blocks = build_app(holder, paths)
    blocks.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_max_size)
    host = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    return gr.mount_gradio_app(host, blocks, "/", **mount_options(settings))

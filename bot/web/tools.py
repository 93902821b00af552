"""The chat page's tools around the conversation (issue #14), built inside `layout.build_app`:

- `texts_html`: the words the page scripts show (from `bot/messages.py`, as ``data-*`` of
  ``#ldn-texts``) and the one live region ``#ldn-status`` where confirmations appear;
- `tools_row`: "Copy the chat", "Print / save as PDF" (``static/conversation.js``) and "Start
  a new chat" (asks first; clears the chat and this tab's stored copy);
- `reason_panel` / `wire_feedback`: a thumbs click is confirmed, an un-click removes the stored
  click, a thumbs down may get a reason and a short comment; notices are never stored;
- `wire_memory`: the conversation and its state kept in this tab's ``sessionStorage`` after each
  reply and restored on load (JavaScript only: nothing of it is kept on the server).

The chat's state is a hidden JSON component (`bot.chat_state`), so the browser holds it and the
scripts can store it; every event cleans it (`clean_state`) before use.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import gradio as gr

from bot import feedback, messages
from bot.chat_state import clean_state, like_action, new_state, reason_choices, with_fid
from bot.render import escape_text

log = logging.getLogger(__name__)

STORAGE_KEY = "ldn-chat-v1"
_TEXTS = {
    "title": messages.WEB_TITLE,
    "printed": messages.PRINTED_ON,
    "about": messages.PRINT_ABOUT,
    "question": messages.QUESTION_LABEL,
    "copied": messages.COPIED,
    "copyFailed": messages.COPY_FAILED,
    "nothing": messages.NOTHING_TO_COPY,
    "confirmNew": messages.CONFIRM_NEW_CHAT,
}


def _attr(name: str) -> str:
    return "data-" + "".join(f"-{c.lower()}" if c.isupper() else c for c in name)


def texts_html() -> str:
    attrs = " ".join(f'{_attr(k)}="{escape_text(v)}"' for k, v in _TEXTS.items())
    return (
        f'<div id="ldn-texts" hidden {attrs}></div>'
        '<p id="ldn-status" class="ldn-status" role="status" aria-live="polite"></p>'
    )


def tools_row() -> gr.Button:
    """Copy, print and new-chat controls, under the question box; returns the new-chat button."""
    with gr.Row(elem_id="ldn-tools", equal_height=True):
        gr.HTML(
            f'<div class="ldn-tools-buttons">'
            f'<button type="button" id="ldn-copy-button" class="ldn-tool" data-ldn-action="copy">{escape_text(messages.COPY)}</button>'
            f'<button type="button" id="ldn-print-button" class="ldn-tool" data-ldn-action="print">{escape_text(messages.PRINT)}</button>'
            "</div>",
            padding=False,
            elem_id="ldn-tools-html",
        )
        clear = gr.Button(
            messages.CLEAR, variant="secondary", size="md", elem_id="ldn-clear", scale=0, min_width=160
        )
    return clear


_SAVE_JS = f"""(history, state) => {{
  try {{ sessionStorage.setItem("{STORAGE_KEY}", JSON.stringify({{v: 1, history, state}})); }} catch (e) {{}}
  return [];
}}"""

_RESTORE_JS = f"""() => {{
  const fresh = {json.dumps(new_state())};
  try {{
    const saved = JSON.parse(sessionStorage.getItem("{STORAGE_KEY}") || "null");
    if (saved && saved.v === 1 && Array.isArray(saved.history)) return [saved.history, saved.state || fresh];
  }} catch (e) {{}}
  return [[], fresh];
}}"""

_NEW_CHAT_JS = f"""(box, history, state) => {{
  const ok = window.ldn ? window.ldn.confirmNewChat() : window.confirm({json.dumps(messages.CONFIRM_NEW_CHAT)});
  if (!ok) return [box, history, state];
  try {{ sessionStorage.removeItem("{STORAGE_KEY}"); }} catch (e) {{}}
  return ["", [], {json.dumps(new_state())}];
}}"""

_ANNOUNCE_JS = """(message) => {
  const el = document.getElementById("ldn-status");
  if (el && message) { el.textContent = ""; setTimeout(() => { el.textContent = message; }, 30); }
  return [];
}"""


def style_script(css: str) -> str:
    """A start-up function that adds `css` to the page as it is (Gradio rewrites the selectors
    of its ``css`` option, which would break the print rules' ``body > *``)."""
    return f"() => {{ const s = document.createElement('style'); s.textContent = {json.dumps(css)}; document.head.appendChild(s); }}"


def save_after(event: Any, chatbot: gr.Chatbot, state: gr.JSON) -> Any:
    """After `event`, keep the conversation in this tab's storage (a browser-only step)."""
    return event.then(None, [chatbot, state], None, js=_SAVE_JS, api_visibility="private")


def wire_memory(
    app: gr.Blocks, box: gr.Textbox, chatbot: gr.Chatbot, state: gr.JSON, clear: gr.Button
) -> None:
    app.load(None, None, [chatbot, state], js=_RESTORE_JS, api_visibility="private")
    clear.click(None, [box, chatbot, state], [box, chatbot, state], js=_NEW_CHAT_JS, api_visibility="private")


def reason_panel() -> tuple[gr.Column, gr.Radio, gr.Textbox, gr.Button]:
    with gr.Column(visible=False, elem_id="ldn-reason-panel") as panel:
        reason = gr.Radio(reason_choices(), label=messages.FEEDBACK_REASON_LABEL, elem_id="ldn-reason")
        comment = gr.Textbox(label=messages.FEEDBACK_COMMENT_LABEL, max_length=feedback.COMMENT_MAX,
                             lines=2, max_lines=4, elem_id="ldn-comment")  # fmt: skip
        send = gr.Button(messages.FEEDBACK_SEND, variant="secondary", elem_id="ldn-reason-send", scale=0)
    return panel, reason, comment, send


def wire_feedback(chatbot: gr.Chatbot, state: gr.JSON) -> None:
    """Thumbs: confirm, store, un-click removes; a thumbs down opens the optional reason panel."""
    panel, reason, comment, send = reason_panel()
    message = gr.Textbox(visible=False, elem_id="ldn-feedback-message")
    keep = gr.skip()

    def on_like(raw: Any, evt: gr.LikeData) -> tuple[Any, ...]:
        state_now = clean_state(raw)
        action, record = like_action(state_now, evt.index, evt.liked)
        try:
            if action == "remove" and record is not None:
                feedback.remove(int(record["fid"]))
                hide = state_now.get("reason_for") == record["fid"]
                out = with_fid(state_now, evt.index, None)
                out["reason_for"] = None if hide else out["reason_for"]
                return out, gr.update(visible=False) if hide else keep, keep, keep, messages.FEEDBACK_REMOVED
            if action == "record" and record is not None:
                if record.get("fid"):  # switched thumbs: the earlier click goes
                    feedback.remove(int(record["fid"]))
                fid = feedback.record(record["question"], bool(evt.liked), record["quotes"], record["status"])
                out = with_fid(state_now, evt.index, fid)
                if evt.liked:
                    out["reason_for"] = None
                    return out, gr.update(visible=False), keep, keep, messages.FEEDBACK_LIKED
                out["reason_for"] = fid
                return out, gr.update(visible=True), None, "", messages.FEEDBACK_DISLIKED
        except Exception:  # feedback must never break the chat
            log.exception("could not store feedback")
            return keep, keep, keep, keep, messages.FEEDBACK_FAILED
        return keep, keep, keep, keep, ""

    def on_reason(raw: Any, code: Any, text: Any) -> tuple[Any, ...]:
        state_now = clean_state(raw)
        fid = state_now.get("reason_for")
        if not fid or (code is None and not str(text or "").strip()):
            return keep, gr.update(visible=False), ""
        try:
            feedback.set_reason(int(fid), code if code in feedback.REASONS else None, str(text or ""))
        except Exception:
            log.exception("could not store a feedback reason")
            return keep, keep, messages.FEEDBACK_FAILED
        state_now["reason_for"] = None
        return state_now, gr.update(visible=False), messages.FEEDBACK_REASON_SAVED

    outputs = [state, panel, reason, comment, message]
    liked = chatbot.like(on_like, [state], outputs, api_visibility="private")
    save_after(liked, chatbot, state).then(None, [message], None, js=_ANNOUNCE_JS, api_visibility="private")
    sent = send.click(on_reason, [state, reason, comment], [state, panel, message], api_visibility="private")
    save_after(sent, chatbot, state).then(None, [message], None, js=_ANNOUNCE_JS, api_visibility="private")

"""Pure functions from an `Answer` to what people read: HTML and chat messages for the web
chat (`answer_html`, `answer_message`, ...) and plain text for the command line (`answer_text`).
Every word comes from the answer (quotes, manifest fields) or from `bot/messages.py`; evidence
labels are shown with the words of `bot.evidence.DISPLAY` (`Label.display`).

Everything that comes from outside our fixed texts — the person's question, quoted source
text, titles and publishers — goes through `escape_text`, which turns every ASCII sign other
than letters, digits and spaces into a numeric HTML entity. The browser shows those signs as
they are, but neither HTML nor the chat's Markdown, LaTeX or link detection can read them:
``<script>`` stays text, ``[x](http://…)`` and ``![x](…)`` never become a link or an image,
``www.…`` and ``$$…$$`` stay plain. Our own markup is a single line (no blank lines), so the
Markdown renderer treats each reply as one HTML block and leaves it alone.

Layout of one reply (one chat message, so one like/dislike per reply):

- emergency: the fixed emergency message first, in a large red box with ``role="alert"``;
- otherwise: "Answered as: …" when a follow-up was rewritten; the intro line; each quote as a
  ``<blockquote>`` with its source (title, publisher, page), evidence badges and a collapsible
  surrounding passage (``<details>``); quotes shown first because of the question (pins) are
  marked so, with the reason; then the caveats (quoted caveats in quote style with their
  source; fixed notes as plain text);
- no_answer / invalid: their fixed message;
- every reply, of every status, ends with the fixed advice in its own box.

Trade-off: entity-escaping makes the stored chat history longer than plain text, but it does
not depend on the browser-side sanitiser being right.
"""

from __future__ import annotations

import string
import textwrap
from collections.abc import Mapping
from typing import Any

from bot import messages
from bot.models import Answer, Caveat, CaveatKind, Quote, Status
from corpus.models import DocumentMeta, stated

_PLAIN = frozenset(string.ascii_letters + string.digits + " ")

ChatMessage = dict[str, Any]


def escape_text(text: str) -> str:
    """Text that shows literally in HTML and in Markdown (every ASCII sign becomes an entity).

    >>> escape_text("<b>[x](http://a)")
    '&#60;b&#62;&#91;x&#93;&#40;http&#58;&#47;&#47;a&#41;'
    >>> escape_text("LDN 4.5 mg")
    'LDN 4&#46;5 mg'
    """
    return "".join(ch if ch in _PLAIN or ord(ch) > 127 else f"&#{ord(ch)};" for ch in text)


def _flat(text: str) -> str:
    """Quote text with its line breaks and runs of spaces folded (words are unchanged)."""
    return escape_text(" ".join(text.split()))


def display_title(title: str) -> str:
    """A source's title as shown; the manifest says "unknown" when the page states none."""
    return title if stated(title) else messages.UNTITLED


def _source_line(quote: Quote) -> str:
    parts = [f"<cite>{_flat(display_title(quote.title))}</cite>"]
    if quote.source and quote.source != quote.title:
        parts.append(_flat(quote.source))
    if quote.page is not None:
        parts.append(escape_text(messages.QUOTE_PAGE.format(page=quote.page)))
    return f'<p class="ldn-source">{escape_text(messages.QUOTE_SOURCE)} {" — ".join(parts)}</p>'


def _context(quote: Quote) -> str:
    """The surrounding passage, verbatim, with the quoted sentence marked."""
    context = quote.context or quote.text
    at = context.find(quote.text) if quote.text else -1
    if at >= 0:
        body = (
            escape_text(context[:at])
            + f"<mark>{escape_text(quote.text)}</mark>"
            + escape_text(context[at + len(quote.text) :])
        )
    else:
        body = escape_text(context)
    return (
        f'<details class="ldn-context"><summary>{escape_text(messages.QUOTE_CONTEXT)}</summary>'
        f'<div class="ldn-context-text">{body}</div></details>'
    )


def quote_html(quote: Quote) -> str:
    """One quote: the words, the source, the evidence badges and the surrounding passage."""
    pinned = ""
    if quote.pinned:
        pinned = f'<p class="ldn-pin-label">&#9888; {escape_text(messages.QUOTE_PINNED)}</p>'
    badges = "".join(
        f'<span class="ldn-badge">{escape_text(label.display)}</span>' for label in quote.evidence
    )
    evidence = (
        f'<p class="ldn-evidence"><span class="ldn-evidence-label">{escape_text(messages.QUOTE_EVIDENCE)}</span> '
        f"{badges}</p>"
        if badges
        else ""
    )
    cls = "ldn-quote ldn-pinned" if quote.pinned else "ldn-quote"
    return (
        f'<div class="{cls}">{pinned}'
        f'<blockquote class="ldn-quote-text">&#8220;{_flat(quote.text)}&#8221;</blockquote>'
        f"{_source_line(quote)}{evidence}{_context(quote)}</div>"
    )


def _caveat_html(caveat: Caveat) -> str:
    if caveat.quote is not None:
        return (
            f'<div class="ldn-caveat ldn-caveat-quoted">'
            f'<blockquote class="ldn-quote-text">&#8220;{_flat(caveat.text)}&#8221;</blockquote>'
            f"{_source_line(caveat.quote)}</div>"
        )
    if caveat.source is not None:
        note = f'<span class="ldn-note-label">{escape_text(messages.SOURCE_NOTE)}:</span> '
        # the source name as a title, not as our sentence
        body = f"<cite>{_flat(caveat.source.name)}</cite> — {escape_text(caveat.source.credibility)}"
        return f'<p class="ldn-caveat ldn-caveat-source">{note}{body}</p>'
    return f'<p class="ldn-caveat ldn-caveat-note">{escape_text(caveat.text)}</p>'


def advice_html(advice: str = messages.ADVICE) -> str:
    return f'<p class="ldn-advice" role="note"><strong>{escape_text(advice)}</strong></p>'


def emergency_html(message: str = messages.EMERGENCY) -> str:
    return (
        f'<div class="ldn-emergency" role="alert"><p class="ldn-emergency-title">&#9888; '
        f"{escape_text(messages.EMERGENCY_HEADING)}</p><p>{escape_text(message)}</p></div>"
    )


def answer_html(answer: Answer, asked_as: str | None = None) -> str:
    """The whole reply as one line of HTML. `asked_as`: the rewritten question of a follow-up."""
    parts: list[str] = []
    if answer.status is Status.EMERGENCY:
        parts.append(emergency_html(answer.message))
    else:
        if answer.triage == "possible":
            parts.append(emergency_html(messages.EMERGENCY_POSSIBLE))
        if asked_as:
            line = messages.FOLLOW_UP.format(question=" ".join(asked_as.split()))
            parts.append(f'<p class="ldn-followup">{escape_text(line)}</p>')
        if answer.status is Status.ANSWERED:
            parts.append(_answered(answer))
        else:
            parts.append(f'<p class="ldn-message">{escape_text(answer.message)}</p>')
    parts.append(advice_html(answer.advice))
    return f'<div class="ldn-reply ldn-status-{escape_text(answer.status.value)}">{"".join(parts)}</div>'


def quote_groups(answer: Answer) -> list[tuple[str | None, tuple[Quote, ...]]]:
    """The quotes as shown: (None, quotes that answer the whole message: pinned cautions, or all
    of them), then for a message asking several questions (`Answer.questions`) one group per
    question in the order asked, headed by the person's own words (empty: not answered)."""
    whole = tuple(q for q in answer.quotes if q.question is None)
    out: list[tuple[str | None, tuple[Quote, ...]]] = [(None, whole)] if whole else []
    for i, asked in enumerate(answer.questions):
        out.append((asked, tuple(q for q in answer.quotes if q.question == i)))
    return out


def part_heading_html(asked: str, answered: bool) -> str:
    """The person's own question above its quotes (escaped), or with the fixed no-answer line."""
    line = messages.PART_QUESTION.format(question=" ".join(asked.split()))
    none = "" if answered else f'<p class="ldn-part-none">{escape_text(messages.PART_NO_ANSWER)}</p>'
    return f'<p class="ldn-part">{escape_text(line)}</p>{none}'


def _answered(answer: Answer) -> str:
    has_pins = any(q.pinned for q in answer.quotes)
    pin_notes = [c for c in answer.caveats if c.kind == CaveatKind.PINNED] if has_pins else []
    out = [f'<p class="ldn-intro">{escape_text(answer.message)}</p>']
    if pin_notes:
        notes = " ".join(escape_text(c.text) for c in pin_notes)
        out.append(f'<p class="ldn-pin-note" role="note">&#9888; {notes}</p>')
    for asked, quotes in quote_groups(answer):
        if asked is not None:
            out.append(part_heading_html(asked, bool(quotes)))
        out.extend(quote_html(q) for q in quotes)
    caveats = [c for c in answer.caveats if c not in pin_notes]
    if caveats:
        items = "".join(_caveat_html(c) for c in caveats)
        out.append(
            f'<div class="ldn-caveats"><p class="ldn-caveats-title">{escape_text(messages.CAVEATS_HEADING)}</p>'
            f"{items}</div>"
        )
    return "".join(out)


def notice_html(text: str) -> str:
    """A fixed system notice (starting, unavailable), followed by the advice like every reply."""
    return f'<div class="ldn-reply ldn-notice"><p class="ldn-message">{escape_text(text)}</p>{advice_html()}</div>'


def user_message(text: str) -> ChatMessage:
    """What the person typed, shown as text (never markup, never a link or image)."""
    return {"role": "user", "content": escape_text(text)}


def assistant_message(html: str) -> ChatMessage:
    return {"role": "assistant", "content": html}


def answer_message(answer: Answer, asked_as: str | None = None) -> ChatMessage:
    return assistant_message(answer_html(answer, asked_as))


def sources_html(documents: Mapping[str, DocumentMeta]) -> str:
    """The visible list of sources: title, publisher, kind and date of each document."""
    if not documents:
        return f'<p class="ldn-sources-empty">{escape_text(messages.SOURCES_MISSING)}</p>'
    items = []
    for doc_id in sorted(documents):
        meta = documents[doc_id]
        details = " · ".join(
            f"{escape_text(label)}: {escape_text(value)}"
            for label, value in zip(
                messages.SOURCE_FIELDS, (meta.publisher, meta.kind, meta.date), strict=True
            )
        )
        items.append(
            f'<li class="ldn-source-item"><span class="ldn-source-title">{_flat(display_title(meta.title))}</span>'
            f'<br><span class="ldn-source-meta">{details}</span>'
            f'<br><span class="ldn-source-note">{escape_text(messages.SOURCE_NOTE)}: {escape_text(meta.credibility)}</span>'
            "</li>"
        )
    return f'<ul class="ldn-sources">{"".join(items)}</ul>'


# -- plain text (the command line) ----------------------------------------------------------


def _fill(text: str, indent: str) -> str:
    return textwrap.fill(text, width=100, subsequent_indent=indent)


def _caveat_text(c: Caveat) -> str:
    if c.source is not None:
        return f"{c.source.name}: {c.source.credibility}"
    if c.quote is not None:
        return f"“{' '.join(c.text.split())}” — {c.quote.source}"
    return c.text


def _quote_lines(k: int, q: Quote) -> list[str]:
    lines: list[str] = []
    page = f", page {q.page}" if q.page is not None else ""
    pin = "  [warning shown first because of your question]" if q.pinned else ""
    lines.append(_fill(f"{k}. “{' '.join(q.text.split())}”", "   "))
    title = display_title(q.title)
    who = "" if q.source in (q.title, title) else q.source
    where = f" ({who}{page})" if who else (f" ({page.lstrip(', ')})" if page else "")
    lines.append(f"   — {title}{where}{pin}")
    lines.append(f"   Evidence: {', '.join(label.display for label in q.evidence)}")
    lines.append("")
    return lines


def answer_text(ans: Answer) -> str:
    """A readable plain-text reply (the same content as the web chat)."""
    lines: list[str] = []
    if ans.status is not Status.EMERGENCY and ans.triage == "possible":
        lines += ["!!! " + messages.EMERGENCY_POSSIBLE, ""]
    if ans.status is Status.EMERGENCY:
        lines += ["!!! " + ans.message, ""]
    elif ans.status is not Status.ANSWERED:
        lines += [ans.message, ""]
    else:
        lines += [ans.message, ""]
        k = 0
        for asked, quotes in quote_groups(ans):
            if asked is not None:
                lines.append(_fill(messages.PART_QUESTION.format(question=" ".join(asked.split())), ""))
                lines += [messages.PART_NO_ANSWER, ""] if not quotes else [""]
            for q in quotes:
                k += 1
                lines += _quote_lines(k, q)
        if ans.caveats:
            lines.append("Caveats:")
            lines.extend(_fill(f"- {_caveat_text(c)}", "  ") for c in ans.caveats)
            lines.append("")
    lines.append(ans.advice)
    return "\n".join(lines)

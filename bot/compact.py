"""The compact chat reply: the quotes first, each standing caveat once per chat, details a click away.

`reply_html(answer, memory=…)` returns one reply as one line of HTML and the chat's updated
`ChatMemory` (what this chat has already shown once). Compared with showing everything under
every reply, it keeps what is about *this* answer and moves the rest:

- a heading per reply (``<h2>``; the question follows for screen readers only), so a screen
  reader user can jump from answer to answer;
- quotes first, each with a one-line source (title, publisher, page) and a "?" that opens what
  the corpus manifest says about the source (publisher, type, date, credibility) and a link to
  the source viewer (`bot.source_page`) with the quote marked;
- evidence labels stay with every quote (they describe that quote);
- the note that pinned warnings come first is shown once per reply (not on every pinned quote);
  a conflict note is about this answer, so it is shown whenever the engine adds one;
- the sources' standing cautions (``not_approved``, ``small_trials``) and the plain-words notes
  on source conventions ("(R)", `bot.backref.conventions_in`) are shown the first time they apply
  in a chat, then not again: repeating them adds nothing;
- the manifest's note on each quoted source is behind the "?", never repeated under the reply;
- the fixed advice ends every reply; a few suggested questions (`bot.suggest`) may follow, as
  buttons that ask them (`static/conversation.js` asks the button's text as if typed).

Every outside text goes through `render.escape_text`. Trade-off: a caveat seen in an earlier
reply is not under a later one, so a reply read alone (e.g. copied) can lack it; the printed and
copied chat keep every reply in order, so it is there once, where it first applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot import messages
from bot.backref import conventions_in
from bot.help_links import linkify
from bot.models import Answer, Caveat, Quote, Status
from bot.render import escape_text, part_heading_html, quote_groups
from bot.source_page import source_url
from corpus.models import DocumentMeta

ONCE_PER_CHAT = frozenset({"not_approved", "small_trials"})
HIDDEN_KINDS = frozenset({"source", "pinned"})  # behind "?" / the pin note
_E = escape_text


@dataclass(frozen=True)
class ChatMemory:
    """Keys of what this chat has shown once (caveat kinds, convention notes); JSON-friendly."""

    shown: frozenset[str] = frozenset()

    def with_keys(self, keys: Iterable[str]) -> ChatMemory:
        return ChatMemory(self.shown | frozenset(keys))

    def to_list(self) -> list[str]:
        return sorted(self.shown)

    @classmethod
    def from_list(cls, keys: object) -> ChatMemory:
        """From stored state; anything malformed reads as a fresh chat."""
        if not isinstance(keys, list | tuple):
            return cls()
        return cls(frozenset(k for k in keys if isinstance(k, str) and len(k) < 200))


def _flat(text: str) -> str:
    return _E(" ".join(text.split()))


def _title(title: str) -> str:
    return title if title and not title.startswith("unknown") else messages.UNTITLED


def _label(label: object) -> str:
    return str(getattr(label, "display", label))


def _source_info(quote: Quote, meta: DocumentMeta | None) -> str:
    """The "?" next to a quote's source: the manifest's description and the source viewer link."""
    rows = [f"<cite>{_flat(_title(meta.title if meta is not None else quote.title))}</cite>"]
    if meta is not None:
        values = (meta.publisher, meta.kind, meta.date)
        rows.append(
            " · ".join(
                f"{_E(label)}: {_flat(value)}"
                for label, value in zip(messages.SOURCE_FIELDS, values, strict=True)
            )
        )
    credibility = (meta.credibility if meta is not None else "") or quote.credibility
    if credibility:
        rows.append(f"{_E(messages.SOURCE_NOTE)}: {_flat(credibility)}")
    href = source_url(quote.doc_id, quote.start, quote.end)
    rows.append(f'<a class="ldn-source-open" href="{_E(href)}">{_E(messages.SOURCE_OPEN)}</a>')
    body = "".join(f"<p>{row}</p>" for row in rows)
    return (
        f'<details class="ldn-source-info"><summary>?<span class="ldn-sr-only"> '
        f"{_E(messages.SOURCE_INFO)}</span></summary><div>{body}</div></details>"
    )


def _source_line(quote: Quote, meta: DocumentMeta | None) -> str:
    """Who says it (the publisher, else the title) and the page; the title and the rest behind "?"."""
    name = quote.source or _title(quote.title)
    page = f", {_E(messages.QUOTE_PAGE.format(page=quote.page))}" if quote.page is not None else ""
    return (
        f'<div class="ldn-source">&#8212; <cite>{_flat(name)}</cite>{page} {_source_info(quote, meta)}</div>'
    )


def quote_html(quote: Quote, meta: DocumentMeta | None = None) -> str:
    """One quote: the words, its one-line source with the "?", its evidence labels."""
    badges = "".join(f'<span class="ldn-badge">{_E(_label(label))}</span>' for label in quote.evidence)
    evidence = (
        f'<p class="ldn-evidence"><span class="ldn-sr-only">{_E(messages.QUOTE_EVIDENCE_SHORT)} </span>'
        f"{badges}</p>"
        if badges
        else ""
    )
    cls = "ldn-quote ldn-pinned" if quote.pinned else "ldn-quote"
    return (
        f'<div class="{cls}"><blockquote class="ldn-quote-text">&#8220;{_flat(quote.text)}&#8221;</blockquote>'
        f"{_source_line(quote, meta)}{evidence}</div>"
    )


def _caveat_html(caveat: Caveat, sources: Mapping[str, DocumentMeta]) -> str:
    if caveat.quote is not None:
        q = caveat.quote
        return (
            f'<div class="ldn-caveat ldn-caveat-quoted">'
            f'<blockquote class="ldn-quote-text">&#8220;{_flat(caveat.text)}&#8221;</blockquote>'
            f"{_source_line(q, sources.get(q.doc_id))}</div>"
        )
    return f'<p class="ldn-caveat ldn-caveat-note">{_E(caveat.text)}</p>'


def heading_html(kind: str, question: str | None = None) -> str:
    about = ""
    if question:
        line = messages.REPLY_ABOUT.format(question=" ".join(question.split()))
        about = f'<span class="ldn-sr-only">. {_E(line)}</span>'
    return f'<h2 class="ldn-reply-heading">{_E(messages.REPLY_HEADING[kind])}{about}</h2>'


def advice_html(advice: str = messages.ADVICE) -> str:
    return f'<p class="ldn-advice" role="note"><strong>{_E(advice)}</strong></p>'


def emergency_html(message: str = messages.EMERGENCY) -> str:
    """The emergency box: first, an alert, every help number a ``tel:`` link."""
    return (
        f'<div class="ldn-emergency" role="alert"><h2 class="ldn-reply-heading ldn-emergency-title">&#9888; '
        f"{_E(messages.EMERGENCY_HEADING)}</h2><p>{linkify(message, _E)}</p></div>"
    )


def suggestions_html(questions: Iterable[str]) -> str:
    items = "".join(
        f'<li><button type="button" class="ldn-suggest">{_flat(q)}</button></li>' for q in questions
    )
    if not items:
        return ""
    return (
        f'<div class="ldn-suggestions ldn-noprint"><p class="ldn-suggestions-title">'
        f"{_E(messages.SUGGESTIONS_HEADING)}</p><ul>{items}</ul></div>"
    )


def _answered(
    answer: Answer, memory: ChatMemory, sources: Mapping[str, DocumentMeta]
) -> tuple[str, set[str]]:
    out: list[str] = []
    new_keys: set[str] = set()
    if any(q.pinned for q in answer.quotes):
        notes = [c.text for c in answer.caveats if c.kind == "pinned"]
        if notes:
            out.append(f'<p class="ldn-pin-note" role="note">&#9888; {_E(" ".join(notes))}</p>')
    for asked, quotes in quote_groups(answer):  # several questions: each group under its question
        if asked is not None:
            out.append(part_heading_html(asked, bool(quotes)))
        out.extend(quote_html(q, sources.get(q.doc_id)) for q in quotes)
    items: list[str] = []
    for c in answer.caveats:
        kind = str(c.kind)
        if kind in HIDDEN_KINDS:
            continue
        if kind in ONCE_PER_CHAT:
            key = f"caveat:{kind}"
            if key in memory.shown or key in new_keys:
                continue
            new_keys.add(key)
        items.append(_caveat_html(c, sources))
    for note in conventions_in(q.text for q in answer.quotes):
        key = f"convention:{note[:40]}"
        if key not in memory.shown:
            new_keys.add(key)
            items.append(f'<p class="ldn-caveat ldn-caveat-note">{_E(note)}</p>')
    if items:
        out.append(
            f'<div class="ldn-caveats"><p class="ldn-caveats-title">{_E(messages.CAVEATS_HEADING)}</p>'
            f"{''.join(items)}</div>"
        )
    return "".join(out), new_keys


def reply_html(
    answer: Answer,
    asked_as: str | None = None,
    memory: ChatMemory | None = None,
    sources: Mapping[str, DocumentMeta] | None = None,
    suggestions: Iterable[str] = (),
) -> tuple[str, ChatMemory]:
    """One reply as one line of HTML, and the chat's memory after it (see module doc)."""
    memory = memory or ChatMemory()
    sources = sources or {}
    parts: list[str] = []
    keys: set[str] = set()
    if answer.status is Status.EMERGENCY:
        parts.append(emergency_html(answer.message))
    else:
        if answer.triage == "possible":  # a possible emergency: the guidance first, then the answer
            parts.append(emergency_html(messages.EMERGENCY_POSSIBLE))
        parts.append(heading_html(answer.status.value, answer.question))
        if asked_as:
            line = messages.FOLLOW_UP.format(question=" ".join(asked_as.split()))
            parts.append(f'<p class="ldn-followup">{_E(line)}</p>')
        if answer.status is Status.ANSWERED:
            body, keys = _answered(answer, memory, sources)
            parts.append(body)
        else:
            parts.append(f'<p class="ldn-message">{_E(answer.message)}</p>')
    parts.append(advice_html(answer.advice))
    if answer.status is Status.ANSWERED:
        parts.append(suggestions_html(suggestions))
    html = f'<div class="ldn-reply ldn-status-{_E(answer.status.value)}">{"".join(parts)}</div>'
    return html, memory.with_keys(keys)


def notice_html(text: str) -> str:
    """A fixed system notice (starting, unavailable): no thumbs are offered under it."""
    return (
        f'<div class="ldn-reply ldn-notice">{heading_html("notice")}'
        f'<p class="ldn-message">{_E(text)}</p>{advice_html()}</div>'
    )

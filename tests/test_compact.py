"""The compact reply (`bot.compact`): quotes first, standing caveats once per chat, details behind "?"."""

from __future__ import annotations

import html
import re

from bot import messages
from bot.compact import ChatMemory, notice_html, reply_html
from bot.models import Answer, Caveat, Quote, Status
from corpus.models import DocumentMeta

META = {"d1": DocumentMeta("Title One", "Pub One", "clinic page", "2024-05-01", "Not peer reviewed.")}


def _quote(text: str = "LDN helps some people (R).", start: int = 10, pinned: str | None = None) -> Quote:
    return Quote("d1", "Title One", "Pub One", None, start, start + len(text), text, 0.8,
                 ("Small study",), credibility="Not peer reviewed.", pinned=pinned)  # type: ignore[arg-type]  # fmt: skip


STANDING = Caveat(
    "It is not approved for this use.", "not_approved", _quote("It is not approved for this use.", 500)
)  # type: ignore[arg-type]
SOURCE = Caveat("Pub One: Not peer reviewed.", "source")  # type: ignore[arg-type]
CONFLICT = Caveat(messages.CONFLICT, "conflict")  # type: ignore[arg-type]


def _answer(
    *caveats: Caveat, quotes: tuple[Quote, ...] | None = None, question: str = "Does it help?"
) -> Answer:
    return Answer(
        Status.ANSWERED, question, messages.ANSWERED_INTRO, quotes or (_quote(),), caveats, messages.ADVICE
    )


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_standing_caveats_and_convention_notes_once_per_chat_conflicts_every_time() -> None:
    first, memory = reply_html(_answer(STANDING, CONFLICT, SOURCE), sources=META)
    second, memory2 = reply_html(_answer(STANDING, CONFLICT, SOURCE), memory=memory, sources=META)
    assert "It is not approved" in _text(first) and "It is not approved" not in _text(second)
    note = messages.SOURCE_CONVENTIONS[0][1]
    assert " ".join(note.split()) in " ".join(_text(first).split()) and "web page put a link" not in _text(
        second
    )
    assert messages.CONFLICT in _text(first) and messages.CONFLICT in _text(second)
    assert memory2 == memory and "caveat:not_approved" in memory.shown


def test_source_description_is_behind_the_question_mark_with_a_viewer_link() -> None:
    reply, _ = reply_html(_answer(SOURCE), sources=META)
    info = re.search(r'<details class="ldn-source-info">.*?</details>', reply)
    assert info is not None
    inside = _text(info.group())
    for value in ("Pub One", "clinic page", "2024-05-01", "Not peer reviewed."):
        assert value in inside
    assert 'href="&#47;source&#47;d1&#63;start&#61;10&#38;end&#61;36&#35;quote"' in info.group()
    outside = _text(reply.replace(info.group(), ""))
    assert "Not peer reviewed." not in outside  # the source note is not repeated under the reply


def test_pinned_marker_once_and_quotes_before_caveats() -> None:
    pins = (_quote("Do not take it with opioids.", 0, "opioid"), _quote("Never with opioids.", 100, "opioid"))
    answer = _answer(Caveat(messages.PINNED_OPIOID, "pinned"), STANDING, quotes=pins)  # type: ignore[arg-type]
    reply, _ = reply_html(answer, sources=META)
    assert _text(reply).count("Because your question mentions an opioid") == 1
    assert messages.QUOTE_PINNED not in _text(reply)
    assert reply.index("Do not take it") < reply.index("It is not approved")


def test_every_reply_has_a_heading_and_the_advice() -> None:
    for status, kind in ((Status.NO_ANSWER, "no_answer"), (Status.INVALID, "invalid")):
        reply, _ = reply_html(Answer(status, "q?", "msg", (), (), messages.ADVICE))
        assert f'<h2 class="ldn-reply-heading">{messages.REPLY_HEADING[kind]}' in html.unescape(reply)
        assert messages.ADVICE in _text(reply)
    emergency, _ = reply_html(Answer(Status.EMERGENCY, "q", messages.EMERGENCY, (), (), messages.ADVICE))
    assert emergency.index('role="alert"') < emergency.index("ldn-advice")
    assert "<h2" in emergency and 'href="tel:911"' in emergency and 'href="tel:988"' in emergency
    assert "ldn-notice" in notice_html(messages.STARTING) and "<h2" in notice_html(messages.STARTING)


def test_a_possible_emergency_shows_the_guidance_first_then_the_answer() -> None:
    for status in (Status.ANSWERED, Status.NO_ANSWER, Status.INVALID):
        quotes = (_quote(),) if status is Status.ANSWERED else ()
        answer = Answer(
            status, "q?", "msg", quotes, (), messages.ADVICE, {}, "possible", ("suicide_selfharm",)
        )
        reply, _ = reply_html(answer, sources=META)
        opening = messages.EMERGENCY_POSSIBLE.split("(")[0]  # before the linked numbers
        assert opening in _text(reply) and 'role="alert"' in reply, status
        assert reply.index('role="alert"') < reply.index('class="ldn-reply-heading">')
        assert 'href="tel:988"' in reply
        assert "Poison Control" in _text(reply)  # most emergencies are shown at this level now
    plain, _ = reply_html(_answer(), sources=META)
    assert messages.EMERGENCY_POSSIBLE.split("(")[0] not in _text(plain) and 'role="alert"' not in plain


def test_heading_carries_the_question_for_screen_readers_only_escaped() -> None:
    reply, _ = reply_html(_answer(question="<b>why</b>?"))
    assert '<span class="ldn-sr-only">' in reply and "<b>" not in reply
    assert "&#60;b&#62;why" in reply


def test_suggestions_are_buttons_only_under_answers() -> None:
    reply, _ = reply_html(_answer(), suggestions=["How is it taken?", 'Say "hi" <x>?'])
    buttons = re.findall(r'<button type="button" class="ldn-suggest">([^<]*)</button>', reply)
    assert [html.unescape(b) for b in buttons] == ["How is it taken?", 'Say "hi" <x>?']
    none, _ = reply_html(Answer(Status.NO_ANSWER, "q", "m", (), (), messages.ADVICE), suggestions=["A?"])
    assert "ldn-suggest" not in none


def test_quote_text_is_escaped_and_one_line() -> None:
    reply, _ = reply_html(_answer(quotes=(_quote("A <script>x</script>\n\nline.", 0),)))
    assert "<script>" not in reply and "\n" not in reply


def test_memory_from_stored_state_is_forgiving() -> None:
    assert ChatMemory.from_list(None) == ChatMemory()
    assert ChatMemory.from_list(["a", 3, "b"]).shown == frozenset({"a", "b"})
    assert ChatMemory.from_list(ChatMemory(frozenset({"x"})).to_list()).shown == {"x"}

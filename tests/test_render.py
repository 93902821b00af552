"""`bot.render`: every reply's layout, and that outside text never becomes markup or a link."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from bot import messages
from bot.evidence import EvidenceLabel, Label
from bot.models import Answer, Caveat, CaveatKind, PinKind, Quote, SourceNote, Status
from bot.render import (
    answer_html,
    answer_message,
    answer_text,
    escape_text,
    notice_html,
    quote_html,
    sources_html,
    user_message,
)
from corpus.models import DocumentMeta

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}
NASTY = "<script>alert(1)</script> [link](http://evil.example) ![img](http://evil.example/x.png) $$x$$ www.evil.example"


class _Tags(HTMLParser):
    """Collects start tags and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return parser


def quote(text: str = "Vivid dreams are common.", **kw: object) -> Quote:
    base: dict[str, object] = {
        "doc_id": "d1",
        "title": "A page about LDN",
        "source": "A clinic",
        "page": None,
        "start": 10,
        "end": 10 + len(text),
        "text": text,
        "score": 0.9,
        "evidence": (Label(EvidenceLabel.NO_STUDY_CITED),),
        "context": f"Before it. {text} After it.",
        "credibility": "A clinic page.",
    }
    base.update(kw)
    return Quote(**base)  # type: ignore[arg-type]


def answered(*quotes: Quote, caveats: tuple[Caveat, ...] = ()) -> Answer:
    return Answer(Status.ANSWERED, "q?", messages.ANSWERED_INTRO, quotes, caveats, messages.ADVICE)


def fixed(status: Status, message: str) -> Answer:
    return Answer(status, "q?", message, (), (), messages.ADVICE)


ALL_STATUSES = [
    answered(quote()),
    fixed(Status.NO_ANSWER, messages.NO_ANSWER),
    fixed(Status.EMERGENCY, messages.EMERGENCY),
    fixed(Status.INVALID, messages.INVALID_EMPTY),
]


CLINIC_NOTE = Caveat.about_source(SourceNote("d1", "A clinic", "A clinic page."))


@pytest.mark.parametrize("answer", ALL_STATUSES, ids=lambda a: a.status.value)
def test_every_status_ends_with_the_advice_and_is_one_well_formed_line(answer: Answer) -> None:
    markup = answer_html(answer)
    assert "\n" not in markup and "\r" not in markup  # one HTML block for the Markdown renderer
    tags = parse(markup)
    assert html.unescape(markup).count(messages.ADVICE) == 1
    last_p = [attrs for tag, attrs in tags.tags if tag == "p"][-1]
    assert last_p.get("class") == "ldn-advice"
    assert "".join(tags.text).rstrip().endswith(messages.ADVICE)


def test_notice_also_carries_the_advice() -> None:
    markup = notice_html(messages.STARTING)
    parse(markup)
    assert messages.STARTING in html.unescape(markup) and messages.ADVICE in html.unescape(markup)


@pytest.mark.parametrize(
    ("answer", "text"),
    [(ALL_STATUSES[1], messages.NO_ANSWER), (ALL_STATUSES[3], messages.INVALID_EMPTY)],
    ids=["no_answer", "invalid"],
)
def test_no_answer_and_invalid_show_their_fixed_message_and_no_quote(answer: Answer, text: str) -> None:
    markup = answer_html(answer)
    assert text in html.unescape(markup)
    assert "<blockquote" not in markup


def test_emergency_comes_first_big_red_and_as_an_alert() -> None:
    markup = answer_html(fixed(Status.EMERGENCY, messages.EMERGENCY), asked_as="ignored when an emergency")
    tags = parse(markup)
    first_inside = tags.tags[1]  # tags[0] is the reply wrapper
    assert first_inside[0] == "div" and first_inside[1].get("class") == "ldn-emergency"
    assert first_inside[1].get("role") == "alert"
    assert messages.EMERGENCY in html.unescape(markup)
    assert "Answered as" not in markup and "ignored" not in markup
    assert html.unescape(markup).index(messages.EMERGENCY) < html.unescape(markup).index(messages.ADVICE)


def test_quote_has_blockquote_source_page_badges_and_the_surrounding_passage() -> None:
    q = quote(page=3, evidence=(Label(EvidenceLabel.SMALL_STUDY, 14), Label(EvidenceLabel.REVIEW)))
    markup = quote_html(q)
    tags = parse(markup)
    names = [t for t, _ in tags.tags]
    assert "blockquote" in names and "details" in names and "summary" in names and "mark" in names
    text = html.unescape(markup)
    assert f"“{q.text}”" in text
    assert "A page about LDN" in text and "A clinic" in text and "page 3" in text
    assert [a.get("class") for t, a in tags.tags if t == "span"].count("ldn-badge") == 2
    assert "Small study (n=14)" in text and "Review" in text  # the label keys shown as words
    assert messages.QUOTE_CONTEXT in text
    assert "Before it. " in text and " After it." in text
    # the summary comes before the passage, which is inside <details> (collapsed by default)
    assert re.search(r"<details class=\"ldn-context\"><summary>", markup)
    assert "open" not in dict(tags.tags[names.index("details")][1])


def test_source_equal_to_title_is_not_repeated_and_no_page_means_no_page() -> None:
    q = quote(title="Same name", source="Same name")
    text = html.unescape(quote_html(q))
    assert text.count("Same name") == 1
    assert "page" not in text.lower().replace("passage", "")


def test_pinned_quotes_are_marked_with_the_reason_shown_before_them() -> None:
    pinned = quote("People using opioid medications cannot use LDN.", pinned=PinKind.OPIOID)
    other = quote("Vivid dreams are common.", start=200, end=224)
    caveats = (Caveat(messages.PINNED_OPIOID, CaveatKind.PINNED), CLINIC_NOTE)
    markup = answer_html(answered(pinned, other, caveats=caveats))
    parse(markup)
    text = html.unescape(markup)
    assert text.count(messages.QUOTE_PINNED) == 1  # only the pinned quote is labelled
    assert text.index(messages.PINNED_OPIOID) < text.index(pinned.text) < text.index(other.text)
    assert text.count(messages.PINNED_OPIOID) == 1  # not repeated among the caveats
    assert 'class="ldn-quote ldn-pinned"' in markup


def test_caveats_follow_the_quotes_quoted_ones_in_quote_style_with_their_source() -> None:
    q = quote()
    standing = quote(
        "LDN is not FDA approved.", doc_id="d2", title="Another page", source="A blog", start=5, end=29
    )
    caveats = (
        Caveat(messages.CONFLICT, CaveatKind.CONFLICT),
        Caveat(standing.text, CaveatKind.NOT_APPROVED, standing),
        CLINIC_NOTE,
    )
    markup = answer_html(answered(q, caveats=caveats))
    parse(markup)
    text = html.unescape(markup)
    assert text.index(q.text) < text.index(messages.CAVEATS_HEADING) < text.index(messages.CONFLICT)
    assert re.search(r'<div class="ldn-caveat ldn-caveat-quoted"><blockquote class="ldn-quote-text">', markup)
    assert f"“{standing.text}”" in text and "Another page" in text and "A blog" in text
    # the source note names its source as a title (<cite>), then the note
    assert f"{messages.SOURCE_NOTE}: A clinic — A clinic page." in "".join(parse(markup).text)
    assert "<cite>A clinic</cite> — A clinic page&#46;" in markup
    assert text.index(messages.CAVEATS_HEADING) < text.index(messages.ADVICE)


def test_follow_up_line_shows_the_question_used() -> None:
    markup = answer_html(answered(quote()), asked_as="What about LDN for MS?")
    assert html.unescape(markup).find(messages.FOLLOW_UP.format(question="What about LDN for MS?")) >= 0
    assert "Answered as" not in answer_html(answered(quote()))


def _assert_inert(markup: str) -> None:
    """No markup, link, image or maths can come out of the outside text."""
    low = markup.lower()
    for bad in ("<script", "<img", "<a ", "](", "![", "http://", "https://", "www.", "$$", "javascript:"):
        assert bad not in low, bad


def test_quote_question_and_source_text_render_as_text_never_markup() -> None:
    q = quote(NASTY, title=f"Title {NASTY}", source=f"Pub {NASTY}", context=f"ctx {NASTY} end")
    standing = quote(NASTY, doc_id="d2")
    caveats = (
        Caveat(NASTY, CaveatKind.NOT_APPROVED, standing),
        Caveat.about_source(SourceNote("d1", NASTY, NASTY)),
    )
    markup = answer_html(answered(q, caveats=caveats), asked_as=NASTY)
    _assert_inert(markup)
    tags = parse(markup)
    assert {t for t, _ in tags.tags} <= {
        "div",
        "p",
        "blockquote",
        "cite",
        "span",
        "details",
        "summary",
        "mark",
        "strong",
    }
    assert NASTY in html.unescape(markup)  # shown, literally


def test_user_message_is_text_only() -> None:
    msg = user_message(NASTY)
    assert msg["role"] == "user"
    _assert_inert(msg["content"])
    assert "<" not in msg["content"] and ">" not in msg["content"]
    assert html.unescape(msg["content"]) == NASTY


def test_escape_text_keeps_words_and_unicode() -> None:
    assert escape_text("Naltrexone 4.5 mg — “LDN”") == "Naltrexone 4&#46;5 mg — “LDN”"
    assert html.unescape(escape_text(NASTY + "\n\t&")) == NASTY + "\n\t&"


def test_answer_message_is_an_assistant_message_dict() -> None:
    msg = answer_message(answered(quote()))
    assert msg == {"role": "assistant", "content": answer_html(answered(quote()))}


def test_sources_list_shows_title_publisher_kind_date_escaped() -> None:
    metas = {
        "b": DocumentMeta(
            title="Second <i>page</i>", publisher="Clinic B", kind="clinic web page", date="2024-11-10"
        ),
        "a": DocumentMeta(
            title="First [x](http://e.example)", publisher="unknown", kind="blog", date="unknown"
        ),
    }
    markup = sources_html(metas)
    parse(markup)
    _assert_inert(markup)
    text = html.unescape(markup)
    for value in (
        "Second <i>page</i>",
        "Clinic B",
        "clinic web page",
        "2024-11-10",
        "First [x](http://e.example)",
    ):
        assert value in text
    assert text.index("First") < text.index("Second")  # stable order (by document id)
    assert messages.SOURCES_MISSING in html.unescape(sources_html({}))


def test_an_unknown_title_is_shown_as_untitled() -> None:
    from bot.render import _source_line

    quote = Quote("d", "unknown", "Seekers Centre", None, 0, 4, "Text", 1.0, ("No study cited",))
    line = _source_line(quote)
    assert "Untitled page" in line and "Seekers Centre" in line and "unknown" not in line


def test_plain_text_has_the_same_words_as_the_chat() -> None:
    q = quote(page=3, evidence=(Label(EvidenceLabel.SMALL_STUDY, 14),), title="unknown")
    standing = quote("LDN is not FDA approved.", doc_id="d2", source="A blog", start=5, end=29)
    caveats = (Caveat(standing.text, CaveatKind.NOT_APPROVED, standing), CLINIC_NOTE)
    text = answer_text(answered(q, caveats=caveats))
    assert f"“{q.text}”" in text and "Small study (n=14)" in text and "page 3" in text
    assert messages.UNTITLED in text and "unknown" not in text
    assert "“LDN is not FDA approved.” — A blog" in text and "A clinic: A clinic page." in text
    assert text.endswith(messages.ADVICE)
    assert answer_text(fixed(Status.EMERGENCY, messages.EMERGENCY)).startswith("!!! " + messages.EMERGENCY)


def test_plain_text_names_a_source_once_when_its_name_is_its_title() -> None:
    same = quote(title="An LDN guide", source="An LDN guide", page=2)
    text = answer_text(answered(same))
    assert text.count("An LDN guide") == 1 and "— An LDN guide (page 2)" in text
    other = answer_text(answered(quote(title="An LDN guide", source="A clinic")))
    assert "— An LDN guide (A clinic)" in other

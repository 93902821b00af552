"""Help numbers in the emergency box are tappable `tel:` links (`bot.help_links`)."""

from __future__ import annotations

import doctest
import re

import bot.help_links
from bot import messages
from bot.help_links import linkify, numbers
from bot.render import escape_text


def test_every_help_number_of_the_emergency_message_is_a_tel_link() -> None:
    html = linkify(messages.EMERGENCY, escape_text)
    links = re.findall(r'<a class="ldn-tel" href="tel:(\d+)">([^<]+)</a>', html)
    written = re.findall(r"\d[\d-]*\d", messages.EMERGENCY)
    assert [shown.replace("&#45;", "-") for _, shown in links] == written  # every number, in order
    assert all(digits == shown.replace("&#45;", "").replace("-", "") for digits, shown in links)
    assert len(links) >= 5


def test_text_around_the_links_is_escaped() -> None:
    html = linkify("<b>Call</b> 911 & [x](y)", escape_text)
    assert "<b>" not in html and "[x]" not in html
    assert re.sub(r"<a [^>]+>|</a>", "", html) == escape_text("<b>Call</b> 911 & [x](y)")


def test_short_numbers_and_parts_of_words_are_not_links() -> None:
    assert numbers("take 2 pills, call A911 or 911b, version 1.5, code 12") == []
    assert linkify("page 12", str) == "page 12"


def test_docstring_examples() -> None:
    assert doctest.testmod(bot.help_links).failed == 0

"""Tappable help numbers: every phone number in a fixed message becomes a ``tel:`` link.

Used for the emergency box, whose words are fixed (`bot.messages.EMERGENCY`); a phone number
there is a run of at least `MIN_DIGITS` digits, optionally joined by hyphens ("911",
"1-800-222-1222"), standing alone (not part of a word or a longer number). The link's text is
the number as written; its address holds the digits only. The rest of the message goes through
the caller's `escape` (the chat's `render.escape_text`).

Trade-off: a pattern instead of a hand-kept list of numbers, so a translated or edited message
keeps working; it would also link a bare year, which fixed help messages do not contain (a test
over the message checks which numbers it links).

>>> linkify("Call 911 or 1-800-222-1222 (text 988).", str)
'Call <a class="ldn-tel" href="tel:911">911</a> or <a class="ldn-tel" href="tel:18002221222">1-800-222-1222</a> (text <a class="ldn-tel" href="tel:988">988</a>).'
"""

from __future__ import annotations

import re
from collections.abc import Callable

MIN_DIGITS = 3
_NUMBER = re.compile(r"(?<![\w-])\d+(?:-\d+)*(?![\w-])")


def numbers(message: str) -> list[str]:
    """The phone numbers in `message`, as written.

    >>> numbers("112 in the EU, 999 in the UK, version 2, 1-800-222-1222")
    ['112', '999', '1-800-222-1222']
    """
    return [m.group() for m in _NUMBER.finditer(message) if sum(c.isdigit() for c in m.group()) >= MIN_DIGITS]


def linkify(message: str, escape: Callable[[str], str]) -> str:
    """`message` as HTML: numbers as ``tel:`` links, everything else through `escape`."""
    out: list[str] = []
    at = 0
    for m in _NUMBER.finditer(message):
        number = m.group()
        if sum(c.isdigit() for c in number) < MIN_DIGITS:
            continue
        digits = "".join(c for c in number if c.isdigit())
        out.append(escape(message[at : m.start()]))
        out.append(f'<a class="ldn-tel" href="tel:{digits}">{escape(number)}</a>')
        at = m.end()
    out.append(escape(message[at:]))
    return "".join(out)

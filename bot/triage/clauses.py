"""Split a message into clauses, so an emergency buried in a long everyday message is scored alone.

A clause ends at sentence punctuation, a semicolon, a dash between spaces, or a line break; very
long sentences are split further at ", but", ", and", "and now", "but now". The whole message is
always scored as well (`units`), so context that spans clauses is not lost. At most `MAX_UNITS`
units are scored (the first ones; a message's end is usually its question, its start its story:
the cap keeps the cost per message bounded).

>>> clauses("I take LDN for MS. My husband can't lift his arm and his words are wrong! Is it the LDN?")
['I take LDN for MS.', "My husband can't lift his arm and his words are wrong!", 'Is it the LDN?']
"""

from __future__ import annotations

import re

MAX_UNITS = 12
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\s+[-–—]+\s+|\n+")
_SOFT = re.compile(r",\s+(?=(?:but|and|so|because)\b)|\s+(?=(?:and|but) now\b)", re.I)
_LONG = 18  # words


def clauses(text: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT.split(text.strip()):
        part = part.strip()
        if not part:
            continue
        if len(part.split()) > _LONG:
            out.extend(p.strip() for p in _SOFT.split(part) if p.strip())
        else:
            out.append(part)
    return out


def units(text: str) -> list[str]:
    """The whole message first, then its clauses when there is more than one (capped)."""
    whole = re.sub(r"\s+", " ", text).strip()
    parts = clauses(whole)
    return [whole] + (parts[: MAX_UNITS - 1] if len(parts) > 1 else [])

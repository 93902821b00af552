"""Line classes: what each line of a document is, read top to bottom (`classify`).

The text is read line by line (offsets never change: nothing is rewritten) and grouped into
blocks, each of one class:

- BOILERPLATE -- page furniture (see `corpus.boilerplate`), or a short line repeated; never quoted;
- REFERENCE   -- a bibliographic citation (or any entry of a references section); not quoted;
- HEADING     -- a short single-line block that does not end like a sentence ("What is
                 Naltrexone?", "2) LDN helps with IBD", "# Dosage") and is not shaped like one
                 (`corpus.shape.is_sentence_line`: "Melatonin is regulated as a supplement" is a
                 sentence); the *context* of the sentences under it, never a quote itself;
- LIST        -- consecutive bullets (blank lines between items allowed);
- PARAGRAPH   -- consecutive text lines (hard-wrapped Markdown lines join up).

What a line is depends on what came before, held in one immutable `Reading`: the current
heading, the kind of section (ordinary text, a list of links under a "Related posts" heading,
or a references section), whether the previous block was a heading (a subtitle may follow
without a blank line) and the previous line (a repeated short line is furniture).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

from corpus.boilerplate import (
    is_boilerplate_line,
    is_bullet,
    is_link_list_heading,
    is_separator_only,
)
from corpus.sentences import trimmed
from corpus.shape import is_lone_marker, is_sentence_line

_CITATION = re.compile(
    r";\s*\d+\s*\(\d+\)\s*:\s*\d+|\bdoi:\s*10\.|\b(?:19|20)\d{2}\s+\w{3}\s*(?:\d+\s*)?;\s*\d+|"
    r"^(?:[A-Z][a-zA-Z'’-]+\s+[A-Z]{1,3}\d?(?:,\s*|\.?\s*$)){2,}"
)
_NUMBERED_TITLE = re.compile(r"^\(?\d{1,2}[).]\s+\S")
_REFERENCES_HEADING = re.compile(
    r"^\s*(?:refer|bibliograph|works\s+cited|citations?\b|sources?\s*:?\s*$)", re.I
)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")


class LineClass(StrEnum):
    BOILERPLATE = "boilerplate"
    REFERENCE = "reference"
    HEADING = "heading"
    LIST = "list"
    PARAGRAPH = "paragraph"


class Section(Enum):
    TEXT = "text"  # ordinary text
    LINK_LIST = "link_list"  # under a "Related posts" style heading: short lines are links
    REFERENCES = "references"  # under a "References" heading: entries are citations


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str
    blank_before: bool


@dataclass(frozen=True)
class Block:
    """Consecutive lines of one class; `heading` is the section heading they sit under (for a
    HEADING block, its own text); `in_link_list` tells a LIST of links from a list of points."""

    kind: LineClass
    lines: tuple[Line, ...]
    heading: str | None
    in_link_list: bool = False

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end


@dataclass(frozen=True)
class Reading:
    """What the reader knows when it reaches a line (see module doc)."""

    heading: str | None = None
    section: Section = Section.TEXT
    after_heading: bool = False
    previous: str = ""


def read_lines(text: str) -> list[Line]:
    """The non-blank lines of `text`, trimmed, each knowing whether a blank line precedes it.

    A list marker alone on a line ("-", "•") counts as blank (`corpus.shape.is_lone_marker`): it
    holds no words, and read as a list item it would make its list look like a menu."""
    out: list[Line] = []
    blank = True
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        if m.start() == len(text) and not m.group():
            break
        a, b = trimmed(text, m.start(), m.end())
        if b == a or is_lone_marker(text[a:b]):
            blank = True
            continue
        out.append(Line(a, b, text[a:b], blank))
        blank = False
    return out


def classify(text: str) -> Iterator[Block]:
    """The blocks of `text`, in order (see module doc)."""
    lines = read_lines(text)
    st = Reading()
    i = 0
    while i < len(lines):
        line = lines[i]
        body = line.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not is_bullet(body) and (
            is_boilerplate_line(body) or (body == st.previous and len(body.split()) <= 10)
        ):
            yield Block(LineClass.BOILERPLATE, (line,), st.heading)
            if is_link_list_heading(body):
                st = replace(st, section=Section.LINK_LIST)
            st = replace(st, previous=body)
            i += 1
            continue
        # Inside a references section a numbered or bulleted entry is a citation, never a title or list.
        if (
            st.section is Section.REFERENCES
            and (is_bullet(body) or _NUMBERED_TITLE.match(body))
            and not _MD_HEADING.match(body)
        ):
            yield Block(LineClass.REFERENCE, (line,), st.heading)
            st = replace(st, previous=body)
            i += 1
            continue
        # A numbered section title ("2) LDN helps IBD") or Markdown "#" heading stands alone; a subtitle
        # right under a heading must be a one-line block (else it is the first line of a wrapped paragraph).
        subtitle_ok = st.after_heading and nxt is not None and nxt.blank_before
        marked_item = is_bullet(body) and not _NUMBERED_TITLE.match(body)  # "- item" is never a title
        if not marked_item and _is_standalone_title(body, nxt.text if nxt else None, subtitle_ok):
            yield Block(LineClass.HEADING, (line,), body)
            st = Reading(heading=body, section=Section.TEXT, after_heading=True, previous=body)
            i += 1
            continue
        st = replace(st, after_heading=False)
        if is_bullet(body) or is_separator_only(body):
            j = i
            while j < len(lines) and (is_bullet(lines[j].text) or is_separator_only(lines[j].text)):
                j += 1
            yield Block(LineClass.LIST, tuple(lines[i:j]), st.heading, st.section is Section.LINK_LIST)
            st = replace(st, previous=lines[j - 1].text)
            i = j
            continue
        # Paragraph: this line plus following text lines without a blank line between.
        j = i + 1
        while j < len(lines) and not lines[j].blank_before and not _breaks_paragraph(lines[j].text):
            j += 1
        block = tuple(lines[i:j])
        st = replace(st, previous=lines[j - 1].text)
        i = j
        lead_in = body.endswith(":") and nxt is not None and is_bullet(nxt.text)
        if len(block) == 1 and _is_heading(body) and not lead_in:
            if st.section is Section.LINK_LIST and not _REFERENCES_HEADING.match(body):
                yield Block(LineClass.BOILERPLATE, block, st.heading)
            else:
                yield Block(LineClass.HEADING, block, body)
                section = Section.REFERENCES if _REFERENCES_HEADING.match(body) else Section.TEXT
                st = replace(st, heading=body, section=section, after_heading=True)
            continue
        if st.section is Section.LINK_LIST:
            if len(body.split()) < 12:
                yield Block(LineClass.BOILERPLATE, block, st.heading)
                continue
            st = replace(st, section=Section.TEXT)  # a real paragraph ends the list of links
        if st.section is Section.REFERENCES or _CITATION.search(body):
            yield Block(LineClass.REFERENCE, block, st.heading)
            continue
        yield Block(LineClass.PARAGRAPH, block, st.heading)


def _is_heading(line: str) -> bool:
    body = line.strip()
    words = body.split()
    if not words or len(words) > 14:
        return False
    if _NUMBERED_TITLE.match(body):
        return True
    if len(words) <= 2:
        return True
    return body[-1] not in ".!" and not is_sentence_line(body)


def _breaks_paragraph(line: str) -> bool:
    return is_bullet(line) or is_boilerplate_line(line) or bool(_MD_HEADING.match(line))


def _is_standalone_title(line: str, next_line: str | None, after_heading: bool) -> bool:
    """A title that needs no blank line around it: "# Dosage", "2) LDN helps with IBD", or a
    short title line right under another heading ("1) Pain" followed by "LDN treats fibromyalgia")."""
    if _MD_HEADING.match(line):
        return True
    if not _is_heading(line) or (next_line is not None and _NUMBERED_TITLE.match(next_line)):
        return False
    if _NUMBERED_TITLE.match(line):
        return True
    return after_heading and line.rstrip()[-1] not in ".!?:;," and next_line is not None

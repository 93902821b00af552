"""Split a document's text into quotable sentences and passage windows, keeping offsets.

The text is read line by line (offsets never change: nothing is rewritten), and each line
becomes one of:

- boilerplate  -- page furniture (see `corpus.boilerplate`); never quoted, never in a passage;
- heading      -- a short single-line block that does not end like a sentence ("What is
                  Naltrexone?", "HOW DOES LDN WORK?", "2) LDN helps with IBD"); it is the
                  *context* of the sentences under it, never a quote itself;
- reference    -- a bibliographic citation; not quoted;
- list item    -- a bullet; a list introduced by a lead-in sentence ending in ":" is quoted
                  together with that sentence, so "The net effect ... are the following:"
                  never appears without its items;
- paragraph    -- consecutive text lines (hard-wrapped Markdown lines join up), split into
                  sentences by `split_sentences`.

Passages are windows of `window` consecutive sentences (overlapping by `overlap`) inside one
*run*: sentences of the same section whose gaps hold only white space. So a passage's slice
never contains a heading, a citation or boilerplate.

>>> seg = segment("Intro\\n\\nLDN is taken at night. It is cheap.\\n\\nShare this post\\n")
>>> [s.text for s in seg.sentences], seg.sentences[0].heading
(['LDN is taken at night.', 'It is cheap.'], 'Intro')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.boilerplate import (
    has_call_to_action,
    is_boilerplate_line,
    is_bullet,
    is_link_list_heading,
    is_menu,
    is_separator_only,
    strip_bullet,
)


def _code_version() -> str:
    """A hash of the modules that decide what a sentence is: any change to them makes old
    indexes stale (their manifest records it), so a rebuild is never silently skipped."""
    import hashlib
    from pathlib import Path

    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in ("segment.py", "boilerplate.py", "pdf.py", "loaders.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:12]


SEGMENTER_VERSION = _code_version()

_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "vs",
    "e.g",
    "i.e",
    "etc",
    "al",
    "approx",
    "no",
    "fig",
    "vol",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "u.s",
    "ph.d",
    "cf",
    "ca",
    "dept",
    "univ",
    "min",
    "max",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by white space, or glued to a
# capitalised word when the page lost the space ("patients.During").
# A full stop may carry footnote numbers ("reduction of pain.2,3,6 Furthermore ...").
_BOUNDARY = re.compile(
    r"(?:[.!?][\"”’')\]]*|(?<=[a-z)])\.\d{1,3}(?:[,–-]\d{1,3})*)(?=\s+[\"“‘(\[]?[A-Z0-9•–-]|[A-Z][a-z]|(?<=[a-z%)]\.)[A-Z]{2})"
)
_CITATION = re.compile(
    r";\s*\d+\s*\(\d+\)\s*:\s*\d+|\bdoi:\s*10\.|\b(?:19|20)\d{2}\s+\w{3}\s*(?:\d+\s*)?;\s*\d+|"
    r"^(?:[A-Z][a-zA-Z'’-]+\s+[A-Z]{1,3}\d?(?:,\s*|\.?\s*$)){2,}"
)
_NUMBERED_TITLE = re.compile(r"^\(?\d{1,2}[).]\s+\S")
_REFERENCES_HEADING = re.compile(
    r"^\s*(?:refer|bibliograph|works\s+cited|citations?\b|sources?\s*:?\s*$)", re.I
)
_WORDS = re.compile(r"[^\W\d_]{2,}")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    heading: str | None = None


@dataclass(frozen=True)
class Segmentation:
    sentences: tuple[Span, ...]
    headings: tuple[Span, ...]
    boilerplate: tuple[Span, ...]
    references: tuple[Span, ...]
    runs: tuple[tuple[int, ...], ...]  # indices into `sentences`, one tuple per run

    def windows(self, window: int, overlap: int, max_chars: int) -> list[tuple[int, ...]]:
        """Passage windows as tuples of sentence indices (see module doc)."""
        step = max(1, window - overlap)
        out: list[tuple[int, ...]] = []
        for run in self.runs:
            i = 0
            while i < len(run):
                chosen = [run[i]]
                while len(chosen) < window and i + len(chosen) < len(run):
                    nxt = run[i + len(chosen)]
                    if self.sentences[nxt].end - self.sentences[chosen[0]].start > max_chars:
                        break
                    chosen.append(nxt)
                out.append(tuple(chosen))
                if i + len(chosen) >= len(run):
                    break
                i += min(step, len(chosen)) if len(chosen) > overlap else len(chosen)
        return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) of `text[start:end]`.

    >>> t = "Dr. Bihari saw it. Results were 4.5 mg.Later work (R).They agreed.2,3 It is fine."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Dr. Bihari saw it.', 'Results were 4.5 mg.', 'Later work (R).', 'They agreed.2,3', 'It is fine.']
    >>> t = "Up to 90%.MS patients improve. It is used in the U.S.A. today."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Up to 90%.', 'MS patients improve.', 'It is used in the U.S.A. today.']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if text[m.start()] == "." and _is_abbreviation(text, cur, m.start()):
            continue
        _append(spans, text, *_trimmed(text, cur, stop))
        cur = stop
    _append(spans, text, *_trimmed(text, cur, end))
    return spans


def _append(spans: list[tuple[int, int]], text: str, a: int, b: int) -> None:
    """Add a sentence; a fragment with under two words ("(R).") joins the sentence before it."""
    if b <= a:
        return
    if spans and len(_WORDS.findall(text[a:b])) < 2:
        spans[-1] = (spans[-1][0], b)
    else:
        spans.append((a, b))


def _is_abbreviation(text: str, floor: int, dot: int) -> bool:
    i = dot
    while i > floor and (text[i - 1].isalpha() or text[i - 1] == "."):
        i -= 1
    token = text[i:dot].lower()
    if not token:
        return text[dot - 1].isdigit() and (dot - 1 == floor or text[dot - 2].isspace())  # "1. item"
    return token in _ABBREVIATIONS or (len(token) == 1 and text[i].isupper())


def _is_heading(line: str) -> bool:
    body = line.strip()
    words = body.split()
    if not words or len(words) > 14:
        return False
    if _NUMBERED_TITLE.match(body):
        return True
    return body[-1] not in ".!" or len(words) <= 2


@dataclass
class _Line:
    start: int
    end: int
    text: str
    blank_before: bool


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    blank = True
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        if m.start() == len(text) and not m.group():
            break
        a, b = _trimmed(text, m.start(), m.end())
        if b == a:
            blank = True
            continue
        out.append(_Line(a, b, text[a:b], blank))
        blank = False
    return out


def segment(text: str) -> Segmentation:
    """Classify every line of `text` and return its quotable sentences with offsets."""
    lines = _lines(text)
    sentences: list[Span] = []
    headings: list[Span] = []
    boiler: list[Span] = []
    refs: list[Span] = []
    heading: str | None = None
    link_list = references = heading_just_seen = False
    prev_text = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        body = line.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not is_bullet(body) and (
            is_boilerplate_line(body) or (body == prev_text and len(body.split()) <= 10)
        ):
            boiler.append(Span(line.start, line.end, body))
            if is_link_list_heading(body):
                link_list, references = True, False
            prev_text = body
            i += 1
            continue
        # Inside a references section a numbered or bulleted entry is a citation, never a title or list.
        if references and (is_bullet(body) or _NUMBERED_TITLE.match(body)) and not _MD_HEADING.match(body):
            refs.append(Span(line.start, line.end, body))
            prev_text = body
            i += 1
            continue
        # A numbered section title ("2) LDN helps IBD") or Markdown "#" heading stands alone; a subtitle
        # right under a heading must be a one-line block (else it is the first line of a wrapped paragraph).
        subtitle_ok = heading_just_seen and nxt is not None and nxt.blank_before
        if _is_standalone_title(body, nxt.text if nxt else None, subtitle_ok):
            headings.append(Span(line.start, line.end, body))
            heading, references, link_list, heading_just_seen = body, False, False, True
            prev_text = body
            i += 1
            continue
        heading_just_seen = False
        # A whole list of bullets (blank lines between items allowed).
        if is_bullet(body) or is_separator_only(body):
            j = i
            while j < len(lines) and (is_bullet(lines[j].text) or is_separator_only(lines[j].text)):
                j += 1
            _take_list(text, lines[i:j], sentences, boiler, heading, link_list)
            prev_text = lines[j - 1].text
            i = j
            continue
        # Paragraph: this line plus following text lines without a blank line between.
        j = i + 1
        while j < len(lines) and not lines[j].blank_before and not _breaks_paragraph(lines[j].text):
            j += 1
        para_start, para_end = line.start, lines[j - 1].end
        prev_text = lines[j - 1].text
        lead_in = body.endswith(":") and nxt is not None and is_bullet(nxt.text)
        if j == i + 1 and _is_heading(body) and not lead_in:
            if link_list and not _REFERENCES_HEADING.match(body):
                boiler.append(Span(line.start, line.end, body))
            else:
                headings.append(Span(line.start, line.end, body))
                heading = body
                references = bool(_REFERENCES_HEADING.match(body))
                link_list, heading_just_seen = False, True
            i = j
            continue
        if link_list and len(body.split()) < 12:
            boiler.append(Span(para_start, para_end, text[para_start:para_end]))
            i = j
            continue
        link_list = False
        if references or _CITATION.search(body):
            refs.append(Span(para_start, para_end, text[para_start:para_end]))
            i = j
            continue
        for a, b in split_sentences(text, para_start, para_end):
            span = Span(a, b, text[a:b], heading)
            (boiler if has_call_to_action(span.text) else sentences).append(span)
        i = j
    sentences.sort(key=lambda s: s.start)
    runs = _runs(text, sentences)
    return Segmentation(tuple(sentences), tuple(headings), tuple(boiler), tuple(refs), runs)


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


def _take_list(
    text: str,
    items: list[_Line],
    sentences: list[Span],
    boiler: list[Span],
    heading: str | None,
    link_list: bool,
) -> None:
    """Bullets: navigation menus are boilerplate; a list after a lead-in ':' joins that sentence."""
    bodies = [strip_bullet(it.text) for it in items]
    if link_list or any(
        is_separator_only(it.text) or is_menu(b) for it, b in zip(items, bodies, strict=True)
    ):
        boiler.extend(Span(it.start, it.end, it.text) for it in items)
        return
    lead = sentences[-1] if sentences else None
    gap = text[lead.end : items[0].start] if lead else ""
    if lead is not None and lead.text.rstrip().endswith(":") and not gap.strip():
        end, stopped = lead.end, False
        for it in items:  # the list joins its lead-in up to the first piece of furniture
            stopped = stopped or is_boilerplate_line(it.text)
            if stopped:
                boiler.append(Span(it.start, it.end, it.text))
            else:
                end = it.end
        sentences[-1] = Span(lead.start, end, text[lead.start : end], lead.heading)
        return
    for it, body in zip(items, bodies, strict=True):
        if is_boilerplate_line(it.text):
            boiler.append(Span(it.start, it.end, it.text))
        elif len(body.split()) >= 5:
            content_start = it.start + it.text.index(body)
            for a, b in split_sentences(text, content_start, it.end):
                span = Span(a, b, text[a:b], heading)
                (boiler if has_call_to_action(span.text) else sentences).append(span)


def _runs(text: str, sentences: list[Span]) -> tuple[tuple[int, ...], ...]:
    runs: list[list[int]] = []
    for k, s in enumerate(sentences):
        if runs:
            prev = sentences[runs[-1][-1]]
            if prev.heading == s.heading and not text[prev.end : s.start].strip():
                runs[-1].append(k)
                continue
        runs.append([k])
    return tuple(tuple(r) for r in runs)

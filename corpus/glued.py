"""Headings and footnote markers glued into a sentence, found by the shape of the text.

Web pages saved as text often lose the line break after a heading, and footnote numbers stick
to the full stop. A quote must never carry them: "Side effects In the clinical studies …",
"Other informationDosage Contact your doctor …", "… for those with fibromyalgia.5",
"… contact your health care provider. Warning". The segmenter (`corpus.segment`) asks these
functions for the part of a sentence span that is the sentence itself; the cut-off words are
headings (context, never quoted) or markers (dropped).

The signs, none tied to one document or topic:

- *a capitalised function word inside a sentence*: 1-8 words, then a Titlecase English stop word
  ("In", "The", "This"; never one letter, never an all-capitals acronym) — a sentence does not
  capitalise "in" mid-way; the words before it are a lost heading;
- *camel glue*: a lower-case word run straight into a capitalised one ("informationDosage")
  within the first words — a lost line break; what precedes it is a heading, and a further 1-3
  words right after it followed by another capitalised word are a sub-heading ("Dosage");
- *a title on a line of its own*: 1-8 words without punctuation at a line start, then a line
  break and a capital (pages saved one paragraph per line: "The Dose of The Medication\nAdults
  start with ..."); checked first, as the clearest sign;
- *a trailing heading*: one Titlecase word with no punctuation after the sentence's last full
  stop ("… provider. Warning");
- *footnote markers*: digits after a sentence's final punctuation that directly follows a letter
  or a bracket ("pain.2,3,6", "triggered.5", "mechanisms:2-4"); a decimal ("4.5") is not one.

Stop words are bm25s's English list (a maintained vocabulary). Trade-off: a heading glued to a
sentence that starts with a proper noun ("Dosage Naltrexone is …") is not found; missing a cut
leaves a word of heading in a quote, while a wrong cut would drop words of a real sentence, so
the rules only cut where the sign is unambiguous.
"""

from __future__ import annotations

import re
from functools import cache

MAX_HEADING_WORDS = 8
_WORD = re.compile(r"\S+")
_TITLE = re.compile(r"[A-Z][a-z]+(?:['’][a-z]+)?")
_CAMEL = re.compile(r"[a-z]{2,}(?=[A-Z][a-z])")
_FOOTNOTE = re.compile(r"(?<=[A-Za-z)\]][.!?:])\d{1,3}(?:[,–-]\d{1,3})*$")
_TRAILING = re.compile(r"(?<=[.!?])(\s+)([A-Z][a-z]+)$")


@cache
def stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(w for w in STOPWORDS_EN if len(w) > 1)


def _is_title_stop_word(word: str) -> bool:
    bare = word.strip("\"“”‘’'()[],;:")
    return bool(_TITLE.fullmatch(bare)) and bare.lower() in stop_words()


def _words(text: str, start: int, end: int) -> list[re.Match[str]]:
    return list(_WORD.finditer(text, start, end))


def heading_prefix_end(text: str, start: int, end: int) -> int:
    """Where the sentence in ``text[start:end]`` really starts (``start`` if nothing is glued).

    >>> t = "Side effects In the clinical studies, most had none."
    >>> t[heading_prefix_end(t, 0, len(t)):]
    'In the clinical studies, most had none.'
    >>> t = "Other informationDosage Contact your doctor first."
    >>> t[heading_prefix_end(t, 0, len(t)):]
    'Contact your doctor first.'
    >>> t = "Vitamin A is needed. People In Need of care."
    >>> heading_prefix_end(t, 0, len(t))
    0
    """
    words = _words(text, start, end)
    if len(words) < 3:
        return start
    own_line = _title_line_end(text, start, words)
    if own_line is not None:
        return own_line
    cut = start
    head = words[: MAX_HEADING_WORDS + 1]
    camel = None
    for w in head[:MAX_HEADING_WORDS]:
        m = _CAMEL.search(text, w.start(), w.end())
        if m:
            camel = m.end()
            break
    if camel is not None and not _ends_clause(text[start:camel]):
        cut = camel
        rest = _words(text, cut, end)
        for k in range(1, min(4, len(rest) - 1)):  # a sub-heading right after the glue
            if _TITLE.fullmatch(rest[k].group()) and not _ends_clause(text[cut : rest[k].start()]):
                cut = rest[k].start()
                break
        return cut
    for k in range(1, min(len(head), MAX_HEADING_WORDS + 1)):
        w = head[k]
        if _is_title_stop_word(w.group()):
            prefix = text[start : w.start()]
            if not _ends_clause(prefix) and text[start].isupper():
                return w.start()
            break
    return start


def _title_line_end(text: str, start: int, words: list[re.Match[str]]) -> int | None:
    r"""Where the sentence starts when its first line is a title on a line of its own (None if not).

    The title line starts at a line start, has 1-8 words, no punctuation, is not shaped like a
    sentence (`corpus.shape.is_sentence_line`), does not end with a function word unless it is
    in Title Case ("... studied in\nCanada" is a hard wrap; "How and When to Take It" a title),
    and the next line starts with a capital and is not itself a short unpunctuated line (then
    the lines are an unmarked list, "Side effects\nNausea\nHeadaches", and nothing is cut).

    >>> t = "The Dose of The Medication\nAdults start with one tablet."
    >>> t[_title_line_end(t, 0, _words(t, 0, len(t))):]
    'Adults start with one tablet.'
    """
    from corpus.shape import is_sentence_line

    if text[text.rfind("\n", 0, start) + 1 : start].strip():
        return None  # the sentence starts mid-line
    for k in range(1, min(len(words) - 1, MAX_HEADING_WORDS + 1)):
        if "\n" not in text[words[k - 1].end() : words[k].start()]:
            continue
        prefix = text[start : words[k - 1].end()]
        if not words[k].group()[:1].isupper() or _ends_clause(prefix) or is_sentence_line(prefix):
            return None
        next_end = text.find("\n", words[k].start())
        next_line = text[words[k].start() : next_end if next_end >= 0 else len(text)]
        if _is_title_shaped(next_line):
            return None  # short lines in a row: an unmarked list or stacked titles, not cut
        long_words = [w.group() for w in words[:k] if len(w.group()) >= 4]
        title_case = bool(long_words) and all(w[0].isupper() for w in long_words)
        if words[k - 1].group().strip("\"“”‘’'()[]").lower() in stop_words() and not title_case:
            return None
        return words[k].start()
    return None


def _is_title_shaped(line: str) -> bool:
    """A short line without punctuation that is not sentence-shaped ("Nausea", "Dry mouth")."""
    from corpus.shape import is_sentence_line

    body = line.strip()
    return len(body.split()) <= MAX_HEADING_WORDS and not _ends_clause(body) and not is_sentence_line(body)


def _ends_clause(prefix: str) -> bool:
    """A prefix with punctuation inside it is a sentence part, not a heading."""
    return bool(re.search(r"[.!?,;:]", prefix))


def trailing_heading_start(text: str, start: int, end: int) -> int:
    """Where a heading glued after the sentence's last stop begins (``end`` if none).

    >>> t = "Call your provider. Warning"
    >>> t[: trailing_heading_start(t, 0, len(t))]
    'Call your provider.'
    """
    m = _TRAILING.search(text, start, end)
    if m is None or m.end() != end:
        return end
    return m.start()


def footnote_start(text: str, start: int, end: int) -> int:
    """Where footnote markers after the final punctuation begin (``end`` if none).

    >>> t = "It reduced pain.2,3,6"
    >>> t[: footnote_start(t, 0, len(t))]
    'It reduced pain.'
    >>> t = "The dose was 4.5"
    >>> footnote_start(t, 0, len(t)) == len(t)
    True
    """
    m = _FOOTNOTE.search(text, start, end)
    return m.start() if m else end


def sentence_core(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of ``text[start:end]`` without glued headings or footnote markers."""
    end = footnote_start(text, start, end)
    end = trailing_heading_start(text, start, end)
    new_start = heading_prefix_end(text, start, end)
    while end > new_start and text[end - 1].isspace():
        end -= 1
    return (new_start, end) if end > new_start else (start, end)

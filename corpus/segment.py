"""Split a document's text into quotable sentences and passage windows, keeping offsets.

One stage per module: `corpus.lines` says what each line is (boilerplate, heading, reference,
list, paragraph), `corpus.sentences` splits paragraphs into sentences, `corpus.passages` groups
sentences into runs and passage windows; this module puts them together:

- boilerplate and references are kept aside (never quoted, never in a passage);
- headings are the *context* of the sentences under them, never quotes;
- a list introduced by a lead-in sentence ending in ":" is quoted together with that sentence,
  so "The net effect ... are the following:" never appears without its items; other list items
  of five words or more are sentences; navigation menus are boilerplate;
- a sentence that is a call to action ("Subscribe now") is boilerplate;
- a line cut off the front of a sentence (`corpus.glued`) is a heading, unless it stands on its
  own line and is shaped like a sentence (`corpus.shape.is_sentence_line`): then it is a sentence.

>>> seg = segment("Intro\\n\\nLDN is taken at night. It is cheap.\\n\\nShare this post\\n")
>>> [s.text for s in seg.sentences], seg.sentences[0].heading
(['LDN is taken at night.', 'It is cheap.'], 'Intro')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corpus import passages
from corpus.boilerplate import (
    has_call_to_action,
    is_boilerplate_line,
    is_menu,
    is_separator_only,
    strip_bullet,
)
from corpus.glued import sentence_core
from corpus.lines import Line, LineClass, classify
from corpus.sentences import Span, split_sentences, trimmed
from corpus.shape import is_sentence_line, split_at_sentence_lines


@dataclass(frozen=True)
class Segmentation:
    sentences: tuple[Span, ...]
    headings: tuple[Span, ...]
    boilerplate: tuple[Span, ...]
    references: tuple[Span, ...]
    runs: tuple[tuple[int, ...], ...]  # indices into `sentences`, one tuple per run

    def windows(self, window: int, overlap: int, max_chars: int) -> list[tuple[int, ...]]:
        """Passage windows as tuples of sentence indices (`corpus.passages.windows`)."""
        return passages.windows(self.sentences, self.runs, window, overlap, max_chars)


def segment(text: str) -> Segmentation:
    """Classify every line of `text` and return its quotable sentences with offsets."""
    sentences: list[Span] = []
    headings: list[Span] = []
    boiler: list[Span] = []
    refs: list[Span] = []
    for block in classify(text):
        span = Span(block.start, block.end, text[block.start : block.end])
        if block.kind is LineClass.BOILERPLATE:
            boiler.append(span)
        elif block.kind is LineClass.REFERENCE:
            refs.append(span)
        elif block.kind is LineClass.HEADING:
            headings.append(span)
        elif block.kind is LineClass.LIST:
            _take_list(text, list(block.lines), sentences, boiler, block.heading, block.in_link_list)
        else:
            heading = block.heading
            for a, b in _sentences(text, block.start, block.end):
                heading = _add_sentence(text, a, b, heading, sentences, headings, boiler)
    sentences.sort(key=lambda s: s.start)
    runs = passages.runs(text, sentences)
    return Segmentation(tuple(sentences), tuple(headings), tuple(boiler), tuple(refs), runs)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``: split at stops, then after lines that are
    sentences without a full stop (`corpus.shape.split_at_sentence_lines`)."""
    return [
        piece for a, b in split_sentences(text, start, end) for piece in split_at_sentence_lines(text, a, b)
    ]


def _add_sentence(
    text: str,
    a: int,
    b: int,
    heading: str | None,
    sentences: list[Span],
    headings: list[Span],
    boiler: list[Span],
) -> str | None:
    """Add the sentence ``text[a:b]`` without a heading or footnote marker glued to it
    (`corpus.glued`); a glued heading becomes a heading (the context of what follows).
    Returns the heading for the next sentence."""
    core_a, core_b = sentence_core(text, a, b)
    if core_a > a:
        pa, pb = trimmed(text, a, core_a)
        if "\n" in text[pb:core_a] and is_sentence_line(text[pa:pb]):
            # a sentence on its own line without a full stop, not a glued heading
            prefix = Span(pa, pb, text[pa:pb], heading)
            (boiler if has_call_to_action(prefix.text) else sentences).append(prefix)
        else:
            head = Span(pa, pb, text[pa:pb])  # trimmed: its offsets are exact too
            headings.append(head)
            heading = head.text
    sentence = Span(core_a, core_b, text[core_a:core_b], heading)
    (boiler if has_call_to_action(sentence.text) else sentences).append(sentence)
    tail = text[core_b:b].strip()
    if tail and tail[:1].isalpha():  # a heading glued after the sentence ("... provider. Warning")
        start = text.index(tail, core_b)
        headings.append(Span(start, start + len(tail), tail))
        heading = tail
    return heading


def _take_list(
    text: str,
    items: list[Line],
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
            for a, b in _sentences(text, content_start, it.end):
                heading = _add_sentence(text, a, b, heading, sentences, [], boiler)


def __getattr__(name: str) -> Any:
    """`SEGMENTER_VERSION`, kept importable: computed on first use, not at import
    (prefer `corpus.version.text_pipeline_version()`)."""
    if name == "SEGMENTER_VERSION":
        from corpus.version import text_pipeline_version

        return text_pipeline_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Segmentation", "Span", "segment", "split_sentences"]

"""Passages: overlapping windows of consecutive sentences inside one *run*.

A run is a stretch of sentences of the same section whose gaps hold only white space, so a
passage's slice of the document never contains a heading, a citation or boilerplate. A window
holds `window` sentences (fewer when `max_chars` is reached or the run ends) and overlaps the
next by `overlap`, so an answer split across a window boundary is still whole in one passage.

>>> from corpus.sentences import Span
>>> text = "A b c. D e f. G h i."
>>> spans = [Span(0, 6, "A b c."), Span(7, 13, "D e f."), Span(14, 20, "G h i.")]
>>> runs(text, spans), windows(spans, runs(text, spans), window=2, overlap=1, max_chars=100)
(((0, 1, 2),), [(0, 1), (1, 2)])
"""

from __future__ import annotations

from collections.abc import Sequence

from corpus.sentences import Span


def runs(text: str, sentences: Sequence[Span]) -> tuple[tuple[int, ...], ...]:
    """Indices into `sentences`, one tuple per run (same heading, only white space between)."""
    out: list[list[int]] = []
    for k, s in enumerate(sentences):
        if out:
            prev = sentences[out[-1][-1]]
            if prev.heading == s.heading and not text[prev.end : s.start].strip():
                out[-1].append(k)
                continue
        out.append([k])
    return tuple(tuple(r) for r in out)


def windows(
    sentences: Sequence[Span], runs: Sequence[Sequence[int]], window: int, overlap: int, max_chars: int
) -> list[tuple[int, ...]]:
    """Passage windows as tuples of sentence indices (see module doc)."""
    step = max(1, window - overlap)
    out: list[tuple[int, ...]] = []
    for run in runs:
        i = 0
        while i < len(run):
            chosen = [run[i]]
            while len(chosen) < window and i + len(chosen) < len(run):
                nxt = run[i + len(chosen)]
                if sentences[nxt].end - sentences[chosen[0]].start > max_chars:
                    break
                chosen.append(nxt)
            out.append(tuple(chosen))
            if i + len(chosen) >= len(run):
                break
            i += min(step, len(chosen)) if len(chosen) > overlap else len(chosen)
    return out

"""The questions of a message that asks more than one ("Does it cause insomnia? Also, can my
husband pick up the prescription for me?").

Retrieval of such a message as one text matches neither topic well: the bot declines, or
quotes one topic only. `split_questions` returns the message's question sentences when there
are two or more that each carry content, so that the engine can answer each one
(`bot.multi`); otherwise it returns () and the message is answered as one question, exactly as
before.

Rules (settings in `bot/data/story.toml`, generic English):

- a question is a sentence ending in "?" (`bot.story.sentences`);
- it counts when it is not a filler ("Any advice?", the story's `fillers`) and has at least
  `multi_min_core_words` content words (default: the story's `min_core_words`) (words that are not BM25 stop words) once a leading
  connector ("Also,", "And", "One more thing:", the `lead_ins` patterns) is cut off;
- a message counts as several questions when at least two sentences count, and it has at most
  `multi_max_words` words (a long story with several question sentences keeps the story rule,
  `bot.story`: its question sentences usually ask one thing in several ways);
- the text of each question is its sentence without the connector; when the sentence before a
  counted question is not a question itself (a line of context), it is not added: each question
  is retrieved on its own words and the whole message is still retrieved once, for ties.

Trade-off: a question sentence that refers back ("And what about the side effects of it?") is
retrieved without its antecedent; "it" carries no content, so it rarely matters for retrieval.
Questions written in one sentence ("Does it cause X and can Y?") stay one question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.story import DEFAULT_STORY, StoryDataError, load_settings, sentences
from corpus.datafile import read_toml

_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True)
class MultiSettings:
    min_core_words: int  # content words a question needs to count (default: bot.story's)
    max_words: int  # a longer message is a story (bot.story), not several questions
    lead_ins: tuple[re.Pattern[str], ...]  # connectors cut off the start of a question
    fillers: tuple[re.Pattern[str], ...]  # closing questions with no content (bot.story)


def load_multi_settings(path: Path | None = None) -> MultiSettings:
    return _load(str(path or DEFAULT_STORY))


@cache
def _load(path: str) -> MultiSettings:
    story = load_settings(Path(path))
    raw = read_toml(Path(path), StoryDataError, version=1)
    max_words, lead = raw.get("multi_max_words"), raw.get("lead_ins")
    min_core = raw.get("multi_min_core_words", story.min_core_words)
    if not isinstance(max_words, int) or max_words < 2 or not isinstance(min_core, int) or min_core < 1:
        raise StoryDataError(
            f"{path}: multi_max_words (>= 2) and multi_min_core_words (>= 1) must be integers"
        )
    if not isinstance(lead, list) or not all(isinstance(p, str) and p for p in lead):
        raise StoryDataError(f"{path}: lead_ins must be a list of patterns")
    try:
        lead_ins = tuple(re.compile(p, re.IGNORECASE) for p in lead)
    except re.error as exc:
        raise StoryDataError(f"{path}: lead_ins: bad pattern: {exc}") from None
    return MultiSettings(min_core, max_words, lead_ins, story.fillers)


def content_words(text: str) -> int:
    """Words of `text` that are not BM25 stop words (`index.bm25.stopwords`)."""
    from index.bm25 import stopwords

    stop = stopwords()
    return sum(1 for w in _WORD.findall(text) if w.lower() not in stop)


def strip_lead_in(sentence: str, settings: MultiSettings) -> str:
    """`sentence` without a leading connector ("Also, can he ..." -> "can he ...")."""
    for p in settings.lead_ins:
        m = p.match(sentence)
        if m and m.end() < len(sentence):
            return sentence[m.end() :].strip()
    return sentence


def split_questions(text: str, settings: MultiSettings | None = None) -> tuple[str, ...]:
    """The question sentences of `text` when it asks two or more questions with content, each
    without its leading connector; () when it asks one (or none).

    >>> split_questions("Does it cause insomnia? Also, can my husband pick up the prescription?")
    ('Does it cause insomnia?', 'can my husband pick up the prescription?')
    >>> split_questions("Does it cause insomnia? Any advice?")
    ()
    """
    s = settings or load_multi_settings()
    if len(_WORD.findall(text)) > s.max_words:
        return ()
    out = []
    for sent in sentences(text):
        if not sent.endswith("?") or any(f.search(sent) for f in s.fillers):
            continue
        core = strip_lead_in(sent, s)
        if content_words(core) >= s.min_core_words:
            out.append(core)
    unique = tuple(dict.fromkeys(out))
    return unique if len(unique) >= 2 else ()

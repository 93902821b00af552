"""Find the question inside a long message that tells a story.

People write "I'm 54, I've had fibro for ten years, tried Lyrica and ... my GP suggested LDN.
Should I start at 1.5 mg or 4.5 mg? Any advice?". Retrieval on the whole message matches the
story (the age, the other drugs), not the question. `find_question` returns both the whole
text and the question inside it (`core`), and retrieval uses both.

Rules (settings and cue patterns in `bot/data/story.toml`, generic English):

- a message under `min_words` words is its own question (`core` is None);
- otherwise the core is the last sentence ending in "?"; when it is a filler ("Any advice?",
  "Thoughts?") or has fewer than `min_core_words` content words, the sentence before it is
  added;
- with no "?" at all, the core is the clause from the last question cue ("should I ...",
  "my question is ...", "I'm wondering if ...") to the end of its sentence, else the last
  sentence.

Trade-off: sentence splitting is a plain regex (". ! ?" followed by a space), good enough for
typed messages; abbreviations like "Dr. Smith" may split a sentence, which only shortens the
core. The whole text is always kept, so a wrong core costs little: retrieval sees both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from corpus.datafile import read_toml

DEFAULT_STORY = Path(__file__).parent / "data" / "story.toml"
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


class StoryDataError(ValueError):
    """The story settings file is malformed."""


@dataclass(frozen=True)
class StorySettings:
    min_words: int
    min_core_words: int
    cues: tuple[re.Pattern[str], ...]
    fillers: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class StoryQuestion:
    text: str  # the whole message
    core: str | None  # the question inside it; None when the message is the question

    @property
    def texts(self) -> tuple[str, ...]:
        """What retrieval reads: the core first (when there is one), then the whole text."""
        return (self.core, self.text) if self.core else (self.text,)


def load_settings(path: Path | None = None) -> StorySettings:
    return _load(str(path or DEFAULT_STORY))


def _compile(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) and p for p in raw):
        raise StoryDataError(f"{where}: must be a non-empty list of patterns")
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in raw)
    except re.error as exc:
        raise StoryDataError(f"{where}: bad pattern: {exc}") from None


@cache
def _load(path: str) -> StorySettings:
    keys = {
        "version",
        "min_words",
        "min_core_words",
        "cues",
        "fillers",
        "multi_max_words",
        "multi_min_core_words",
        "lead_ins",
    }  # multi_*, lead_ins: bot.questions
    raw = read_toml(Path(path), StoryDataError, keys=keys, version=1)
    min_words, min_core = raw.get("min_words"), raw.get("min_core_words")
    if not isinstance(min_words, int) or not isinstance(min_core, int) or min_words < 2 or min_core < 1:
        raise StoryDataError(f"{path}: min_words (>= 2) and min_core_words (>= 1) must be integers")
    return StorySettings(
        min_words,
        min_core,
        _compile(raw.get("cues"), f"{path}: cues"),
        _compile(raw.get("fillers"), f"{path}: fillers"),
    )


def _content_words(text: str) -> int:
    from index.bm25 import stopwords

    stop = stopwords()
    return sum(1 for w in _WORD.findall(text) if w.lower() not in stop)


def sentences(text: str) -> list[str]:
    """Sentences: split after ". ! ?" followed by white space, and at line breaks."""
    return [x.strip() for x in _BOUNDARY.split(text) if x.strip(" .!?")]


def find_question(text: str, settings: StorySettings | None = None) -> StoryQuestion:
    """The whole message and, for a long one, the question inside it.

    >>> find_question("How long until it works?").core is None
    True
    >>> find_question("I have had back pain for ten years and tried most things, physio, "
    ...               "pills, injections, and my doctor finally mentioned this medicine last "
    ...               "week. How long until it works? Any advice?").core
    'How long until it works?'
    """
    s = settings or load_settings()
    if len(_WORD.findall(text)) < s.min_words:
        return StoryQuestion(text, None)
    sents = sentences(text)
    asked = [i for i, x in enumerate(sents) if x.endswith("?")]
    core: str | None = None
    if asked:
        i = asked[-1]
        if i > 0 and any(f.search(sents[i]) for f in s.fillers):
            earlier = [j for j in asked if j < i]
            i = earlier[-1] if earlier else i - 1
        core = sents[i]
        if i > 0 and _content_words(core) < s.min_core_words:
            core = f"{sents[i - 1]} {core}"
    else:
        for sent in reversed(sents):
            starts = [m.start() for p in s.cues for m in p.finditer(sent)]
            if starts:
                core = sent[max(starts) if len(sent) - max(starts) > 15 else min(starts) :].strip()
                break
        if core is None and sents:
            core = sents[-1]
    if core is None or core.strip() == text.strip():
        return StoryQuestion(text, None)
    return StoryQuestion(text, core)

"""Is a question written in English? The sources and the bot are English-only.

A question in another language ("¿La naltrexona en dosis bajas ayuda con la fibromialgia?")
must not be told "the sources do not answer this": they may well answer it, in English. This
module decides, offline, whether to show `bot.messages.NOT_ENGLISH` instead.

Two steps, because language detectors are unreliable on short texts full of drug names
("LDN dose?" comes out Czech, Swedish or Welsh from every library tried):

1. a guard: the words of the question that are neither English stop words nor words of the
   indexed documents ("unknown" words) must be at least `min_unknown_words` and the known
   words less than `max_known_share` of all words; otherwise the question is taken as English;
2. the detector: lingua (`lingua-language-detector`, Rust, offline models inside the wheel) in
   low-accuracy mode over the languages of `bot/data/languages.toml`; the question is not
   English when the best language is another one with confidence >= `min_confidence` and
   English has <= `max_english_confidence`.

Trade-offs (measured, see README): lingua low-accuracy over 30 languages adds ~45 MiB RSS and
~0.2 ms per question, and is loaded only when the guard lets a question through (so an
English-only deployment never pays for it); py3langid costs ~76 MiB and langid ~67 MiB
whatever languages are kept; lingua's high-accuracy mode ~720 MiB. A short non-English
question made only of words the documents contain ("LDN dosis?") is taken as English: the
guard prefers a wrong "no answer" to telling an English speaker to write in English.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from corpus.datafile import read_toml

DEFAULT_LANGUAGES = Path(__file__).parent / "data" / "languages.toml"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_KEYS = {
    "version",
    "min_unknown_words",
    "max_known_share",
    "min_confidence",
    "max_english_confidence",
    "languages",
}


class LanguageDataError(ValueError):
    """The language settings file is malformed."""


@dataclass(frozen=True)
class LanguageSettings:
    min_unknown_words: int = 3
    max_known_share: float = 0.5
    min_confidence: float = 0.6
    max_english_confidence: float = 0.15
    languages: tuple[str, ...] = ("en", "es", "fr", "de")


@dataclass(frozen=True)
class LanguageGuess:
    english: bool
    language: str  # ISO 639-1 code of the best guess ("en" when the guard decided)
    confidence: float  # the detector's confidence in `language` (1.0 when the guard decided)
    reason: str  # "guard" (too few unknown words) or "detector"


def words(text: str) -> list[str]:
    """Lower-cased words (letters of any script; digits and signs dropped)."""
    return [w.lower() for w in _WORD.findall(text)]


def load_settings(path: Path | None = None) -> LanguageSettings:
    return _load(str(path or DEFAULT_LANGUAGES))


@cache
def _load(path: str) -> LanguageSettings:
    raw = read_toml(Path(path), LanguageDataError, keys=_KEYS, version=1)
    try:
        s = LanguageSettings(
            min_unknown_words=int(raw["min_unknown_words"]),
            max_known_share=float(raw["max_known_share"]),
            min_confidence=float(raw["min_confidence"]),
            max_english_confidence=float(raw["max_english_confidence"]),
            languages=tuple(str(x) for x in raw["languages"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LanguageDataError(f"{path}: missing or bad value: {exc}") from None
    if "en" not in s.languages or len(s.languages) < 2 or s.min_unknown_words < 1:
        raise LanguageDataError(f"{path}: languages must include 'en' and another; min_unknown_words >= 1")
    if not (0 < s.max_known_share <= 1 and 0 < s.min_confidence <= 1 and 0 <= s.max_english_confidence < 1):
        raise LanguageDataError(f"{path}: shares and confidences must lie in (0, 1]")
    return s


class LanguageGate:
    """`check(text) -> LanguageGuess`; built once per index.

    Known words: English stop words, `known_words`, and, when `indexed` is given (the BM25
    index's exact vocabulary test, `Bm25Index.has`), every word whose stem the index holds, so
    nothing is re-read from the documents at start-up whatever the corpus size."""

    def __init__(
        self,
        known_words: Iterable[str] = (),
        settings: LanguageSettings | None = None,
        indexed: Callable[[str], bool] | None = None,
    ):
        from index.bm25 import stopwords

        self.settings = settings or load_settings()
        self.known = frozenset(w.lower() for w in known_words) | stopwords()
        self.indexed = indexed
        self._detector: Any = None
        self._lock = threading.Lock()

    def is_known(self, word: str) -> bool:
        if word in self.known:
            return True
        if self.indexed is None:
            return False
        from index.bm25 import tokenize

        stems = tokenize(word)
        return not stems or all(self.indexed(t) for t in stems)

    @classmethod
    def for_texts(cls, texts: Iterable[str], settings: LanguageSettings | None = None) -> LanguageGate:
        vocab: set[str] = set()
        for t in texts:
            vocab.update(words(t))
        return cls(vocab, settings)

    def check(self, text: str) -> LanguageGuess:
        ws = words(text)
        unknown = [w for w in ws if not self.is_known(w)]
        s = self.settings
        if len(unknown) < s.min_unknown_words or (len(ws) - len(unknown)) >= s.max_known_share * len(ws):
            return LanguageGuess(True, "en", 1.0, "guard")
        ranked = self._confidences(text)
        best, conf = ranked[0]
        english = dict(ranked).get("en", 0.0)
        foreign = best != "en" and conf >= s.min_confidence and english <= s.max_english_confidence
        return LanguageGuess(not foreign, best, conf, "detector")

    def _confidences(self, text: str) -> list[tuple[str, float]]:
        with self._lock:
            if self._detector is None:
                self._detector = _build_detector(self.settings.languages)
        values = self._detector.compute_language_confidence_values(text)
        return [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]


def _build_detector(codes: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    try:
        langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    except (AttributeError, ValueError) as exc:
        raise LanguageDataError(f"unknown language code in {codes}: {exc}") from None
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()

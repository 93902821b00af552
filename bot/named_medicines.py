"""Which sentences speak to a medicine the question names: a caution that names it or its class.

Interaction questions name another medicine ("taking co-codamol for my back, can I still take
it at night?"). The sentence that answers is often a caution listing medicines ("opiates such as
codeine or morphine for pain control", "antidepressants such as fluvoxamine"): far from the
question in MiniLM's space, and sharing no word with it. Question and sentences are resolved to
generics with the dictionaries of the pins (`bot.medicines`: hand-added products, the packaged
drug dictionary), so a brand or combination in the question meets its generic in a sentence, and
a question's medicine is also read as its WHO ATC classes (`bot/data/medicines/atc_groups.tsv`:
"sertraline" as "antidepressants"). Used four ways (`bot.rank`, `bot.select`, numbers in
`bot/data/answer.toml`): the names as the sentences write them join the question's BM25 query, so
such sentences become candidates; a candidate speaking to one gets `medicine_bonus` in the order;
abstention gets `medicine_credit` when one of the candidates does; and the best placed such
candidate is the first quote (the caution the person needs).

Rules: exact names only (no typo folding: documents are edited text); a common English word is
read only when it is a generic's own name or an ATC class label ("more" is a brand in the
dictionary), never a name of fewer than four letters or without three letters in a row ("he",
"2 3"); only WHO ATC substances and classes count ("endorphins" is in the drug dictionary but is
no medicine); the corpus's subject (a generic named in at least `TOPIC_SHARE` of the passages)
never counts; and a sentence speaks to a medicine only in a caution's context (it, or a passage
holding it, is a caution by `bot.cautions.is_caution`): a list under "Some medicines and X can
affect each other" does, "medications such as pregabalin are prescribed for nerve pain" does not
(that one made "can I take it with Lyrica?" answered by a sentence that does not answer it).
Sentences are resolved once, when the engine loads (~1 ms per sentence; the dictionary is read
once for this and the pins, `bot.drug_sources.sharing_dner`). Trade-off: a word the dictionary
lacks ("the pill", "wine", "herbal remedies") is not a medicine here, and a class the sources name
differently from ATC ("benzodiazepines" against "benzodiazepine derivatives") is not matched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from bot.medicines import key, longest_first, tokens, vocabulary
from bot.misspellings import ENGLISH_MIN_COUNT, english

TOPIC_SHARE = 0.2  # a generic named in this share of passages is the corpus's subject
_LETTERS = re.compile(r"[a-z]{3}")
Names = Mapping[str, tuple[str, ...]]  # normalised name -> its generics


ATC_GROUPS = Path(__file__).resolve().parent / "data" / "medicines" / "atc_groups.tsv"


def read_atc(path: Path = ATC_GROUPS) -> dict[str, frozenset[str]]:
    """substance -> the labels of its WHO ATC 3rd- and 4th-level groups (`bot.atc_extract`)."""
    out: dict[str, set[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            raise ValueError(f"{path}:{n}: expected substance, 4th-level, 3rd-level label and code")
        out.setdefault(key(cols[0]), set()).update(key(c) for c in cols[1:3] if c)
    return {k: frozenset(v) for k, v in out.items()}


def class_generics(
    generics: frozenset[str], atc: Mapping[str, frozenset[str]], names: Names
) -> frozenset[str]:
    """The classes of `generics` as the dictionary names them: each ATC group label read through
    `names` ("antidepressants" -> "antidepressive agents"), or kept as it is.

    >>> atc = {"sertraline": frozenset({"antidepressants", "selective serotonin reuptake inhibitors"})}
    >>> sorted(class_generics(frozenset({"sertraline"}), atc, {"antidepressants": ("antidepressive agents",)}))
    ['antidepressive agents', 'selective serotonin reuptake inhibitors']
    """
    out: set[str] = set()
    for g in generics:
        for label in atc.get(g, ()):
            out.update(names.get(label, (label,)))
    return frozenset(out)


def all_names() -> dict[str, tuple[str, ...]]:
    """Every name of the packaged drug dictionary and of products.toml -> generics (~107k)."""
    from bot.drug_sources import sharing_dner

    with sharing_dner() as raw:  # one read for both: the pins' vocabulary needs it too
        v = vocabulary()
        names = {k: tuple(key(g) for g in gs) for n, gs in raw.items() if (k := key(n)) and k not in v.ignore}
    names.update({k: tuple(key(g) for g in gs) for k, gs in v.products.items()})
    return names


def _common(word: str) -> bool:
    """A common English word ("more" is a pancreatic-enzyme brand in the dictionary)."""
    return english()[word] >= ENGLISH_MIN_COUNT


def named_medicines(
    text: str, names: Names, class_words: frozenset[str] = frozenset()
) -> list[tuple[str, tuple[str, ...]]]:
    """(name as written, normalised; its generics) for every medicine named in `text` by an exact
    name of `names`, longest first; a common English word is read only when it is a generic's own
    name or one of `class_words` (the ATC group labels: "antidepressants", "opioids")."""

    def named(k: str) -> tuple[str, tuple[str, ...]] | None:
        generics = names.get(k)
        if not generics or not _LETTERS.search(k):
            return None
        if " " not in k and (len(k) < 4 or (k not in generics and k not in class_words and _common(k))):
            return None
        return k, generics

    return longest_first(tokens(text), named)[0]


def named_generics(text: str, names: Names, class_words: frozenset[str] = frozenset()) -> frozenset[str]:
    """The generics of `named_medicines`.

    >>> names = {"co codamol": ("codeine", "paracetamol"), "codeine": ("codeine",), "alcohol": ("benzyl alcohol",)}
    >>> sorted(named_generics("Taking co-codamol and alcohol", names))
    ['codeine', 'paracetamol']
    """
    return frozenset(g for _, gs in named_medicines(text, names, class_words) for g in gs)


@dataclass(frozen=True, eq=False)
class SentenceMedicines:
    """The generics each sentence of an index speaks to (it names them in a caution's context),
    the corpus's subject, and the names (of the whole dictionary) of every such generic: all a
    question needs."""

    per_sentence: tuple[frozenset[str], ...]
    topic: frozenset[str]
    names: Names
    classes: Mapping[str, frozenset[str]]  # a question generic -> its classes that sentences name
    class_words: frozenset[str] = frozenset()  # ATC group labels, read even when common words
    written: Mapping[str, frozenset[str]] = field(
        default_factory=dict
    )  # generic -> names as the sentences write them

    @classmethod
    def from_texts(
        cls,
        sentences: list[str],
        passages: list[list[int]],
        names: Names | None = None,
        caution: list[bool] | None = None,
    ) -> SentenceMedicines:
        """`passages`: each passage's sentence ids (the subject is counted per passage);
        `caution`: per sentence, is it a caution (`bot.cautions.is_caution`). A sentence counts
        as speaking to the medicines it names only when it or a passage holding it has a caution
        ("Some medicines and X can affect each other" above a list of medicines), not when it
        names one in passing ("medications such as pregabalin are prescribed for nerve pain")."""
        names = names if names is not None else all_names()
        atc = read_atc()
        words = frozenset().union(*atc.values()) if atc else frozenset()
        found = [named_medicines(s, names, words) for s in sentences]
        named = tuple(frozenset(g for _, gs in f for g in gs) for f in found)
        written: dict[str, set[str]] = {}
        for f in found:
            for k, gs in f:
                for g in gs:
                    written.setdefault(g, set()).add(k)
        counts: dict[str, int] = {}
        for ids in passages:
            for g in frozenset().union(*(named[i] for i in ids)):
                counts[g] = counts.get(g, 0) + 1
        cut = max(TOPIC_SHARE * len(passages), 2)  # the subject: in two passages at least
        topic = frozenset(g for g, c in counts.items() if c >= cut)
        warned = [True] * len(sentences) if caution is None else list(caution)
        if caution is not None:
            for ids in passages:
                if any(caution[i] for i in ids):
                    for i in ids:
                        warned[i] = True
        # a medicine is a WHO ATC substance or class ("endorphins", "opioid receptors" are not)
        medicine = set(atc) | {c for label in words for c in names.get(label, (label,))}
        per = tuple(
            frozenset(g - topic) & medicine if warned[i] else frozenset() for i, g in enumerate(named)
        )
        spoken = frozenset().union(*per) if per else frozenset()
        classes = {}
        for g in atc:  # only a WHO ATC substance has classes
            spoken_classes = class_generics(frozenset({g}), atc, names) & spoken
            if spoken_classes:
                classes[g] = spoken_classes
        kept = {k: gs for k, gs in names.items() if spoken.intersection(gs) or any(g in classes for g in gs)}
        return cls(per, topic, kept, classes, words, {g: frozenset(w) for g, w in written.items()})

    @cached_property
    def named_anywhere(self) -> frozenset[str]:
        """Every generic some sentence speaks to (the subject left out)."""
        return frozenset().union(*self.per_sentence) if self.per_sentence else frozenset()

    def of_question(self, text: str) -> frozenset[str]:
        """The question's generics and their classes (WHO ATC groups, `read_atc`) that some
        sentence speaks to, the corpus's subject left out: "I'm on sertraline" meets
        "antidepressants such as fluvoxamine"."""
        generics = named_generics(text, self.names, self.class_words) - self.topic
        found = set(generics & self.named_anywhere)
        for g in generics:
            found.update(self.classes.get(g, ()))
        return frozenset(found)

    def query_words(self, generics: frozenset[str]) -> str:
        """Words for the BM25 query: each generic and its names as the sentences write them
        ("antidepressive agents" is written "antidepressants")."""
        return " ".join(sorted({w for g in generics for w in (g, *self.written.get(g, ()))}))

    def matches(self, ids: list[int], generics: frozenset[str]) -> np.ndarray:
        """Per candidate: does the sentence name one of `generics`?"""
        if not generics:
            return np.zeros(len(ids), dtype=bool)
        return np.array([bool(self.per_sentence[i] & generics) for i in ids], dtype=bool)

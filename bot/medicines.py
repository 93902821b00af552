"""Medicines named in a message, resolved to generics, and the classes that pin the sources' cautions.

Names are resolved in this order, longest phrase first (up to four words, so "Tylenol #3" wins over
"Tylenol" and "Nurofen Plus" over "Nurofen"):

1. `bot/data/medicines/products.toml`: brand and combination products the dictionary lacks, each
   with its generic components (UK, US, Australian, European names);
2. the drug dictionary shipped inside the `drug-named-entity-recognition` wheel (DrugBank open
   data, MeSH, NHS and MedlinePlus names: ~107k variants to ~20k generics), read from the wheel's
   own file without importing the package (its import also reads a cache in the home folder and
   pulls in HTTP code it never needs here; we make no network call);
3. class words ("opioid", "transplant") from `bot/data/medicines/classes.toml`;
4. a typo of a class member ("oxycodon", "percoset"): one word of six letters or more, same first
   letter, within 0.85 similarity, that is not itself a dictionary name or an inflected English
   word ("morphing" is not "morphine"); "ultra-low" is two words, and "ultra" is too short.

A medicine is in a class when one of its generics is listed in classes.toml (WHO ATC groups).
Trade-off: a name in neither the dictionary nor products.toml is missed; add it to products.toml.

>>> sorted(find_pins("I take Nurofen Plus and had a kidney transplant"))
['immunosuppressant', 'opioid']
>>> find_pins("Is Nurofen ok with ultra-low dose naltrexone?")
set()
"""

from __future__ import annotations

import bz2
import difflib
import importlib.util
import pickle
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "medicines"
CLASSES = DATA_DIR / "classes.toml"
PRODUCTS = DATA_DIR / "products.toml"
MAX_WORDS = 4
TYPO_MIN_LEN = 6
TYPO_CUTOFF = 0.85
_INFLECTED = re.compile(r"(?:ing|ed|ly|tion|ness|ment|ful|less)$")
_TOKEN = re.compile(r"#\d+|[a-z0-9]+")


class MedicineDataError(ValueError):
    """A medicines data file is missing or malformed."""


@dataclass(frozen=True)
class Mention:
    words: str  # the normalised words matched
    generics: tuple[str, ...]
    classes: tuple[str, ...]
    via: str  # "product", "dictionary", "class word" or "typo"


def tokens(text: str) -> list[str]:
    """Lower-case words; hyphens and slashes separate words; "# 3" is kept as "#3"."""
    low = text.lower().replace("’", "'").replace("&", " and ")
    return _TOKEN.findall(re.sub(r"#\s+(?=\d)", "#", low))


def key(text: str) -> str:
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Vocabulary:
    class_generics: dict[str, frozenset[str]]  # class -> generic names (normalised)
    class_words: dict[str, str]  # normalised word(s) -> class
    products: dict[str, tuple[str, ...]]  # normalised name -> generics
    dictionary: dict[str, tuple[str, ...]]  # normalised variant -> generics, class members only
    known: frozenset[str]  # every single-word dictionary variant (any medicine)
    ignore: frozenset[str]

    def class_of_generic(self, name: str) -> str | None:
        return next((cls for cls, names in self.class_generics.items() if name in names), None)

    def classes_of(self, generics: tuple[str, ...]) -> tuple[str, ...]:
        return _classes_of(self.class_generics, generics)


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
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MedicineDataError(f"{path}: {exc}") from exc


def _dictionary_file() -> Path | None:
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "drug_ner_dictionary.pkl.bz2"
    return path if path.exists() else None


def _read_dictionary() -> dict[str, list[str]]:
    path = _dictionary_file()
    if path is None:
        return {}
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)  # the package's own data file, as the package itself reads it
    return dict(data["drug_variant_to_canonical"])


@cache
def vocabulary(
    classes_path: Path = CLASSES, products_path: Path = PRODUCTS, use_dictionary: bool = True
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
    products: dict[str, tuple[str, ...]] = {}
    for region, table in _toml(products_path).items():
        if not isinstance(table, dict) or not table.get("source"):
            raise MedicineDataError(f"{products_path}: [{region}] needs a 'source'")
        for name, generics in table.items():
            if name == "source":
                continue
            if (
                not isinstance(generics, list)
                or not generics
                or not all(isinstance(g, str) for g in generics)
            ):
                raise MedicineDataError(f"{products_path}: {name!r} needs a list of generic names")
            products[key(name)] = tuple(g.lower() for g in generics)
    vocab = Vocabulary(class_generics, class_words, products, {}, frozenset(), ignore)
    if not use_dictionary:
        return vocab
    dictionary: dict[str, tuple[str, ...]] = {}
    known: set[str] = set()
    raw_dictionary = _read_dictionary()
    canonicals = {c for cs in raw_dictionary.values() for c in cs}
    members = {c for c in canonicals if vocab.classes_of((c,))}
    for variant, names in raw_dictionary.items():
        k = key(variant)
        if " " not in k:
            known.add(k)
        if k and k not in ignore and any(c in members for c in names):
            dictionary[k] = tuple(names)
    return Vocabulary(class_generics, class_words, products, dictionary, frozenset(known), ignore)


def _typo_targets(v: Vocabulary) -> tuple[str, ...]:
    names = set(v.dictionary) | set(v.products) | set(v.class_words)
    for generics in v.class_generics.values():
        names |= generics
    return tuple(sorted(n for n in names if " " not in n and len(n) >= TYPO_MIN_LEN - 1))


def find_medicines(text: str, v: Vocabulary | None = None) -> tuple[Mention, ...]:
    """Every class-relevant medicine named in the text (see the module doc for the order)."""
    v = v or vocabulary()
    words = tokens(text)
    used = [False] * len(words)
    out: list[Mention] = []
    for n in range(min(MAX_WORDS, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if any(used[i : i + n]):
                continue
            k = " ".join(words[i : i + n])
            mention = None
            if k in v.ignore:
                mention = Mention(k, (), (), "ignored")
            elif k in v.products:
                mention = Mention(k, v.products[k], v.classes_of(v.products[k]), "product")
            elif k in v.dictionary:
                mention = Mention(k, v.dictionary[k], v.classes_of(v.dictionary[k]), "dictionary")
            elif (cls := v.class_of_generic(k)) is not None:
                mention = Mention(k, (k,), (cls,), "generic")
            elif k in v.class_words:
                mention = Mention(k, (), (v.class_words[k],), "class word")
            if mention is not None:
                used[i : i + n] = [True] * n
                if mention.classes:
                    out.append(mention)
    targets = _typo_targets(v)
    for i, word in enumerate(words):
        if used[i] or len(word) < TYPO_MIN_LEN or word in v.known or _INFLECTED.search(word):
            continue
        near = [t for t in targets if t[0] == word[0] and abs(len(t) - len(word)) <= 2]
        close = difflib.get_close_matches(word, near, n=1, cutoff=TYPO_CUTOFF)
        if close:
            target = close[0]
            generics = v.products.get(target) or v.dictionary.get(target) or (target,)
            classes = v.classes_of(generics) or ((v.class_words[target],) if target in v.class_words else ())
            if classes:
                out.append(Mention(word, tuple(generics), classes, "typo"))
    return tuple(out)


def find_pins(text: str, v: Vocabulary | None = None) -> set[str]:
    """The classes ("opioid", "immunosuppressant") of the medicines the text names."""
    return {cls for m in find_medicines(text, v) for cls in m.classes}

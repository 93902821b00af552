"""The tables of `bot/data/medicines/products.toml`, read and checked for `bot.medicines`: brand and
combination products with their generics, street names (tables of `kind = "street names"`), and
which names are written in another script ("Коделак"; matched only as such, never as a typo).
A street name written as several words must have the shape of `bot.street_phrases` (2-4 words, no
one-letter word; "V-itamin", written as one word, is read by the one-word rule).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

from bot.phrases import MAX_WORDS, tokens, words_and_scripts
from bot.street_phrases import shape_error
from corpus.datafile import read_toml

STREET_NAMES = "street names"  # the `kind` of a products.toml table of street names
Products = tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str], frozenset[str]]
# scripts that leave short vowels unwritten: their transliteration is a consonant skeleton ("trmks")
ABJADS = ("ARABIC", "HEBREW", "SYRIAC", "THAANA")
# ... and scripts whose romanisation is a convention, not the name's Latin spelling ("코포나" is
# "kopona"; "kotona", Finnish "at home", is one edit from it): their names are never typo targets either
SYLLABARIES = ("HANGUL", "CJK", "HIRAGANA", "KATAKANA")


class MedicineDataError(ValueError):
    """A medicines data file is missing or malformed."""


def read_products(path: Path, street_name_ok: Callable[[str, tuple[str, ...]], bool]) -> Products:
    """name -> generics, the names of street-name tables, the names written in another script, and
    those of them written in an abjad, Hangul, kana or Han (never typo targets: "tracks" is one edit
    from "ترامكس").
    `street_name_ok(key, generics)` says whether a street name may pin (it must name a class
    medicine and be no class word or ignored phrase of classes.toml, "lean")."""
    products: dict[str, tuple[str, ...]] = {}
    street: set[str] = set()
    native: set[str] = set()
    consonantal: set[str] = set()
    for region, table in read_toml(path, MedicineDataError).items():
        kind = table.get("kind", "products") if isinstance(table, dict) else None
        if not isinstance(table, dict) or not table.get("source") or kind not in ("products", STREET_NAMES):
            raise MedicineDataError(
                f"{path}: [{region}] needs a 'source' (and kind 'products' or {STREET_NAMES!r})"
            )
        for name, generics in table.items():
            if name in ("source", "kind"):
                continue
            if (
                not isinstance(generics, list)
                or not generics
                or not all(isinstance(g, str) for g in generics)
            ):
                raise MedicineDataError(f"{path}: {name!r} needs a list of generic names")
            k = " ".join(tokens(name)[:MAX_WORDS])  # a longer name is found by its first words
            found = tuple(g.lower() for g in generics)
            if products.get(k, found) != found:
                raise MedicineDataError(f"{path}: {name!r} is listed twice with other generics")
            products[k] = found
            if any(foreign for _, foreign in words_and_scripts(name)):
                native.add(k)
            if any(unicodedata.name(c, "").startswith(ABJADS + SYLLABARIES) for c in name):
                consonantal.add(k)
            if kind == STREET_NAMES and not street_name_ok(k, found):
                raise MedicineDataError(
                    f"{path}: street name {name!r}: no class generic, or a class word or ignored"
                )
            if (
                kind == STREET_NAMES
                and " " in name.strip()
                and (why := shape_error(tokens(name))) is not None
            ):
                raise MedicineDataError(f"{path}: street name {name!r} {why} (bot/street_phrases.py)")
            if kind == STREET_NAMES:
                street.add(k)
    return products, frozenset(street), frozenset(native), frozenset(consonantal)

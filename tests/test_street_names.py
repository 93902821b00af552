"""Street names of opioid medicines (`kind = "street names"` tables of products.toml, read by
`bot.medicines`): the shipped ones are pinned in patients' sentences, the English senses of the
words left out stay unpinned, and the loader refuses street names that could not be pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import medicines as M
from bot.misspellings import ENGLISH_MIN_COUNT, english
from corpus.datafile import read_toml
from tests.helpers import vocabulary_from
from tests.test_medicines import CLASSES as MEDICINE_CLASSES

CLASSES = (
    MEDICINE_CLASSES
    + """
[ignore]
source = "test"
variants = ["lean"]
"""
)


def _street_names() -> list[str]:
    tables = read_toml(M.PRODUCTS, M.MedicineDataError)
    return [
        name
        for table in tables.values()
        if isinstance(table, dict) and table.get("kind") == M.STREET_NAMES
        for name in table
        if name not in ("source", "kind")
    ]


def test_the_shipped_street_names_are_read_and_rare_in_english() -> None:
    names = _street_names()
    v = M.vocabulary()
    assert len(names) >= 15 and {M.key(n) for n in names} == set(v.street_names)
    counts = english()
    for name in names:
        words = M.tokens(name)
        assert all(counts[w] < ENGLISH_MIN_COUNT for w in words if len(words) == 1), name
    # (each one-word name was also checked rarer than Zipf 2.5 in wordfreq when it was added:
    # bot/data/medicines/README.md; wordfreq is a build-time extra, not installed for the tests)


@pytest.mark.parametrize(
    "text",
    [
        "I've been on percs since my knee surgery, can I start LDN?",
        "my brother gets oxys and roxies from a friend",
        "used to drink sizzurp, is purple drank a problem with naltrexone?",
        "he sips dirty sprite most weekends",
        "I was using fent before rehab",
        "I'm on bupe strips from the clinic",
        "some trammies for my back",
        "I buy ketum powder online",
        "my mum takes Percocets",
        "on amidone maintenance for years",
        "he was taking hydros after the dental work",  # DEA 2018 slang report, hydrocodone
        "methadone fizzies from the clinic",  # methadone
        "my son was using skag and tecata",  # heroin
        "bought some chiva last year",  # heroin (Spanish slang)
        "two ercs a day",  # Percocet
        "my uncle smoked chandoo",  # opium
        "ithang and kahyam from a shop",  # kratom
    ],
)
def test_street_names_are_pinned(text: str) -> None:
    assert "opioid" in M.find_pins(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I lean on my husband when the pain is bad",
        "my subs arrived and I watched the match",
        "we bought a percolator for the kitchen",
        "one of the perks of retirement is sleep",
        "I drank a purple smoothie this morning",
        "the Vikes lost again on Sunday",
        "our hydro bill went up this winter",
        "I use Oxy pads for my acne",
        "Roxy, my dog, is sick again",
        "I'm in my 30s and have fibromyalgia",
        "pancakes with syrup for breakfast",
        "I spilled Sprite on my dirty shirt",
        "I'm done with the blues festival",
        "Fenty foundation makes my skin itch",
        "my kickers are muddy",
        "the ultras sang all match",
        "he's a dope and a smack talker",
        "we mitigate the risk",
        "a prolate shape on the scan",
        "Brovex for my allergies and Maxiphen DM for the cough",
        "Ambifed-G and Zodryl are in the cupboard",
        "mi gato está enfermo y no tengo comida",  # Spanish heroin code words that are ordinary there
        "compré gamot sa botika",  # Filipino for medicine, a heroin code word on the DEA list
        "ragweed season makes my allergies worse",  # left out: another sense
        "Greenies dental chews for the dog",
        "I picked up my prescription at Watsons",
        "the octagons on the quilt",
        "morning at the bindle shop",
    ],
)
def test_english_senses_and_codeine_free_look_alikes_stay_unpinned(text: str) -> None:
    assert M.find_pins(text) == set(), text


def _vocab(tmp_path: Path, products: str) -> M.Vocabulary:
    return vocabulary_from(tmp_path, CLASSES, products)


STREET = '[s]\nkind = "street names"\nsource = "https://example.org"\n'


def test_a_street_name_is_matched_exactly_never_as_a_typo(tmp_path: Path) -> None:
    v = _vocab(tmp_path, STREET + '"zorbies" = ["oxycodone"]\n"oxy zorb" = ["oxycodone"]\n')
    assert M.find_pins("two zorbies a day", v) == {"opioid"}
    (m,) = M.find_medicines("zorbies", v)
    assert m.via == "street name"
    assert M.find_pins("two zorbiez a day", v) == set()  # a product would fold this typo
    assert "zorbies" not in v.typo_targets and "oxyzorb" not in v.typo_targets


@pytest.mark.parametrize(
    "body",
    [
        '"zorbies" = ["paracetamol"]\n',  # names no class generic
        '"lean" = ["codeine", "promethazine"]\n',  # ignored as ordinary English in classes.toml
        '"opioid" = ["codeine"]\n',  # a class word
    ],
)
def test_the_loader_refuses_street_names_that_are_no_pins(tmp_path: Path, body: str) -> None:
    with pytest.raises(M.MedicineDataError, match="street name"):
        _vocab(tmp_path, STREET + body)


def test_the_loader_refuses_an_unknown_table_kind(tmp_path: Path) -> None:
    with pytest.raises(M.MedicineDataError, match="kind"):
        _vocab(tmp_path, '[s]\nkind = "slang"\nsource = "https://example.org"\n"zorbies" = ["codeine"]\n')

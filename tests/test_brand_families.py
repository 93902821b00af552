"""Whole brand families added from national registers, recall notices and per-generic brand
lists (`bot/data/medicines/products.toml`, tables after the `brands4` note), and the matching
rules they rely on: a misspelt first word before a correct second word ("neurofen plus"), names
whose second word is a letter or a number never read from the plain brand alone ("Sinutab" is not
"Sinutab C"), and names longer than four words found by their first four."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import medicines as M
from tests.helpers import vocabulary_from


@pytest.mark.parametrize(
    "text",
    [
        "I take Paralgin forte for my back, is LDN ok?",  # Norway
        "Pinex Forte twice a day",
        "Tramium 50 mg since March",  # Finland (European tramadol list)
        "my doctor switched me to Dolzam",  # Belgium
        "Protradon capsules",  # Czech Republic
        "Xymel every evening",  # Ireland
        "Mandolgin for my knee",  # Denmark
        "Fortradol",  # Italy
        "Ralivia 100 and Durela",  # Canada
        "M-Eslon 30 mg",
        "Fiorinal-C 1/2 capsules",
        "two 292 tablets a day",
        "Cofsed Linctus for my cough",  # UK pholcodine recall
        "Covonia Dry Cough Sugar Free Formula",
        "Duro-Tuss Dry Cough Liquid plus Nasal Decongestant",  # Australia pholcodine cancellation
        "Sinutab C for my sinuses",  # South Africa
        "Ascoril-C syrup",  # India
        "Tilidalor drops",  # Germany (tilidine)
        "Sylador 50 mg",  # Brazil (tramadol names by country)
        "Atasol-8",
        "I took neurofen plus yesterday",  # a misspelt first word, second word right
        "nurofin plus",
    ],
)
def test_family_names_are_pinned(text: str) -> None:
    assert "opioid" in M.find_pins(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Sinutab for my sinuses",  # the plain brands of the "C" products have no codeine
        "Ascoril LS syrup",
        "Fiorinal",
        "Atasol",
        "ExeClear",
        "Triatec 5 mg for my blood pressure",  # ramipril; only Triatec-30 is a codeine product
        "Pinex and Paralgin",
        "Duro-Tuss Chesty Cough",
        "Bisolvon chesty",
        "Covonia",
        "Nurofen Express",
        "Tylenol Extra Strength",
        "I have a day and night nurse for my mum",  # left out on purpose (English)
        "a day nurse comes on Mondays",
        "I paid 292 dollars",  # number brands only with the word tablets
        "tablets plus vitamins, capsules forte",
        "trace amounts of it",
        "I can't long for that",
    ],
)
def test_look_alikes_and_english_stay_unpinned(text: str) -> None:
    assert "opioid" not in M.find_pins(text), text


CLASSES = """
[opioid]
source = "test"
words = ["opioid"]
generics = ["codeine"]

[immunosuppressant]
source = "test"
generics = ["tacrolimus"]
"""


def _vocab(tmp_path: Path, products: str) -> M.Vocabulary:
    return vocabulary_from(tmp_path, CLASSES, '[p]\nsource = "https://example.org"\n' + products)


def test_a_misspelt_first_word_is_read_only_before_the_right_second_word(tmp_path: Path) -> None:
    v = _vocab(tmp_path, '"zorbexin plus" = ["codeine", "ibuprofen"]\n')
    assert M.find_pins("zorbaxin plus", v) == {"opioid"}
    assert M.find_pins("zorbaxin forte", v) == set()  # another second word
    assert M.find_pins("zorbaxin", v) == set()


def test_a_letter_suffix_name_is_not_read_from_the_plain_brand(tmp_path: Path) -> None:
    v = _vocab(tmp_path, '"zorbexin c" = ["codeine"]\n')
    assert M.find_pins("zorbexin c", v) == {"opioid"}
    assert M.find_pins("Zorbexin-C", v) == {"opioid"}
    assert M.find_pins("zorbexin", v) == set()
    assert M.find_pins("zorbexon", v) == set()


def test_a_long_name_is_found_by_its_first_four_words(tmp_path: Path) -> None:
    v = _vocab(tmp_path, '"zorbex dry cough liquid forte" = ["codeine"]\n')
    assert M.find_pins("a bottle of Zorbex Dry Cough Liquid Forte", v) == {"opioid"}
    assert M.find_pins("Zorbex Dry Cough Liquid", v) == {"opioid"}
    assert M.find_pins("Zorbex Dry Cough", v) == set()


def test_the_loader_refuses_one_name_with_two_compositions(tmp_path: Path) -> None:
    with pytest.raises(M.MedicineDataError, match="twice"):
        _vocab(
            tmp_path,
            '"zorbex dry cough liquid a" = ["codeine"]\n"zorbex dry cough liquid b" = ["paracetamol"]\n',
        )

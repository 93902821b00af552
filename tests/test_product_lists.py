"""Brand names added from whole official product lists (CDC/RxNorm opioid value sets, UK and EU
brand lists; `bot/data/medicines/products.toml`): each is pinned, and the codeine-free products
and English words beside them are not."""

from __future__ import annotations

import pytest

from bot import medicines as M


@pytest.mark.parametrize(
    "name",
    [
        "Ibudone",
        "Xylon 10",
        "Mitigo",
        "Ryzolt",
        "Meperitab",
        "Vituz",
        "Brovex CB",
        "Maxiphen CDX",
        "Z-Tuss AC",
        "Zodryl DAC",
        "Statuss Green",
        "Ambifed-G CD",
        "Synastone",
        "Osmanil patch",
        "Propain Plus",
        "Dolol",
    ],
)
def test_official_list_brands_are_pinned(name: str) -> None:
    assert "opioid" in M.find_pins(f"I take {name}, can I start LDN?"), name


@pytest.mark.parametrize(
    "text",
    [
        "I take Brovex for hay fever",
        "Maxiphen DM for my cough",
        "Ambifed-G tablets",
        "a prolate spheroid",
        "mitigate the side effects",
        "a sandstone cottage",
        "the Osmanli empire",
    ],
)
def test_look_alikes_and_near_words_are_not_pinned(text: str) -> None:
    assert M.find_pins(text) == set(), text

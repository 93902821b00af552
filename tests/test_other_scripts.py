"""Words of other scripts (`bot.phrases.tokens` transliterates them with anyascii) and how
`bot.medicines` reads them: exactly, against the dictionaries and names listed in their own
script, never as a typo or a street name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import medicines as M
from bot.phrases import tokens, words_and_scripts
from tests.helpers import vocabulary_from
from tests.test_medicines import CLASSES


def test_latin_text_is_tokenised_as_before() -> None:
    assert tokens("Poléry, co-codamol 30/500 & Tylenol # 3") == [
        "polery",
        "co",
        "codamol",
        "30",
        "500",
        "and",
        "tylenol",
        "#3",
    ]
    assert all(not foreign for _, foreign in words_and_scripts("Nurofen Plus 200mg"))


def test_other_scripts_become_latin_words_one_per_script_run() -> None:
    assert tokens("Трамадол 50 мг") == ["tramadol", "50", "mg"]
    assert tokens("Пенталгин-Н") == ["pentalgin", "n"]
    assert tokens("新ブロン液エース") == ["xin", "buron", "ye", "esu"]  # kanji | katakana | kanji | katakana
    assert tokens("مستعد") == ["mstd"]  # one word, though anyascii writes an apostrophe inside
    assert words_and_scripts("Трамадол and") == [("tramadol", True), ("and", False)]


@pytest.mark.parametrize(
    "text", ["Я принимаю трамадол", "мне дали кодеин", "ヘロインを使っていた", "Мені призначили трамадол"]
)
def test_a_generic_written_in_another_script_is_pinned(text: str) -> None:
    assert "opioid" in M.find_pins(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Я читал много статей про LDN",  # "statey": one edit from a brand, but never a typo here
        "периода и шаблон",
        "هل أنا مستعد لتناول LDN",  # "mst" is a product; an Arabic word is matched only whole
        "我吃了很多药，妒忌",  # "duji" is a heroin street name: never from another script
        "ゲームが好きです",
        "принимаю LDN по утрам",  # "utram", mornings: a 5-letter Latin brand is not read from Cyrillic
    ],
)
def test_ordinary_words_of_other_scripts_are_not_pinned(text: str) -> None:
    assert M.find_pins(text) == set(), text


def _vocab(tmp_path: Path, products: str) -> M.Vocabulary:
    return vocabulary_from(tmp_path, CLASSES, products)


def test_a_name_listed_in_its_own_script_is_matched_at_any_length(tmp_path: Path) -> None:
    v = _vocab(
        tmp_path, '[t]\nsource = "https://example.org"\n"تامول" = ["tramadol"]\n"tmwk" = ["tramadol"]\n'
    )
    assert v.native == frozenset({"tamwl"})
    assert M.find_pins("أخذت تامول أمس", v) == {"opioid"}
    assert M.find_pins("التامول", v) == {"opioid"}  # with the article
    assert M.find_pins("tamwl", v) == {"opioid"}  # the same key typed in Latin letters
    assert M.find_pins("tmwk", v) == {"opioid"}
    assert M.find_pins("تموك", v) == set()  # "tmwk": a short name listed in Latin letters, not from Arabic


@pytest.mark.parametrize(
    "text",
    [
        "Можно ли принимать Пенталгин-Н вместе с LDN?",
        "я пью Коделак от кашля",
        "Нурофен Плюс и налтрексон",
        "Каффетин от головной боли",
        "新ブロン液エースを飲んでいます",
        "エスエスブロン錠とLDN",
        "トラマールを処方されました",
        "トラムセット配合錠",
        "أتناول الترامادول يوميا",
        "هل يمكن أخذ ترامال مع النالتريكسون",
        "كونترامال 100",
        "אני לוקח רוקסט פלוס",  # Hebrew: Rokacet Plus
        "טרמדקס 100",
        "Neptune's Fix from the gas station",  # tianeptine (FDA warnings)
        "I take Cipadol for back pain",  # Kenyan tramadol brand list
    ],
)
def test_names_listed_in_their_own_script_are_pinned(text: str) -> None:
    assert "opioid" in M.find_pins(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Нурофен от головной боли",  # plain Nurofen: ibuprofen only
        "Пенталгин без кодеина",  # plain Pentalgin is sold without codeine
        "エスエスブロン液Lを飲んでいます",  # the codeine-free syrup of the same range
        "ترمل",  # widowhood: the same consonants as ترامال without its written vowels
        "تمول المشروع",  # financing: the consonants of تامول
    ],
)
def test_codeine_free_siblings_and_ordinary_words_stay_unpinned(text: str) -> None:
    assert M.find_pins(text) == set(), text


def test_names_in_an_abjad_are_never_typo_targets(tmp_path: Path) -> None:
    body = '[t]\nsource = "https://example.org"\n"ترامكس" = ["tramadol"]\n"Коделак" = ["codeine"]\n'
    v = _vocab(tmp_path, body)
    assert v.consonantal == frozenset({"tramks"}) and "kodelak" in v.native
    assert "tramks" not in v.typo_targets  # "tramps" would be one edit from it
    assert "kodelak" in v.typo_targets  # Cyrillic keeps its vowels: a Latin spelling of the brand
    assert M.find_pins("tramps", v) == set()

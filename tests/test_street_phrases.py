"""Multi-word street names (`bot.street_phrases`): matched as a whole phrase and never as a typo,
refused at load when their shape breaks the rule, and the shipped ones checked against the rule's
lexicons (wordfreq, symspellpy's English bigrams, WordNet) where those are installed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot import medicines as M
from bot.street_phrases import ordinary_reason, shape_error
from corpus.datafile import read_toml
from tests.helpers import vocabulary_from
from tests.test_medicines import CLASSES

STREET = '[s]\nkind = "street names"\nsource = "https://example.org"\n'
WORDNET = Path("/usr/share/wordnet")  # Debian's wordnet-base


def _vocab(tmp_path: Path, body: str) -> M.Vocabulary:
    return vocabulary_from(tmp_path, CLASSES, STREET + body)


def test_a_multi_word_street_name_matches_only_whole_in_order(tmp_path: Path) -> None:
    v = _vocab(tmp_path, '"zorba quill" = ["oxycodone"]\n"murder 8" = ["oxycodone"]\n')
    assert M.find_pins("I used Zorba Quill last year", v) == {"opioid"}
    assert M.find_pins("ZORBA-QUILL", v) == {"opioid"}
    assert M.find_pins("murder 8 once", v) == {"opioid"}
    for text in (
        "zorba alone",
        "a quill",
        "quill zorba",
        "zorbaquill",
        "zorba quills",
        "murder 88",
        "murder 8x",
    ):
        assert M.find_pins(text, v) == set(), text
    (m,) = M.find_medicines("zorba quill", v)
    assert m.via == "street name"


def test_a_multi_word_street_name_is_never_a_typo_target(tmp_path: Path) -> None:
    v = _vocab(tmp_path, '"zorba quill" = ["oxycodone"]\n')
    assert "zorbaquill" not in v.typo_targets and "zorba quill" not in v.typo_targets.values()
    assert "zorba" not in v.first_words and "quill" not in v.second_words
    for text in ("zorba quil", "zorbba quill", "zorbaquil"):
        assert M.find_pins(text, v) == set(), text


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("big h", "one-letter"),
        ("o bomb", "one-letter"),
        ("one two three four five", "words"),
    ],
)
def test_the_loader_refuses_a_street_phrase_of_the_wrong_shape(tmp_path: Path, name: str, why: str) -> None:
    with pytest.raises(M.MedicineDataError, match=why):
        _vocab(tmp_path, f'"{name}" = ["codeine"]\n')


def test_the_shape_rule() -> None:
    assert shape_error(["god", "s", "drug"]) is None  # the possessive "s" ("god's drug")
    assert shape_error(["murder", "8"]) is None
    assert shape_error(["s", "drug"]) is not None
    assert shape_error(["captain"]) is not None


def _zipf(table: dict[tuple[str, str], float]) -> Callable[[str, str], float]:
    return lambda w, lang: table.get((w, lang), 0.0)


def test_each_lexicon_check_of_the_rule_can_refuse() -> None:
    z = _zipf(
        {
            ("white", "en"): 5.5,
            ("stuff", "en"): 5.1,
            ("painkiller", "en"): 3.0,
            ("la", "es"): 7.0,
            ("buena", "es"): 4.9,
            ("buena", "en"): 2.0,
        }
    )
    bigrams = {"number three", "nice and", "and easy"}
    wordnet = {"brown sugar"}
    assert ordinary_reason(["brown", "sugar"], z, bigrams, wordnet) == "a WordNet entry"
    assert ordinary_reason(["pain", "killer"], z, bigrams, wordnet) == "one English word closed up"
    assert ordinary_reason(["number", "3"], z, bigrams, wordnet) == "common English bigrams"
    assert ordinary_reason(["nice", "and", "easy"], z, bigrams, wordnet) == "common English bigrams"
    assert ordinary_reason(["white", "stuff"], z, bigrams, wordnet) == "the commonest English words only"
    assert ordinary_reason(["la", "buena"], z, bigrams, wordnet) == "ordinary words in es"
    assert ordinary_reason(["tango", "and", "cash"], z, bigrams, wordnet) is None


def _shipped_phrases() -> list[str]:
    tables = read_toml(M.PRODUCTS, M.MedicineDataError)
    return [
        n
        for t in tables.values()
        if isinstance(t, dict) and t.get("kind") == M.STREET_NAMES
        for n in t
        if n not in ("source", "kind") and " " in n.strip()
    ]


def test_the_shipped_street_phrases_are_no_ordinary_english() -> None:
    wordfreq = pytest.importorskip("wordfreq")  # the `drugdata` extra
    symspell = pytest.importorskip("symspellpy")
    if not WORDNET.is_dir():
        pytest.skip("Debian wordnet-base is not installed")
    from importlib.resources import files

    text = (files(symspell.__name__) / "frequency_bigramdictionary_en_243_342.txt").read_text()
    bigrams = {" ".join(line.split()[:2]) for line in text.splitlines()}
    wordnet = {
        " ".join(w.replace("_", " ").replace("-", " ").replace("'s", " s").lower().split())
        for pos in ("noun", "verb", "adj", "adv")
        for line in (WORDNET / f"index.{pos}").read_text().splitlines()
        if not line.startswith(" ") and "_" in (w := line.split()[0])
    }
    names = _shipped_phrases()
    assert len(names) >= 100
    bad = {
        n: why
        for n in names
        if (why := ordinary_reason(M.tokens(n), wordfreq.zipf_frequency, bigrams, wordnet))
    }
    assert bad == {}


@pytest.mark.parametrize(
    "text",
    [
        "I was on Tango and Cash before rehab",  # DEA 2017/2018, fentanyl
        "my cousin sells captain cody",  # codeine
        "Miss Emma for years after the accident",  # morphine
        "he died of murder 8",  # fentanyl
        "some Mexican mud and dance fever",  # heroin, fentanyl
        "Texas tea at parties",  # codeine with promethazine
        "he smoked blue heaven",  # oxymorphone
    ],
)
def test_shipped_street_phrases_are_pinned(text: str) -> None:
    assert "opioid" in M.find_pins(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I have this white stuff on my tongue",
        "question number 3 is about dosing",
        "brown sugar in my porridge",
        "a china girl figurine",
        "I get a charlie horse at night",
        "black, tar-like stools since Monday",
        "I need a chill pill, and chill pills don't exist",
        "la buena noticia es que duermo mejor",
        "my aunt Emma has MS too",
        "witch hazel for the bruise",
        "a pain killer after the dentist",
        "the red rock canyon trip",
    ],
)
def test_ordinary_phrases_of_the_same_reports_stay_unpinned(text: str) -> None:
    assert M.find_pins(text) == set(), text


def test_a_name_listed_in_another_script_is_never_a_typo_target(tmp_path: Path) -> None:
    v = vocabulary_from(tmp_path, CLASSES, '[kr]\nsource = "https://example.org"\n"코포나" = ["codeine"]\n')
    assert M.find_pins("코포나", v) == {"opioid"}  # "kopona", exactly
    assert "kopona" not in v.typo_targets
    assert M.find_pins("kotona", v) == set()  # Finnish "at home", one edit from "kopona"

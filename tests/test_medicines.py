"""Medicine resolution invariants (bot.medicines, bot.drug_sources, bot.unii_extract, bot.romedi_extract) on tiny inline data.

The shipped dictionaries are checked to load offline; the rules are checked on vocabularies built
here from a few lines, so each test fails if its rule is removed."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest

from bot import medicines as M
from bot.drug_sources import ROMEDI_NAMES, UNII_NAMES, DrugSourceError, classes_checksum, read_unii

CLASSES = """
[opioid]
source = "test"
words = ["opioid"]
generics = ["codeine", "oxycodone", "tramadol"]

[immunosuppressant]
source = "test"
generics = ["tacrolimus"]
"""


def _vocab(tmp_path: Path, unii_rows: list[str], checksum: str | None = None) -> M.Vocabulary:
    classes = tmp_path / "classes.toml"
    classes.write_text(CLASSES, encoding="utf-8")
    products = tmp_path / "products.toml"
    products.write_text("", encoding="utf-8")
    base = M.vocabulary.__wrapped__(classes, products, use_dictionary=False)
    unii = tmp_path / "unii.tsv"
    sha = classes_checksum(base.class_generics)
    written = checksum or sha
    unii.write_text(f"# classes_sha1\t{written}\n" + "\n".join(unii_rows) + "\n", encoding="utf-8")
    dictionary = read_unii(unii, sha)
    members = {k: v for k, v in dictionary.items() if base.classes_of(v)}
    known = frozenset(base.known | {k for k in members if " " not in k} | {"proline"})
    return dataclasses.replace(base, dictionary=members, known=known)


def test_a_brand_the_dictionary_maps_to_an_opioid_is_pinned(tmp_path: Path) -> None:
    v = _vocab(
        tmp_path, ["zorbacet\tacetaminophen|oxycodone hydrochloride", "quellix\ttramadol hydrochloride"]
    )
    assert "opioid" in M.find_pins("I take Zorbacet 5/325 for my back", v)
    assert "opioid" in M.find_pins("quellix twice a day", v)
    (m,) = M.find_medicines("Zorbacet", v)
    assert m.via == "dictionary" and "acetaminophen" in m.generics  # every component is kept


def test_a_codeine_free_look_alike_is_not_pinned(tmp_path: Path) -> None:
    v = _vocab(tmp_path, ["zorbacet forte\tacetaminophen|codeine phosphate"])
    assert "opioid" in M.find_pins("Zorbacet Forte", v)
    assert M.find_pins("Zorbacet for a headache", v) == set()
    assert M.find_pins("Zorbacet Extra", v) == set()


def test_salt_and_strength_words_do_not_hide_the_generic(tmp_path: Path) -> None:
    v = _vocab(tmp_path, [])
    for text in ("codeine phosphate 30 mg", "oxycodone HCl 10mg", "paracetamol/codeine 500/30"):
        assert "opioid" in M.find_pins(text, v), text


def test_misspelling_folding_never_turns_a_known_word_into_an_opioid(tmp_path: Path) -> None:
    v = _vocab(tmp_path, ["prodeine\tacetaminophen|codeine phosphate"])
    assert "opioid" in M.find_pins("I take prodiene", v)  # a typo of the opioid product
    assert M.find_pins("a proline supplement", v) == set()  # a real word one edit away is not


def test_misspelling_folding_on_the_shipped_dictionaries() -> None:
    for text in ("Does LDN help my MS?", "procaine at the dentist", "a proline supplement", "Panadol Extra"):
        assert "opioid" not in M.find_pins(text), text
    assert "opioid" in M.find_pins("I take percoset")


@pytest.mark.parametrize(
    "text",
    [
        "Does LDN help morphea?",  # a skin condition, 2 edits from morphine
        "my son has atopic eczema",  # 1 edit from the ciclosporin brand Atopica
        "a soft fontanel in my baby",  # 2 edits from fentanyl
        "I had a rectocele repair and a hydrocele",
        "thalamic pain after a stroke",
    ],
)
def test_real_medical_words_are_not_read_as_misspelt_medicines(text: str) -> None:
    assert M.find_pins(text) == set(), text


def test_real_words_extract_is_made_for_todays_typo_targets() -> None:
    from bot.misspellings import REAL_WORDS
    from bot.real_words_extract import targets_checksum

    header = dict(
        line[2:].split("\t", 1)
        for line in REAL_WORDS.read_text(encoding="utf-8").splitlines()
        if "\t" in line[:40] and line.startswith("# ")
    )
    assert header.get("targets_sha1") == targets_checksum(), "rerun python -m bot.real_words_extract"


@pytest.mark.parametrize("text", ["I take codine", "on oxycodon", "fentynal patch", "tapendatol 50"])
def test_misspelt_generics_are_still_read(text: str) -> None:
    assert "opioid" in M.find_pins(text), text


def test_a_non_opioid_brand_is_never_folded_into_an_opioid() -> None:
    v = M.vocabulary()
    non_opioid_brands = ("Tylenol", "Nurofen", "Panadol", "Solpadeine Headache", "Narcan", "Imodium")
    assert all("opioid" not in M.find_pins(name, v) for name in non_opioid_brands)


def test_unii_extract_refuses_other_classes(tmp_path: Path) -> None:
    with pytest.raises(DrugSourceError, match="unii_extract"):
        _vocab(tmp_path, ["zorbacet\toxycodone"], checksum="0" * 40)
    bad = tmp_path / "bad.tsv"
    bad.write_text("# classes_sha1\tabc\nno-tab-here\n", encoding="utf-8")
    with pytest.raises(DrugSourceError):
        read_unii(bad, "abc")


def test_dictionary_data_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    v = M.vocabulary.__wrapped__()  # fresh load, not the cached one
    sha = classes_checksum(v.class_generics)
    assert len(read_unii(UNII_NAMES, sha)) > 1000
    # names that only the UNII extract knows (US combination products, by FDA's components)
    for name in ("percocet", "vicodin", "norco"):
        assert "opioid" in v.classes_of(v.dictionary[name]), name
    assert "acetaminophen" in v.dictionary["percocet"]
    assert "amanda" not in v.dictionary  # a given name that is also a brand is filtered at extraction


def test_unii_extract_filters(tmp_path: Path) -> None:
    from bot import unii_extract

    src = tmp_path / "UNII_Names.txt"
    src.write_text(
        "Name\tTYPE\tUNII\tDisplay Name\n"
        "ZORBACET COMPONENT OXYCODONE HYDROCHLORIDE\tbn\tX1\tOXYCODONE HYDROCHLORIDE\n"
        "ZORBACET COMPONENT ACETAMINOPHEN\tbn\tX2\tACETAMINOPHEN\n"
        "AMANDA\tbn\tX3\tTRAMADOL\n"
        "OXY-123\tcd\tX1\tOXYCODONE HYDROCHLORIDE\n"
        "CODEINE [MI]\tcn\tX4\tCODEINE\n"
        "TYLENOL\tbn\tX2\tACETAMINOPHEN\n",
        encoding="utf-8",
    )
    out, _ = unii_extract.extract(src)
    assert out["zorbacet"] == {"oxycodone hydrochloride", "acetaminophen"}
    assert "codeine" in out and "amanda" not in out and "tylenol" not in out
    assert not any("123" in k for k in out)


def test_a_generic_run_together_with_its_salt_is_pinned(tmp_path: Path) -> None:
    v = _vocab(tmp_path, [])
    for word in ("Codeinphosphat", "tramadolhydrochlorid", "oxycodonhcl"):
        (m,) = M.find_medicines(f"I take {word}", v)
        assert m.via == "compound" and m.classes == ("opioid",), word
    assert M.find_medicines("codeinex", v)[0].via == "typo"  # one letter after: a typo, not a compound
    assert M.find_pins("tacrolimusbased regimen", v) == {"immunosuppressant"}


def test_the_thyroid_hormone_t3_is_not_read_as_tylenol_with_codeine() -> None:
    assert "opioid" not in M.find_pins("Can I take LDN with my T3 for Hashimoto's?")
    assert "opioid" in M.find_pins("I take T3s for my back, can I start LDN?")


# --- Romedi (French brand names, bot.romedi_extract) ---------------------------------------------

ROMEDI = {
    "N02AX02": ["ZORBADOL", "TOPALGIC", "tramadol"],
    "N02AA59": ["DAFALGOX CODEINE", "codeine en association sauf aux psycholeptiques"],
    "N02BE51": ["DAFALGOX CODEINE", "paracetamol en association sauf aux psycholeptiques"],
    "N02BE01": ["DAFALGOX", "paracetamol"],
    "R05CB03": ["RHINOX", "carbocisteine"],
    "R05DA08": ["RHINOX", "DIMETANE", "pholcodine"],
    "R05DA04": ["SIROP", "codeine"],
    "L04AD01": ["CICLOX", "ciclosporine"],
    "N02AE01": ["TEMGOX"],  # a code without a label in the file: not read
}


def test_romedi_extract_keeps_class_brands_and_drops_ambiguous_ones() -> None:
    from bot import romedi_extract

    out = romedi_extract.extract(ROMEDI)
    assert out["zorbadol"] == ({"tramadol"}, {"N02AX02"})
    labels, codes = out["dafalgox codeine"]  # a combination code of paracetamol is not a conflict
    assert codes == {"N02AA59", "N02BE51"} and any("paracetamol" in lab for lab in labels)
    assert out["ciclox"][0] == {"ciclosporin"}  # the French INN spelling read as the generic
    assert "dafalgox" not in out  # paracetamol alone
    assert "rhinox" not in out  # also carbocisteine alone: a brand family
    assert "dimetane" not in out  # the packaged dictionary knows it as brompheniramine
    assert "sirop" not in out  # a common French word ("syrup")
    assert "temgox" not in out


def test_romedi_extract_reads_the_wheel_and_round_trips(tmp_path: Path) -> None:
    import json
    import zipfile

    from bot import romedi_extract

    wheel = tmp_path / "edsnlp-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(romedi_extract.MEMBER, json.dumps(ROMEDI))
    data, version = romedi_extract.read_source(wheel)
    assert version == "9.9.9" and json.loads(data) == ROMEDI
    dest = tmp_path / "romedi.tsv"
    romedi_extract.write(romedi_extract.extract(json.loads(data)), data, version, dest)
    sha = classes_checksum(M.vocabulary(use_dictionary=False).class_generics)
    names = read_unii(dest, sha, "bot.romedi_extract")
    assert names["zorbadol"] == ("tramadol",)  # the ATC codes column is a note, not a substance
    with pytest.raises(DrugSourceError, match="romedi_extract"):
        read_unii(dest, "0" * 40, "bot.romedi_extract")


def test_shipped_romedi_names_pin_french_opioid_brands_only() -> None:
    v = M.vocabulary()
    for name in ("Topalgic", "Dafalgan Codeine", "Skenan", "Sophidone", "Codoliprane"):
        assert "opioid" in M.find_pins(f"I take {name}", v), name
    for name in ("Doliprane", "Dafalgan", "Efferalgan", "Rhinathiol", "Dimetane"):
        assert "opioid" not in M.find_pins(f"I take {name}", v), name
    sha = classes_checksum(v.class_generics)
    assert len(read_unii(ROMEDI_NAMES, sha, "bot.romedi_extract")) > 100


def test_every_products_table_names_a_public_source_page() -> None:
    """Hand-added brands stay checkable: each table of products.toml cites at least one web page."""
    from corpus.datafile import read_toml

    tables = read_toml(M.PRODUCTS, M.MedicineDataError)
    assert tables
    for name, table in tables.items():
        assert isinstance(table, dict), name
        assert "http://" in table.get("source", "") or "https://" in table.get("source", ""), name


def test_a_codeine_free_product_outranks_its_codeine_brand(tmp_path: Path) -> None:
    """A look-alike listed with no class generic is read as itself, not as the shorter brand name."""
    classes = tmp_path / "classes.toml"
    classes.write_text(CLASSES, encoding="utf-8")
    products = tmp_path / "products.toml"
    products.write_text(
        '[t]\nsource = "https://example.org"\n"zorbadeine" = ["paracetamol", "codeine"]\n'
        '"zorbadeine headache" = ["paracetamol", "caffeine"]\n',
        encoding="utf-8",
    )
    v = M.vocabulary.__wrapped__(classes, products, use_dictionary=False)
    assert M.find_pins("I take Zorbadeine", v) == {"opioid"}
    assert M.find_pins("I take Zorbadeine Headache tablets", v) == set()


def test_accents_are_folded_on_both_sides(tmp_path: Path) -> None:
    # a name listed with an accent is found typed without it, and the other way round
    v = _vocab(tmp_path, ["zorbacét\tacetaminophen|codeine phosphate", "quellix\ttramadol hydrochloride"])
    assert "opioid" in M.find_pins("I take Zorbacet", v)
    assert "opioid" in M.find_pins("I take Zorbacét", v)
    assert "opioid" in M.find_pins("quéllix at night", v)
    assert M.tokens("Codéine ÉPHÉDRINE") == ["codeine", "ephedrine"]

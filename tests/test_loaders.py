"""corpus.loaders: decode text files as is, refuse what is not text, explain every refusal."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from corpus import loaders
from corpus.loaders import LoadError, decode_text, load_document
from corpus.models import DocumentMeta
from tests.conftest import seed_files


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_text_is_kept_as_is(tmp_path: Path):
    raw = "Title\r\n\r\nLDN costs about $45 – “cheap”.\r\n\tIndented line.  \n"
    doc = load_document(_write(tmp_path, "note.txt", raw.encode("utf-8")))
    assert doc.text == raw  # no newline or white-space rewriting
    assert doc.doc_id == "note"
    assert doc.path == str(tmp_path / "note.txt")
    assert doc.content_hash == hashlib.sha256(raw.encode("utf-8")).hexdigest()
    assert doc.meta == DocumentMeta()
    assert doc.pages == ()


def test_latin1_text_decodes(tmp_path: Path):
    data = "Café au lait. Naïve patients took 4.5 mg. Über gut. ½ dose.".encode("latin-1")
    doc = load_document(_write(tmp_path, "latin.txt", data))
    assert doc.text == "Café au lait. Naïve patients took 4.5 mg. Über gut. ½ dose."


def test_windows_1252_smart_quotes_decode(tmp_path: Path):
    data = "He said “it works” – and it’s cheap.".encode("cp1252")
    doc = load_document(_write(tmp_path, "quotes.md", data))
    assert doc.text == "He said “it works” – and it’s cheap."


def test_utf8_bom_is_kept_so_offsets_match_the_file(tmp_path: Path):
    data = b"\xef\xbb\xbfLDN is taken at night."
    doc = load_document(_write(tmp_path, "bom.txt", data))
    assert doc.text == "\ufeffLDN is taken at night."
    assert doc.text[1:4] == "LDN"


@pytest.mark.parametrize("suffix", [".txt", ".TXT", ".md", ".markdown", ".text"])
def test_text_suffixes_are_supported(tmp_path: Path, suffix: str):
    doc = load_document(_write(tmp_path, f"doc{suffix}", b"LDN is taken once a day."))
    assert doc.text == "LDN is taken once a day."


def test_binary_data_named_txt_is_refused(tmp_path: Path):
    data = bytes(range(256)) * 8  # NUL bytes and everything else
    with pytest.raises(LoadError, match=r"^image\.txt: binary data"):
        load_document(_write(tmp_path, "image.txt", data))


def test_control_characters_without_nul_are_refused(tmp_path: Path):
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16]) * 50 + b"some text"
    with pytest.raises(LoadError, match=r"^blob\.md: binary data"):
        load_document(_write(tmp_path, "blob.md", data))


def test_png_bytes_named_md_are_refused(tmp_path: Path):
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(LoadError, match="binary data"):
        load_document(_write(tmp_path, "photo.md", data))


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  "], ids=["zero-bytes", "white-space"])
def test_empty_file_is_refused(tmp_path: Path, data: bytes):
    with pytest.raises(LoadError, match=r"^empty\.txt: empty file"):
        load_document(_write(tmp_path, "empty.txt", data))


@pytest.mark.parametrize("name", ["report.docx", "page.html", "notes", "data.csv"])
def test_unsupported_extension_is_reported(tmp_path: Path, name: str):
    path = _write(tmp_path, name, b"LDN is taken once a day.")
    with pytest.raises(LoadError) as info:
        load_document(path)
    message = str(info.value)
    assert message.startswith(f"{name}: unsupported file type")
    assert ".txt" in message and ".pdf" in message


def test_unreadable_path_is_reported(tmp_path: Path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(LoadError, match=r"^folder\.txt: cannot be read"):
        load_document(folder)


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 1024)
    with pytest.raises(LoadError, match=r"^big\.txt: larger than"):
        load_document(_write(tmp_path, "big.txt", b"LDN works. " * 200))


def test_meta_is_attached(tmp_path: Path):
    meta = DocumentMeta(title="A title", publisher="A clinic")
    doc = load_document(_write(tmp_path, "n.txt", b"LDN works."), meta)
    assert doc.meta is meta


def test_decode_text_directly():
    assert decode_text(b"plain", "x.txt") == "plain"
    assert decode_text("caf\u00e9".encode(), "x.txt") == "café"
    with pytest.raises(LoadError, match="NUL"):
        decode_text(b"a\x00b", "x.txt")


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_every_seed_loads_as_utf8_text(path: Path):
    doc = load_document(path)
    assert doc.text == path.read_text(encoding="utf-8")
    assert doc.doc_id == path.stem
    assert len(doc.text) > 1000

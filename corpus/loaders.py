"""Read source files into `Document`s: plain text, Markdown and HTML-exported text, and PDF.

For text files the document text is the file's decoded text *as is* (no newline or
whitespace rewriting), so offsets can be checked against the file itself. UTF-8 is tried
first (a byte-order mark is kept as a character so offsets stay exact), then Windows-1252,
which decodes any Latin-1 file. A file with NUL bytes or mostly control characters is
binary and is refused, whatever its name says.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> _ = p.write_bytes("Caf\\xe9 au lait.".encode("latin-1"))
>>> load_document(p).text
'Café au lait.'
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from corpus.models import Document, DocumentMeta
from corpus.pdf import PdfProblem, load_pdf

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
MAX_FILE_BYTES = 50 * 1024 * 1024


class LoadError(Exception):
    """A source file that cannot be indexed; the message names it and says what to do."""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes, refusing binary data."""
    if b"\x00" in data[:65536]:
        raise LoadError(
            f"{name}: binary data, not text (contains NUL bytes); remove it or convert it to text"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > len(text) // 100:
            text = data.decode("latin-1")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if sample and controls > len(sample) // 20:
        raise LoadError(f"{name}: binary data, not text (control characters); remove it or convert it")
    return text


def load_document(path: Path, meta: DocumentMeta | None = None) -> Document:
    """One source file as a `Document`; raises `LoadError` with a clear reason."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{name}: unsupported file type '{suffix}' (use .txt, .md or .pdf)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{name}: cannot be read ({exc.strerror})") from exc
    if not data.strip():
        raise LoadError(f"{name}: empty file")
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB; split it into smaller files")
    pages: tuple = ()
    if suffix in PDF_SUFFIXES:
        try:
            text, pages = load_pdf(path)
        except PdfProblem as exc:
            raise LoadError(str(exc)) from exc
    else:
        text = decode_text(data, name)
    if not text.strip():
        raise LoadError(f"{name}: no text")
    return Document(
        doc_id=path.stem,
        path=str(path),
        text=text,
        content_hash=content_hash(data),
        meta=meta or DocumentMeta(),
        pages=pages,
    )

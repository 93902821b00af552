"""Write small, valid PDFs by hand (no reportlab) for the PDF tests.

`make_pdf(path, pages)` writes one page per string; every "\\n" starts a new text line drawn
with Helvetica (a standard Type1 font, so pypdf can extract the text back). The file has a
catalog, a page tree, the pages with their content streams and a correct xref table.

Variants for the failure tests: `make_encrypted_pdf` (pypdf's writer with a user password),
`make_blank_pdf` (a page with no text at all, like a scanned image), `make_truncated_pdf`
and `make_garbage_pdf`.
"""

from __future__ import annotations

import random
from pathlib import Path

LINE_HEIGHT = 14


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content_stream(page: str) -> bytes:
    ops = ["BT", "/F1 12 Tf", "72 720 Td"]
    for k, line in enumerate(page.split("\n")):
        if k:
            ops.append(f"0 -{LINE_HEIGHT} Td")
        ops.append(f"({_escape(line)}) Tj")
    ops.append("ET")
    return "\n".join(ops).encode("cp1252")


def pdf_bytes(pages: list[str]) -> bytes:
    """The bytes of a PDF with one page per string (Windows-1252 text only: WinAnsiEncoding)."""
    n = len(pages)
    # Object numbers: 1 catalog, 2 page tree, 3 font, then (page, content) pairs.
    page_ids = [4 + 2 * k for k in range(n)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {n} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for k, page in enumerate(pages):
        page_id, content_id = page_ids[k], page_ids[k] + 1
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
        ).encode()
        stream = _content_stream(page)
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n" % size
    out += b"0000000000 65535 f \n"
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
    return bytes(out)


def make_pdf(path: Path, pages: list[str]) -> Path:
    """Write a PDF with one page per string (one text line per "\\n")."""
    path.write_bytes(pdf_bytes(pages))
    return path


def make_encrypted_pdf(path: Path, pages: list[str], password: str = "secret") -> Path:
    """A PDF that opens only with `password` (pypdf's writer, user password set)."""
    from pypdf import PdfReader, PdfWriter

    source = path.with_name(path.stem + ".plain.tmp")
    make_pdf(source, pages)
    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password)
    with path.open("wb") as fh:
        writer.write(fh)
    source.unlink()
    return path


def make_blank_pdf(path: Path, n_pages: int = 1) -> Path:
    """A PDF whose pages hold no text at all (what a scanned, image-only PDF extracts to)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(n_pages):
        writer.add_blank_page(width=612, height=792)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_truncated_pdf(path: Path, pages: list[str], keep: int | None = None) -> Path:
    """The first `keep` bytes of a valid PDF (default: half of it, like an interrupted download)."""
    data = pdf_bytes(pages)
    path.write_bytes(data[: len(data) // 2 if keep is None else keep])
    return path


def make_garbage_pdf(path: Path, size: int = 2048, seed: int = 7) -> Path:
    """Random bytes (no NUL-free text, no PDF header) under a .pdf name."""
    rng = random.Random(seed)
    path.write_bytes(bytes(rng.randrange(1, 256) for _ in range(size)))
    return path

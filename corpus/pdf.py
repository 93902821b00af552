"""Extract and repair the text of a PDF with pypdf, page by page.

pypdf's plain extraction has well-known faults; each repair below is a pure function with a
worked example, applied in this order to every page:

1. `expand_ligatures`  -- "ﬁ", "ﬂ", "ﬀ", "ﬃ" ... become "fi", "fl", "ff", "ffi" (NFKC of the
   ligature block only; other characters are left alone).
2. `join_hyphenated`   -- "treat-\\nment" becomes "treatment", but a hyphen that the same document
   also uses mid-line ("low-dose") is kept: the document's own vocabulary decides.
3. `restore_spaces`    -- a missing space after sentence punctuation ("pain.The") or between a
   lower-case run and a capitalised word ("informationDosage") is put back.
4. `reflow`            -- visual line breaks become spaces; a line that ends a sentence and is
   clearly shorter than the page's typical line ends a paragraph (blank line).

Running headers and footers (a line that recurs on at least half the pages, digits ignored) and
bare page numbers are dropped before reflow. The document text is the repaired pages joined by a
blank line (or a space, when a sentence runs on across the page break); the page of every
character is kept as `PageSpan`s.

Failures are reported, never raised past `load_pdf`: `PdfProblem` says what is wrong with which
file (corrupt, encrypted with a password, or no extractable text: a scanned/image-only PDF).
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path

from corpus.models import PageSpan

_LIGATURES = re.compile("[\ufb00-\ufb06\ua732-\ua7ff]")
_HYPHEN_BREAK = re.compile(r"(\w+)-\n\s*([a-z]\w*)")
_GLUED_SENTENCE = re.compile(r"([a-z]{2,}[.!?])([A-Z][a-z])")
_GLUED_WORDS = re.compile(r"([a-z]{3,})([A-Z][a-z]{2,})")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.IGNORECASE)
MIN_CHARS_PER_PAGE = 20


class PdfProblem(Exception):
    """A PDF that cannot be used; the message names the file and what to do."""


def expand_ligatures(text: str) -> str:
    """
    >>> expand_ligatures("ﬁbromyalgia ﬂare")
    'fibromyalgia flare'
    """
    return _LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def join_hyphenated(text: str, vocabulary: set[str] | None = None) -> str:
    """Undo end-of-line hyphenation.

    >>> join_hyphenated("a treat-\\nment and low-\\ndose", {"low-dose"})
    'a treatment and low-dose'
    """
    vocab = vocabulary or set()

    def fix(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        return f"{left}-{right}" if f"{left}-{right}".lower() in vocab else left + right

    return _HYPHEN_BREAK.sub(fix, text)


def restore_spaces(text: str) -> str:
    """
    >>> restore_spaces("less pain.The informationDosage of McCandless")
    'less pain. The information Dosage of McCandless'
    """
    return _GLUED_WORDS.sub(r"\1 \2", _GLUED_SENTENCE.sub(r"\1 \2", text))


def reflow(text: str) -> str:
    """Join visual lines into paragraphs.

    >>> page = ("A long line of text that keeps on going here\\nand wraps onto the next line of the page."
    ...         "\\nShort end.\\nNew paragraph starts on this long line here")
    >>> reflow(page)
    'A long line of text that keeps on going here and wraps onto the next line of the page. Short end.\\n\\nNew paragraph starts on this long line here'
    """
    lines = [ln.strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return ""
    typical = statistics.median(len(ln) for ln in lines)
    out = [lines[0]]
    for prev, line in itertools.pairwise(lines):
        ends_paragraph = prev[-1] in ".!?:" and len(prev) < 0.6 * typical
        out.append("\n\n" + line if ends_paragraph else " " + line)
    return "".join(out)


def _drop_furniture(pages: list[str]) -> list[str]:
    """Remove running headers/footers and page numbers."""

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({key(ln) for ln in page.split("\n") if ln.strip()})
    recurring = {k for k, n in counts.items() if len(pages) >= 3 and n >= max(2, len(pages) // 2)}
    cleaned = []
    for page in pages:
        keep = [ln for ln in page.split("\n") if not _PAGE_NUMBER.match(ln) and key(ln) not in recurring]
        cleaned.append("\n".join(keep))
    return cleaned


def repair_pages(raw_pages: list[str]) -> list[str]:
    """All repairs, in order, over a document's pages (see module doc)."""
    pages = [expand_ligatures(p) for p in raw_pages]
    pages = _drop_furniture(pages)
    vocab = {w.lower() for p in pages for w in re.findall(r"\w+-\w+", p)}
    return [reflow(restore_spaces(join_hyphenated(p, vocab))) for p in pages]


def join_pages(pages: list[str]) -> tuple[str, tuple[PageSpan, ...]]:
    """The document text and each page's character range."""
    parts: list[str] = []
    spans: list[PageSpan] = []
    pos = 0
    for number, page in enumerate(pages, start=1):
        if not page:
            continue
        if parts:
            runs_on = parts[-1][-1] not in ".!?:" and page[0].islower()
            sep = " " if runs_on else "\n\n"
            parts.append(sep)
            pos += len(sep)
        spans.append(PageSpan(number, pos, pos + len(page)))
        parts.append(page)
        pos += len(page)
    return "".join(parts), tuple(spans)


def load_pdf(path: Path) -> tuple[str, tuple[PageSpan, ...]]:
    """Repaired text and page spans of a PDF, or `PdfProblem` saying why it cannot be used."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    name = path.name
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # missing crypto backend or unsupported algorithm
                raise PdfProblem(
                    f"{name}: encrypted PDF that could not be opened ({exc}); save an unencrypted copy"
                ) from exc
            if not ok:
                raise PdfProblem(f"{name}: encrypted PDF that needs a password; save an unencrypted copy")
        raw = [page.extract_text() or "" for page in reader.pages]
    except PdfProblem:
        raise
    except FileNotDecryptedError as exc:
        raise PdfProblem(f"{name}: encrypted PDF that needs a password; save an unencrypted copy") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError) as exc:
        raise PdfProblem(f"{name}: corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises a wide variety on damaged files
        raise PdfProblem(f"{name}: corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if not raw:
        raise PdfProblem(f"{name}: PDF has no pages")
    text, spans = join_pages(repair_pages(raw))
    if len(text.strip()) < MIN_CHARS_PER_PAGE:
        raise PdfProblem(
            f"{name}: no extractable text (a scanned or image-only PDF?); run OCR on it and add the result"
        )
    return text, spans

"""Which lines of a corpus can never be quoted, and why: `python -m eval audit [DIR ...]`.

The corpus pipeline (`corpus.segment`) keeps only *sentences* quotable; everything else is
context (headings) or furniture (boilerplate, references). This audit makes what it leaves out
visible, line by line, so a change to the pipeline can be judged by what it loses and gains on
any folder of documents, including pages nobody here wrote. A line is *lost* when some of its
words lie in no quotable sentence; the reason is where those words went:

- ``heading``     -- the whole line was read as a heading (context, never quoted);
- ``glued``       -- part of the line was cut off a sentence as a glued heading (`corpus.glued`);
- ``boilerplate`` -- page furniture (menus, prompts, a list read as navigation …);
- ``reference``   -- a citation or an entry of a references section;
- ``dropped``     -- in no span at all (e.g. a bullet too short to be a sentence).

The reverse error is counted too: a quote that runs across a line which ends without punctuation
into a line starting with a capital (``joined``: "Sertraline and pregnancy\nSertraline can be
taken ..."), where a title or a second sentence may sit inside one quote.

Report only: the audit judges nothing right or wrong (most headings *should* be headings); it
counts, so before/after figures of a pipeline change can be compared. A "word" is a run of two or
more letters (list markers and numbers alone do not make a line lost).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REASONS = ("heading", "glued", "boilerplate", "reference", "dropped")
SHOWN = (*REASONS, "joined")
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class LostLine:
    """A line of a document with words in no quotable sentence."""

    doc_id: str
    start: int
    end: int
    text: str
    reason: str  # one of REASONS
    lost_words: int


@dataclass(frozen=True)
class FolderAudit:
    folder: str
    documents: int
    lines: int  # lines with at least one word
    sentences: int
    lost: tuple[LostLine, ...]
    joined: tuple[LostLine, ...] = ()  # lines inside a quote that end unpunctuated before a capital

    def counts(self) -> Counter[str]:
        return Counter(line.reason for line in self.lost)


def audit_text(doc_id: str, text: str) -> list[LostLine]:
    """The lost lines of one document's text (see module doc)."""
    from corpus.lines import read_lines
    from corpus.segment import segment

    seg = segment(text)
    owner = [""] * len(text)  # what holds each character: "sentence", a reason, or ""
    for kind, spans in (
        ("boilerplate", seg.boilerplate),
        ("reference", seg.references),
        ("heading", seg.headings),
        ("sentence", seg.sentences),
    ):
        for span in spans:
            owner[span.start : span.end] = [kind] * (span.end - span.start)
    out: list[LostLine] = []
    for line in read_lines(text):
        words = list(_WORD.finditer(text, line.start, line.end))
        lost = [w for w in words if owner[w.start()] != "sentence"]
        if not lost:
            continue
        reasons = Counter(owner[w.start()] or "dropped" for w in lost)
        reason = reasons.most_common(1)[0][0]
        if reason == "heading" and len(lost) < len(words):
            reason = "glued"  # part of the line is a sentence, the rest was cut off it
        out.append(LostLine(doc_id, line.start, line.end, line.text, reason, len(lost)))
    return out


_JOIN = re.compile(r"[\w)\]](?=[ \t]*\r?\n\s*[A-Z])")


def joined_lines(doc_id: str, text: str) -> list[LostLine]:
    """Lines inside a quotable sentence that end without punctuation before a capitalised line."""
    from corpus.segment import segment

    out: list[LostLine] = []
    for s in segment(text).sentences:
        for m in _JOIN.finditer(text, s.start, s.end):
            if text.find("\n", m.end(), s.end) < 0:
                continue
            a = text.rfind("\n", s.start, m.end()) + 1 or s.start
            a = max(a, s.start)
            line = text[a : m.end()].strip()
            out.append(LostLine(doc_id, a, m.end(), line, "joined", len(_WORD.findall(line))))
    return out


def audit_folder(folder: Path) -> FolderAudit:
    """Every document of a corpus folder (loaded as the index build loads it)."""
    from corpus.ingest import load_corpus
    from corpus.lines import read_lines
    from corpus.segment import segment

    docs = load_corpus(folder).documents
    lost: list[LostLine] = []
    joined: list[LostLine] = []
    lines = sentences = 0
    for doc in docs:
        lost.extend(audit_text(doc.doc_id, doc.text))
        joined.extend(joined_lines(doc.doc_id, doc.text))
        lines += sum(1 for ln in read_lines(doc.text) if _WORD.search(ln.text))
        sentences += len(segment(doc.text).sentences)
    return FolderAudit(str(folder), len(docs), lines, sentences, tuple(lost), tuple(joined))


def markdown(audits: list[FolderAudit], show: tuple[str, ...] = SHOWN) -> str:
    """A summary table (one row per folder) and the lost lines of the reasons in `show`."""
    head = "| folder | documents | lines | sentences | " + " | ".join(REASONS) + " | lost words | joined |"
    rows = [head, "|" + "---|" * (6 + len(REASONS))]
    for a in audits:
        c = a.counts()
        cells = " | ".join(str(c.get(r, 0)) for r in REASONS)
        words = sum(line.lost_words for line in a.lost)
        rows.append(
            f"| {a.folder} | {a.documents} | {a.lines} | {a.sentences} | {cells} | {words} | {len(a.joined)} |"
        )
    out = ["\n".join(rows)]
    for a in audits:
        listed = [line for line in (*a.lost, *a.joined) if line.reason in show]
        if listed:
            out.append(f"\n## {a.folder}\n")
            out.extend(
                f"- `{line.reason}` {line.doc_id}@{line.start}: {_short(line.text)}" for line in listed
            )
    return "\n".join(out) + "\n"


def _short(text: str, limit: int = 110) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def default_folders() -> list[Path]:
    """The bundled corpus and the other medicines' corpora under `eval/corpora/`."""
    from index.settings import DEFAULT_CORPUS_DIR, PROJECT_ROOT

    others = sorted((PROJECT_ROOT / "eval" / "corpora").glob("*/documents"))
    return [DEFAULT_CORPUS_DIR, *others]


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="lines of a corpus that end up in no quotable sentence, and why",
        description="For each folder of documents: lines whose words lie in no quotable sentence, "
        "by reason (heading, glued, boilerplate, reference, dropped), and quotes that join an "
        "unpunctuated line to a capitalised one (joined). Report only.",
    )
    p.add_argument("dirs", type=Path, nargs="*", help="corpus folders (default: bundled + eval/corpora/*)")
    p.add_argument(
        "--show",
        action="append",
        choices=SHOWN,
        metavar="REASON",
        help=f"list only lines of this reason (repeatable; default: all of {', '.join(SHOWN)})",
    )
    p.add_argument("--summary", action="store_true", help="print only the table")
    p.set_defaults(target="eval.corpus_audit:main")


def main(args: argparse.Namespace) -> int:
    folders = list(args.dirs) or default_folders()
    audits = [audit_folder(f) for f in folders]
    show: tuple[str, ...] = () if args.summary else tuple(args.show or SHOWN)
    print(markdown(audits, show), end="")
    return 0

"""Drug classes of every medicine: the WHO ATC groups of each substance, from a Debian package.

`python -m bot.atc_extract DEB` reads `atc_only-utf8.csv` from the `gnumed-server` Debian package
(`apt-get download gnumed-server`; GNUmed, GPL-2+; the file is the WHO ATC classification with
English, French and German labels, 5,469 codes). Nothing is installed or run from the package.

It writes `bot/data/medicines/atc_groups.tsv`: per substance (the English label of a 7-character
code, lower case: "sertraline"), the English labels of its 3rd- and 4th-level groups
("antidepressants", "selective serotonin reuptake inhibitors") and the code. Patients' leaflets
often name a medicine only by its class ("antidepressants such as fluvoxamine", "opioids"), so the
answer stage (`bot.named_medicines`) reads a question's medicine also as its classes. Combination
codes (7th-level numbers 20-99: "codeine, combinations excl. psycholeptics") and labels that are
not a substance ("various", "combinations") are left out. Trade-off: a snapshot of the ATC
index as packaged (2013 labels in GNUmed 22); newer substances are missing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import tarfile
from collections import defaultdict
from pathlib import Path

MEMBER_SUFFIX = "data/atc_only-utf8.csv"
OUT = Path(__file__).resolve().parent / "data" / "medicines" / "atc_groups.tsv"
_SUBSTANCE = re.compile(r"^[A-Z]\d\d[A-Z]{2}\d\d$")
_COMBINATION = re.compile(r"^[A-Z]\d\d[A-Z]{2}([2-9]\d)$")
_NOT_A_SUBSTANCE = re.compile(r"\b(combinations?|various|other|and)\b")


def read_csv_from_deb(deb: Path) -> bytes:
    """The CSV's bytes from the .deb (an `ar` archive holding `data.tar.*`)."""
    raw = deb.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        raise SystemExit(f"{deb}: not a Debian package")
    pos = 8
    while pos < len(raw):
        name = raw[pos : pos + 16].decode().strip().rstrip("/")
        size = int(raw[pos + 48 : pos + 58].decode().strip())
        body = raw[pos + 60 : pos + 60 + size]
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body)) as tar:
                for member in tar.getmembers():
                    if member.name.endswith(MEMBER_SUFFIX):
                        fh = tar.extractfile(member)
                        if fh is not None:
                            return fh.read()
        pos += 60 + size + (size % 2)
    raise SystemExit(f"{deb}: no {MEMBER_SUFFIX}")


def groups(data: bytes) -> dict[str, set[tuple[str, str, str]]]:
    """substance -> {(code, 4th-level label, 3rd-level label)}, labels in lower case."""
    label = {}
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        if len(row) >= 2 and row[0]:
            label[row[0]] = " ".join(row[1].lower().replace(",", " ").split())
    out: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for code, name in label.items():
        if not _SUBSTANCE.match(code) or _COMBINATION.match(code) or _NOT_A_SUBSTANCE.search(name):
            continue
        level4, level3 = label.get(code[:5], ""), label.get(code[:4], "")
        if level4 or level3:
            out[name].add((code, level4, level3))
    return out


def write(table: dict[str, set[tuple[str, str, str]]], source: str, out: Path = OUT) -> int:
    lines = [
        "# WHO ATC groups of each substance: substance<TAB>4th-level label<TAB>3rd-level label<TAB>code",
        f"# source\t{source}",
        "# made by\tpython -m bot.atc_extract DEB (see the module doc)",
    ]
    for name in sorted(table):
        for code, level4, level3 in sorted(table[name]):
            lines.append(f"{name}\t{level4}\t{level3}\t{code}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 3


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m bot.atc_extract gnumed-server_*.deb", file=sys.stderr)
        return 2
    deb = Path(args[0])
    data = read_csv_from_deb(deb)
    sha = hashlib.sha256(data).hexdigest()[:16]
    rows = write(groups(data), f"{deb.name}: {MEMBER_SUFFIX} (GNUmed, GPL-2+), sha256 {sha}")
    print(f"wrote {rows} rows to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

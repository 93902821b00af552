"""Real English words that a typo of a medicine name could be mistaken for, extracted from `wordfreq`.

`python -m bot.real_words_extract` walks `wordfreq`'s English list (Wikipedia, subtitles, news,
books and web text; every word seen about once per 100 million words or more) and keeps each
word of `TYPO_MIN_LEN`+ letters that `bot.misspellings.nearest` would read as a misspelling of one
of today's typo targets ("morphea" -> morphine, "atopic" -> Atopica, "fontanel" -> fentanyl),
with its Zipf frequency and that target, in `bot/data/medicines/real_words.tsv`.
`bot.misspellings.is_real_word` reads the file: such a word is what the person meant.

Why an extract and not the library at run time: loading wordfreq's English list costs the
serving process ~48 MiB (measured) for the ~600 words that matter; the extract is a few KB.
The file records the wordfreq version and a checksum of the typo targets it was made for;
`tests/test_medicines.py` fails when the targets change (rerun this module then, with
`pip install wordfreq`, extra `drugdata`). The word list is derived from wordfreq's data
(CC BY-SA 4.0, by Robyn Speer and contributors): attribution in the file header.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "medicines" / "real_words.tsv"


def targets_checksum() -> str:
    """sha1 of the typo targets the list is made against (they change with the dictionaries)."""
    from bot.medicines import vocabulary

    joined = "\n".join(sorted(vocabulary().typo_targets))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def extract() -> list[tuple[str, float, str]]:
    """(word, Zipf frequency, the typo target it is nearest to), sorted by word."""
    from wordfreq import get_frequency_dict, zipf_frequency

    from bot.medicines import vocabulary
    from bot.misspellings import TYPO_MIN_LEN, nearest

    v = vocabulary()
    out = []
    for word in get_frequency_dict("en"):
        if len(word) < TYPO_MIN_LEN or not (word.isascii() and word.isalpha()) or word in v.known:
            continue
        target = nearest(word, v.targets_by_letter)
        if target is not None:
            out.append((word, zipf_frequency(word, "en"), target))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    rows = extract()
    version = importlib.metadata.version("wordfreq")
    lines = [
        f"# real English words within typo reach of a medicine name; from wordfreq {version} (python -m bot.real_words_extract)",
        "# data: wordfreq, CC BY-SA 4.0, Robyn Speer and contributors, https://github.com/rspeer/wordfreq",
        f"# targets_sha1\t{targets_checksum()}",
        "# word\tzipf\tnearest typo target",
        *(f"{w}\t{z:.2f}\t{t}" for w, z, t in rows),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} words)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Opioid pins of one source tree over ordinary texts and the dev and spent medicine lists, to
compare two trees (bot/data/medicines/README.md, `pins11`):

    python eval/pin_texts.py TREE OUT.json

Texts: every `question`/`text`/`message` of eval/gold, the spent question sets (`QUESTION_SETS`:
never eval/heldout8 or later), eval/corpora/*/questions.jsonl and safety.jsonl, the spent safety
files (`SAFETY_FILES`: never heldout13 or later), and every line of corpus/documents. Lists: the dev and spent lists of
eval/data/medicines (never heldout7/heldout8), pinned per `kind`. A measuring script: it imports
`bot.medicines` from TREE, so run it once per tree and compare the two JSON files.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

# the spent question sets and safety files only (fresh ones are never read: eval/heldout8 and
# later, safety heldout13 and later; a set spent later is added here by name)
QUESTION_SETS = ("heldout", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7")
SAFETY_FILES = (
    "battery",
    "dev_gate10",
    "dev_long",
    "dev_long2",
    "dev_long3",
    "dev_suicide",
    "heldout",
    *(f"heldout{n}" for n in range(2, 13)),
)
LISTS = ["opioid_products", "non_opioids", "heldout_opioids", "heldout_non_opioids"] + [
    f"heldout{n}_{k}" for n in range(2, 7) for k in ("opioids", "non_opioids")
]


def texts(tree: Path) -> list[tuple[str, str]]:
    files = [tree / "eval/gold/questions.jsonl", *(tree / f"eval/{q}/questions.jsonl" for q in QUESTION_SETS)]
    files += sorted(tree.glob("eval/corpora/*/questions.jsonl")) + sorted(
        tree.glob("eval/corpora/*/safety.jsonl")
    )
    files += [tree / f"eval/data/safety/{name}.jsonl" for name in SAFETY_FILES]
    out = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
            r = json.loads(line)
            out += [
                (f"{f.relative_to(tree)}#{n}:{k}", r[k])
                for k in ("question", "text", "message")
                if isinstance(r.get(k), str)
            ]
    for f in sorted(tree.glob("corpus/documents/*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        out += [(f"{f.relative_to(tree)}#{i}", t) for i, t in enumerate(lines) if t.strip()]
    return out


def main(tree: Path, out: Path) -> None:
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    from bot.medicines import find_medicines, find_pins

    res: dict[str, Any] = {"texts": {}, "lists": {}}
    for key, text in texts(tree):
        res["texts"][key] = [(m.words, m.via) for m in find_medicines(text) if "opioid" in m.classes]
    for name in LISTS:
        with (tree / f"eval/data/medicines/{name}.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        per: dict[str, list[int]] = {}
        pinned = sorted(r["name"] for r in rows if "opioid" in find_pins(r["name"]))
        for r in rows:
            a = per.setdefault(r.get("kind", "-"), [0, 0])
            a[1] += 1
            a[0] += r["name"] in pinned
        res["lists"][name] = {"pinned": len(pinned), "n": len(rows), "per_kind": per, "pinned_names": pinned}
    out.write_text(json.dumps(res, indent=0), encoding="utf-8")
    print(len(res["texts"]), "texts;", {k: (v["pinned"], v["n"]) for k, v in res["lists"].items()})


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())

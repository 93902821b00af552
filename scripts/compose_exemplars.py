"""Compose bot/data/triage/exemplars.jsonl from the hand-written cores in cores.toml (deterministic).

Every core message is kept as written, and is also buried inside longer, realistic messages: an
everyday story before it and an everyday question after it, the way people write when an emergency
is happening while they meant to ask something else. Ordinary cores get the same wrappers, so the
wrappers carry no signal of their own; the wrapper sentences alone are also ordinary exemplars.
A table of cores.toml is one category, or adds to the category it names (`category = ...`) with
its own sources; its name prefixes the groups of its messages. A table with `component = "suicide"`
trains the suicide component only (`bot.triage.data.COMPONENTS`): its rows carry that field.

Run: python scripts/compose_exemplars.py   (rewrites the file; commit both)
A candidate file for `python -m eval safety-lobo --candidate ...,exemplars=PATH`:
     python scripts/compose_exemplars.py --cores OTHER_CORES.toml --out PATH
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "bot" / "data" / "triage"
WRAPPER_SOURCE = "written for this project (everyday context sentences)"

PREFIXES = [
    "I've been taking LDN 4.5 mg for my fibromyalgia for about eight months and it has mostly been fine.",
    "Sorry if this is the wrong place to ask.",
    "Hi, my partner and I both started low dose naltrexone in March after reading about it online.",
    "I have MS and my neurologist agreed to let me try LDN last year.",
    "Quick question from a carer.",
    "I'm typing this on my phone so sorry for typos.",
    "My GP is away this week and the pharmacy is closed.",
    "We've been on holiday and I forgot to pack some of my tablets.",
    "I'm 63 and have long covid and chronic pain.",
    "My daughter has Crohn's and started LDN a month ago.",
    "I get my LDN from a compounding pharmacy and take it at bedtime.",
    "I've read a lot of forum posts about naltrexone and I'm confused.",
]
SUFFIXES = [
    "Should I still take my LDN tonight?",
    "Does LDN cause this?",
    "Is this a side effect of naltrexone?",
    "Should I stop the LDN?",
    "What do the sources say?",
    "I don't know what to do.",
    "Can I take my normal dose tomorrow?",
    "Could it be the new capsules?",
    "Is it safe to keep going with the 3 mg dose?",
]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="cores.toml -> exemplars.jsonl (deterministic)")
    ap.add_argument("--cores", type=Path, default=HERE / "cores.toml")
    ap.add_argument("--out", type=Path, default=HERE / "exemplars.jsonl")
    args = ap.parse_args([] if argv is None else argv)  # None: the shipped files (tests call main())
    cores = tomllib.loads(args.cores.read_text(encoding="utf-8"))
    rng = random.Random(20261201)
    rows: list[dict[str, object]] = []
    for name, table in cores.items():
        category = table.get("category", name)  # a table may add to another table's category
        source = " ".join(table["sources"])
        for i, text in enumerate(table["messages"]):
            group = f"{name}-{i:03d}"
            base = {"category": category, "emergency": table["emergency"], "source": source, "group": group}
            if "component" in table:
                base["component"] = table["component"]
            rows.append({"text": text, "form": "core", **base})
            core = text[0].upper() + text[1:]
            core = core if core[-1] in ".?!" else core + "."
            for k in range(3):
                pre, suf = rng.choice(PREFIXES), rng.choice(SUFFIXES)
                long = {0: f"{pre} {core} {suf}", 1: f"{pre} {core}", 2: f"{core} {suf}"}[k]
                rows.append({"text": long, "form": "long", **base})
    for i, text in enumerate(PREFIXES + SUFFIXES):
        rows.append(
            {
                "text": text,
                "form": "wrapper",
                "category": "ordinary_question",
                "emergency": False,
                "source": WRAPPER_SOURCE,
                "group": f"wrapper-{i:03d}",
            }
        )
    out = args.out
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} exemplars -> {out}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Reading a BEIR-layout dataset folder (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`).

Split from `eval.beir` (which retrieves and scores) so the loader stays small and can be used on
its own: every malformed line becomes a one-line `BeirError` naming the file and line, and the
corpus file's SHA-256 travels with the data as the cache key of its embeddings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Run = dict[str, dict[str, float]]
Qrels = dict[str, dict[str, int]]


class BeirError(Exception):
    """The dataset folder or one of its files is missing or malformed (message is one line)."""


@dataclass(frozen=True)
class BeirData:
    doc_ids: list[str]
    doc_texts: list[str]
    queries: dict[str, str]  # judged queries of the split only, in file order
    qrels: Qrels
    corpus_sha256: str


def _read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BeirError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc


def _require(path: Path) -> Path:
    if not path.is_file():
        raise BeirError(f"missing BEIR file: {path}")
    return path


def load_qrels(path: Path) -> Qrels:
    """`query-id corpus-id score` rows (tab separated, one header line); scores <= 0 are dropped."""
    qrels: Qrels = {}
    lines = _require(path).read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise BeirError(f"{path}:{n}: expected 3 tab-separated columns, got {len(parts)}")
        try:
            score = int(float(parts[2]))
        except ValueError as exc:
            raise BeirError(f"{path}:{n}: score {parts[2]!r} is not a number") from exc
        if score > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = score
    return qrels


def load_beir(folder: str | Path, split: str = "test", limit_queries: int | None = None) -> BeirData:
    """Load a BEIR folder; keep only queries judged in `split` (the first `limit_queries` of them)."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise BeirError(f"BEIR dataset folder not found: {root}")
    corpus_path = _require(root / "corpus.jsonl")
    qrels = load_qrels(root / "qrels" / f"{split}.tsv")
    doc_ids, doc_texts = [], []
    for row in _read_jsonl(corpus_path):
        doc_ids.append(str(row["_id"]))
        title, text = (row.get("title") or "").strip(), row.get("text") or ""
        doc_texts.append(f"{title} {text}" if title else text)
    if not doc_ids:
        raise BeirError(f"empty corpus: {corpus_path}")
    queries = {
        str(r["_id"]): str(r["text"])
        for r in _read_jsonl(_require(root / "queries.jsonl"))
        if str(r["_id"]) in qrels
    }
    if not queries:
        raise BeirError(f"no query of {root / 'queries.jsonl'} is judged in qrels/{split}.tsv")
    if limit_queries is not None:
        queries = dict(list(queries.items())[: max(0, limit_queries)])
    qrels = {q: qrels[q] for q in queries}
    digest = hashlib.sha256(corpus_path.read_bytes()).hexdigest()
    return BeirData(doc_ids, doc_texts, queries, qrels, digest)

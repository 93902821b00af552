"""Per-question cost against two peers, measured in one run (issue #13's ratios).

1. ``bot ask --batch``: the command line answering a file of distinct questions (the gold set)
   with the model loaded once; its per-question cost is the wall-time difference between a run
   with all N questions and a run with one (medians of 3 interleaved runs each), divided by
   N - 1 (start-up cancels out).
2. One bare sentence-transformers encode of the same question (``model.encode([q])``, the same
   packaged MiniLM), per question, at torch's default threads and at one thread, interleaved;
   the faster of the two is the reference (its threads spin against other processes on a
   shared machine, so either can win).
3. A LangChain-style peer, written here with the same model (no LangChain dependency): what the
   LangChain FAISS tutorial does per query: embed it with sentence-transformers (normalised)
   and ask a FAISS ``IndexFlatL2`` over the corpus passages for the top 4, wrapping each hit
   as a document dict (``page_content`` + ``metadata``). No quotes, labels or abstention.
   Timed at the same two thread settings as the bare encode; the faster counts.

Each figure is the median over the questions. The ratios (``bot ask --batch`` per question /
bare encode, and / peer) are what the targets compare; absolute figures vary with the load.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.cold import child_env
from bench.stats import median


class LangChainStylePeer:
    """Embed the query, FAISS L2 top-k over the passage vectors, wrap hits as documents."""

    def __init__(self, model: Any, texts: list[str], vectors: np.ndarray, k: int = 4):
        import faiss

        self.model, self.texts, self.k = model, texts, k
        self.index = faiss.IndexFlatL2(vectors.shape[1])
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, query: str) -> list[dict[str, Any]]:
        vector = self.model.encode([query], normalize_embeddings=True, convert_to_numpy=True)
        distances, rows = self.index.search(np.asarray(vector, dtype=np.float32), self.k)
        return [
            {"page_content": self.texts[r], "metadata": {"row": int(r), "score": float(d)}}
            for r, d in zip(rows[0], distances[0], strict=True)
            if r >= 0
        ]


def _per_call_ms(fn: Any, questions: list[str]) -> float:
    times = []
    for q in questions:
        t0 = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - t0)
    return 1000.0 * median(times)


def _batch_wall(index: Path, questions: list[str]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write("\n".join(questions) + "\n")
    cmd = [sys.executable, "-m", "bot", "ask", "--batch", fh.name, "--json", "--index", str(index)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), timeout=900, check=False)
    wall = time.perf_counter() - t0
    Path(fh.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"bot ask --batch failed: {done.stderr.strip()[-500:]}")
    return wall


def run_cost(
    index: Path, questions: list[str], model_path: str | None = None, rounds: int = 2
) -> dict[str, Any]:
    """The three per-question figures and their ratios, in this one run."""
    import torch
    from sentence_transformers import SentenceTransformer

    from index.embedder import resolve_model_path
    from index.store import read_index

    data = read_index(index)
    model = SentenceTransformer(str(resolve_model_path(model_path)), device="cpu", local_files_only=True)
    peer = LangChainStylePeer(model, [p.text for p in data.passages], data.passage_vectors)
    model.encode(questions[:8])  # warm-up
    default_threads = int(torch.get_num_threads())
    encode: dict[int, list[float]] = {1: [], default_threads: []}
    lang: dict[int, list[float]] = {1: [], default_threads: []}
    try:
        for _ in range(rounds):
            for threads in encode:
                torch.set_num_threads(threads)
                encode[threads].append(
                    _per_call_ms(lambda q: model.encode([q], normalize_embeddings=True), questions)
                )
                lang[threads].append(_per_call_ms(peer.search, questions))
    finally:
        torch.set_num_threads(default_threads)
    ones, wholes = [], []
    for _ in range(3):  # interleaved; the difference of medians cancels the start-up cost
        ones.append(_batch_wall(index, questions[:1]))
        wholes.append(_batch_wall(index, questions))
    one, whole = median(ones), median(wholes)
    batch_ms = 1000.0 * (whole - one) / max(len(questions) - 1, 1)
    bare = min(min(v) for v in encode.values())
    peer_ms = min(min(v) for v in lang.values())
    return {
        "questions": len(questions),
        "bot_ask_batch_per_question_ms": batch_ms,
        "bot_ask_batch_wall_s": {"one": ones, "all": wholes},
        "bare_st_encode_ms": {f"{k}_threads": min(v) for k, v in encode.items()},
        "bare_st_encode_best_ms": bare,
        "langchain_style_peer_ms": peer_ms,
        "langchain_style_peer_by_threads_ms": {f"{k}_threads": min(v) for k, v in lang.items()},
        "ratio_batch_to_bare_encode": batch_ms / bare,
        "ratio_batch_to_peer": batch_ms / peer_ms,
    }


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    r1, r2 = res["ratio_batch_to_bare_encode"], res["ratio_batch_to_peer"]
    return [
        ("bot ask --batch, per question", res["bot_ask_batch_per_question_ms"], "ms", "", None),
        ("bare sentence-transformers encode (best threads)", res["bare_st_encode_best_ms"], "ms", "", None),
        ("LangChain-style FAISS peer, per query", res["langchain_style_peer_ms"], "ms", "", None),
        ("ratio: batch per question / bare encode", r1, "x", "<= 1.2", r1 <= 1.2),
        ("ratio: batch per question / peer", r2, "x", "<= 1.0", r2 <= 1.0),
    ]

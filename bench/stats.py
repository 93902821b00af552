"""Pure helpers for `python -m bench`: percentiles, recall@k, synthetic corpora, machine facts.

Nothing here imports the model, FAISS, bm25s or Gradio, so these helpers are cheap to test.

Percentiles interpolate linearly between order statistics (numpy's default "linear" method), so
p95 of 20 samples is a blend of the 19th and 20th; with few samples a p99 is close to the max
and is reported with its sample count (`n`) so nobody over-reads it.

The synthetic corpus generator recombines real sentences: each synthetic passage joins 2-4
sentences drawn at random (with a fixed seed), and its vector is the L2-normalised mean of
those sentences' real model vectors plus small Gaussian noise (per-dimension sigma
`noise / sqrt(dim)`, so the noise vector has norm ~`noise`). That keeps the geometry of real
MiniLM vectors (clusters by topic, the same shared "LDN" direction) at sizes that could not be
embedded here (1M texts x ~20 ms), and the noise makes every vector distinct so approximate
search is actually tested. Trade-off: the recombined corpus is more clustered than a real
1M-passage corpus (only a few hundred distinct sentences), which makes approximate search
*harder* (many near-ties), so recall figures are, if anything, pessimistic.
"""

from __future__ import annotations

import math
import os
import platform
import resource
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.grounding_metrics import percentile


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, p99, mean and max of durations given in seconds, in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": float(len(ms)),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": sum(ms) / len(ms) if ms else math.nan,
        "max_ms": max(ms) if ms else math.nan,
    }


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def recall_at_k(
    approx: np.ndarray | Sequence[Sequence[int]], exact: np.ndarray | Sequence[Sequence[int]], k: int
) -> float:
    """Mean over queries of |approx top-k ∩ exact top-k| / |exact top-k| (ids < 0 are padding).

    >>> recall_at_k([[1, 2, 3]], [[3, 2, 9]], 3)
    0.6666666666666666
    """
    total, count = 0.0, 0
    for a_row, e_row in zip(approx, exact, strict=True):
        truth = {int(i) for i in list(e_row)[:k] if int(i) >= 0}
        if not truth:
            continue
        got = {int(i) for i in list(a_row)[:k] if int(i) >= 0}
        total += len(got & truth) / len(truth)
        count += 1
    return total / count if count else math.nan


def synthetic_corpus(
    texts: Sequence[str],
    vectors: np.ndarray,
    n: int,
    *,
    seed: int = 0,
    noise: float = 0.1,
    min_parts: int = 2,
    max_parts: int = 4,
    chunk: int = 50_000,
) -> tuple[list[str], np.ndarray]:
    """`n` synthetic passages recombined from real sentences (see the module docstring).

    Deterministic for a given seed, inputs and `n`; the vectors are float32, L2-normalised."""
    if len(texts) != len(vectors) or not len(texts):
        raise ValueError("need as many real vectors as texts, and at least one")
    rng = np.random.default_rng(seed)
    dim = vectors.shape[1]
    parts = rng.integers(min_parts, max_parts + 1, size=n)
    picks = rng.integers(0, len(texts), size=(n, max_parts))
    mask = np.arange(max_parts)[None, :] < parts[:, None]
    out_texts = [
        " ".join(texts[j] for j in row[:k]) for row, k in zip(picks.tolist(), parts.tolist(), strict=True)
    ]
    base = np.ascontiguousarray(vectors, dtype=np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    sigma = noise / math.sqrt(dim)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        acc = np.zeros((hi - lo, dim), dtype=np.float32)
        for slot in range(max_parts):
            m = mask[lo:hi, slot]
            acc[m] += base[picks[lo:hi, slot][m]]
        acc /= parts[lo:hi, None].astype(np.float32)
        acc += rng.normal(0.0, sigma, size=acc.shape).astype(np.float32)
        acc /= np.maximum(np.linalg.norm(acc, axis=1, keepdims=True), 1e-9)
        out[lo:hi] = acc
    return out_texts, out


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (MiB), from getrusage (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def proc_status_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak RSS) and VmRSS of a live process, in MiB (empty when unreadable)."""
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(rest.split()[0]) / 1024.0
    except OSError:
        pass
    return out


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, load average and Python version, for the report."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = math.nan
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = int(line.split()[1]) / 1024.0 / 1024.0
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gib": round(mem_gib, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }

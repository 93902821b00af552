"""Web load: N concurrent gradio_client users against the `/ask` API on 127.0.0.1, then memory.

Each user is a thread with its own `gradio_client.Client` (created before the clock starts)
that asks, waits for the reply, and asks again until the level's time is up or it has sent
`max_requests`; every call has a timeout (`Job.result(timeout=...)`), so a level always ends.
An error is an exception, a timeout, or a reply with status "unavailable".

Two question mixes per level:

* varied: gold question number (user + k * users) with a unique " (#n)" suffix, so the
  engine's answer cache (keyed by the cleaned question) never hits and every request runs the
  model; the suffix adds one rare BM25 token, otherwise the work is that of a real question;
* repeated: every user asks the same question, which after the first call comes from the cache:
  what remains is Gradio's own cost (queue, SSE, JSON).

The serving process's CPU time per request (from /proc/<pid>/stat) separates the server's cost
from the load generator's, which shares the same cores.

Memory is the serving process's VmHWM (peak RSS) from /proc after the load, and VmRSS.
Loopback only, bounded in time and requests; the server is stopped by the caller.
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from eval.bench_stats import proc_status_mb, summary_ms

REPEATED_QUESTION = "What dose of LDN is usually used?"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when unreadable)."""
    try:
        import os

        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _make_clients(url: str, n: int) -> list[Any]:
    from gradio_client import Client

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _i: Client(url, verbose=False, analytics_enabled=False), range(n)))


def run_level(
    clients: list[Any],
    questions: list[str],
    users: int,
    seconds: float,
    max_requests: int,
    repeated: bool,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """One load level; returns throughput, latency summary (ms) and error count."""
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    sent = [0]
    t_start = time.perf_counter()
    deadline = t_start + seconds

    def user(u: int) -> None:
        client = clients[u]
        k = 0
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
                serial = sent[0]
            if repeated:
                q = REPEATED_QUESTION
            else:
                q = f"{questions[(u + k * users) % len(questions)]} (#{serial})"
            k += 1
            t0 = time.perf_counter()
            try:
                res = client.submit(q, api_name="/ask").result(timeout=timeout)
                err = "unavailable" if res.get("status") == "unavailable" else ""
            except Exception as exc:
                err = f"{type(exc).__name__}: {exc}"[:200]
            dt = time.perf_counter() - t0
            with lock:
                if err:
                    errors.append(err)
                else:
                    lat.append(dt)

    threads = [threading.Thread(target=user, args=(u,), daemon=True) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    wall = time.perf_counter() - t_start
    return {
        "users": users,
        "mix": "repeated" if repeated else "varied",
        "wall_s": wall,
        "ok": len(lat),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
        "throughput_rps": len(lat) / wall if wall else 0.0,
        **summary_ms(lat),
    }


def run_load(
    url: str,
    pid: int,
    questions: list[str],
    levels: tuple[int, ...] = (1, 8, 32, 64),
    seconds: float = 15.0,
    max_requests: int = 2000,
) -> dict[str, Any]:
    clients = _make_clients(url, max(levels))
    out: list[dict[str, Any]] = []
    for users in levels:
        for repeated in (False, True):
            cpu0 = _cpu_seconds(pid)
            level = run_level(clients, questions, users, seconds, max_requests, repeated)
            cpu = _cpu_seconds(pid) - cpu0
            level["server_cpu_s"] = cpu
            level["server_cpu_ms_per_request"] = 1000.0 * cpu / max(level["ok"] + level["errors"], 1)
            out.append(level)
    for c in clients:
        with contextlib.suppress(Exception):
            c.close()
    return {
        "levels": out,
        "seconds_per_level": seconds,
        "max_requests": max_requests,
        "memory": proc_status_mb(pid),
    }


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    rows: list[tuple[str, float, str, str, bool | None]] = []
    top = max((lv["users"] for lv in res["levels"]), default=0)
    for lv in res["levels"]:
        name = f"{lv['users']:>2} users {lv['mix']}"
        is_top = lv["users"] == top
        rows.append((f"{name}: req/s", lv["throughput_rps"], "req/s", "", None))
        target, met = ("<= 1000", lv["p95_ms"] <= 1000) if is_top else ("", None)
        rows.append((f"{name}: p50", lv["p50_ms"], "ms", "", None))
        if "server_cpu_ms_per_request" in lv:
            rows.append((f"{name}: server CPU/request", lv["server_cpu_ms_per_request"], "ms", "", None))
        rows.append((f"{name}: p95", lv["p95_ms"], "ms", target, met))
        rows.append(
            (
                f"{name}: errors",
                float(lv["errors"]),
                "",
                "0" if is_top else "",
                lv["errors"] == 0 if is_top else None,
            )
        )
    mem = res.get("memory", {})
    if "VmHWM" in mem:
        rows.append(("serving process peak RSS (VmHWM)", mem["VmHWM"], "MiB", "", None))
    return rows

"""Web load: N concurrent users on the JSON API and on the chat route (raw HTTP), then memory.

Runs `bench.loadgen` against a `python -m bot serve` child on 127.0.0.1 (started by
`bench.cold.start_server`). Per level (users in `levels`):

* ``api`` varied: gold question number (user + k * users) with a unique " (#n)" suffix, so the
  engine's answer cache (keyed by the cleaned question) never hits and every request runs the
  model; the suffix adds one rare BM25 token, otherwise the work is that of a real question;
* ``api`` repeated: every user asks the same question, which after the first call comes from
  the cache: what remains is the server's own cost (HTTP, JSON);
* ``chat`` varied: one chat turn per request as the page's JavaScript sends it (Gradio queue +
  server-sent events), followed by a thumbs-up on the reply; afterwards the feedback database
  must hold exactly one row per click sent.

These levels are a stress test: a closed loop with no pause between a reply and the next
question. `run_think` adds the realistic figure, reported separately: `THINK_USERS` people who
each read the reply before asking again (pauses exponential with mean `THINK_MEAN` s, the TPC-W
web benchmark's user model, seeded), on the JSON API and on the chat route (each turn sends the
conversation so far, as the browser does, and likes the reply), `THINK_SECONDS` each.

The serving process's CPU time per request (from /proc/<pid>/stat) separates the server's cost
from the load generator's (this process's CPU time, beside it), which shares the same cores;
the load average is recorded before and after each level. Memory is the serving process's VmHWM
(peak RSS) and VmRSS from /proc after the load. Bounded in requests and time per level.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.loadgen import run_level
from bench.stats import proc_status_mb

REPEATED_QUESTION = "What dose of LDN is usually used?"
THINK_USERS = 64
THINK_MEAN = 7.0  # seconds (TPC-W's mean think time; an assumption for a chat, BENCHMARKS.md)
THINK_SECONDS = 90.0
THINK_SEED = 13


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def varied(questions: list[str], n: int) -> list[str]:
    """`n` distinct questions: the gold ones in turn, each with a unique suffix (no cache hit)."""
    return [f"{questions[k % len(questions)]} (#{k})" for k in range(n)]


def feedback_rows(db: Path | None) -> int:
    if db is None or not db.exists():
        return 0
    from bot import feedback

    return feedback.count(db)


def measured_level(url: str, pid: int, route: str, users: int, qs: list[str], max_requests: int,
                   seconds: float, **kw: Any) -> dict[str, Any]:  # fmt: skip
    """One `run_level` with the server's and the generator's CPU and the load average around it."""
    load0 = [round(x, 2) for x in os.getloadavg()]
    cpu0, gen0 = _cpu_seconds(pid), time.process_time()
    level = run_level(url, route, users, qs, max_requests, seconds, **kw)
    cpu, gen = _cpu_seconds(pid) - cpu0, time.process_time() - gen0
    level["server_cpu_s"], level["generator_cpu_s"] = cpu, gen
    level["server_cpu_ms_per_request"] = 1000.0 * cpu / max(level["sent"], 1)
    level["generator_cpu_ms_per_request"] = 1000.0 * gen / max(level["sent"], 1)
    level["loadavg_before"], level["loadavg_after"] = load0, [round(x, 2) for x in os.getloadavg()]
    return level


def run_think(
    url: str,
    pid: int,
    questions: list[str],
    serial: int,
    users: int = THINK_USERS,
    think: float = THINK_MEAN,
    seconds: float = THINK_SECONDS,
    seed: int = THINK_SEED,
) -> list[dict[str, Any]]:
    """The realistic figure: `users` people reading each reply (see the module doc), varied
    questions numbered from `serial` (no cache hit), JSON API then chat (with a like per reply)."""
    out: list[dict[str, Any]] = []
    for route in ("api", "chat"):
        qs = varied(questions, serial + 10_000)[serial:]
        serial += 10_000
        level = measured_level(url, pid, route, users, qs, 10_000, seconds, like=route == "chat",
                               think=think, seed=seed, carry=route == "chat")  # fmt: skip
        level["mix"] = "varied"
        out.append(level)
    return out


def run_readers(
    url: str, pid: int, questions: list[str], feedback_db: Path | None = None, seconds: float = THINK_SECONDS
) -> dict[str, Any]:
    """The think-time figure (`run_think`; section ``readers``), then the feedback check."""
    rows_before = feedback_rows(feedback_db)
    think = run_think(url, pid, questions, 100_000, seconds=seconds)  # numbered apart from `run_load`'s
    likes = sum(level["likes_sent"] for level in think)
    rows = feedback_rows(feedback_db) - rows_before
    model = {
        "users": THINK_USERS,
        "mean_s": THINK_MEAN,
        "truncated_at_s": 10 * THINK_MEAN,
        "seconds": seconds,
    }
    return {
        "think": think,
        "think_model": {**model, "seed": THINK_SEED},
        "feedback": {"clicks_sent": likes, "rows_stored": rows, "all_stored": rows == likes},
    }


def run_load(
    url: str,
    pid: int,
    questions: list[str],
    levels: tuple[int, ...] = (1, 8, 32, 64),
    seconds: float = 15.0,
    max_requests: int = 1000,
    feedback_db: Path | None = None,
) -> dict[str, Any]:
    """The stress levels; then checks that the feedback database gained one row per like sent."""
    out: list[dict[str, Any]] = []
    rows_before = feedback_rows(feedback_db)
    likes = 0
    serial = 0
    for users in levels:
        for route, mix in (("api", "varied"), ("api", "repeated"), ("chat", "varied")):
            if mix == "repeated":
                qs = [REPEATED_QUESTION]
            else:
                qs = varied(questions, serial + max_requests)[serial:]
                serial += max_requests
            level = measured_level(url, pid, route, users, qs, max_requests, seconds, like=route == "chat")
            level["mix"] = mix
            likes += level["likes_sent"]
            out.append(level)
    rows = feedback_rows(feedback_db) - rows_before
    return {
        "levels": out,
        "seconds_per_level": seconds,
        "max_requests": max_requests,
        "feedback": {"clicks_sent": likes, "rows_stored": rows, "all_stored": rows == likes},
        "memory": proc_status_mb(pid),
    }


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    rows: list[tuple[str, float, str, str, bool | None]] = []
    top = max((lv["users"] for lv in res.get("levels", [])), default=0)
    for lv in res.get("levels", []):
        name = f"{lv['users']:>2} users {lv['route']} {lv['mix']}"
        is_top = lv["users"] == top
        goal = 300.0 if lv["route"] == "api" else 1000.0
        target, met = (f"<= {goal:.0f}", lv["p95_ms"] <= goal) if is_top else ("", None)
        rows.append((f"{name}: req/s", lv["throughput_rps"], "req/s", "", None))
        rows.append((f"{name}: p50", lv["p50_ms"], "ms", "", None))
        rows.append((f"{name}: p95", lv["p95_ms"], "ms", target, met))
        rows.append((f"{name}: server CPU/request", lv["server_cpu_ms_per_request"], "ms", "", None))
        rows.append(
            (
                f"{name}: errors",
                float(lv["errors"]),
                "",
                "0" if is_top else "",
                lv["errors"] == 0 if is_top else None,
            )
        )
    for lv in res.get("think", []):
        name = f"{lv['users']} readers (think {lv['think_mean_s']:.0f} s) {lv['route']}"
        goal = 300.0 if lv["route"] == "api" else 1000.0
        rows.append((f"{name}: req/s", lv["throughput_rps"], "req/s", "", None))
        rows.append((f"{name}: p50", lv["p50_ms"], "ms", "", None))
        rows.append((f"{name}: p95", lv["p95_ms"], "ms", f"<= {goal:.0f}", lv["p95_ms"] <= goal))
        rows.append((f"{name}: p99", lv["p99_ms"], "ms", "", None))
        rows.append((f"{name}: server CPU/request", lv["server_cpu_ms_per_request"], "ms", "", None))
        rows.append((f"{name}: generator CPU/request", lv["generator_cpu_ms_per_request"], "ms", "", None))
        rows.append((f"{name}: errors", float(lv["errors"]), "", "0", lv["errors"] == 0))
    fb = res.get("feedback", {})
    if fb:
        rows.append(
            (
                "feedback rows stored / clicks sent",
                float(fb["rows_stored"]),
                f"/{fb['clicks_sent']}",
                "all",
                fb["all_stored"],
            )
        )
    mem = res.get("memory", {})
    if "VmHWM" in mem:
        rows.append(("serving process peak RSS (VmHWM)", mem["VmHWM"], "MiB", "<= 442", mem["VmHWM"] <= 442))
    return rows

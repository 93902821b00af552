"""Benchmark: N Ray Serve replicas vs one process, under the same raw-HTTP load on loopback.

    python -m bench.replicas --index /tmp/scale-idx --users 64 --requests 640 --replicas 2 \\
        --throwaway-postgres --out /tmp/scale-bench.json

Both servers expose the same JSON API (`bot.scale.api.create_app`) and store clicks in the same
kind of store (a throw-away PostgreSQL, or a temporary SQLite file), so the difference is one
process vs Ray Serve replicas:

- *web*: the project's own server, ``python -m bot serve`` (``bot.web``: its ``/api/ask``;
  it has no click route, so asks only);
- *single*: one uvicorn process (started as a subprocess), the engine answering up to
  `SINGLE_THREADS` questions at once in worker threads;
- *ray*: a local Ray (``--num-cpus``) with ``--replicas`` `Answerer` replicas behind the ingress.

Load (`load`): ``--users`` concurrent users (asyncio tasks, each with its own connection),
``--requests`` questions in all; each user asks, then clicks like/dislike on the answer
(``POST /api/feedback``). Every question is distinct (gold questions with a counter), so no
answer comes from the engine's cache. Reported: p50/p95/p99 of the ask latency, throughput
(answers per second over the whole run), errors (non-200 or status ``unavailable``), clicks
acknowledged vs rows found in the store afterwards (lost clicks). The client runs on the same
cores as the servers (loopback), so absolute figures are pessimistic; compare side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.loadgen import check_loopback

SINGLE_THREADS = 4
GOLD = Path(__file__).resolve().parents[1] / "eval" / "gold" / "questions.jsonl"


def questions(n: int) -> list[str]:
    """`n` distinct questions: the gold questions, then again with a counter appended."""
    gold = [json.loads(line)["question"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    return [gold[i % len(gold)] + (f" ({i // len(gold)})" if i >= len(gold) else "") for i in range(n)]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _load(url: str, asks: list[str], users: int, click: bool) -> dict[str, Any]:
    import httpx

    url = check_loopback(url).rstrip("/")
    queue: asyncio.Queue[str] = asyncio.Queue()
    for q in asks:
        queue.put_nowait(q)
    latencies: list[float] = []
    errors: list[str] = []
    ids: list[int] = []

    async def user() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=300) as client:
            while not queue.empty():
                question = queue.get_nowait()
                t0 = time.perf_counter()
                try:
                    reply = await client.post("/api/ask", json={"question": question})
                    body = reply.json()
                except Exception as exc:
                    errors.append(type(exc).__name__)
                    continue
                latencies.append(time.perf_counter() - t0)
                if reply.status_code != 200 or body.get("status") == "unavailable":
                    errors.append(f"{reply.status_code} {body.get('status')}")
                    continue
                if click:
                    spans = [{k: q[k] for k in ("doc_id", "start", "end")} for q in body["quotes"]]
                    data = {"question": question, "liked": len(ids) % 2 == 0, "quotes": spans,
                            "status": body["status"]}  # fmt: skip
                    stored = await client.post("/api/feedback", json=data)
                    if stored.status_code == 200:
                        ids.append(int(stored.json()["id"]))
                    else:
                        errors.append(f"click {stored.status_code}")

    t0 = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    wall = time.perf_counter() - t0
    return {
        "requests": len(asks),
        "users": users,
        "seconds": round(wall, 2),
        "throughput_per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(_pct(latencies, 0.95) * 1000, 1) if latencies else None,
        "p99_ms": round(_pct(latencies, 0.99) * 1000, 1) if latencies else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "clicks_acknowledged": len(ids),
        "click_ids": ids,
    }


def load(url: str, asks: list[str], users: int, click: bool = True) -> dict[str, Any]:
    return asyncio.run(_load(url, asks, users, click))


def _wait_ready(url: str, seconds: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.post(url + "/api/ask", json={"question": "warm up"}, timeout=60).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


def serve_single(index: str, port: int, feedback_target: str) -> None:
    """The single-process server: the same API, the engine in this process (worker threads)."""
    import anyio
    import uvicorn

    from bot.scale.api import create_app
    from bot.scale.replica import load_engine
    from index.settings import Paths

    engine = load_engine(Paths.resolve(index_dir=index))
    limiter = anyio.CapacityLimiter(SINGLE_THREADS)

    async def answer(question: str) -> dict[str, Any]:
        result = await anyio.to_thread.run_sync(engine.answer, question, limiter=limiter)
        return result.to_dict()

    async def health() -> dict[str, Any]:
        return {"status": "ready"}

    app = create_app(answer, health, feedback_target)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _stored(target: str, ids: list[int]) -> int:
    from bot import feedback

    found = {r["id"] for r in feedback.rows(target)}
    return sum(1 for i in ids if i in found)


def _result(name: str, stats: dict[str, Any], target: str) -> dict[str, Any]:
    ids = stats.pop("click_ids")
    stored = _stored(target, ids)
    return {"server": name, **stats, "clicks_stored": stored, "clicks_lost": len(ids) - stored}


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from bot.scale.cluster import connect, deploy, quiet_environment
    from bot.scale.settings import ScaleSettings

    quiet_environment()
    asks = questions(args.requests)
    server = None
    if args.throwaway_postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.postgres_server import PostgresServer

        server = PostgresServer().start()
    results = []
    try:
        for name in args.servers:
            target = server.new_database() if server else str(Path(tempfile.mkdtemp()) / "fb.sqlite3")
            if name == "web":  # the project's own server (`python -m bot serve`): asks only, no click route
                port = args.port + 2
                proc = subprocess.Popen(
                    [sys.executable, "-m", "bot", "serve", "--index", args.index, "--port", str(port),
                     "--no-stale-check"],
                    env={**os.environ, "LDN_FEEDBACK_DB": str(Path(tempfile.mkdtemp()) / "fb.sqlite3")},
                )  # fmt: skip
                try:
                    url = f"http://127.0.0.1:{port}"
                    _wait_ready(url)
                    stats = load(url, asks, args.users, click=False)
                    results.append(_result("python -m bot serve (asks only)", stats, target))
                finally:
                    proc.terminate()
                    proc.wait(timeout=60)
            elif name == "single":
                port = args.port + 1
                proc = subprocess.Popen(
                    [sys.executable, "-m", "bench.replicas", "--serve-single", "--index", args.index,
                     "--port", str(port), "--feedback-url", target],
                    env={**os.environ, "LDN_FEEDBACK_URL": ""},
                )  # fmt: skip
                try:
                    url = f"http://127.0.0.1:{port}"
                    _wait_ready(url)
                    results.append(_result("single process", load(url, asks, args.users), target))
                finally:
                    proc.terminate()
                    proc.wait(timeout=60)
            else:
                settings = ScaleSettings.from_args(
                    {"index": args.index, "replicas": args.replicas, "feedback": target,
                     "replica_cpus": args.replica_cpus}
                )  # fmt: skip
                connect(None, args.num_cpus)
                deployed = deploy(settings, "127.0.0.1", args.port)
                try:
                    _wait_ready(deployed.url)
                    stats = load(deployed.url, asks, args.users)
                    results.append(_result(f"ray serve, {args.replicas} replicas", stats, target))
                finally:
                    deployed.close()
    finally:
        from bot import feedback

        feedback.close_stores()
        if server is not None:
            server.stop()
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    keys = ["server", "users", "requests", "throughput_per_s", "p50_ms", "p95_ms", "p99_ms", "errors",
            "clicks_acknowledged", "clicks_lost"]  # fmt: skip
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r.get(k)) for k in keys) + " |" for r in results]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__.split("\n")[0])
    parser.add_argument("--index", default=os.environ.get("LDN_INDEX_DIR", "index/built"))
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--replica-cpus", type=float, default=1.0)
    parser.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local Ray")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--servers", nargs="+", default=["single", "ray"], choices=["web", "single", "ray"])
    parser.add_argument("--throwaway-postgres", action="store_true", help="clicks in a temporary PostgreSQL")
    parser.add_argument("--feedback-url", help=argparse.SUPPRESS)
    parser.add_argument("--serve-single", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args(argv)
    args.index = str(Path(args.index).resolve())
    if args.serve_single:
        serve_single(args.index, args.port, args.feedback_url)
        return 0
    t0 = time.time()
    results = run(args)
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0)), "loadavg": os.getloadavg()}
    if args.out:
        Path(args.out).write_text(json.dumps({**meta, "results": results}, indent=1), encoding="utf-8")
    print(json.dumps(meta))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cold-start figures, each from fresh subprocesses: CLI first answer, heavy imports, web start.

* CLI: wall time of `python -m bot ask QUESTION --json --index DIR` (median of `runs`), i.e.
  interpreter start, imports, index and model load and one answer. The floor it cannot go
  below is the import of the model stack, so each heavy import is timed alone too.
* Imports: `python -X importtime -c "import X"` per module (cumulative self-reported time of X,
  which includes X's own dependencies: sentence_transformers includes torch) and the wall time
  of that subprocess minus a bare `python -c pass`, median of `runs`.
* Web: `python -m bot serve --port P` started; time until GET / returns 200 with a question box
  ("page usable": the light boot page, `bot.web.boot`), then until a `POST /api/ask` sent at
  that moment returns ("first answer": the server holds it while the engine loads), then until
  the Gradio chat itself is ready. The server is left running (`Server`) for the load and
  memory sections, which saves one more start.

Trade-off: subprocess timing includes process creation noise (~20 ms) but is what a user sees.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import median

HEAVY_MODULES = (
    "numpy",
    "faiss",
    "bm25s",
    "onnxruntime",
    "fastapi",
    "torch",
    "tokenizers",
    "transformers",
    "sentence_transformers",
    "gradio",
)
CLI_QUESTION = "Does LDN cause vivid dreams?"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    env.setdefault("LDN_FEEDBACK_DB", str(Path(tempfile.gettempdir()) / "ldn-bench-feedback.sqlite3"))
    return env


def _wall(cmd: list[str], timeout: float = 300.0) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), timeout=timeout, check=False)
    return time.perf_counter() - t0, proc


def cli_cold(index: Path, runs: int = 3) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bot", "ask", CLI_QUESTION, "--json", "--index", str(index)]
    times: list[float] = []
    status = ""
    for _ in range(runs):
        dt, proc = _wall(cmd)
        if proc.returncode != 0:
            return {
                "error": proc.stderr.strip().splitlines()[-1:] or ["failed"],
                "returncode": proc.returncode,
            }
        times.append(dt)
        found = re.search(r'"status":\s*"(\w+)"', proc.stdout)
        status = found.group(1) if found else ""
    return {"command": " ".join(cmd[1:]), "runs_s": times, "median_s": median(times), "status": status}


def _importtime_us(stderr: str, module: str) -> float:
    """Cumulative microseconds of the top-level `module` line in -X importtime output."""
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == module and not parts[2].startswith("  "):
            return float(parts[1])
    return float("nan")


def import_costs(modules: tuple[str, ...] = HEAVY_MODULES, runs: int = 3) -> dict[str, Any]:
    base = median([_wall([sys.executable, "-c", "pass"])[0] for _ in range(runs)])
    out: dict[str, Any] = {"python_startup_s": base, "modules": {}}
    for mod in modules:
        walls, cums = [], []
        for _ in range(runs):
            dt, proc = _wall([sys.executable, "-X", "importtime", "-c", f"import {mod}"])
            if proc.returncode != 0:
                break
            walls.append(dt - base)
            cums.append(_importtime_us(proc.stderr, mod) / 1e6)
        out["modules"][mod] = (
            {"wall_minus_startup_s": median(walls), "importtime_cumulative_s": median(cums)}
            if walls
            else {"error": "not importable"}
        )
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A `python -m bot serve` child on 127.0.0.1; `stop()` ends it (also on errors)."""

    proc: subprocess.Popen[bytes]
    port: int
    started: float
    log: Path
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _post_json(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    import json

    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        return dict(json.loads(resp.read()))


def start_server(index: Path, timeout: float = 120.0) -> Server:
    """Start `python -m bot serve` and measure, in seconds since the process started: the page
    usable (GET / answers 200 with a question box), the first answer (a `POST /api/ask` sent as
    soon as the page is up: the server holds it until the engine is ready), and the chat page
    ready (`/api/health` says chat "ready")."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="ldn-bench-serve-", suffix=".log")[1])
    cmd = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--index", str(index)]
    with log.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=child_env())
    server = Server(proc, port, t0, log)
    try:
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {log}")
            try:
                with urllib.request.urlopen(server.url, timeout=2) as resp:
                    body = resp.read().decode("utf-8", "replace")
                    if resp.status == 200 and "<textarea" in body.lower():
                        break
            except OSError:
                time.sleep(0.01)
        server.facts["page_usable_s"] = time.perf_counter() - t0
        answer = _post_json(server.url + "api/ask", {"question": CLI_QUESTION}, timeout)
        server.facts["first_answer_s"] = time.perf_counter() - t0
        server.facts["first_answer_status"] = answer.get("status")
        while time.perf_counter() < deadline:
            with urllib.request.urlopen(server.url + "api/health", timeout=5) as resp:
                if b'"chat":"ready"' in resp.read():
                    break
            time.sleep(0.02)
        server.facts["chat_ready_s"] = time.perf_counter() - t0
        server.facts["command"] = " ".join(cmd[1:])
    except BaseException:
        server.stop()
        raise
    return server


def headline(res: dict[str, Any]) -> list[tuple[str, float, str, str, bool | None]]:
    rows: list[tuple[str, float, str, str, bool | None]] = []
    if "cli" in res and "median_s" in res["cli"]:
        rows.append(("CLI ask --json, first answer (median)", res["cli"]["median_s"], "s", "~imports", None))
    for mod, r in res.get("imports", {}).get("modules", {}).items():
        if "wall_minus_startup_s" in r:
            rows.append((f"import {mod}", r["wall_minus_startup_s"], "s", "", None))
    web = res.get("web", {})
    st = (
        res.get("imports", {}).get("modules", {}).get("sentence_transformers", {}).get("wall_minus_startup_s")
    )
    if "page_usable_s" in web:
        rows.append(
            ("web page usable after start", web["page_usable_s"], "s", "<= 1.5", web["page_usable_s"] <= 1.5)
        )
        rows.append(("web first answer after start", web["first_answer_s"], "s", "", None))
        if st:
            ratio = web["first_answer_s"] / st
            rows.append(("first answer / import sentence_transformers", ratio, "x", "<= 0.3", ratio <= 0.3))
        rows.append(("web chat page ready after start", web.get("chat_ready_s", float("nan")), "s", "", None))
    return rows

"""Helpers shared by several test modules (test modules never import each other).

Fixtures shared by many tests are in `tests/conftest.py` (the fake embedder, small corpora,
indexes built with it); plain helpers are here: a free port, the web app running in a thread,
HTTP and Gradio clients for it, the real-model web index, and the browser set-up. Importing this
module is cheap: the web app (gradio) is imported only when a test starts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from index.settings import Paths
from tests.conftest import SEED_CORPUS_DIR, FakeEmbedder

if TYPE_CHECKING:
    from bot.web.guard import WebSettings
    from bot.web.holder import EngineHolder

# the web tests talk to 127.0.0.1 only: no telemetry, no model downloads
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# The keys of `Answer.to_dict()`: the JSON of `python -m bot ask --json` and of the web API.
ANSWER_KEYS = frozenset(
    {
        "status",
        "question",
        "message",
        "quotes",
        "caveats",
        "advice",
        "triage",
        "triage_categories",
        "triage_lowered",
        "triage_gate",
        "questions",
    }
)
# The keys of each quote in that JSON (`Quote.to_dict()`).
QUOTE_KEYS = frozenset(
    {
        "doc_id",
        "title",
        "source",
        "page",
        "start",
        "end",
        "text",
        "score",
        "evidence",
        "pinned",
        "question",
    }
)


def sentence_data(texts: list[tuple[str, str]]) -> Any:
    """A stand-in for `IndexData` holding only `sentences` (doc id, text), offsets in one running text."""
    from types import SimpleNamespace

    from corpus.models import Sentence

    sentences, offset = [], 0
    for i, (doc, text) in enumerate(texts):
        sentences.append(Sentence(i, doc, offset, offset + len(text), text, None, None))
        offset += len(text) + 1
    return SimpleNamespace(sentences=sentences, passages=[])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus indexed with the real model, shared by the web test modules."""
    from index.build import build_index

    out = tmp_path_factory.getbasetemp() / "web_index"
    build_index(SEED_CORPUS_DIR, out)  # incremental: a second call in the session re-embeds nothing
    return out


@contextlib.contextmanager
def running_app(
    paths: Paths,
    loader: Callable[[Paths], Any] | None = None,
    settings: WebSettings | None = None,
    wait_for_chat: bool = True,
) -> Iterator[tuple[str, EngineHolder]]:
    """Start the server on a free port (in its own thread); yields its URL and engine holder.

    With `wait_for_chat`, first waits (bounded) until the Gradio chat is mounted, so clients
    with short timeouts (`gradio_client`) do not race its build on a loaded machine; tests of
    the start-up itself pass False."""
    from bot.web import server  # gradio is imported only by tests that start the app

    running = server.start(paths, "127.0.0.1", free_port(), loader=loader, settings=settings)
    try:
        for _ in range(3000):  # at most ~300 s
            if not wait_for_chat or running.switch.state != "loading":
                break
            threading.Event().wait(0.1)
        yield running.url, running.holder
    finally:
        running.close()


def client_for(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


PASSWD_MARK = b"root:"


# -- raw HTTP helpers ---------------------------------------------------------------------------


def http(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, bytes]:
    """(status, body) of one request; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def post_json(url: str, obj: Any, timeout: float = 30) -> tuple[int, Any]:
    # json.dumps escapes non-ASCII (ensure_ascii), so even a lone surrogate travels as "\\ud800",
    # exactly as a browser's JSON.stringify sends it.
    status, body = http(url, json.dumps(obj).encode("ascii"), {"Content-Type": "application/json"}, timeout)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode("utf-8", "replace")


def sse_messages(url: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Every ``data:`` JSON message of a server-sent-event stream, until the server closes it."""
    out: list[dict[str, Any]] = []
    with urllib.request.urlopen(url, timeout=timeout) as response:
        for raw in response:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("data:"):
                payload = line[5:].strip()
                with contextlib.suppress(ValueError):
                    out.append(json.loads(payload))
    return out


class GradioHttp:
    """One browser-like session on the chat: ask through the chat box, click like, call /ask."""

    def __init__(self, url: str, session_hash: str | None = None, timeout: float = 60):
        self.url = url.rstrip("/") + "/"
        self.session_hash = session_hash or uuid.uuid4().hex[:12]
        self.timeout = timeout
        self.state: Any = None
        status, config = http(self.url + "config", timeout=timeout)
        assert status == 200, status
        deps = json.loads(config)["dependencies"]
        self.fns = {d["api_name"]: d for d in deps if d.get("api_name")}

    def join(self, api_name: str, data: list[Any], event_data: Any = None) -> tuple[int, Any]:
        dep = self.fns[api_name]
        body = {
            "data": data,
            "fn_index": dep["id"],
            "session_hash": self.session_hash,
            "event_data": event_data,
            "trigger_id": dep["targets"][0][0] if dep.get("targets") else None,
        }
        return post_json(self.url + "gradio_api/queue/join", body, self.timeout)

    def events(self) -> list[dict[str, Any]]:
        return sse_messages(f"{self.url}gradio_api/queue/data?session_hash={self.session_hash}", self.timeout)

    def run(self, api_name: str, data: list[Any], event_data: Any = None) -> dict[str, Any]:
        """Join one event and read the session stream; returns its `process_completed` message."""
        status, joined = self.join(api_name, data, event_data)
        if status != 200:
            return {"http_status": status, "detail": joined}
        done = [m for m in self.events() if m.get("msg") == "process_completed"]
        mine = [m for m in done if m.get("event_id") == joined["event_id"]]
        assert mine, f"no completion for {api_name}"
        return mine[-1]

    def chat(self, question: str, history: list[Any] | None = None) -> list[dict[str, Any]]:
        """Type `question` and press Enter; returns the chat history after the reply."""
        done = self.run("respond", [question, history or [], self.state])
        assert done.get("success"), done
        history_out = done["output"]["data"][1]
        state_out = done["output"]["data"][2]
        if isinstance(state_out, dict) and state_out.get("__type__") != "update":
            self.state = state_out  # the chat's state is held by the browser (bot.chat_state)
        if isinstance(history_out, dict) and history_out.get("__type__") == "update":
            return list(history or [])  # gr.skip(): nothing typed, nothing changes
        assert isinstance(history_out, list)
        return history_out

    def like(self, index: int, liked: bool) -> dict[str, Any]:
        return self.run("on_like", [self.state], {"index": [index, 0], "value": "", "liked": liked})

    def ask(self, question: str) -> dict[str, Any]:
        """The public /ask API over plain HTTP (what `gradio_client` does, without its encoder)."""
        status, started = post_json(self.url + "gradio_api/call/ask", {"data": [question]}, self.timeout)
        assert status == 200, (status, started)
        with urllib.request.urlopen(
            f"{self.url}gradio_api/call/ask/{started['event_id']}", timeout=self.timeout
        ) as response:
            text = response.read().decode("utf-8")
        blocks = re.findall(r"event: (\w+)\ndata: (.*)", text)
        assert blocks and blocks[-1][0] == "complete", text[:500]
        result = json.loads(blocks[-1][1])[0]
        assert isinstance(result, dict)
        return result


def message_text(message: dict[str, Any]) -> str:
    """The HTML of one chat message as the server sends it (content: str or [{text}])."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content)


def fake_engine_loader(index_dir: Path) -> Callable[[Paths], Any]:
    from bot.engine import Engine
    from index.store import read_index

    def load(_paths: Paths) -> Any:
        return Engine(read_index(index_dir), FakeEmbedder())

    return load


# -- the browser (playwright + the Debian chromium) ------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WAIT_MS = 60_000


def need_chromium() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def vocabulary_from(tmp_path: Path, classes: str, products: str) -> Any:
    """A `bot.medicines.Vocabulary` from inline classes.toml and products.toml texts (no dictionary)."""
    from bot import medicines

    (tmp_path / "classes.toml").write_text(classes, encoding="utf-8")
    (tmp_path / "products.toml").write_text(products, encoding="utf-8")
    return medicines.vocabulary.__wrapped__(
        tmp_path / "classes.toml", tmp_path / "products.toml", use_dictionary=False
    )

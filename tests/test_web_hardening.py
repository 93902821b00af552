"""Web hardening, checked over real HTTP against the running chat (fast: a fake-embedder engine).

What is proved here (see RELIABILITY.md, "Web hardening"):

- the installed Gradio is one with the 2026 path-traversal and SSRF fixes (>= 6.20);
- the server binds 127.0.0.1 unless told otherwise;
- ``/monitoring`` is off, and so are the run history and MCP routes;
- ``/gradio_api/file=…`` serves no file from disk (``allowed_paths`` is empty): ``/etc/passwd``,
  the project's own files and path-traversal variants (encoded, double-encoded, backslashes);
- file uploads are refused at the HTTP level (404), not only absent from the page;
- a question is capped at `MAX_CHARS` on every route (a 1 MB question gets the fixed "too long");
- a lone UTF-16 surrogate (which a browser can send) no longer breaks the reply stream;
- an internal error is never shown to the person (no exception text, no traceback).

The raw-HTTP helpers below (`GradioHttp`) speak Gradio's queue protocol directly, the way the
page's JavaScript does, so private chat events (send, like) can be driven without a browser.
They are shared with tests/test_bad_questions.py and tests/test_web_load.py.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import feedback, messages, render
from bot.question import MAX_CHARS
from bot.web.holder import UNAVAILABLE
from index.settings import PROJECT_ROOT, Paths
from tests.conftest import SEED_CORPUS_DIR
from tests.helpers import PASSWD_MARK, GradioHttp, fake_engine_loader, http, message_text, running_app


@pytest.fixture(scope="module")
def fast_app(fake_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("fb") / "feedback.sqlite3"
    old = os.environ.get(feedback.ENV_VAR)
    os.environ[feedback.ENV_VAR] = str(db)
    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=fake_index, model_path=None)
    try:
        with running_app(paths, fake_engine_loader(fake_index)) as (url, holder):
            assert holder.wait(60)
            holder.get()
            yield url
    finally:
        if old is None:
            os.environ.pop(feedback.ENV_VAR, None)
        else:
            os.environ[feedback.ENV_VAR] = old


# -- tests ---------------------------------------------------------------------------------------


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def test_gradio_is_a_version_with_the_2026_security_fixes() -> None:
    installed = importlib.metadata.version("gradio")
    # path traversal (fixed in 6.7) and SSRF (fixed in 6.16 / 6.20) advisories of 2026
    assert _version(installed) >= (6, 20), f"gradio {installed} is older than 6.20; upgrade it"
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    required = re.search(r'"gradio>=([\d.]+)"', pyproject)
    assert required and _version(required.group(1)) >= (6, 20), "pyproject must require gradio>=6.20"


def test_default_bind_is_loopback() -> None:
    from bot.web import server

    for fn in (server.start, server.serve):
        assert inspect.signature(fn).parameters["host"].default == "127.0.0.1", fn.__name__


def test_serve_help_names_the_loopback_default(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "default 127.0.0.1" in capsys.readouterr().out


def _listening(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) of the sockets listening on `port`."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as fh:
            for line in list(fh)[1:]:
                fields = line.split()
                address, hex_port = fields[1].rsplit(":", 1)
                if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                    out.append(address)
    return out


def test_running_server_listens_on_loopback_only(fast_app: str) -> None:
    assert fast_app.startswith("http://127.0.0.1:")
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp on this system")
    port = int(fast_app.rstrip("/").rsplit(":", 1)[1])
    listening = _listening(port)
    assert listening and set(listening) == {"0100007F"}, listening  # 127.0.0.1, never 0.0.0.0 or ::


@pytest.mark.parametrize(
    "path", ["monitoring", "monitoring/abc", "gradio_api/monitoring", "gradio_api/runs", "gradio_api/mcp/sse"]
)
def test_monitoring_run_history_and_mcp_are_off(fast_app: str, path: str) -> None:
    status, body = http(fast_app + path)
    assert status in (403, 404), (status, body[:200])


FILE_PATHS = [
    "/etc/passwd",
    "etc/passwd",
    "../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "..\\..\\..\\..\\etc\\passwd",
    "....//....//....//etc/passwd",
    "/proc/self/environ",
    "file:///etc/passwd",
    str(PROJECT_ROOT / "README.md"),
    str(PROJECT_ROOT / "pyproject.toml"),
    str(SEED_CORPUS_DIR / "manifest.toml"),
]


@pytest.mark.parametrize("target", FILE_PATHS)
@pytest.mark.parametrize("prefix", ["gradio_api/file=", "gradio_api/file/", "file="])
def test_no_file_is_served_from_disk(fast_app: str, prefix: str, target: str) -> None:
    status, body = http(fast_app + prefix + target.replace(" ", "%20"))
    assert status in (400, 403, 404, 405), (status, body[:200])
    assert PASSWD_MARK not in body and b"[project]" not in body and b"LDN_" not in body


def _multipart(name: str = "files", filename: str = "note.html") -> tuple[bytes, dict[str, str]]:
    boundary = "ldnboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n--{boundary}--\r\n"
    ).encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    "path",
    [
        "gradio_api/upload",
        "gradio_api/upload/",
        "gradio_api//upload",
        "gradio_api/./upload",
        "gradio_api/upload?upload_id=abc",
        "gradio_api/upload_progress?upload_id=abc",
    ],
)
def test_uploads_are_refused(fast_app: str, path: str) -> None:
    body, headers = _multipart()
    status, answer = http(fast_app + path, body, headers)
    assert status in (404, 405), (status, answer[:200])
    assert b"/tmp" not in answer and b".html" not in answer


def test_refuse_uploads_middleware_wraps_the_whole_server(tmp_path: Path) -> None:
    from bot.web.boot import ChatSwitch
    from bot.web.guard import RefuseUploads
    from bot.web.holder import EngineHolder
    from bot.web.server import Runtime, create_app

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    app = create_app(Runtime(EngineHolder(paths), ChatSwitch()))
    assert [m.cls for m in app.user_middleware] == [RefuseUploads]


def test_api_lists_only_ask(fast_app: str) -> None:
    status, body = http(fast_app + "gradio_api/info")
    assert status == 200
    assert set(json.loads(body)["named_endpoints"]) == {"/ask"}


def test_a_megabyte_question_gets_the_fixed_too_long_reply_on_every_route(fast_app: str) -> None:
    huge = "Does LDN help? " * (1_000_000 // 15)
    too_long = messages.INVALID_TOO_LONG.format(limit=f"{MAX_CHARS:,}")
    session = GradioHttp(fast_app)
    result = session.ask(huge)
    assert (result["status"], result["message"], result["quotes"]) == ("invalid", too_long, [])
    assert len(result["question"]) <= 201 and result["advice"] == messages.ADVICE
    history = session.chat(huge)
    reply = message_text(history[-1])
    assert render.escape_text(too_long) in reply and render.escape_text(messages.ADVICE) in reply
    assert len(message_text(history[0])) < 40 * MAX_CHARS  # the echo is capped too (entities are long)


def test_lone_surrogate_does_not_break_the_reply_stream(fast_app: str) -> None:
    """Regression: "\\ud800" from a browser made Gradio's JSON encoder fail mid-stream (bot/web)."""
    session = GradioHttp(fast_app)
    history = session.chat("Does LDN \ud800 cause vivid dreams?")
    assert len(history) == 2
    assert render.escape_text(messages.ADVICE) in message_text(history[1])
    echoed = message_text(history[0])
    assert "\ud800" not in echoed and "&#63;" in echoed  # shown as "?" (escaped), never raw
    before = feedback.count()
    assert session.like(1, True).get("success")
    assert feedback.count() == before + 1
    api = session.ask("\udfff LDN \ud83d")
    assert api["advice"] == messages.ADVICE and "\ud800" not in api["question"]


def test_internal_errors_are_never_shown(tmp_path: Path) -> None:
    class Broken:
        def answer(self, _question: object) -> Any:
            raise RuntimeError("secret detail /srv/private/key.pem")

    paths = Paths(corpus_dir=SEED_CORPUS_DIR, index_dir=tmp_path / "unused", model_path=None)
    with running_app(paths, lambda _p: Broken()) as (url, holder):
        assert holder.wait(10)
        session = GradioHttp(url)
        result = session.ask("Does LDN help?")
        assert result["status"] == UNAVAILABLE and "secret" not in json.dumps(result)
        assert result["message"] == messages.UNAVAILABLE.format(
            detail="an unexpected error; see the server log."
        )
        reply = message_text(session.chat("Does LDN help?")[-1])
        assert "secret" not in reply and "Traceback" not in reply


def test_serve_checks_a_stale_index_as_ask_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --no-stale-check`, or `--index` without `--corpus`, serves another corpus's index;
    the bundled corpus (no `--index`) or a given `--corpus` is checked (`holder.load_engine`)."""
    from bot import __main__ as cli
    from bot.web import server

    seen: list[bool] = []
    monkeypatch.setattr(server, "serve", lambda paths, host, port, check_stale: seen.append(check_stale))
    for argv in (
        ["serve"],
        ["serve", "--index", "/tmp/x", "--corpus", "/tmp/docs"],
        ["serve", "--index", "/tmp/x"],
        ["serve", "--no-stale-check"],
    ):
        assert cli.main(argv) == 0
    assert seen == [True, True, False, False]


def test_the_web_loader_skips_the_corpus_comparison_when_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    import bot.engine
    from bot.web import holder

    checked: list[object] = []
    monkeypatch.setattr(bot.engine, "check_fresh", lambda data, corpus: checked.append(corpus))
    monkeypatch.setattr("index.store.read_index", lambda d: type("D", (), {"manifest": None})())
    monkeypatch.setattr("index.encoder.load_query_embedder", lambda *a: object())
    monkeypatch.setattr(
        bot.engine, "Engine", lambda data, embedder, settings: type("E", (), {"data": data})()
    )
    monkeypatch.setattr("index.batching.MicroBatcher", lambda e: e)
    paths = type("P", (), {"index_dir": tmp_path, "model_path": None, "corpus_dir": tmp_path})()
    holder.load_engine(paths, check_stale=False)  # type: ignore[arg-type]
    assert checked == []
    holder.load_engine(paths)  # type: ignore[arg-type]
    assert checked == [tmp_path]

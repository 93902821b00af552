"""The web server: FastAPI + uvicorn, the JSON API, and the Gradio chat mounted in it.

Start-up order (what a person sees, BENCHMARKS.md "cold start"):

1. the entry point (`serve`, or `start` for tests and benchmarks) switches Gradio's analytics
   and the Hugging Face libraries offline in the environment, before anything imports them;
2. uvicorn serves the app at once: ``/api/*`` and the light boot page at ``/`` need only
   FastAPI (`bot.web.boot`);
3. in the background, first the engine loads (`EngineHolder.load`: index + query encoder;
   questions wait for it), then Gradio is imported and the chat built (`bot.web.layout`),
   started inside the server's event loop and routed to (`ChatSwitch.activate`);
4. process-wide thread counts are set once, here, before the engine loads (`set_threads`).

Hardening (RELIABILITY.md): binds 127.0.0.1 unless told otherwise; `RefuseUploads` wraps the
whole app; no proxy headers trusted; no server header; access log off (questions are not
logged); the docs page is off (it would load scripts from a CDN); Gradio's queue and the API
are bounded (`WebSettings`); errors are logged, never shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from bot.web.api import api_router
from bot.web.boot import ChatSwitch
from bot.web.guard import RefuseUploads, WebSettings
from bot.web.holder import EngineHolder
from bot.web.sources import source_router
from index.settings import Paths

if TYPE_CHECKING:
    import uvicorn

    from bot.engine import Engine

log = logging.getLogger(__name__)


def quiet_environment() -> None:
    """No analytics, no Hub: set before Gradio or a Hugging Face library is imported."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def skip_unused_imports() -> None:
    """Mark numba absent for this process (`serve` only, never in a shared test process).

    bm25s imports numba when it is installed (~0.6 s, a quarter of the engine's start) although
    this project only uses its numpy scoring; a `None` entry in `sys.modules` makes that
    optional import fail fast, exactly as if numba were not installed."""
    import sys

    sys.modules.setdefault("numba", None)  # type: ignore[arg-type]


def set_threads() -> None:
    """Process-wide thread counts, once: FAISS searches one query per call on one thread; at most
    two malloc arenas for the server's threads (`bot.heap`)."""
    from bot.heap import limit_arenas
    from index.vectors import set_search_threads

    set_search_threads()
    limit_arenas()


@dataclass
class Runtime:
    """What the background start-up needs from the running server."""

    holder: EngineHolder
    switch: ChatSwitch
    loop_ready: threading.Event = field(default_factory=threading.Event)
    loop: asyncio.AbstractEventLoop | None = None


def create_app(runtime: Runtime, settings: WebSettings | None = None) -> FastAPI:
    """The ASGI app: ``/api/*`` first, everything else to the chat switch; uploads refused."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.loop = asyncio.get_running_loop()
        runtime.loop_ready.set()
        try:
            yield
        finally:
            await runtime.switch.close()

    app = FastAPI(
        title="LDN quotes",
        summary="Answers about the documents of this collection, only in their own words.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.include_router(api_router(runtime.holder, lambda: runtime.switch.state, settings))
    app.include_router(source_router(runtime.holder))
    app.mount("/", runtime.switch)
    app.add_middleware(RefuseUploads)
    return app


ChatFactory = Callable[[EngineHolder, Paths, WebSettings], Any]


def default_chat(holder: EngineHolder, paths: Paths, settings: WebSettings) -> Any:
    from bot.web.layout import chat_app

    return chat_app(holder, paths, settings)


def build_chat(runtime: Runtime, paths: Paths, settings: WebSettings, factory: ChatFactory) -> None:
    """Import Gradio, build the chat and hand it to the running server (background thread).

    Waits for the engine first (at most `settings.engine_first_seconds`): both are CPU-bound
    Python work sharing one interpreter lock, and the engine alone is ready in about half the
    time (BENCHMARKS.md); the JSON API and held questions need only the engine. After that
    bound the chat is built anyway (a slow index must not keep the page away)."""
    try:
        runtime.holder.wait(settings.engine_first_seconds)
        chat = factory(runtime.holder, paths, settings)
        runtime.loop_ready.wait()
        loop = runtime.loop
        if loop is None or loop.is_closed():
            return  # the server stopped meanwhile
        activation = runtime.switch.activate(chat)
        try:
            asyncio.run_coroutine_threadsafe(activation, loop).result()
        except RuntimeError:  # the loop closed between the check and the call
            activation.close()
    except Exception:
        log.exception("the chat page could not be built")
        runtime.switch.failed = "the chat page could not be built"


@dataclass
class Running:
    """A server started by `start`: its URL, engine holder and chat switch; `close` stops it."""

    url: str
    holder: EngineHolder
    switch: ChatSwitch
    server: uvicorn.Server
    thread: threading.Thread | None = None

    def close(self, timeout: float = 30.0) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)


def _launch(
    paths: Paths,
    host: str,
    port: int,
    loader: Callable[[Paths], Engine] | None,
    settings: WebSettings | None,
    chat: ChatFactory = default_chat,
) -> tuple[uvicorn.Server, Runtime]:
    quiet_environment()
    import uvicorn

    settings = settings or WebSettings()
    holder = EngineHolder(paths, loader, hold_seconds=settings.hold_seconds)
    runtime = Runtime(holder, ChatSwitch(settings.hold_seconds))
    config = uvicorn.Config(
        create_app(runtime, settings),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # questions are personal: never written to a log
        server_header=False,
        proxy_headers=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    set_threads()
    holder.start()
    threading.Thread(
        target=build_chat, args=(runtime, paths, settings, chat), name="ldn-chat-build", daemon=True
    ).start()
    return uvicorn.Server(config), runtime


def start(
    paths: Paths,
    host: str = "127.0.0.1",
    port: int = 7860,
    loader: Callable[[Paths], Engine] | None = None,
    settings: WebSettings | None = None,
    chat: ChatFactory = default_chat,
) -> Running:
    """Serve in a background thread (tests, benchmarks); returns once the port accepts requests.

    `loader` replaces the engine loader (tests: a slow, failing or fake-embedder engine), `chat`
    the chat builder (tests: one that waits, to see the boot page)."""
    server, runtime = _launch(paths, host, port, loader, settings, chat)
    thread = threading.Thread(target=server.run, name="ldn-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise OSError(f"the web server could not start on {host}:{port} (see the log)")
    return Running(f"http://{host}:{port}/", runtime.holder, runtime.switch, server, thread)


def serve(paths: Paths, host: str = "127.0.0.1", port: int = 7860, check_stale: bool = True) -> None:
    """Run the web chat until interrupted (bind 0.0.0.0 only when asked); `check_stale`: refuse
    an index that no longer matches the corpus folder (`holder.load_engine`)."""
    import functools

    from bot.web.holder import load_engine

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    skip_unused_imports()
    loader = None if check_stale else functools.partial(load_engine, check_stale=False)
    server, _runtime = _launch(paths, host, port, loader, None)
    print(f"LDN chat running on http://{host}:{port}  (Ctrl+C to stop)", flush=True)
    server.run()

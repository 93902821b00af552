"""A light load generator over raw HTTP (httpx + asyncio), for the JSON API and the chat route.

Why not `gradio_client`: on this machine it tops out near 20 requests/s on an echo app, so it
measures itself, not the server. Here each simulated user is one asyncio task on one shared
`httpx.AsyncClient`; the generator itself costs well under a millisecond per request.

Two routes:

* ``api``: ``POST /api/ask {"question": ...}`` (`bot.web.api`), one request per question;
* ``chat``: what the page's JavaScript does for one chat turn: join the Gradio queue
  (``POST /gradio_api/queue/join`` for the ``respond`` event with the user's session) and read
  the session's server-sent events until ``process_completed``; then, when `like` is set, one
  more event for the thumbs-up/down on that reply (stored in SQLite by the server), so the
  caller can check that every click was stored.

Each user asks, waits for the reply, and asks again until `max_requests` were sent in all or
`seconds` passed (both bounded, so a level always ends); every request has a timeout. An error
is an HTTP status other than 200, a timeout, a failed event, or a reply without the fixed advice.
Loopback only: any other host is refused.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from bench.stats import summary_ms

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def check_loopback(url: str) -> str:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"the load generator only targets this machine (127.0.0.1), not {host!r}")
    return url.rstrip("/") + "/"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    likes_sent: int = 0
    sent: int = 0


async def _api_turn(client: Any, url: str, question: str, advice: str) -> str:
    response = await client.post(url + "api/ask", json={"question": question})
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    return "" if body.get("advice") == advice and body.get("status") != "unavailable" else "bad reply"


async def _events(client: Any, url: str, session: str, event_id: str) -> dict[str, Any] | None:
    """The `process_completed` message of `event_id` from the session's event stream."""
    async with client.stream(
        "GET", f"{url}gradio_api/queue/data", params={"session_hash": session}
    ) as stream:
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            try:
                message = json.loads(line[5:])
            except ValueError:
                continue
            if message.get("msg") == "process_completed" and message.get("event_id") == event_id:
                return message
    return None


async def _join(client: Any, url: str, fns: dict[str, Any], session: str, name: str, data: list[Any],
                event_data: Any = None) -> dict[str, Any] | str:  # fmt: skip
    dep = fns[name]
    body = {"data": data, "fn_index": dep["id"], "session_hash": session, "event_data": event_data,
            "trigger_id": dep["targets"][0][0] if dep.get("targets") else None}  # fmt: skip
    joined = await client.post(url + "gradio_api/queue/join", json=body)
    if joined.status_code != 200:
        return f"HTTP {joined.status_code}"
    done = await _events(client, url, session, joined.json()["event_id"])
    if done is None or not done.get("success"):
        return "event failed"
    return done


async def _chat_turn(client: Any, url: str, fns: dict[str, Any], session: str, question: str, advice_html: str,
                     like: bool, tally: Tally) -> str:  # fmt: skip
    done = await _join(client, url, fns, session, "respond", [question, [], None])
    if isinstance(done, str):
        return done
    history = done["output"]["data"][1]
    reply = history[-1].get("content") if isinstance(history, list) and history else None
    text = (
        "".join(p.get("text", "") for p in reply if isinstance(p, dict))
        if isinstance(reply, list)
        else str(reply)
    )
    if advice_html not in text:
        return "reply without the advice"
    if like:
        state = done["output"]["data"][2]  # the chat's state is held by the browser (bot.chat_state)
        state = None if isinstance(state, dict) and state.get("__type__") == "update" else state
        liked = await _join(client, url, fns, session, "on_like", [state],
                            {"index": [len(history) - 1, 0], "value": "", "liked": True})  # fmt: skip
        if isinstance(liked, str):
            return f"like: {liked}"
        tally.likes_sent += 1
    return ""


async def _run(url: str, route: str, users: int, questions: list[str], max_requests: int, seconds: float,
               timeout: float, like: bool) -> tuple[Tally, float]:  # fmt: skip
    import httpx

    from bot import messages, render

    tally = Tally()
    limits = httpx.Limits(max_connections=2 * users + 4, max_keepalive_connections=2 * users + 4)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as client:
        fns: dict[str, Any] = {}
        if route == "chat":
            config = (await client.get(url + "config")).json()
            fns = {d["api_name"]: d for d in config["dependencies"] if d.get("api_name")}
        deadline = time.perf_counter() + seconds

        async def user(u: int) -> None:
            session = uuid.uuid4().hex[:12]
            k = 0
            while time.perf_counter() < deadline and tally.sent < max_requests:
                tally.sent += 1
                question = questions[(u + k * users) % len(questions)]
                k += 1
                t0 = time.perf_counter()
                try:
                    if route == "api":
                        error = await _api_turn(client, url, question, messages.ADVICE)
                    else:
                        error = await _chat_turn(client, url, fns, session, question,
                                                 render.escape_text(messages.ADVICE), like, tally)  # fmt: skip
                except (httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
                if error:
                    tally.errors.append(error)
                else:
                    tally.latencies.append(time.perf_counter() - t0)

        start = time.perf_counter()
        await asyncio.gather(*(user(u) for u in range(users)))
        return tally, time.perf_counter() - start


def run_level(url: str, route: str, users: int, questions: list[str], max_requests: int = 1000,
              seconds: float = 15.0, timeout: float = 30.0, like: bool = False) -> dict[str, Any]:  # fmt: skip
    """One load level against a running server; returns counts, latency summary (ms) and errors."""
    if route not in ("api", "chat"):
        raise ValueError(f"route must be 'api' or 'chat', not {route!r}")
    url = check_loopback(url)
    tally, wall = asyncio.run(_run(url, route, users, questions, max_requests, seconds, timeout, like))
    return {
        "route": route,
        "users": users,
        "sent": tally.sent,
        "ok": len(tally.latencies),
        "errors": len(tally.errors),
        "error_examples": sorted(set(tally.errors))[:3],
        "likes_sent": tally.likes_sent,
        "wall_s": wall,
        "throughput_rps": len(tally.latencies) / wall if wall else 0.0,
        **summary_ms(tally.latencies),
    }

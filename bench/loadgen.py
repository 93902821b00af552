"""A light load generator over raw HTTP (aiohttp + asyncio), for the JSON API and the chat route.

Why not `gradio_client`: on this machine it tops out near 20 requests/s on an echo app, so it
measures itself, not the server. Why aiohttp rather than httpx: the generator shares the
server's two cores, and aiohttp's C HTTP parser costs a fraction of httpx's pure-Python one per
request and per server-sent event (BENCHMARKS.md reports the generator's own CPU per request
beside the server's). Each simulated user is one asyncio task on one shared session.

Two routes:

* ``api``: ``POST /api/ask {"question": ...}`` (`bot.web.api`), one request per question;
* ``chat``: what the page's JavaScript does for one chat turn: join the Gradio queue
  (``POST /gradio_api/queue/join`` for the ``respond`` event with the user's session) and read
  the session's server-sent events until ``process_completed``; then, when `like` is set, one
  more event for the thumbs-up on that reply (stored by the server), so the caller can check
  that every click was stored. With `carry`, each turn sends the chat so far and the chat's
  state back, as the browser does (the conversation grows); without it, every turn is a first.

Two user models (`think`):

* ``think=0``: a closed loop with no pause: each user asks again the moment a reply arrives (a
  stress test: 64 such users are far more than 64 people);
* ``think>0``: each user reads the reply before asking again: pauses drawn from an exponential
  distribution with that mean, truncated at 10x the mean (the TPC-W web benchmark's user model,
  BENCHMARKS.md), from a per-user seeded generator, so a run is reproducible; each user's first
  question also comes after one such pause, so users arrive spread out, not all at once.

Each level ends when `max_requests` were sent or `seconds` passed (a pause is cut at the end);
every request has a timeout. An error is an HTTP status other than 200, a timeout, a failed
event, or a reply without the fixed advice. Loopback only: any other host is refused.
"""

from __future__ import annotations

import asyncio
import json
import random
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


def think_pauses(mean: float, seed: int, user: int) -> random.Random | None:
    """The seeded generator of one user's pauses (None for a closed loop without pauses)."""
    return random.Random(f"{seed}:{user}") if mean > 0 else None


def pause(rng: random.Random, mean: float) -> float:
    """One reading pause: exponential with `mean` seconds, truncated at 10x the mean."""
    return min(rng.expovariate(1.0 / mean), 10.0 * mean)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    likes_sent: int = 0
    sent: int = 0
    longest_chat: int = 0  # messages in the longest conversation a chat reply returned


@dataclass
class Chat:
    """One user's chat session: the Gradio session id, and the chat and state the page holds."""

    session: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    history: list[Any] = field(default_factory=list)
    state: Any = None


async def _api_turn(client: Any, url: str, question: str, advice: str) -> str:
    async with client.post(url + "api/ask", json={"question": question}) as response:
        if response.status != 200:
            return f"HTTP {response.status}"
        body = await response.json()
    return "" if body.get("advice") == advice and body.get("status") != "unavailable" else "bad reply"


async def _events(client: Any, url: str, session: str, event_id: str) -> dict[str, Any] | None:
    """The `process_completed` message of `event_id` from the session's event stream."""
    async with client.get(f"{url}gradio_api/queue/data", params={"session_hash": session}) as stream:
        async for raw in stream.content:
            if not raw.startswith(b"data:"):
                continue
            try:
                message = json.loads(raw[5:])
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
    async with client.post(url + "gradio_api/queue/join", json=body) as joined:
        if joined.status != 200:
            return f"HTTP {joined.status}"
        event_id = (await joined.json())["event_id"]
    done = await _events(client, url, session, event_id)
    if done is None or not done.get("success"):
        return "event failed"
    return done


def _kept(value: Any, before: Any) -> Any:
    """An output as the page keeps it: a "no change" update keeps the previous value."""
    return before if isinstance(value, dict) and value.get("__type__") == "update" else value


async def _chat_turn(client: Any, url: str, fns: dict[str, Any], chat: Chat, question: str, advice_html: str,
                     like: bool, carry: bool, tally: Tally) -> str:  # fmt: skip
    history_in, state_in = (chat.history, chat.state) if carry else ([], None)
    done = await _join(client, url, fns, chat.session, "respond", [question, history_in, state_in])
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
    state = _kept(done["output"]["data"][2], state_in)  # the chat's state is held by the browser
    if like:
        liked = await _join(client, url, fns, chat.session, "on_like", [state],
                            {"index": [len(history) - 1, 0], "value": "", "liked": True})  # fmt: skip
        if isinstance(liked, str):
            return f"like: {liked}"
        tally.likes_sent += 1
        state = _kept(liked["output"]["data"][0], state)
    chat.history, chat.state = history, state
    tally.longest_chat = max(tally.longest_chat, len(history))
    return ""


async def _run(url: str, route: str, users: int, questions: list[str], max_requests: int, seconds: float,
               timeout: float, like: bool, think: float, seed: int, carry: bool) -> tuple[Tally, float]:  # fmt: skip
    import aiohttp

    from bot import messages, render

    tally = Tally()
    advice, advice_html = messages.ADVICE, render.escape_text(messages.ADVICE)
    connector = aiohttp.TCPConnector(limit=2 * users + 4)
    session_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=session_timeout, trust_env=False) as client:
        fns: dict[str, Any] = {}
        if route == "chat":
            async with client.get(url + "config") as response:
                config = await response.json()
            fns = {d["api_name"]: d for d in config["dependencies"] if d.get("api_name")}
        deadline = time.perf_counter() + seconds

        async def read(rng: random.Random | None) -> None:
            if rng is not None:
                await asyncio.sleep(max(0.0, min(pause(rng, think), deadline - time.perf_counter())))

        async def user(u: int) -> None:
            chat, rng, k = Chat(), think_pauses(think, seed, u), 0
            await read(rng)
            while time.perf_counter() < deadline and tally.sent < max_requests:
                tally.sent += 1
                question = questions[(u + k * users) % len(questions)]
                k += 1
                t0 = time.perf_counter()
                try:
                    if route == "api":
                        error = await _api_turn(client, url, question, advice)
                    else:
                        error = await _chat_turn(
                            client, url, fns, chat, question, advice_html, like, carry, tally
                        )
                except (TimeoutError, aiohttp.ClientError, KeyError, ValueError, TypeError) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
                if error:
                    tally.errors.append(error)
                else:
                    tally.latencies.append(time.perf_counter() - t0)
                await read(rng)

        start = time.perf_counter()
        await asyncio.gather(*(user(u) for u in range(users)))
        return tally, time.perf_counter() - start


def run_level(url: str, route: str, users: int, questions: list[str], max_requests: int = 1000,
              seconds: float = 15.0, timeout: float = 30.0, like: bool = False, think: float = 0.0,
              seed: int = 0, carry: bool = False) -> dict[str, Any]:  # fmt: skip
    """One load level against a running server; returns counts, latency summary (ms) and errors.

    `think`: mean reading pause in seconds (0: closed loop, no pause); `seed` makes the pauses
    reproducible; `carry`: chat turns send the conversation so far (see the module doc)."""
    if route not in ("api", "chat"):
        raise ValueError(f"route must be 'api' or 'chat', not {route!r}")
    url = check_loopback(url)
    tally, wall = asyncio.run(
        _run(url, route, users, questions, max_requests, seconds, timeout, like, think, seed, carry)
    )
    return {
        "route": route,
        "users": users,
        "think_mean_s": think,
        "carry": carry,
        "sent": tally.sent,
        "ok": len(tally.latencies),
        "errors": len(tally.errors),
        "error_examples": sorted(set(tally.errors))[:3],
        "likes_sent": tally.likes_sent,
        "longest_chat": tally.longest_chat,
        "wall_s": wall,
        "throughput_rps": len(tally.latencies) / wall if wall else 0.0,
        **summary_ms(tally.latencies),
    }

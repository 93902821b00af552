"""The source viewer route (`bot.web.sources`) and the page tools' markup (`bot.web.tools`), fast."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot import messages
from bot.web.sources import source_router
from bot.web.tools import style_script, texts_html
from corpus.models import Document, DocumentMeta

DOC = Document("d1", "d1.txt", "Intro. The quoted words here. End.", "h", DocumentMeta(title="T"))


class _Holder:
    def __init__(self, ready: bool = True):
        self.ready = ready

    def get(self, timeout: float | None = None) -> Any:
        if not self.ready:
            raise TimeoutError("still loading")
        return SimpleNamespace(data=SimpleNamespace(documents={"d1": DOC}))


def _client(ready: bool = True) -> TestClient:
    app = FastAPI()
    app.include_router(source_router(_Holder(ready)))  # type: ignore[arg-type]
    return TestClient(app)


def test_source_route_statuses_and_headers() -> None:
    client = _client()
    ok = client.get("/source/d1", params={"start": "7", "end": "28"})
    assert ok.status_code == 200 and '<mark id="quote"' in ok.text
    assert "default-src 'none'" in ok.headers["content-security-policy"]
    assert ok.headers["cache-control"] == "no-store" and ok.headers["referrer-policy"] == "no-referrer"
    assert client.get("/source/d1").status_code == 200
    assert client.get("/source/nope").status_code == 404
    assert client.get("/source/d1", params={"start": "9", "end": "999"}).status_code == 400
    assert client.get("/source/..%2F..%2Fetc%2Fpasswd").status_code == 404
    starting = _client(ready=False).get("/source/d1")
    assert starting.status_code == 503 and messages.STARTING in starting.text


def test_page_texts_are_escaped_data_attributes_and_a_live_region() -> None:
    markup = texts_html()
    assert 'id="ldn-status"' in markup and 'role="status"' in markup
    assert 'data-confirm-new="' in markup and "data-copy-failed=" in markup
    assert "<" not in markup.split('data-title="')[1].split('"')[0]


def test_style_script_carries_the_css_as_a_string() -> None:
    css = 'body > *:not(#x) { content: "</style>" }'
    script = style_script(css)
    assert json.dumps(css) in script and script.startswith("() =>")

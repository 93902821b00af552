"""``GET /source/<doc_id>?start=&end=``: the source viewer page (`bot.source_page`) in the app.

The documents are the loaded engine's (the index's texts, the ones quotes point into), so a
link from a quote always marks exactly the quoted characters. While the engine loads, the
request waits up to `WAIT_SECONDS`, then answers 503 with the fixed "still starting" text.
The page has no script; the response forbids every other resource (CSP ``default-src 'none'``
with inline style only), is not cached, and sends no referrer.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot import messages
from bot.source_page import ROUTE_PREFIX, SourcePage, error_page, render_source
from bot.web.holder import EngineHolder

log = logging.getLogger(__name__)

WAIT_SECONDS = 20.0
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def source_router(holder: EngineHolder) -> APIRouter:
    router = APIRouter()

    @router.get(ROUTE_PREFIX + "{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def source(doc_id: str, start: str | None = None, end: str | None = None) -> HTMLResponse:
        try:
            documents = holder.get(timeout=WAIT_SECONDS).data.documents
        except Exception:
            page = SourcePage(503, error_page(messages.WEB_TITLE, messages.STARTING))
        else:
            page = render_source(documents, doc_id, start, end)
        return HTMLResponse(page.html, status_code=page.status, headers=HEADERS)

    return router

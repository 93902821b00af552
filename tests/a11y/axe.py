"""Run axe-core (the npm package in this folder, served from disk) in a Playwright page.

`npm ci` in ``tests/a11y`` puts ``node_modules/axe-core/axe.min.js`` next to this file; the
script is injected with ``page.add_script_tag(path=...)``, which inlines the file's text, so no
request leaves the machine (never a CDN). `violations(page)` returns axe's violations of every
impact (critical to minor) as plain dicts; `describe` turns them into a short readable list for
assertion messages.

Trade-off: axe checks only what is rendered at that moment (closed ``<details>`` and hidden
menus are not checked), so tests call it in each state they care about.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = "cd tests/a11y && npm ci"

# WCAG 2.0/2.1/2.2 A and AA plus axe's best practices: "0 violations of any impact" means all of these.
DEFAULT_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


def axe_problem() -> str | None:
    """Why axe cannot run here (None when it can)."""
    if not AXE_JS.is_file():
        return f"{AXE_JS} is missing ({INSTALL_HINT})"
    return None


def need_axe() -> None:
    """Skip the calling test when axe-core is not installed; fail instead under CI=true."""
    import pytest

    problem = axe_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def axe_version(page: Any) -> str:
    _inject(page)
    return str(page.evaluate("() => window.axe.version"))


def _inject(page: Any) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))


def violations(
    page: Any, selector: str | None = None, tags: tuple[str, ...] = DEFAULT_TAGS
) -> list[dict[str, Any]]:
    """axe-core's violations on `page` (or inside `selector`), every impact level."""
    _inject(page)
    script = """async ([selector, tags]) => {
        const context = selector ? document.querySelector(selector) : document;
        const result = await window.axe.run(context, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        });
        return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
        }));
    }"""
    return list(page.evaluate(script, [selector, list(tags)]))


def describe(found: list[dict[str, Any]], max_nodes: int = 3) -> str:
    """One line per violation with its first few elements, for an assertion message."""
    lines = []
    for v in found:
        targets = "; ".join(n["target"] for n in v["nodes"][:max_nodes])
        more = f" (+{len(v['nodes']) - max_nodes} more)" if len(v["nodes"]) > max_nodes else ""
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} -> {targets}{more}")
    return "\n".join(lines) or "no violations"

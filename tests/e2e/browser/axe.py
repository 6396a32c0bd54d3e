"""axe-core (vendored from the npm package axe-core 4.14.1, MPL-2.0: see vendor/) run in
the page: no `serious` or `critical` violation is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated by the driver, not as a page script: the pages' strict CSP stays on.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )
    return found


def assert_accessible(page: Page) -> None:
    blocking = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}: {blocking}"

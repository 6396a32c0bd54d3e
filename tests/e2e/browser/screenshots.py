"""Screenshots for docs/portal.md. A test takes them every run (into its temporary folder);
`YAGONA_SCREENSHOTS=docs/img make test` (or pytest) writes them where the docs look."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page


def screenshot(page: Page, name: str, fallback: Path) -> Path:
    folder = Path(os.environ.get("YAGONA_SCREENSHOTS", "") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

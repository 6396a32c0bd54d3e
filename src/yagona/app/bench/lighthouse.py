"""Lighthouse on the portal (issue 9 §8): the sign-in page and the signed-in dashboard, mobile
profile, in Debian's Chromium — the four category scores of each. Not a test: figures for
docs/benchmarks.md. `make lighthouse` installs Lighthouse 12 with npm and runs this."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from yagona.app import demo
from yagona.app.bench import scratch
from yagona.app.bench.ledger import BenchmarkError
from yagona.app.bootstrap import bootstrap
from yagona.platform import migrate
from yagona.platform.settings import Settings

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE_TIMEOUT_S = 180


@dataclass(frozen=True, slots=True)
class PageScores:
    page: str
    scores: dict[str, int]  # category → 0…100


def _demo_database(url: str) -> None:
    settings = Settings(database={"url": url}, env="dev")
    container = bootstrap(settings, configure_logs=False)
    migrate.upgrade(container.engine)
    with container.uow() as uow:
        demo.load(uow, settings)
        uow.commit()
    container.engine.dispose()


def _session_cookie(base: str) -> str:
    """Signs the demo customer in through the real sign-in form (its CSRF token included)."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        form = browser.get("/login", headers={"Accept": "text/html"})
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if found is None:
            raise BenchmarkError("the sign-in page has no CSRF token")
        answer = browser.post(
            "/login",
            data={
                "phone": demo.DEMO_CUSTOMER["phone"],
                "password": demo.DEMO_CUSTOMER["password"],
                "csrf_token": found.group(1),
            },
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        session = browser.cookies.get("yagona_session")
        if answer.status_code != 303 or session is None:
            raise BenchmarkError(f"the demo customer could not sign in: {answer.status_code}")
        return session


def _lighthouse(binary: Path, url: str, headers: dict[str, str]) -> dict[str, int]:
    command = [
        str(binary),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless --no-sandbox",
    ]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(  # noqa: S603 - our own arguments
        command, env=env, capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise BenchmarkError(f"lighthouse failed on {url}: {done.stderr[-500:]}")
    report = json.loads(done.stdout)
    if report.get("finalDisplayedUrl") != url:  # e.g. sent to /login: the scores would be another page's
        raise BenchmarkError(f"lighthouse measured {report.get('finalDisplayedUrl')}, not {url}")
    return {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}


def run(binary: Path) -> list[PageScores]:
    """The server with the demo data in its own process; Lighthouse signed out, then signed in."""
    with scratch.sqlite_database() as url:
        _demo_database(url)
        port = scratch.free_port()
        env = {**os.environ, "YAGONA_DATABASE__URL": url, "YAGONA_ENV": "dev", "YAGONA_LOG_LEVEL": "WARNING"}
        with scratch.server(port, env, workers=1):
            base = f"http://127.0.0.1:{port}"
            cookie = _session_cookie(base)
            return [
                PageScores("sign-in page (/login)", _lighthouse(binary, f"{base}/login", {})),
                PageScores("dashboard (/)", _lighthouse(binary, f"{base}/", {"Cookie": f"yagona_session={cookie}"})),
            ]

"""`GET /metrics` in the Prometheus text format (docs/operations.md, "What to watch").

Who may call it: a scraper with `Authorization: Bearer <YAGONA_METRICS_TOKEN>`, or staff
tooling with the staff API key (`X-Api-Key`); anyone else gets 401 and no figure.

- `yagona_http_request_duration_seconds{method, route, status}`: a histogram per route
  *template* (`/api/v1/lines/{msisdn}`, never the raw path: one series per route, not per
  customer). Requests no route matched count under `route="unmatched"`.
- Read from the database at each scrape, so the same in every server process and worker:
  `yagona_ledger_transfers_total` and `yagona_usage_records_total` (the highest sequence
  number: monotonic, `rate()` gives per second), `yagona_due_jobs_lag_seconds` (how late
  the oldest pending due job is), `yagona_outbox_lag_seconds` (age of the oldest
  undispatched event), `yagona_outbox_undispatched`.
- This process's pool: `yagona_db_pool_checked_out`, `yagona_db_pool_size`.
- `yagona_group_commit_size`: a histogram of how many usage records each group commit
  behind `POST /api/v1/usage` took into one transaction.

With several server processes (`yagona serve --workers N`) the histograms live in
`PROMETHEUS_MULTIPROC_DIR` (set by `serve`), so any process answers for all of them.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yagona.kernel.clock import Clock
from yagona.kernel.errors import UnauthenticatedError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Buckets for an API whose target is p99 ≤ 10 ms: fine below 25 ms, coarse above.
BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"

REQUEST_SECONDS = Histogram(
    "yagona_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route", "status"],
    buckets=BUCKETS,
)

GROUP_SIZES = Histogram(
    "yagona_group_commit_size",
    "Requests committed together by group commit (platform.group_commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)

_bearer = HTTPBearer(auto_error=False, scheme_name="metricsToken", description="YAGONA_METRICS_TOKEN")
_staff_key = APIKeyHeader(name="X-Api-Key", scheme_name="staffKey", auto_error=False)

router = APIRouter(tags=["ops"])


def _matches(given: str | None, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest((given or "").encode(), expected.encode())


async def require_scraper(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    key: Annotated[str | None, Depends(_staff_key)] = None,
) -> None:
    """The metrics token (a scraper) or the staff API key; nobody else."""
    token = request.app.state.metrics_token
    if not (_matches(bearer.credentials if bearer else None, token) or _matches(key, request.app.state.staff_api_key)):
        raise UnauthenticatedError("a metrics token (Authorization: Bearer) or the staff API key is required")


@router.get(
    "/metrics",
    dependencies=[Depends(require_scraper)],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """The process's and the database's figures, in the Prometheus text format."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector(request.app.state.container.engine, request.app.state.container.clock))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _ThisProcess(Collector):
    def collect(self) -> Iterable[Metric]:
        yield from REQUEST_SECONDS.collect()


class DatabaseCollector(Collector):
    """Figures read at scrape time: the same whichever process answers."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock.now()
        with self.engine.connect() as connection:
            transfers = connection.execute(text("SELECT max(seq) FROM ledger_transfer")).scalar()
            usages = connection.execute(text("SELECT max(id) FROM lines_usage")).scalar()
            due = connection.execute(
                text("SELECT min(due_at) FROM platform_job WHERE status = 'pending' AND due_at <= :now"), {"now": now}
            ).scalar()
            oldest, waiting = connection.execute(
                text("SELECT min(occurred_at), count(*) FROM platform_outbox WHERE dispatched_at IS NULL")
            ).one()
        yield CounterMetricFamily("yagona_ledger_transfers", "Ledger transfers posted (all processes)", transfers or 0)
        yield CounterMetricFamily("yagona_usage_records", "Usage records rated (all processes)", usages or 0)
        yield GaugeMetricFamily("yagona_due_jobs_lag_seconds", "How late the oldest due job is", _age(due, now))
        yield GaugeMetricFamily("yagona_outbox_lag_seconds", "Age of the oldest undispatched event", _age(oldest, now))
        yield GaugeMetricFamily("yagona_outbox_undispatched", "Events not yet dispatched", waiting or 0)
        pool = self.engine.pool
        checked_out = getattr(pool, "checkedout", lambda: 0)()
        size = getattr(pool, "size", lambda: 0)()
        yield GaugeMetricFamily("yagona_db_pool_checked_out", "Connections in use (this process)", checked_out)
        yield GaugeMetricFamily("yagona_db_pool_size", "Pool size (this process)", size)


def _age(since: datetime | str | None, now: datetime) -> float:
    if since is None:
        return 0.0
    moment = datetime.fromisoformat(since) if isinstance(since, str) else since
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (now - moment).total_seconds())


class MetricsMiddleware:
    """Times every request and files it under its route template (known once routed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_seen)
        finally:
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None) or UNMATCHED
            REQUEST_SECONDS.labels(scope["method"], template, str(status)).observe(time.perf_counter() - started)


def install(app: FastAPI, *, metrics_token: str | None) -> None:
    app.state.metrics_token = metrics_token
    app.add_middleware(MetricsMiddleware)
    app.include_router(router)

"""GET /metrics: the Prometheus text format, for the metrics token or the staff key only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from tests.e2e.server import serving
from tests.factories.ledger import fund, open_account
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.platform.settings import Settings

TOKEN = "metrics-token-for-the-scraper-0123456789"
STAFF = {"X-Api-Key": "test-staff-key"}
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(settings: Settings, container: Container) -> Iterator[httpx.Client]:
    configured = settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    with serving(create_app(configured, container=container)) as url, httpx.Client(base_url=url, timeout=10) as http:
        yield http


def _value(text: str, name: str) -> float:
    return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_metrics_answer_only_the_scraper_and_staff(client: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Api-Key": "wrong"}, {"Authorization": "Basic eDp5"}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.json()["code"] == "unauthenticated" and "yagona_" not in refused.text
    for headers in (SCRAPER, STAFF):
        answer = client.get("/metrics", headers=headers)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_metrics_by_route_template_with_postings_and_lags(client: httpx.Client, container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "customer:m1")
        fund(uow, "customer:m1", 5_000)
        uow.commit()
    assert client.get("/api/v1/catalog/plans/lider-start").status_code == 200
    assert client.get("/api/v1/catalog/plans/no-such-plan").status_code == 404
    echoed = client.get("/health", headers={"X-Request-Id": "req-abc-123"})
    assert echoed.headers["x-request-id"] == "req-abc-123"
    text = client.get("/metrics", headers=SCRAPER).text
    route = 'route="/api/v1/catalog/plans/{plan_id}"'
    assert f'yagona_http_request_duration_seconds_count{{method="GET",{route},status="200"}}' in text
    assert f'yagona_http_request_duration_seconds_count{{method="GET",{route},status="404"}}' in text
    assert "lider-start" not in text and "no-such-plan" not in text  # templates, never raw paths
    assert _value(text, "yagona_ledger_transfers_total") >= 1
    for name in ("yagona_usage_records_total", "yagona_due_jobs_lag_seconds", "yagona_outbox_lag_seconds"):
        assert _value(text, name) >= 0
    assert _value(text, "yagona_db_pool_size") >= 1

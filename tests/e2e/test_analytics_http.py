"""The KPI dashboards over a real socket: supervisors and admins only, every chart an SVG
drawn on the server, a CSV per chart, an empty range an empty chart with a message; and the
customer 360's segments, risk and plan advisor."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories.care import Care, customer_care
from tests.factories.identity import customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.platform.settings import Settings

PAGE = {"Accept": "text/html", "Accept-Language": "en"}
PHONES = ("998911000201", "998911000202")


@pytest.fixture
def app(settings: Settings, container: Container, tmp_path: Path) -> FastAPI:
    application = create_app(settings, container=container)
    analytics.configure(AnalyticsSettings(directory=tmp_path / "store"))
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with serving(app) as url, httpx.Client(base_url=url, timeout=20, headers=PAGE) as client:
        yield client


@pytest.fixture
def customer_id(app: FastAPI, container: Container, clock: SimulatedClock) -> str:
    """Two lines with a few days of use and top-ups, exported to the store; staff of each role."""
    with container.uow() as uow:
        found = customer(uow, app.state.identity, PHONES[0])
        for phone, plan in zip(PHONES, ("lider-pro", "lider-start"), strict=True):
            lines.connect(uow, msisdn=phone, plan_id=plan, deposit=Money.of_som(200_000))
        uow.commit()
    for day in range(3):
        with container.uow() as uow:
            for phone in PHONES:
                lines.top_up(uow, msisdn=phone, amount=Money.of_som(10_000), idempotency_key=f"{phone}-{day}")
                lines.rate_raw(uow, records=[
                    {"id": f"{phone}-{day}-v", "msisdn": phone, "type": "voice", "to": "998931112233", "seconds": 200},
                    {"id": f"{phone}-{day}-d", "msisdn": phone, "type": "data", "mb": "300"},
                ])  # fmt: skip
            uow.commit()
        clock.advance_by(timedelta(days=1))
    with container.uow() as uow:
        analytics.export_all(uow)
        for role in ("agent", "supervisor"):  # today, the customer allowed them into her cabinet
            member(uow, app.state.identity, role, access_to=[found.id])
        uow.commit()
    return found.id


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found
    return found.group(1)


def _sign_in(client: httpx.Client, clock: SimulatedClock, role: str) -> None:
    clock.advance_by(timedelta(seconds=30))
    form = {"login": f"test-{role}", "password": STAFF_PASSWORD, "totp": totp_code(clock.now())}
    answer = client.post("/staff/login", data={**form, "csrf_token": _token(client.get("/staff/login"))})
    assert answer.status_code == 303, answer.text


CARE_CSVS = ("/staff/analytics/nps.csv", "/staff/analytics/csat.csv", "/staff/analytics/sla.csv",
             "/staff/analytics/contact_mix.csv")  # fmt: skip


def test_only_supervisors_see_the_dashboards(client: httpx.Client, clock: SimulatedClock, customer_id: str) -> None:
    for path in ("/staff/analytics", "/staff/analytics/payments.csv", *CARE_CSVS):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/staff/login", path
    _sign_in(client, clock, "agent")
    assert "/staff/analytics" not in client.get("/staff").text  # not in an agent's bar
    assert client.get("/staff/analytics").status_code == 403
    for path in ("/staff/analytics/payments.csv", *CARE_CSVS):
        assert client.get(path).status_code == 403, path


def test_a_supervisor_sees_every_chart_and_its_csv(
    client: httpx.Client, clock: SimulatedClock, customer_id: str
) -> None:
    _sign_in(client, clock, "supervisor")
    page = client.get("/staff/analytics")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for title in ("Retention by monthly cohort", "Online payments by system", "ARPU by plan", "Top-up channel mix"):
        assert title in page.text
    assert page.text.count("<svg") >= 5 and "lider-pro" in page.text
    answer = client.get("/staff/analytics/payments.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(answer.text)))
    assert table[0] == ["label", "som", "share"] and table[1][0] == "card"
    assert float(table[1][1]) == 60_000  # 2 lines x 3 days x 10 000 so'm by card
    assert client.get("/staff/analytics/unknown.csv").status_code in (404, 422)


def test_an_empty_range_is_an_empty_chart_with_a_message(
    client: httpx.Client, clock: SimulatedClock, customer_id: str
) -> None:
    _sign_in(client, clock, "supervisor")
    page = client.get("/staff/analytics", params={"from": "2020-01-01", "to": "2020-01-31"})
    assert page.status_code == 200 and "<svg" not in page.text
    assert page.text.count("No data in this range.") == len(analytics.KPIS)
    empty = client.get("/staff/analytics/payments.csv", params={"from": "2020-01-01", "to": "2020-01-31"})
    assert list(csv.reader(io.StringIO(empty.text))) == [["label", "som", "share"]]
    backwards = client.get("/staff/analytics", params={"from": "2020-02-01", "to": "2020-01-01"})
    assert backwards.status_code == 422


def test_the_360_shows_segments_risk_and_the_advisors_saving(
    client: httpx.Client, clock: SimulatedClock, customer_id: str
) -> None:
    _sign_in(client, clock, "supervisor")
    today = clock.now().astimezone(TASHKENT).date()
    page = client.post(
        f"/staff/customers/{customer_id}",
        data={"reason": "analytics check", "csrf_token": _token(client.get("/staff"))},
    )
    assert page.status_code == 200, page.text
    assert "Segments and churn risk" in page.text and "new" in page.text  # three days old: a new line
    assert "Not scored yet" in page.text  # no model trained in this test
    assert "Cheapest plan: lider-start" in page.text
    assert today.year == 2026


@pytest.fixture
def care(app: FastAPI, container: Container, clock: SimulatedClock) -> Care:
    """Tickets, contacts and survey answers made through the CRM, exported; a supervisor."""
    made = customer_care(container, clock)
    clock.advance_by(timedelta(days=1))
    with container.uow() as uow:
        analytics.export_all(uow)
        member(uow, app.state.identity, "supervisor")
        uow.commit()
    return made


def _csv(client: httpx.Client, kpi: str, **params: str) -> list[list[str]]:
    answer = client.get(f"/staff/analytics/{kpi}.csv", params={"from": "2026-03-01", "to": "2026-03-31", **params})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.text)))


def test_the_care_charts_and_their_csv(client: httpx.Client, clock: SimulatedClock, care: Care) -> None:
    _sign_in(client, clock, "supervisor")
    page = client.get("/staff/analytics", params={"from": "2026-03-01", "to": "2026-03-31"})
    assert page.status_code == 200
    for title in ("NPS by month", "CSAT by month", "SLA compliance by month and queue", "Contact-channel mix",
                  "Tickets opened by channel"):  # fmt: skip
        assert f'aria-label="{title}' in page.text, title
    assert _csv(client, "nps") == [["label", "score", "answers"], ["2026-03", "33.3", "3.0"]]
    assert _csv(client, "csat") == [["label", "share", "answers"], ["2026-03", "0.5", "2.0"]]
    assert _csv(client, "sla") == [
        ["label", "share", "tickets"], ["2026-03 billing", "1.0", "1.0"], ["2026-03 technical", "0.0", "1.0"]
    ]  # fmt: skip
    mix = _csv(client, "contact_mix")
    assert mix[0] == ["label", "count", "tickets", "share"]
    assert [row[0] for row in mix[1:7]] == ["portal", "bot", "ussd", "call", "email", "sms"]
    assert {row[0]: row[2] for row in mix[1:]}["bot"] == "1.0"
    empty = client.get("/staff/analytics", params={"from": "2020-01-01", "to": "2020-01-31"})
    assert empty.text.count("No data in this range.") == len(analytics.KPIS) and "<svg" not in empty.text
    for kpi, header in (("nps", "score"), ("csat", "share"), ("sla", "share"), ("contact_mix", "count")):
        assert _csv(client, kpi, **{"from": "2020-01-01", "to": "2020-01-31"})[0][:2] == ["label", header]
        assert len(_csv(client, kpi, **{"from": "2020-01-01", "to": "2020-01-31"})) == 1

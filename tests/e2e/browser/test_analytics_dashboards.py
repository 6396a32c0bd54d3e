"""The KPI dashboards in Debian's Chromium: a supervisor signs in, follows the console's link,
and sees every chart drawn as SVG (no JavaScript needed), accessible (axe) — the customer-care
charts (NPS, CSAT, SLA compliance, the contact-channel mix) with their data too."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.factories.care import customer_care
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines

VALUE = "text[font-size='10']"  # the value drawn above a bar (the axis' ticks are 11)


@pytest.fixture
def store(app: FastAPI, container: Container, clock: SimulatedClock, tmp_path: Path) -> Path:
    analytics.configure(AnalyticsSettings(directory=tmp_path / "store"))
    customer_care(container, clock)  # tickets, contacts, NPS and CSAT answers through the CRM
    with container.uow() as uow:
        member(uow, app.state.identity, "supervisor")
        for n, plan in enumerate(("lider-start", "lider-plus", "lider-pro")):
            msisdn = f"99891100030{n}"
            lines.connect(uow, msisdn=msisdn, plan_id=plan, deposit=Money.of_som(150_000))
            lines.top_up(uow, msisdn=msisdn, amount=Money.of_som(20_000), idempotency_key=f"b-{n}")
            lines.rate_raw(uow, records=[{"id": f"b-{n}", "msisdn": msisdn, "type": "data", "mb": "250"}])
        uow.commit()
    clock.advance_by(timedelta(days=1))
    with container.uow() as uow:
        analytics.export_all(uow)
        uow.commit()
    return tmp_path / "store"


def test_a_supervisor_reads_the_kpi_charts(page: Page, clock: SimulatedClock, store: Path) -> None:
    page.goto("/staff?lang=en")
    page.get_by_label("Login or phone number").fill("test-supervisor")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    page.get_by_role("link", name="KPI dashboards").click()
    page.wait_for_url("**/staff/analytics")
    assert page.get_by_role("heading", level=1).inner_text() == "KPI dashboards"
    chart = page.get_by_role("img", name="ARPU by plan (so'm a month)")
    assert chart.is_visible() and chart.evaluate("node => node.tagName") == "svg"
    assert page.locator("svg.chart").count() >= 5
    assert chart.locator("text", has_text="lider-pro").is_visible()  # the bar's label, drawn
    # Customer care: NPS (33 = 2 promoters - 1 detractor of 3), CSAT, SLA compliance, contact channels.
    nps = page.get_by_role("img", name="NPS by month (promoters minus detractors)")
    assert nps.locator("text", has_text="2026-03").is_visible() and nps.locator(VALUE).all_text_contents() == ["33"]
    csat = page.get_by_role("img", name="CSAT by month (share of 4 and 5)")
    assert csat.locator(VALUE).all_text_contents() == ["50.0%"]
    sla = page.get_by_role("img", name="SLA compliance by month and queue")
    assert sla.locator("text", has_text="2026-03 technical").is_visible()
    assert sla.locator(VALUE).all_text_contents() == ["100.0%", "0.0%"]  # billing in time, technical late
    mix = page.get_by_role("img", name="Contact-channel mix (customers' contacts)")
    for channel in ("portal", "bot", "ussd", "call", "email", "sms"):
        assert mix.locator("text", has_text=channel).first.is_visible(), channel
    assert page.get_by_role("img", name="Tickets opened by channel").is_visible()
    care = page.get_by_role("region", name="SLA compliance by month and queue")
    assert care.get_by_role("link", name="Download CSV").get_attribute("href", timeout=1000) is not None
    assert_accessible(page)

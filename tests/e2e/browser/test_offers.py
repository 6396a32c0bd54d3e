"""The next-best offer in Debian's Chromium at 360×740: the nightly refresh makes a cheaper-plan
offer → the customer signs in and sees it as a card on the dashboard (Uzbek), opens it (the
switching rule's answer first, English), accepts → the line is on the new plan and the offer
accepted (Russian /offers) → a supervisor's acceptance page counts it. axe on every page, no
page wider than the phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.conftest import PHONE as VIEWPORT
from tests.e2e.browser.screenshots import screenshot
from tests.e2e.browser.test_line_pages import PHONE, _sign_in
from tests.factories.identity import customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from tests.integration.test_analytics_advisor import _records
from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.privacy import service as privacy


@pytest.fixture
def offer(app: FastAPI, container: Container, clock: SimulatedClock, tmp_path: Path) -> str:
    analytics.configure(AnalyticsSettings(directory=tmp_path / "store"))
    with container.uow() as uow:
        holder = customer(uow, app.state.identity, PHONE)
        privacy.give_consent(uow, customer_id=holder.id, purpose="marketing", channel="portal")
        lines.connect(uow, msisdn=PHONE, plan_id="lider-pro", deposit=Money.of_som(1_000_000))
        member(uow, app.state.identity, "supervisor")
        uow.commit()
    with container.uow() as uow:
        lines.rate_raw(uow, records=_records(PHONE, "b"))
        uow.commit()
    clock.advance_by(timedelta(days=15))
    with container.uow() as uow:
        assert analytics.refresh(uow).offers == 1
        uow.commit()
    return holder.id


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} is {width}px wide"


def test_a_customer_accepts_a_cheaper_plan_and_the_supervisor_counts_it(  # noqa: PLR0917 - fixtures
    page: Page, browser: Browser, base_url: str, app: FastAPI, container: Container, clock: SimulatedClock,
    offer: str, tmp_path: Path,
) -> None:  # fmt: skip
    _sign_in(page, container, app)
    card = page.locator("article.offer-card")
    expect(card.get_by_role("heading")).to_have_text("Lider Start tarifiga o'ting va tejang")
    expect(card).to_contain_text("so'm")
    expect(card.get_by_role("button", name="Qiziq emas")).to_be_visible()
    assert_accessible(page)
    _fits(page)
    screenshot(page, "portal-360-offer-card", tmp_path)

    page.goto("/offers?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My offers")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("link", name="Accept").click()
    page.wait_for_url("**/offers/*")
    answer = page.locator("section", has=page.get_by_role("heading", name="What the switch means"))
    expect(answer).to_contain_text("Balance after the switch")
    assert_accessible(page)
    _fits(page)
    screenshot(page, "portal-360-offer-quote", tmp_path)
    page.get_by_role("button", name="Switch to Lider Start for").click()
    page.wait_for_url("**/offers")
    expect(page.get_by_role("status")).to_contain_text("Done: Switch to Lider Start and save.")
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).plan == "lider-start"
        [mine] = analytics.offers_of(uow, customer_id=offer)
    assert mine.status == "accepted"

    page.goto("/offers?lang=ru")
    expect(page.locator("article.offer-card")).to_contain_text("Принято")
    assert_accessible(page)
    _fits(page)

    staff = browser.new_context(base_url=base_url, viewport=VIEWPORT, is_mobile=True, has_touch=True)
    console = staff.new_page()
    console.goto("/staff?lang=en")
    console.get_by_label("Login or phone number").fill("test-supervisor")
    console.get_by_label("Password").fill(STAFF_PASSWORD)
    console.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
    console.get_by_role("button", name="Sign in").click()
    console.wait_for_url("**/staff")
    console.goto("/staff/analytics/offers?lang=en")
    expect(console.get_by_role("heading", level=1)).to_have_text("Offer acceptance")
    chart = console.get_by_role("img", name="Acceptance rate by offer kind")
    assert chart.evaluate("node => node.tagName") == "svg"
    row = console.locator("#offers-kinds tbody tr", has_text="A cheaper plan")
    expect(row.locator("td")).to_have_text(["1", "1", "1", "0", "0", "100.0%"])
    assert_accessible(console)
    staff.close()

"""A supervisor adjusts a customer's bonus points in Debian's Chromium at 360×740: sign in →
open the customer with a reason → show the points with a reason → add 25 points with a
reason → the balance and the history say so, and the access log keeps both reasons. axe on
the points page."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.factories import lines as line_factory
from tests.factories.identity import customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock

PHONE = "998901234567"


@pytest.fixture
def customer_id(app: FastAPI, container: Container) -> str:
    with container.uow() as uow:
        found = customer(uow, app.state.identity, PHONE)
        line_factory.connect(uow, PHONE, deposit_som=100_000)  # its first fee earns 40 points
        member(uow, app.state.identity, "supervisor", access_to=[found.id])
        uow.commit()
    return found.id


def test_a_supervisor_adjusts_a_customers_points(page: Page, customer_id: str, clock: SimulatedClock) -> None:
    page.goto("/staff?lang=en")
    page.get_by_label("Login or phone number").fill("test-supervisor")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    page.get_by_label("Phone, name, wallet or customer id").fill(customer_id)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="D•••••• A••••••").click()  # the list masks names
    page.get_by_label("Reason (kept in the access log)").fill("The customer asks about points")
    page.get_by_role("button", name="Open the customer").click()

    page.locator("#reason-points").fill("Checking the points balance")
    page.get_by_role("button", name="Show the bonus points").click()
    assert page.get_by_test_id("points").inner_text() == "40"
    assert_accessible(page)
    page.get_by_label("Points to add (a minus takes them)").fill("25")
    page.locator("#reason-adjust").fill("Goodwill: network outage")
    page.get_by_role("button", name="Adjust the points").click()
    assert page.get_by_text("The points are adjusted.").is_visible()
    assert page.get_by_test_id("points").inner_text() == "65"
    assert page.get_by_role("cell", name="Adjusted by the operator").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Access log").click()
    log = page.locator("main").inner_text()
    assert "Bonus points adjusted" in log and "Goodwill: network outage" in log
    assert "Opened the bonus points" in log and "Checking the points balance" in log

"""The staff walk in Debian's Chromium, at 360×740 and on a desk's screen: sign in with the
password and the authenticator's code → search a customer's phone → open the 360 with a
reason → block the line with a reason → unblock it → the access log shows both, with their
reasons. axe on every console page on the way. And the pending home-internet requests: a
refusal said in words, a verified customer's request activated."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories import home as home_factory
from tests.factories import lines as line_factory
from tests.factories import wallet as wallet_factory
from tests.factories.identity import customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.platform.bus import EventBus
from yagona.platform.settings import Settings
from yagona.platform.uow import unit_of_work_factory

PHONE = "998901234567"
VERIFIED = "998907654321"


@pytest.fixture
def customer_id(app: FastAPI, container: Container) -> str:
    with container.uow() as uow:
        found = customer(uow, app.state.identity, PHONE)
        line_factory.connect(uow, PHONE)
        wallet_factory.register(uow, PHONE, customer_id=found.id)
        member(uow, app.state.identity, "supervisor", access_to=[found.id])
        uow.commit()
    return found.id


def _walk(page: Page, clock: SimulatedClock, folder: Path, *, shots: bool) -> None:
    page.goto("/staff?lang=en")
    assert page.url.endswith("/staff/login")
    assert_accessible(page)
    if shots:
        screenshot(page, "staff-login", folder)
    page.get_by_label("Login or phone number").fill("test-supervisor")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    assert_accessible(page)

    page.get_by_label("Phone, name, wallet or customer id").fill("+998 90 123 45 67")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)  # the results
    if shots:
        screenshot(page, "staff-search", folder)
    page.get_by_role("link", name="D•••••• A••••••").click()  # the list masks names
    assert page.get_by_role("heading", level=1).inner_text() == "Why are you opening this customer?"
    assert "Dilnoza" not in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Reason (kept in the access log)").fill("The customer called: lost phone")
    page.get_by_role("button", name="Open the customer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dilnoza Alimova"
    assert_accessible(page)
    if shots:
        screenshot(page, "staff-customer", folder)

    page.locator(f"#reason-block-{PHONE}").fill("Owner reports the phone stolen")
    page.get_by_role("button", name="Block the line").click()
    assert page.get_by_text("The line is blocked.").is_visible()
    assert_accessible(page)
    page.locator(f"#reason-unblock-{PHONE}").fill("Owner found the phone")
    page.get_by_role("button", name="Unblock the line").click()
    assert page.get_by_text("The line is unblocked.").is_visible()

    page.get_by_role("link", name="Access log").click()
    log = page.locator("main").inner_text()
    for reason in ("The customer called: lost phone", "Owner reports the phone stolen", "Owner found the phone"):
        assert reason in log
    assert "Line blocked: lost phone" in log and "Line unblocked" in log  # the actions in words
    assert_accessible(page)
    if shots:
        screenshot(page, "staff-access-log", folder)
    page.get_by_role("link", name="Payments statement").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Payments statement"
    assert_accessible(page)
    if shots:
        screenshot(page, "staff-payments", folder)

    page.get_by_role("button", name="Sign out of the console").click()
    page.wait_for_url("**/staff/login")
    page.goto("/staff")
    assert page.url.endswith("/staff/login")


def test_a_supervisor_walks_the_console_on_a_phone(
    page: Page, customer_id: str, clock: SimulatedClock, tmp_path: Path
) -> None:
    _walk(page, clock, tmp_path, shots=True)


def test_the_console_on_a_desks_screen(
    browser: Browser, base_url: str, customer_id: str, clock: SimulatedClock, tmp_path: Path
) -> None:
    desk = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        _walk(desk.new_page(), clock, tmp_path, shots=False)
    finally:
        desk.close()


@pytest.fixture
def contracts(
    app: FastAPI, container: Container, settings: Settings, clock: SimulatedClock, customer_id: str
) -> dict[str, str]:
    """Dilnoza's request waits for OneID; another customer passed it while home's consumer of
    that event was down (a bus with no subscriber), so theirs waits for a supervisor."""
    with container.uow() as uow:
        found = {phone: home_factory.request(uow, app.state.identity, phone) for phone in (PHONE, VERIFIED)}
        uow.commit()
    missed = unit_of_work_factory(
        container.engine, clock=clock, bus=EventBus(), limits=settings.limits, publishes_externally=False
    )
    home_factory.verify(missed, app.state.identity, found[VERIFIED][0].id, "31203901230012")
    return {phone: account.contract for phone, (_holder, account) in found.items()}


def test_a_supervisor_moves_the_pending_home_requests(
    page: Page, contracts: dict[str, str], clock: SimulatedClock, tmp_path: Path
) -> None:
    page.goto("/staff/login?lang=en")
    page.get_by_label("Login or phone number").fill("test-supervisor")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    page.get_by_role("link", name="Home internet requests").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Home internet requests"
    assert page.get_by_text("Not yet: waiting for the customer").is_visible()
    assert_accessible(page)
    screenshot(page, "staff-home-requests", tmp_path)

    waiting, verified = contracts[PHONE], contracts[VERIFIED]
    page.locator(f"#reason-activate-{waiting}").fill("The customer says OneID is done")
    page.locator(f"form[action$='/{waiting}/activate'] button").click()
    assert page.get_by_role("alert").inner_text().startswith("The customer has not passed the OneID check yet")
    assert_accessible(page)  # the refusal
    page.locator(f"#reason-activate-{verified}").fill("OneID passed, the request stayed")
    page.locator(f"form[action$='/{verified}/activate'] button").click()
    assert page.get_by_role("status").inner_text().startswith("The request is activated")
    assert page.get_by_role("heading", name=f"Contract {verified}").count() == 0
    assert page.get_by_role("heading", name=f"Contract {waiting}").is_visible()
    assert_accessible(page)

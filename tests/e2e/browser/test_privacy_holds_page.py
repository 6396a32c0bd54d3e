"""Legal holds in Debian's Chromium: a supervisor follows the console's link, places a hold on a
customer (the legal basis, the document's reference), sees it listed, releases it with a reason.
axe on the page."""

from __future__ import annotations

from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.factories.identity import customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.privacy import service as privacy


def test_a_supervisor_places_and_releases_a_legal_hold(
    page: Page, app: FastAPI, container: Container, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        member(uow, app.state.identity, "supervisor")
        holder = customer(uow, app.state.identity, "998901234567")
        uow.commit()
    page.goto("/staff?lang=en")
    page.get_by_label("Login or phone number").fill("test-supervisor")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")
    page.get_by_role("link", name="Legal holds").click()
    page.wait_for_url("**/staff/privacy/holds")
    assert page.get_by_text("No active legal hold.").is_visible()
    assert_accessible(page)

    page.get_by_label("Customer id").fill(holder.id)
    page.get_by_label("Legal basis").fill("Court order: keep the records")
    page.get_by_label("Document reference").fill("No 12/2026")
    page.get_by_role("button", name="Place the legal hold").click()
    page.wait_for_url("**/staff/privacy/holds")
    assert page.get_by_role("status").filter(has_text="The legal hold is placed").is_visible()
    row = page.get_by_role("article").filter(has_text="No 12/2026")
    assert holder.id in row.inner_text()
    assert_accessible(page)

    row.get_by_label("Why it ends").fill("The court lifted the order")
    row.get_by_role("button", name="Release the hold").click()
    page.wait_for_url("**/staff/privacy/holds")
    assert page.get_by_text("No active legal hold.").is_visible()
    with container.uow() as uow:
        assert privacy.holds(uow, customer_id=holder.id) == []

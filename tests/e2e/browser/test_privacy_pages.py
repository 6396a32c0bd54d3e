"""The documents' re-acceptance in Debian's Chromium at 360×740: a new privacy agreement is
published needing acceptance → the customer signs in to a cabinet page → the acceptance page
stands in the way, with the new text → "I accept" → the page they asked for; the privacy page
shows the version accepted and when, and the member of staff's request they can allow.
axe on every page on the way."""

from __future__ import annotations

from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.factories.identity import PASSWORD, customer
from yagona.app.bootstrap import Container
from yagona.identity.schemas import Language
from yagona.privacy import service as privacy

PHONE = "998901234567"


def test_a_new_agreement_is_accepted_before_the_cabinet_opens(page: Page, app: FastAPI, container: Container) -> None:
    with container.uow() as uow:
        holder = customer(uow, app.state.identity, PHONE, language=Language.EN)
        privacy.publish_document(
            uow,
            kind="privacy",
            version="2026-12",
            text="1. Your data are yours.\n\n2. Staff ask before they look.",
            needs_acceptance=True,
            recipients=[privacy.Recipient(holder.id, PHONE, "en")],
        )
        privacy.request_access(
            uow, staff_id="staff-1", customer_id=holder.id, reason="You called about a bill", sections=["profile"]
        )
        uow.commit()

    page.goto("/account/profile")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button:not([formaction])").click()
    page.wait_for_url("**/account/privacy/accept?next=/account/profile")
    assert page.get_by_role("heading", name="New versions of our documents").is_visible()
    assert page.get_by_text("2. Staff ask before they look.").is_visible()
    assert_accessible(page)
    page.goto("/account/security")  # another cabinet page: still in the way
    page.wait_for_url("**/account/privacy/accept?next=/account/security")

    page.get_by_role("button", name="I accept").click()
    page.wait_for_url("**/account/security")
    page.goto("/account/privacy")
    row = page.get_by_role("row").filter(has_text="Privacy agreement")
    assert "2026-12" in row.inner_text()
    assert page.get_by_text("You called about a bill").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/account/privacy")
    assert page.get_by_text("Access is granted for the time shown.").is_visible()
    with container.uow() as uow:
        assert privacy.grants_of(uow, customer_id=holder.id)[0].status == "approved"
        assert privacy.documents_to_accept(uow, customer_id=holder.id) == []

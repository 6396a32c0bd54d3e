"""The customer's history in Debian's Chromium at 360×740: signed in with the SMS code, the
customer sees their sign-in and a call-centre note on `/account/history` (reached from the
profile), filters by channel, and moves to older entries — axe on the page."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import customer, last_code
from yagona.app.bootstrap import Container
from yagona.crm import service as crm

PHONE = "998901234567"


def test_a_customer_reads_their_history_a_channel_at_a_time(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        holder = customer(uow, app.state.identity, PHONE)
        for i in range(21):
            crm.record_interaction(uow, customer_id=holder.id, channel="ussd", direction="in", summary=f"*100# {i + 1}")
        crm.record_interaction(
            uow, customer_id=holder.id, channel="staff", direction="out", summary="Qo'ng'iroq: internet tiklandi"
        )
        uow.commit()

    page.goto("/account/history")
    assert "/login" in page.url  # signed out: sign in first
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_role("button", name="SMS orqali kod yuborish").click()
    page.wait_for_url("**/login/code")
    with container.uow() as uow:
        code = last_code(uow, app.state.identity, PHONE)
    page.get_by_label("SMS'dagi kod").fill(code)
    page.get_by_role("button", name="Kirish").click()
    page.wait_for_load_state()
    page.goto("/account/profile")
    page.get_by_role("link", name="Aloqalar tarixi").click()
    page.wait_for_url("**/account/history")

    assert page.get_by_role("heading", level=1).inner_text() == "Aloqalar tarixi"
    history = page.get_by_test_id("history").inner_text()
    assert "Portalga kirdi" in history and "Qo'ng'iroq: internet tiklandi" in history
    assert_accessible(page)
    screenshot(page, "portal-360-history", tmp_path)

    page.get_by_label("Kanal").select_option("ussd")
    page.get_by_role("button", name="Ko'rsatish").click()
    page.wait_for_url("**/account/history?channel=ussd*")  # and an empty kind
    history = page.get_by_test_id("history").inner_text()
    assert "*100# 21" in history and "Portalga kirdi" not in history
    page.get_by_role("link", name="Avvalgilari").click()
    page.wait_for_url("**page=2**")
    assert page.get_by_test_id("history").inner_text().strip().startswith("*100# 1")

"""A ticket in Debian's Chromium: the customer writes on `/account/requests` (reached from the
profile) with a picture attached, the agent opens it from the console's queue, writes an
internal note and replies, and the customer reads the reply — never the note — on the
request's page. axe on the portal's form, the request and the console's ticket page."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import customer, last_code
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock

PHONE = "998901234567"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_customer_writes_a_request_and_reads_the_agent_s_reply(  # noqa: PLR0917 - pytest passes fixtures by name
    page: Page, browser: Browser, base_url: str, app: FastAPI, container: Container, clock: SimulatedClock,
    tmp_path: Path,
) -> None:  # fmt: skip
    with container.uow() as uow:
        customer(uow, app.state.identity, PHONE)
        member(uow, app.state.identity, "agent")
        uow.commit()

    page.goto("/login?next=/account/profile")
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_role("button", name="SMS orqali kod yuborish").click()
    page.wait_for_url("**/login/code")
    with container.uow() as uow:
        code = last_code(uow, app.state.identity, PHONE)
    page.get_by_label("SMS'dagi kod").fill(code)
    page.get_by_role("button", name="Kirish").click()
    page.wait_for_url("**/account/profile")
    page.get_by_role("link", name="Murojaatlarim").click()
    page.wait_for_url("**/account/requests")
    assert_accessible(page)
    page.get_by_label("Nima haqida").select_option("technical")
    page.get_by_label("Tegishli xizmat").select_option("mobile")
    page.get_by_label("Mavzu").fill("Signal yo'q")
    page.get_by_label("Xabaringiz").fill("Uyda dushanbadan beri signal yo'q")
    page.get_by_label("Fayl (PNG, JPEG yoki PDF, 800 KB gacha)").set_input_files(
        files=[{"name": "signal.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Yuborish").click()
    page.wait_for_url("**/account/requests/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Signal yo'q"
    assert page.get_by_test_id("request-status").inner_text() == "Qabul qilindi"
    assert "signal.png" in page.get_by_test_id("thread").inner_text()
    assert_accessible(page)
    screenshot(page, "portal-360-request", tmp_path)
    request_url = page.url

    desk = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        agent = desk.new_page()
        agent.goto("/staff/login?lang=en")
        agent.get_by_label("Login or phone number").fill("test-agent")
        agent.get_by_label("Password").fill(STAFF_PASSWORD)
        agent.get_by_label("Code from your authenticator app").fill(totp_code(clock.now()))
        agent.get_by_role("button", name="Sign in").click()
        agent.wait_for_url("**/staff")
        agent.get_by_role("link", name="Tickets").click()
        agent.wait_for_url("**/staff/tickets")
        agent.get_by_role("link", name="Signal yo'q").first.click()  # the ticket's number and subject
        agent.wait_for_url("**/staff/tickets/*")
        assert "signal.png" in agent.get_by_test_id("thread").inner_text()
        assert_accessible(agent)
        agent.get_by_label("Internal note (the customer does not see it)").fill("Check the Chilonzor cell")
        agent.get_by_role("button", name="Record the note").click()
        agent.wait_for_load_state()
        agent.get_by_label("Reply to the customer").fill("Tarmoq tiklandi, telefonni qayta yoqing")
        agent.get_by_role("button", name="Send the reply").click()
        agent.wait_for_load_state()
        assert "The reply is sent." in agent.content()
        assert agent.get_by_test_id("ticket-status").inner_text() == "Being worked on"
        screenshot(agent, "staff-ticket", tmp_path)
    finally:
        desk.close()

    page.goto(request_url)
    thread = page.get_by_test_id("thread").inner_text()
    assert "Tarmoq tiklandi, telefonni qayta yoqing" in thread and "Chilonzor" not in thread
    assert page.get_by_test_id("request-status").inner_text() == "Ko'rib chiqilmoqda"

"""The help assistant's page in Debian's Chromium at 360×740, in Uzbek: a visitor finds "Yordam"
in the menu, asks how to pay with Payme and gets the answer in place (htmx: the address stays
/help, the form is ready for the next question); a question in Cyrillic Uzbek is answered in
Cyrillic; the same page without JavaScript answers as a plain form — axe on the page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot


def test_a_visitor_asks_the_help_assistant_with_and_without_javascript(
    page: Page, browser: Browser, base_url: str, tmp_path: Path
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Yordam").first.click()
    page.wait_for_url("**/help")
    assert page.get_by_role("heading", level=1).inner_text() == "Yordam"

    page.get_by_label("Savolingiz: o'zbek, rus yoki ingliz tilida").fill("Payme orqali qanday to'lanadi?")
    with page.expect_response("**/help") as posted:
        page.get_by_role("button", name="So'rash").click()
    assert posted.value.request.headers.get("hx-request") == "true"  # answered in place, no reload
    answer = page.get_by_test_id("help-answer")
    assert "Payme orqali to'lash" in answer.inner_text()
    assert "ilovasida mobil operatorni tanlang" in answer.inner_text()
    assert page.url.endswith("/help")

    page.get_by_label("Savolingiz: o'zbek, rus yoki ingliz tilida").fill("балансим қанча")
    with page.expect_response("**/help"):
        page.get_by_role("button", name="So'rash").click()
    # Asked in Cyrillic, answered in Cyrillic (waits for htmx to swap the answer in).
    expect(page.get_by_test_id("help-answer")).to_contain_text("Баланс")
    expect(page.get_by_test_id("help-answer")).to_contain_text("*100#")
    assert_accessible(page)  # last on this tab: axe's script stays in the page
    screenshot(page, "portal-360-help", tmp_path)

    plain = browser.new_context(base_url=base_url, java_script_enabled=False, locale="uz-UZ")
    try:
        tab = plain.new_page()
        tab.goto("/help")
        tab.get_by_label("Savolingiz: o'zbek, rus yoki ingliz tilida").fill("hamyon limiti qancha")
        tab.get_by_role("button", name="So'rash").click()
        tab.wait_for_load_state()
        said = tab.get_by_test_id("help-answer").inner_text()
        assert "Elektron hamyon limitlari" in said and "1 225 000 so'm" in said
    finally:
        plain.close()

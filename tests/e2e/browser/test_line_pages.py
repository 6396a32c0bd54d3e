"""A customer's line and the plans in Debian's Chromium at 360×740: sign in with the SMS code
from the dev outbox → the line → the usage filtered by kind → compare and change plan (the
rule's answer, confirm, the line on the new plan) → reload → a promo on and off → /plans
filtered and three plans compared — axe on every page, signed in and out."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import customer, last_code
from yagona.app.bootstrap import Container

PHONE = "998901234567"
STAFF = {"X-Api-Key": "test-staff-key"}


def _sign_in(page: Page, container: Container, app: FastAPI) -> None:
    page.goto("/login")
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_role("button", name="SMS orqali kod yuborish").click()
    page.wait_for_url("**/login/code")
    with container.uow() as uow:
        code = last_code(uow, app.state.identity, PHONE)
    page.get_by_label("SMS'dagi kod").fill(code)
    page.get_by_role("button", name="Kirish").click()
    page.wait_for_url(lambda url: url.endswith("/"))


def test_a_customer_filters_usage_changes_plan_reloads_and_compares_plans(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, PHONE)
        uow.commit()
    with httpx.Client(base_url=base_url, headers=STAFF, timeout=10) as staff:
        made = staff.post("/api/v1/lines", json={"msisdn": PHONE, "plan": "ustoz-start", "deposit": 300_000})
        assert made.status_code == 201, made.text
        for n in range(3):
            sms = {"id": f"sms-{n}", "msisdn": PHONE, "type": "sms", "to": "998931234567"}
            assert staff.post("/api/v1/usage", json=sms).status_code == 201
        call = {"id": "call-1", "msisdn": PHONE, "type": "voice", "to": "998931234567", "seconds": 65}
        assert staff.post("/api/v1/usage", json=call).status_code == 201

    _sign_in(page, container, app)
    page.goto(f"/lines/{PHONE}?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Line +998 90 123 45 67"
    expect(page.get_by_role("link", name="Top up from the wallet")).to_have_attribute(
        "href", f"/wallet/pay?provider=mobile&account={PHONE}"
    )
    assert_accessible(page)
    usage = page.locator("section", has=page.get_by_role("heading", name="Recent usage"))
    expect(usage.locator("tbody tr")).to_have_count(4)
    page.get_by_label("Show").select_option("voice")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=voice")
    expect(usage.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("link", name="Ustoz Profi").click()
    page.wait_for_url(f"**/lines/{PHONE}/plan?to=ustoz-profi")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Plan", "Ustoz Start", "Ustoz Profi"])
    answer = page.locator("section", has=page.get_by_role("heading", name="What the switch means"))
    expect(answer).to_contain_text("Charged now")
    expect(answer).to_contain_text("70,000\u00a0so'm")
    assert_accessible(page)
    screenshot(page, "portal-360-plan-change", tmp_path)
    page.get_by_role("button", name="Switch to Ustoz Profi for 70,000\u00a0so'm").click()
    page.wait_for_url(f"**/lines/{PHONE}")
    expect(page.get_by_role("status")).to_contain_text("Your line is now on Ustoz Profi")
    expect(page.locator("main")).to_contain_text("Plan: Ustoz Profi")
    assert_accessible(page)

    page.get_by_role("button", name="Reload now").click()
    page.wait_for_url(f"**/lines/{PHONE}")
    expect(page.get_by_role("status")).to_contain_text("Reloaded: 70,000\u00a0so'm charged")
    page.get_by_role("button", name="Switch on Beeline Music").click()
    expect(page.get_by_role("status")).to_contain_text("Beeline Music is on: free until")
    page.get_by_role("button", name="Switch off Beeline Music").click()
    expect(page.get_by_role("status")).to_contain_text("Beeline Music is off.")
    expect(page.get_by_role("button", name="Switch on Beeline Music")).to_have_count(0)  # once per number
    assert_accessible(page)

    page.get_by_role("link", name="Plans", exact=True).click()
    page.wait_for_url("**/plans")
    page.get_by_label("Plan family").select_option("lider")
    page.get_by_label("With internet").check()
    page.get_by_role("button", name="Show plans").click()
    page.wait_for_url("**/plans?group=lider**")
    expect(page.get_by_role("status")).to_have_text("Plans found: 5")
    expect(page.get_by_role("link", name="Switch +998 90 123 45 67 to Lider Plus")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "portal-360-plans", tmp_path)
    for name in ("Lider Start", "Lider Plus", "Lider Max"):
        page.get_by_label(f"Compare {name}").check()
    page.get_by_role("button", name="Compare the ticked plans").click()
    page.wait_for_url("**/plans/compare?**")
    expect(page.get_by_role("table").get_by_role("columnheader")).to_have_text(
        ["Plan", "Lider Start", "Lider Plus", "Lider Max"]
    )
    assert_accessible(page)


def test_the_plans_are_public_and_a_line_is_not(page: Page) -> None:
    page.goto("/plans?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans")
    expect(page.get_by_role("link", name="Switch +998 90 123 45 67 to Lider Plus")).to_have_count(0)
    assert_accessible(page)
    page.goto("/plans/compare?plan=lider-start&plan=ustoz-start")
    expect(page.get_by_role("table").get_by_role("columnheader")).to_have_count(3)
    assert_accessible(page)
    page.goto("/plans/compare?plan=lider-start")
    expect(page.get_by_role("alert")).to_have_text("Choose two or three plans to compare.")
    assert_accessible(page)
    page.goto(f"/lines/{PHONE}/plan?to=lider-plus")
    assert "/login" in page.url

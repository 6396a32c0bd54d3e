"""The bonus points page in Debian's Chromium at 360×740: a customer signs in with the SMS
code, sees the points their line's first fee earned (and a staff adjustment), exchanges them
for 1 GB on their line, and sees the balance and the history change — axe on every page,
signed in and out."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import customer, last_code
from yagona.app.bootstrap import Container
from yagona.lines import service as lines

PHONE = "998901234567"
STAFF = {"X-Api-Key": "test-staff-key"}


def test_a_customer_exchanges_points_for_a_reward(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        customer(uow, app.state.identity, PHONE)
        uow.commit()
    with httpx.Client(base_url=base_url, headers=STAFF, timeout=10) as staff:
        made = staff.post("/api/v1/lines", json={"msisdn": PHONE, "plan": "lider-start", "deposit": 200_000})
        assert made.status_code == 201, made.text  # the first fee, 40 000 so'm: 40 points
        added = staff.post(
            f"/api/v1/loyalty/members/{PHONE}/adjustments",
            json={"points": 30, "reason": "goodwill", "staff": "supervisor-1"},
        )
        assert added.status_code == 201, added.text

    page.goto("/points")
    assert "/login" in page.url  # signed out: sign in first
    assert_accessible(page)
    page.get_by_label("Telefon raqami").fill(PHONE)
    page.get_by_role("button", name="SMS orqali kod yuborish").click()
    page.wait_for_url("**/login/code")
    with container.uow() as uow:
        code = last_code(uow, app.state.identity, PHONE)
    page.get_by_label("SMS'dagi kod").fill(code)
    page.get_by_role("button", name="Kirish").click()
    page.wait_for_load_state()
    page.goto("/points")

    assert page.get_by_role("heading", level=1).inner_text() == "Bonus ballar"
    assert page.get_by_test_id("points").inner_text() == "70"
    main = page.locator("main").inner_text().replace("\u00a0", " ")
    assert "Bronza" in main and "110 000 so'm" in main  # silver needs 110 000 more
    assert_accessible(page)
    screenshot(page, "portal-360-points", tmp_path)

    reward = page.locator("form", has=page.locator("input[name=reward][value=fee-discount-10]"))
    assert reward.get_by_role("button", name="Almashtirish").is_disabled()  # 120 points: not yet
    data = page.locator("form", has=page.locator("input[name=reward][value=data-1gb]"))
    data.get_by_label("Raqam").select_option(PHONE)
    data.get_by_role("button", name="Almashtirish").click()
    page.wait_for_url("**/points")
    assert page.get_by_test_id("points").inner_text() == "10"
    assert "Tayyor" in page.locator("main").inner_text()
    assert "Sovg'aga almashtirildi" in page.locator("main").inner_text()
    assert_accessible(page)
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).bundles["bonus_mb"] == 1024

"""A survey answered by its link in Debian's Chromium at 360×740: the SMS's link opens the NPS
question in the customer's language without signing in, the customer picks a score, adds a
comment and sends it; the thanks show, the link does not answer twice — axe on the page."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import customer
from yagona.app.bootstrap import Container
from yagona.crm import service as crm

PHONE = "998901234567"


def test_a_customer_answers_an_nps_survey_by_its_link(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    with container.uow() as uow:
        holder = customer(uow, app.state.identity, PHONE)
        offered = crm.offer_survey(
            uow, customer_id=holder.id, kind="nps", trigger="relationship", channel="portal", category="relationship"
        )
        uow.commit()
    assert offered is not None
    link = crm.survey_link(offered.id, language="uz")
    path = link[link.index("/feedback/") :]

    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == "Sizning fikringiz"
    assert page.get_by_role("group", name="Yagona'ni do'stingiz yoki hamkasbingizga tavsiya qilish").is_visible()
    assert_accessible(page)
    screenshot(page, "portal-feedback-survey", tmp_path)
    page.get_by_label("9", exact=True).check()
    page.get_by_label("Qo'shimcha fikringiz bormi? (ixtiyoriy)").fill("Internet tez ishlaydi")
    page.get_by_role("button", name="Javobni yuborish").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("survey-thanks").inner_text() == "Rahmat! Javobingiz qayd etildi."

    with container.uow() as uow:
        [answered] = crm.surveys_of(uow, customer_id=holder.id)
    assert (answered.score, answered.comment, answered.follow_up_id) == (9, "Internet tez ishlaydi", None)
    again = page.goto(path)
    assert again is not None and again.status == 409
    assert "allaqachon javob berilgan" in page.content()

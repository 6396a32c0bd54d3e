"""The reminder preferences page over HTTP: signed out → the sign-in page; a customer reads
and changes only their own choices (the session decides whose); a required notice cannot be
switched off; bad input is refused in the visitor's language and writes nothing."""

from __future__ import annotations

import re

import httpx

from tests.e2e.test_lines_me_http import BOBUR, DILNOZA, Site, site  # noqa: F401 - the fixture
from tests.integration.test_reminders import database_url  # noqa: F401 - SQLite is enough here
from yagona.identity import service as identity
from yagona.reminders import service as reminders
from yagona.reminders.schemas import Preferences

PAGE = "/account/reminders"


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def prefs(site: Site, phone: str) -> Preferences:  # noqa: F811
    with site.container.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=phone)
        assert holder is not None
        return reminders.preferences(uow, customer_id=holder.id)


def test_signed_out_the_page_sends_to_sign_in_and_writes_nothing(site: Site) -> None:  # noqa: F811
    browser = site.client()
    assert browser.get(PAGE).headers["location"] == "/login?next=/account/reminders"
    posted = browser.post(PAGE, data={"order": "sms", "marketing": "yes"})
    assert posted.status_code in (303, 403)
    assert posted.status_code == 403 or posted.headers["location"] == "/login?next=/account/reminders"
    assert prefs(site, DILNOZA).channels == ("push", "sms")


def test_a_customer_changes_only_their_own_choices(site: Site) -> None:  # noqa: F811
    me = site.signed_in_by_sms(DILNOZA)
    page = me.get(PAGE + "?lang=en")
    assert page.status_code == 200
    assert "The monthly fee is due tomorrow and the balance is short" in page.text
    assert "required: always sent" in page.text  # the dormancy notice
    token = _token(page)
    assert me.post(PAGE, data={"order": "sms"}).status_code == 403  # no form token
    kept = ["line-fee-due", "wallet-light-limit", "wallet-dormancy"]  # a required one ticked or not, it stays on
    saved = me.post(PAGE, data={"order": "sms", "on": kept, "marketing": "yes", "csrf_token": token})
    assert saved.status_code == 303 and saved.headers["location"] == PAGE
    mine = prefs(site, DILNOZA)
    assert mine.channels == ("sms",) and mine.marketing_opt_in
    assert set(mine.opted_out) == {"line-bundle-80", "line-promo-ends", "points-expiring", "home-fee-due", "offer-made"}
    assert "wallet-dormancy" not in mine.opted_out and "home-suspended" not in mine.opted_out
    shown = me.get(PAGE + "?lang=en").text
    assert 'value="line-bundle-80">' in shown and 'value="line-fee-due" checked>' in shown
    # Bobur's page and choices are his own: nothing of Dilnoza's.
    his = site.signed_in_by_sms(BOBUR).get(PAGE + "?lang=en")
    assert 'value="line-bundle-80" checked>' in his.text
    assert prefs(site, BOBUR).channels == ("push", "sms") and not prefs(site, BOBUR).marketing_opt_in


def test_bad_input_is_refused_in_the_visitors_language_and_writes_nothing(site: Site) -> None:  # noqa: F811
    me = site.signed_in_by_sms(DILNOZA)
    token = _token(me.get(PAGE))
    refused = me.post(PAGE + "?lang=ru", data={"order": "fax", "on": ["line-fee-due"], "csrf_token": token})
    assert refused.status_code == 422 and "Настройки не сохранены" in refused.text
    assert prefs(site, DILNOZA).channels == ("push", "sms") and prefs(site, DILNOZA).opted_out == ()

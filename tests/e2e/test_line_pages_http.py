"""A line's pages and the catalogue's over a real socket: the usage filtered by kind, the
change of plan with the rule's answer before confirming, reload, promos on and off, the open
catalogue with filters and a comparison — and the refusals: signed out (to /login), another
customer's line (the 404 page), a form without its CSRF token (403), a bad plan (translated,
nothing written)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.e2e.test_cabinet_pages import STAFF, Site, sign_in_by_code, token
from tests.factories.identity import context, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.kernel.clock import SystemClock
from yagona.platform.settings import Settings

AZIZ, BOBUR = "998901234567", "998901112233"  # AZIZ on Lider Start, BOBUR on Ustoz Start


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        staff = httpx.Client(base_url=url, headers=STAFF, timeout=10)
        site.opened.append(staff)
        for msisdn, plan in ((AZIZ, "lider-start"), (BOBUR, "ustoz-start")):
            with container.uow() as uow:
                customer(uow, app.state.identity, msisdn)
                uow.commit()
            made = staff.post("/api/v1/lines", json={"msisdn": msisdn, "plan": plan, "deposit": 200_000})
            assert made.status_code == 201, made.text
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def signed_in(site: Site, phone: str, language: str = "en") -> httpx.Client:
    browser = site.client(language)
    assert sign_in_by_code(site, browser, phone).status_code == 303
    browser.get(f"/?lang={language}")  # the customer's choice (their profile says Uzbek)
    return browser


def usage_rows(page: httpx.Response) -> int:
    """The rows of the usage table (head included), not of the top-ups below it."""
    usage = page.text.split('id="usage-title"', 1)[1].split('id="topups-title"', 1)[0]
    return usage.count("<tr>")


def text_of(page: httpx.Response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text)).replace("\u00a0", " ")


def balance(site: Site, msisdn: str) -> int:
    with httpx.Client(base_url=site.url, headers=STAFF, timeout=10) as staff:
        answer = staff.get(f"/api/v1/lines/{msisdn}")
        assert answer.status_code == 200, answer.text
        return int(answer.json()["balance"])


def plan_of(site: Site, msisdn: str) -> str:
    with httpx.Client(base_url=site.url, headers=STAFF, timeout=10) as staff:
        return str(staff.get(f"/api/v1/lines/{msisdn}").json()["plan"])


def test_the_usage_is_filtered_by_kind_and_the_pages_keep_the_filter(site: Site) -> None:
    staff = site.client()
    staff.headers.update(STAFF)
    for i in range(23):
        sms = {"id": f"sms-{i}", "msisdn": AZIZ, "type": "sms", "to": "998931234567"}
        assert staff.post("/api/v1/usage", json=sms).status_code == 201
    call = {"id": "call-1", "msisdn": AZIZ, "type": "voice", "to": "998931234567", "seconds": 61}
    assert staff.post("/api/v1/usage", json=call).status_code == 201
    browser = signed_in(site, AZIZ)
    calls = browser.get(f"/lines/{AZIZ}?kind=voice")
    assert calls.status_code == 200 and usage_rows(calls) == 2  # the head and the call
    assert '<option value="voice" selected>' in calls.text
    texts = browser.get(f"/lines/{AZIZ}?kind=sms")
    assert usage_rows(texts) == 21
    older = re.search(r'href="(/lines/\d+\?before=\d+&amp;kind=sms)"', texts.text)
    assert older, "the next page keeps the filter"
    rest = browser.get(html.unescape(older.group(1)))
    assert rest.status_code == 200 and usage_rows(rest) == 4  # the head and three more SMS
    assert usage_rows(browser.get(f"/lines/{AZIZ}?kind=data")) == 0
    assert "No usage of this kind." in browser.get(f"/lines/{AZIZ}?kind=data").text
    assert browser.get(f"/lines/{AZIZ}?kind=fax").status_code == 422
    line = browser.get(f"/lines/{AZIZ}")
    assert f'href="/wallet/pay?provider=mobile&amp;account={AZIZ}"' in line.text
    assert f'href="/pay/line/{AZIZ}"' in line.text
    assert f'href="/lines/{AZIZ}/plan?to=lider-plus"' in line.text


def test_the_change_of_plan_shows_the_rule_s_answer_then_switches(site: Site) -> None:
    browser = signed_in(site, AZIZ)
    before = balance(site, AZIZ)
    quote = browser.get(f"/lines/{AZIZ}/plan?to=lider-plus")
    assert quote.status_code == 200
    shown = text_of(quote)
    assert "Lider Start" in shown and "Lider Plus" in shown and "Minutes" in shown
    assert "Charged now" in shown and "55,000 so'm" in shown and "105,000 so'm" in shown  # the fee, the balance after
    assert balance(site, AZIZ) == before and plan_of(site, AZIZ) == "lider-start"  # the answer wrote nothing
    done = browser.post(f"/lines/{AZIZ}/plan", data={"to": "lider-plus", "csrf_token": token(quote)})
    assert done.status_code == 303 and done.headers["location"] == f"/lines/{AZIZ}"
    line = browser.get(f"/lines/{AZIZ}")
    assert "Your line is now on Lider Plus: 55,000 so'm charged." in text_of(line)
    assert "Plan: Lider Plus" in text_of(line)
    assert balance(site, AZIZ) == before - 55_000


def test_a_refused_or_unknown_plan_is_said_in_the_visitor_s_language_and_writes_nothing(site: Site) -> None:
    browser = signed_in(site, AZIZ, "ru")
    before = balance(site, AZIZ)
    other_group = browser.get(f"/lines/{AZIZ}/plan?to=ustoz-profi")
    assert other_group.status_code == 200 and "Переход на этот тариф невозможен" in other_group.text
    assert 'action="/lines/' + AZIZ + '/plan"' not in other_group.text  # no confirm button
    unknown = browser.get(f"/lines/{AZIZ}/plan?to=no-such-plan")
    assert unknown.status_code == 404 and '<html lang="ru">' in unknown.text
    form = token(browser.get(f"/lines/{AZIZ}"))
    for to, status in (("no-such-plan", 404), ("ustoz-profi", 409), ("lider-start", 422)):
        refused = browser.post(f"/lines/{AZIZ}/plan", data={"to": to, "csrf_token": form})
        assert refused.status_code == status and '<html lang="ru">' in refused.text, (to, refused.status_code)
    assert balance(site, AZIZ) == before and plan_of(site, AZIZ) == "lider-start"


def test_reload_and_promos_answer_as_a_flash(site: Site) -> None:
    browser = signed_in(site, BOBUR)
    line = browser.get(f"/lines/{BOBUR}")
    assert "Reload now" in line.text and "Beeline Music" in line.text
    before = balance(site, BOBUR)
    reloaded = browser.post(f"/lines/{BOBUR}/reload", data={"csrf_token": token(line)})
    assert reloaded.status_code == 303
    line = browser.get(f"/lines/{BOBUR}")
    assert "Reloaded: 35,000 so'm charged" in text_of(line)
    assert balance(site, BOBUR) == before - 35_000

    on = browser.post(
        f"/lines/{BOBUR}/promos", data={"promo": "beeline-music-promo", "switch": "on", "csrf_token": token(line)}
    )
    assert on.status_code == 303
    line = browser.get(f"/lines/{BOBUR}")
    assert "Beeline Music is on: free until" in text_of(line) and "Switch off Beeline Music" in line.text
    off = browser.post(
        f"/lines/{BOBUR}/promos", data={"promo": "beeline-music-promo", "switch": "off", "csrf_token": token(line)}
    )
    assert off.status_code == 303
    line = browser.get(f"/lines/{BOBUR}")
    assert "Beeline Music is off." in text_of(line) and "Switch on Beeline Music" not in line.text  # once per number

    # A refusal of the service is a flash too, in the visitor's language, nothing written.
    poor = signed_in(site, AZIZ, "ru")
    page = poor.get(f"/lines/{AZIZ}")
    for _ in range(4):  # 160 000 so'm less four fees of 35 000: 20 000 left, short of the 40 000 a reload needs
        assert poor.post(f"/lines/{AZIZ}/reload", data={"csrf_token": token(page)}).status_code == 303
        page = poor.get(f"/lines/{AZIZ}")
    left = balance(site, AZIZ)
    refused = poor.post(f"/lines/{AZIZ}/reload", data={"csrf_token": token(page)})
    assert refused.status_code == 303
    assert "На балансе должно быть не менее" in text_of(poor.get(f"/lines/{AZIZ}"))  # noqa: RUF001
    assert balance(site, AZIZ) == left == 20_000


def test_a_signed_out_visitor_is_sent_to_sign_in_and_plans_are_public(site: Site) -> None:
    visitor = site.client()
    for path in (f"/lines/{AZIZ}?kind=sms", f"/lines/{AZIZ}/plan?to=lider-plus"):
        answer = visitor.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
    form = token(visitor.get("/login"))
    for path, data in (
        (f"/lines/{AZIZ}/reload", {}),
        (f"/lines/{AZIZ}/promos", {"promo": "beeline-music-promo", "switch": "on"}),
        (f"/lines/{AZIZ}/plan", {"to": "lider-plus"}),
    ):
        answer = visitor.post(path, data={**data, "csrf_token": form})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
    plans = visitor.get("/plans")
    assert plans.status_code == 200 and "Lider Start" in plans.text and "/plan?to=" not in plans.text
    assert "Business Pro" not in plans.text  # archive plans are not offered


def test_another_customer_s_line_is_the_404_page_and_nothing_is_written(site: Site) -> None:
    bobur = signed_in(site, BOBUR)
    form = token(bobur.get(f"/lines/{BOBUR}"))
    before = balance(site, AZIZ)
    pages = [bobur.get(f"/lines/{AZIZ}/plan?to=lider-plus"), bobur.get("/lines/998909999999/plan?to=lider-plus")]
    for path, data in (
        (f"/lines/{AZIZ}/reload", {}),
        (f"/lines/{AZIZ}/promos", {"promo": "beeline-music-promo", "switch": "on"}),
        (f"/lines/{AZIZ}/plan", {"to": "lider-plus"}),
    ):
        pages.append(bobur.post(path, data={**data, "csrf_token": form}))
    for page in pages:
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert "+998 90 123 45 67" not in text_of(page)
    mains = [re.search(r"<main.*</main>", p.text, re.S) for p in pages[:2]]
    assert mains[0] and mains[1] and mains[0].group(0) == mains[1].group(0)
    assert balance(site, AZIZ) == before and plan_of(site, AZIZ) == "lider-start"


def test_a_form_without_its_token_is_refused_and_writes_nothing(site: Site) -> None:
    browser = signed_in(site, BOBUR)
    before = balance(site, BOBUR)
    for path, data in (
        (f"/lines/{BOBUR}/reload", {}),
        (f"/lines/{BOBUR}/promos", {"promo": "beeline-music-promo", "switch": "on"}),
        (f"/lines/{BOBUR}/plan", {"to": "ustoz-profi"}),
    ):
        assert browser.post(path, data=data).status_code == 403, path
    assert balance(site, BOBUR) == before and plan_of(site, BOBUR) == "ustoz-start"
    assert "Beeline Music is on" not in text_of(browser.get(f"/lines/{BOBUR}"))


def test_the_catalogue_filters_and_compares_plans(site: Site) -> None:
    visitor = site.client("en")
    lider = visitor.get("/plans?group=lider&fee_max=60000&internet=1")
    assert lider.status_code == 200
    assert "Lider Start" in lider.text and "Lider Plus" in lider.text and "Lider Pro" not in lider.text
    assert "Plans found: 2" in lider.text and "Ustoz" not in re.sub(r"<select.*?</select>", "", lider.text, flags=re.S)
    assert visitor.get("/plans?fee_max=lots").status_code == 422
    assert visitor.get("/plans?group=nope").status_code == 422
    three = visitor.get("/plans/compare?plan=lider-start&plan=lider-plus&plan=ustoz-profi")
    assert three.status_code == 200
    shown = text_of(three)
    assert "35,000 so'm" in shown and "55,000 so'm" in shown and "70,000 so'm" in shown and "10 GB" in shown
    assert visitor.get("/plans/compare?plan=lider-start").status_code == 422
    assert "Choose two or three plans" in visitor.get("/plans/compare").text
    assert visitor.get("/plans/compare?plan=lider-start&plan=nope").status_code == 404
    assert visitor.get("/plans/compare?plan=a&plan=b&plan=c&plan=d&plan=e").status_code == 422

    aziz = signed_in(site, AZIZ)
    plans = aziz.get("/plans")
    assert f'href="/lines/{AZIZ}/plan?to=lider-plus"' in plans.text
    assert "Switch +998 90 123 45 67 to Lider Plus" in text_of(plans)
    compared = aziz.get("/plans/compare?plan=lider-start&plan=lider-max")
    assert f'href="/lines/{AZIZ}/plan?to=lider-max"' in compared.text

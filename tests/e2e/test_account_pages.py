"""The customer's account pages over a real socket: security (sessions, the authenticator
app, the password), the profile (documents, offers, language — applied on every device),
"report unauthorised access", and the national OneID's way back to a page. And the
refusals: a signed-out visitor (to /login), another customer's session (404, nothing
ended), a form without its CSRF token (403), a wrong code, a weak password."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from sqlalchemy import Engine, select, update

from tests.e2e.server import serving
from tests.factories.identity import PASSWORD, context, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.identity.models import Consent, Customer, Phone, SignInSession
from yagona.kernel.clock import SimulatedClock, SystemClock
from yagona.platform.settings import Settings

PAGE = {"Accept": "text/html"}
DILNOZA, BOBUR = "998901234567", "998901112233"


@dataclass
class Site:
    url: str
    container: Container
    clock: SimulatedClock
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self, language: str = "uz") -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=10, headers={**PAGE, "Accept-Language": language})
        self.opened.append(client)
        return client

    def customer(self, phone: str) -> Customer:
        with self.container.uow() as uow:
            row = uow.session.scalars(
                select(Customer).join(Phone, Phone.customer_id == Customer.id).where(Phone.phone == phone)
            ).one()
            uow.session.expunge(row)
            return row

    def live_sessions(self, phone: str) -> list[str]:
        owner = self.customer(phone).id
        with self.container.uow() as uow:
            rows = uow.session.scalars(
                select(SignInSession.id).where(SignInSession.customer_id == owner, SignInSession.revoked_at.is_(None))
            ).all()
            return list(rows)


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    # From the real time (authenticator codes), moved on by the test when it must.
    clock = SimulatedClock(SystemClock().now())
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(
            settings,
            issuer=url,
            oneid_endpoint=f"{url}/oneid-simulator/sso/oauth/Authorization.do",
            oneid_redirect_uri=f"{url}/api/v1/auth/oneid/callback",
        )
        with container.uow() as uow:
            customer(uow, app.state.identity, DILNOZA)
            customer(uow, app.state.identity, BOBUR)
            uow.commit()
        site = Site(url, container, clock)
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def hidden(page: httpx.Response, name: str) -> str:
    found = re.findall(rf'name="{name}" value="([^"]*)"', page.text)
    assert found, f"no hidden {name}"
    return html.unescape(found[-1])


def sign_in(browser: httpx.Client, phone: str = DILNOZA, *, english: bool = False) -> httpx.Response:
    form = {"phone": phone, "password": PASSWORD, "csrf_token": token(browser.get("/login"))}
    signed = browser.post("/login", data=form)
    if english and signed.status_code == 303:
        browser.get("/account/profile?lang=en")  # the profile's language (Uzbek) until then
    return signed


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(site: Site) -> None:
    browser = site.client()
    for page in ("/account/security", "/account/profile", "/account/report"):
        answer = browser.get(page)
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={page}"
    login = browser.get("/login?next=/account/security")
    assert 'name="next" value="/account/security"' in login.text
    for hostile in ("//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example"):
        assert 'name="next" value="/"' in browser.get("/login", params={"next": hostile}).text
    back = browser.post(
        "/login", data={"phone": DILNOZA, "password": PASSWORD, "next": "/account/security", "csrf_token": token(login)}
    )
    assert back.headers["location"] == "/account/security"
    # A form posted without a session (but with its token) signs nobody's data: to /login.
    stranger = site.client()
    refused = stranger.post("/account/report", data={"csrf_token": token(stranger.get("/login"))})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert len(site.live_sessions(DILNOZA)) == 1


def test_sessions_end_one_end_others_never_another_customers(site: Site) -> None:
    phone, laptop, bobur = site.client(), site.client(), site.client()
    for browser, who in ((phone, DILNOZA), (laptop, DILNOZA), (bobur, BOBUR)):
        assert sign_in(browser, who).status_code == 303
    page = phone.get("/account/security")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert page.text.count("/end") == 3 and "Shu qurilma" in page.text  # two sessions and "end every other"
    boburs = site.live_sessions(BOBUR)[0]
    stolen = phone.post(f"/account/security/sessions/{boburs}/end", data={"csrf_token": token(page)})
    assert stolen.status_code == 404 and "text/html" in stolen.headers["content-type"]
    assert site.live_sessions(BOBUR) == [boburs]  # nothing ended
    missing = phone.post("/account/security/sessions/no-such-session/end", data={"csrf_token": token(page)})
    assert missing.status_code == 404 and missing.text == stolen.text.replace(token(stolen), token(missing))
    unsigned = phone.post(f"/account/security/sessions/{site.live_sessions(DILNOZA)[0]}/end")
    assert unsigned.status_code == 403 and len(site.live_sessions(DILNOZA)) == 2  # no CSRF token
    others = phone.post("/account/security/sessions/others/end", data={"csrf_token": token(page)})
    assert others.status_code == 303 and others.headers["location"] == "/account/security"
    assert len(site.live_sessions(DILNOZA)) == 1
    assert laptop.get("/account/security").status_code == 303  # signed out there
    assert "Boshqa barcha seanslar yakunlandi." in phone.get("/account/security").text
    # Ending this device's own session signs it out.
    mine = site.live_sessions(DILNOZA)[0]
    own = phone.post(f"/account/security/sessions/{mine}/end", data={"csrf_token": token(page)})
    assert own.status_code == 303 and own.headers["location"] == "/login" and site.live_sessions(DILNOZA) == []


def test_the_authenticator_app_a_wrong_code_then_the_right_one(site: Site) -> None:
    browser = site.client("en")
    assert sign_in(browser, english=True).status_code == 303
    page = browser.get("/account/security")
    missing = browser.post("/account/security/totp")
    assert missing.status_code == 403
    begun = browser.post("/account/security/totp", data={"csrf_token": token(page)})
    assert begun.status_code == 200 and 'src="data:image/svg+xml' in begun.text and "<style" not in begun.text
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', begun.text)
    assert secret
    totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
    right = totp.at(site.clock.now())
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    form = {"setup_token": hidden(begun, "setup_token"), "csrf_token": token(begun)}
    refused = browser.post("/account/security/totp/confirm", data={**form, "code": wrong})
    assert refused.status_code == 401 and 'role="alert"' in refused.text and 'name="setup_token"' in refused.text
    assert not site.customer(DILNOZA).totp_enabled
    done = browser.post("/account/security/totp/confirm", data={**form, "code": right})
    assert done.status_code == 303 and site.customer(DILNOZA).totp_enabled
    assert "The authenticator app is on" in browser.get("/account/security").text
    # Signing in now asks for its code.
    other = site.client("en")
    asked = sign_in(other)
    assert asked.status_code == 401 and 'name="totp"' in asked.text and "yagona_session" not in other.cookies
    # Off again, with a code of a later step (each step is accepted once).
    site.clock.advance_by(timedelta(seconds=30))
    off = browser.post(
        "/account/security/totp/remove", data={"code": totp.at(site.clock.now()), "csrf_token": token(page)}
    )
    assert off.status_code == 303 and not site.customer(DILNOZA).totp_enabled


def test_the_authenticator_needs_a_recent_sign_in(site: Site) -> None:
    browser = site.client("en")
    assert sign_in(browser, english=True).status_code == 303
    site.clock.advance_by(timedelta(minutes=6))
    page = browser.get("/account/security")
    stale = browser.post("/account/security/totp", data={"csrf_token": token(page)})
    assert stale.status_code == 401 and "sign in again before changing credentials" in stale.text
    assert 'href="/login?next=/account/security"' in stale.text and "totp-secret" not in stale.text
    again = browser.post(
        "/login",
        data={"phone": DILNOZA, "password": PASSWORD, "next": "/account/security", "csrf_token": token(stale)},
    )
    assert again.headers["location"] == "/account/security"
    fresh = browser.post("/account/security/totp", data={"csrf_token": token(browser.get("/account/security"))})
    assert fresh.status_code == 200 and "totp-secret" in fresh.text


def test_the_password_weak_wrong_then_changed(site: Site) -> None:
    browser, laptop = site.client("ru"), site.client("ru")
    assert sign_in(browser).status_code == 303 and sign_in(laptop).status_code == 303
    page = browser.get("/account/security")
    before = site.customer(DILNOZA).password_hash
    weak = browser.post(
        "/account/security/password",
        data={"current_password": PASSWORD, "new_password": "aaaa", "csrf_token": token(page)},
    )
    assert weak.status_code == 422 and 'role="alert"' in weak.text and '<html lang="uz">' in weak.text
    wrong = browser.post(
        "/account/security/password",
        data={"current_password": "not-it-at-all", "new_password": "Yangi-parol-2027", "csrf_token": token(page)},
    )
    assert wrong.status_code == 401 and site.customer(DILNOZA).password_hash == before
    changed = browser.post(
        "/account/security/password",
        data={"current_password": PASSWORD, "new_password": "Yangi-parol-2027", "csrf_token": token(page)},
    )
    assert changed.status_code == 303 and site.customer(DILNOZA).password_hash != before
    assert len(site.live_sessions(DILNOZA)) == 1 and laptop.get("/account/profile").status_code == 303


def test_the_language_lives_in_the_profile_and_follows_the_customer(site: Site) -> None:
    browser = site.client("en")
    assert sign_in(browser).status_code == 303
    assert '<html lang="uz">' in browser.get("/account/profile").text  # the profile's, not Accept-Language
    profile = browser.get("/account/profile")
    assert "Dilnoza Alimova" in profile.text and "+998 90 123 45 67" in html.unescape(profile.text)
    assert "2026-01" in profile.text  # the documents accepted, with their version
    chosen = browser.post("/account/profile/language", data={"lang": "ru", "csrf_token": token(profile)})
    assert chosen.status_code == 303 and site.customer(DILNOZA).language == "ru"
    # Another device, another Accept-Language, no language cookie: Russian once signed in.
    elsewhere = site.client("en")
    assert '<html lang="en">' in elsewhere.get("/login").text
    assert sign_in(elsewhere).status_code == 303
    assert '<html lang="ru">' in elsewhere.get("/account/security").text
    # ?lang= changes it (and the profile); so does the layout's language form.
    assert '<html lang="en">' in elsewhere.get("/account/profile?lang=en").text
    assert site.customer(DILNOZA).language == "en"
    # A browser keeps its own choice (its cookie): the first device still speaks Russian.
    page = browser.get("/account/profile")
    assert '<html lang="ru">' in page.text
    switched = browser.post("/language", data={"lang": "uz", "next": "/account/profile", "csrf_token": token(page)})
    assert switched.status_code == 303 and site.customer(DILNOZA).language == "uz"
    assert '<html lang="uz">' in browser.get("/account/profile").text
    # A third device with no choice of its own follows the profile.
    third = site.client("en")
    assert sign_in(third).status_code == 303
    assert '<html lang="uz">' in third.get("/account/security").text
    # A bad language is refused, nothing written.
    bad = browser.post("/account/profile/language", data={"lang": "fr", "csrf_token": token(page)})
    assert bad.status_code == 422 and site.customer(DILNOZA).language == "uz"


def test_offers_and_documents(site: Site) -> None:
    browser = site.client("en")
    assert sign_in(browser, english=True).status_code == 303
    page = browser.get("/account/profile")
    assert "You have accepted the versions in force." in page.text
    on = browser.post("/account/profile/marketing", data={"opt_in": "yes", "csrf_token": token(page)})
    assert on.status_code == 303 and site.customer(DILNOZA).marketing_opt_in
    assert "Stop offers" in browser.get("/account/profile").text
    off = browser.post("/account/profile/marketing", data={"opt_in": "no", "csrf_token": token(page)})
    assert off.status_code == 303 and not site.customer(DILNOZA).marketing_opt_in
    # She accepted an older offer: the page names the version in force and takes her acceptance.
    owner = site.customer(DILNOZA).id
    with site.container.uow() as uow:
        uow.session.execute(
            update(Consent).where(Consent.customer_id == owner, Consent.document == "offer").values(version="2025-01")
        )
        uow.commit()
    older = browser.get("/account/profile")
    assert "New versions are in force:" in older.text and "Public offer 2026-01" in older.text
    assert browser.post("/account/profile/documents").status_code == 403
    accepted = browser.post("/account/profile/documents", data={"csrf_token": token(older)})
    assert accepted.status_code == 303
    page = browser.get("/account/profile")
    assert "You have accepted the documents in force." in page.text and "New versions" not in page.text
    assert page.text.count("2025-01") == 1 and page.text.count("2026-01") == 3  # the history stays


def test_report_unauthorised_access_signs_out_everywhere(site: Site) -> None:
    phone, laptop = site.client("en"), site.client("en")
    assert sign_in(phone, english=True).status_code == 303 and sign_in(laptop).status_code == 303
    confirm = phone.get("/account/report")
    assert confirm.status_code == 200 and "Sign out everywhere now" in confirm.text
    assert phone.post("/account/report").status_code == 403 and len(site.live_sessions(DILNOZA)) == 2
    done = phone.post("/account/report", data={"csrf_token": token(confirm)})
    assert done.status_code == 303 and done.headers["location"] == "/account/report/done"
    assert site.live_sessions(DILNOZA) == [] and "yagona_session" not in phone.cookies
    shown = phone.get("/account/report/done")
    assert "You are signed out everywhere" in shown.text and "What to do next" in shown.text
    assert laptop.get("/account/security").status_code == 303


def test_the_oneid_button_verifies_then_signs_in(site: Site) -> None:
    browser = site.client("en")
    assert 'href="/api/v1/auth/oneid/start"' in browser.get("/login").text
    # Signed out, a person linked to no profile: back to the sign-in page, told why.
    hop = browser.get("/api/v1/auth/oneid/start")
    back = browser.get(hop.headers["location"])
    done = browser.get(back.headers["location"])
    assert done.status_code == 303 and done.headers["location"] == "/login/oneid/done?error=registration_required"
    told = browser.get(done.headers["location"])
    assert told.headers["location"] == "/login" and "No profile is linked" in browser.get("/login").text
    # Signed in: the profile's button verifies the identity.
    assert sign_in(browser, english=True).status_code == 303
    profile = browser.get("/account/profile")
    assert "Verify with OneID" in profile.text
    hop = browser.get("/api/v1/auth/oneid/start")
    state = parse_qs(urlsplit(hop.headers["location"]).query)["state"][0]
    back = browser.get(hop.headers["location"])
    assert state in back.headers["location"]
    done = browser.get(back.headers["location"])
    assert done.headers["location"] == "/login/oneid/done?result=verified"
    assert browser.get(done.headers["location"]).headers["location"] == "/account/profile"
    verified = browser.get("/account/profile")
    assert "Your identity has been verified with OneID." in verified.text and "Verify with OneID" not in verified.text
    # A forged "verified" for an unverified profile says nothing of the kind.
    bobur = site.client("en")
    assert sign_in(bobur, BOBUR, english=True).status_code == 303
    bobur.get("/login/oneid/done?result=verified")
    assert "verified with OneID" not in bobur.get("/account/profile").text.replace("Verify with OneID", "")
    # Signed out, OneID now signs Dilnoza in.
    fresh = site.client("en")
    hop = fresh.get("/api/v1/auth/oneid/start")
    done = fresh.get(fresh.get(hop.headers["location"]).headers["location"])
    assert done.headers["location"] == "/login/oneid/done?result=signed_in" and "yagona_session" in fresh.cookies
    assert fresh.get(done.headers["location"]).headers["location"] == "/"

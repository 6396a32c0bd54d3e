"""The customer's own lines over a real socket (`/api/v1/me/lines`), SQLite and PostgreSQL:
signed in to One ID by an SMS code read from the dev outbox (a session cookie), or by an OIDC
access token (code + PKCE) carrying the scopes `mobile` / `mobile:manage`. Every endpoint is
attacked: no credential (401), another customer's session (403, the same answer whether the
line exists or not), a token without `mobile:manage` (403 on changes)."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.factories.identity import context, customer, last_code
from tests.factories.staff import sign_in_console
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.identity.schemas import ServiceKind
from yagona.kernel.clock import SystemClock
from yagona.platform.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

STAFF = {"X-Api-Key": "test-staff-key"}
DILNOZA, BOBUR = "998901234567", "998901112233"  # two customers, each with the line on their phone
SECOND = "998901000002"  # a second line, linked to Dilnoza's profile by staff after her SMS proof
STRANGER = "998901000003"  # a line nobody here owns
NOBODY = "998909999999"  # no such line
CALLBACK = "http://127.0.0.1:9/callback"

ENDPOINTS: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/v1/me/lines/{m}", None),
    ("GET", "/api/v1/me/lines/{m}/usage", None),
    ("GET", "/api/v1/me/lines/{m}/ussd?code=*100%23", None),
    ("GET", "/api/v1/me/lines/{m}/promos", None),
    ("POST", "/api/v1/me/lines/{m}/plan", {"plan": "lider-plus"}),
    ("POST", "/api/v1/me/lines/{m}/reload", None),
    ("POST", "/api/v1/me/lines/{m}/promos/beeline-tv-promo", None),
    ("DELETE", "/api/v1/me/lines/{m}/promos/beeline-tv-promo", None),
]


@dataclass
class Site:
    url: str
    container: Container
    app_state: object
    opened: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs: object) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=10, **kwargs)  # type: ignore[arg-type]
        self.opened.append(client)
        return client

    def staff(self) -> httpx.Client:
        return self.client(headers=STAFF)

    def console(self, login: str) -> httpx.Client:
        """A browser signed in to the staff console as `login` (password + authenticator), in English."""
        browser = self.client(headers={"Accept": "text/html", "Accept-Language": "en"})
        sign_in_console(browser, login=login, clock=self.container.clock)
        return browser

    def signed_in_by_sms(self, phone: str) -> httpx.Client:
        """A browser signed in with the code the dev outbox shows: it holds the session cookie."""
        browser = self.client()
        sent = browser.post("/api/v1/auth/otp", json={"phone": phone})
        assert sent.status_code == 202, sent.text
        with self.container.uow() as uow:
            code = last_code(uow, self.app_state.identity, phone)  # type: ignore[attr-defined]
        signed = browser.post(
            "/api/v1/auth/otp/verify", json={"phone": phone, "code": code, "request_id": sent.json()["request_id"]}
        )
        assert signed.status_code == 200, signed.text
        return browser

    def bearer(self, browser: httpx.Client, scope: str) -> httpx.Client:
        """An access token for `scope`, by the authorization code flow with PKCE."""
        from yagona.identity import oidc
        from yagona.identity.schemas import ClientCreate

        with self.container.uow() as uow:
            created = oidc.add_client(
                uow,
                client=ClientCreate(
                    name="Operator app",
                    redirect_uris=[CALLBACK],
                    first_party=True,
                    scopes=["openid", "phone", "mobile", "mobile:manage"],
                ),
            )
            uow.commit()
        secret = created.client_secret.get_secret_value() if created.client_secret else None
        rp = OAuth2Client(
            created.client.client_id,
            secret,
            scope=scope,
            redirect_uri=CALLBACK,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )
        try:
            config = httpx.get(f"{self.url}/.well-known/openid-configuration").json()
            verifier = secrets.token_urlsafe(48)
            uri, _ = rp.create_authorization_url(
                config["authorization_endpoint"], code_verifier=verifier, nonce=secrets.token_urlsafe(16)
            )
            answer = browser.get(uri)
            assert answer.status_code == 302, answer.text
            token = rp.fetch_token(
                config["token_endpoint"], authorization_response=answer.headers["location"], code_verifier=verifier
            )
        finally:
            rp.close()
        return self.client(headers={"Authorization": f"Bearer {token['access_token']}"})


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    # The system clock: ID tokens and sessions are checked against the real time.
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            customer(uow, app.state.identity, DILNOZA)
            customer(uow, app.state.identity, BOBUR)
            uow.commit()
        staff = site.staff()
        for msisdn, plan in ((DILNOZA, "lider-start"), (BOBUR, "lider-start"), (SECOND, "ustoz-start")):
            made = staff.post("/api/v1/lines", json={"msisdn": msisdn, "plan": plan, "deposit": 200_000})
            assert made.status_code == 201, made.text
        made = staff.post("/api/v1/lines", json={"msisdn": STRANGER, "plan": "lider-start", "deposit": 50_000})
        assert made.status_code == 201, made.text
        _link(container, DILNOZA, SECOND)
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def _link(container: Container, owner_phone: str, msisdn: str) -> None:
    from yagona.identity import service as identity

    with container.uow() as uow:
        owner = identity.find_customer_by_phone(uow, phone=owner_phone)
        assert owner is not None
        identity.link_service(uow, customer_id=owner.id, kind=ServiceKind.MOBILE, reference=msisdn)
        uow.commit()


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    code: str = response.json()["code"]
    return code


def test_a_customer_sees_and_uses_their_lines_with_a_session(site: Site) -> None:
    staff = site.staff()
    for i, to in enumerate(("998931234567", "998931234567")):
        record = {"id": f"cdr-{i}", "msisdn": DILNOZA, "type": "voice", "to": to, "seconds": 61}
        assert staff.post("/api/v1/usage", json=record).status_code == 201
    staff.post("/api/v1/usage", json={"id": "sms-1", "msisdn": DILNOZA, "type": "sms", "to": "998931234567"})
    me = site.signed_in_by_sms(DILNOZA)

    mine = me.get("/api/v1/me/lines")
    assert mine.status_code == 200, mine.text
    assert [line["msisdn"] for line in mine.json()] == [SECOND, DILNOZA]  # linked, and connected on her phone
    line = me.get(f"/api/v1/me/lines/{DILNOZA}").json()
    assert line["plan"] == "lider-start" and line["status"] == "active"
    assert line["balance"] == 160_000 and line["next_charge"] == 35_000
    assert line["next_charge_at"].endswith("T00:00:00+05:00")
    assert line["bundles"]["minutes"] == 3000 and line["bundles"]["welcome_minutes"] == 496

    page = me.get(f"/api/v1/me/lines/{DILNOZA}/usage", params={"limit": 2}).json()
    assert [item["id"] for item in page["items"]] == ["sms-1", "cdr-1"] and page["next_before"]
    rest = me.get(f"/api/v1/me/lines/{DILNOZA}/usage", params={"limit": 2, "before": page["next_before"]}).json()
    assert [item["id"] for item in rest["items"]] == ["cdr-0"] and rest["next_before"] is None
    voice = me.get(f"/api/v1/me/lines/{DILNOZA}/usage", params={"kind": "voice"}).json()["items"]
    assert {item["kind"] for item in voice} == {"voice"} and voice[0]["charged"] == 0
    assert voice[0]["rated_at"].endswith("+05:00")
    assert _problem(me.get(f"/api/v1/me/lines/{DILNOZA}/usage", params={"limit": 101}), 422)

    ussd = me.get(f"/api/v1/me/lines/{DILNOZA}/ussd", params={"code": "*100#"}).json()
    assert ussd["text"].startswith("Balans: 160 000.00 so'm")
    assert _problem(me.get(f"/api/v1/me/lines/{DILNOZA}/ussd", params={"code": "*5#"}), 422) == "invalid_request"

    switched = me.post(f"/api/v1/me/lines/{DILNOZA}/plan", json={"plan": "lider-plus"})
    assert switched.status_code == 200, switched.text
    assert switched.json()["plan"] == "lider-plus" and switched.json()["balance"] == 105_000
    refused = me.post(f"/api/v1/me/lines/{DILNOZA}/plan", json={"plan": "ustoz-start"})
    assert _problem(refused, 409 if refused.status_code == 409 else 422) == "switch_not_allowed"

    promos = me.get(f"/api/v1/me/lines/{SECOND}/promos").json()
    assert {p["promo"]: p["status"] for p in promos}["beeline-tv-promo"] == "available"
    assert me.post(f"/api/v1/me/lines/{SECOND}/promos/beeline-tv-promo").status_code == 201
    assert me.delete(f"/api/v1/me/lines/{SECOND}/promos/beeline-tv-promo").status_code == 204
    promos = me.get(f"/api/v1/me/lines/{SECOND}/promos").json()
    assert {p["promo"]: p["status"] for p in promos}["beeline-tv-promo"] == "off"
    reloaded = me.post(f"/api/v1/me/lines/{SECOND}/reload")
    assert reloaded.status_code == 200, reloaded.text


def test_a_bearer_token_reads_with_mobile_and_changes_only_with_mobile_manage(site: Site) -> None:
    browser = site.signed_in_by_sms(DILNOZA)
    reader = site.bearer(browser, "openid mobile")
    assert reader.get(f"/api/v1/me/lines/{DILNOZA}").json()["msisdn"] == DILNOZA
    assert reader.get(f"/api/v1/me/lines/{DILNOZA}/usage").status_code == 200
    for method, path, body in ENDPOINTS:
        if method == "GET":
            continue
        answer = reader.request(method, path.format(m=DILNOZA), json=body)
        assert _problem(answer, 403) == "insufficient_scope", (method, path)
    assert reader.get(f"/api/v1/me/lines/{DILNOZA}").json()["plan"] == "lider-start"  # nothing changed

    manager = site.bearer(browser, "openid mobile mobile:manage")
    switched = manager.post(f"/api/v1/me/lines/{DILNOZA}/plan", json={"plan": "lider-plus"})
    assert switched.status_code == 200, switched.text
    assert switched.json()["plan"] == "lider-plus"
    assert _problem(manager.get(f"/api/v1/me/lines/{BOBUR}"), 403) == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_nobody_else_gets_in(site: Site, method: str, path: str, body: dict[str, object] | None) -> None:
    anonymous = site.client()
    assert _problem(anonymous.request(method, path.format(m=DILNOZA), json=body), 401) == "unauthenticated"
    staff = site.staff()  # the staff key is not a customer
    assert _problem(staff.request(method, path.format(m=DILNOZA), json=body), 401) == "unauthenticated"

    bobur = site.signed_in_by_sms(BOBUR)
    theirs = bobur.request(method, path.format(m=DILNOZA), json=body)
    missing = bobur.request(method, path.format(m=NOBODY), json=body)
    stranger = bobur.request(method, path.format(m=STRANGER), json=body)
    assert _problem(theirs, 403) == _problem(missing, 403) == _problem(stranger, 403) == "forbidden"
    assert theirs.json()["detail"] == missing.json()["detail"]  # no hint whether a line exists
    with site.container.uow() as uow:
        from yagona.lines import service

        assert service.state(uow, msisdn=DILNOZA).plan == "lider-start"  # nothing changed


def test_the_list_needs_a_customer_and_paths_are_validated(site: Site) -> None:
    assert _problem(site.client().get("/api/v1/me/lines"), 401) == "unauthenticated"
    bobur = site.signed_in_by_sms(BOBUR)
    assert [line["msisdn"] for line in bobur.get("/api/v1/me/lines").json()] == [BOBUR]
    # the staff REST stays staff-only: a customer's session does not open it, not even for their line
    assert _problem(bobur.get(f"/api/v1/lines/{BOBUR}"), 401) == "unauthenticated"
    assert _problem(bobur.post(f"/api/v1/lines/{BOBUR}/unblock"), 401) == "unauthenticated"
    assert bobur.get("/api/v1/me/lines/abc").status_code == 422
    assert bobur.post("/api/v1/me/lines/abc/plan", json={"plan": "lider-plus"}).status_code == 422
    # bodies: unknown fields refused, no coercion
    extra = bobur.post(f"/api/v1/me/lines/{BOBUR}/plan", json={"plan": "lider-plus", "hack": True})
    assert extra.status_code == 422
    assert bobur.post(f"/api/v1/me/lines/{BOBUR}/plan", json={"plan": 7}).status_code == 422

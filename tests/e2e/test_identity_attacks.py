"""One ID attacked over a real socket (issue 8): the OneID callback replayed in another
browser, malformed client credentials, introspection by a stranger client, cross-site
logout, the second factor switched off by a session alone, a line linked without its SMS
code, the cabinet with a bearer token or no credential, and the simulator in production."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from fastapi import FastAPI

from tests.e2e import test_identity_oidc as oidc_e2e
from tests.e2e.server import serving
from tests.e2e.test_identity_oidc import CALLBACK, PHONE, OneId, _browser, _client, _customer
from tests.factories.identity import PASSWORD, customer, last_code
from yagona.identity.schemas import OtpPurpose

one_id = oidc_e2e.one_id  # the server with One ID, a fixture


def _code_flow(one_id: OneId, browser: httpx.Client, client_id: str, secret: str | None, scope: str) -> dict[str, str]:
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": scope,
        "state": "st",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    location = browser.get("/authorize", params=params).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier}
    answer = httpx.post(f"{one_id.url}/oauth/token", data=exchange, auth=(client_id, secret or ""))
    assert answer.status_code == 200, answer.text
    token: dict[str, str] = answer.json()
    return token


def _oneid_callback(one_id: OneId, browser: httpx.Client) -> str:
    """Start a OneID round trip in `browser` and let the simulator approve; the callback URL."""
    start = browser.get("/api/v1/auth/oneid/start")
    assert start.status_code == 302
    assert "yagona_oneid=" in start.headers["set-cookie"] and "httponly" in start.headers["set-cookie"].lower()
    approved = browser.get(start.headers["location"])
    assert approved.status_code == 302
    return str(approved.headers["location"])


def test_a_oneid_answer_is_refused_in_any_browser_but_the_one_that_started_it(one_id: OneId) -> None:
    _customer(one_id)
    with one_id.container.uow() as uow:
        customer(uow, one_id.app_state.identity, "998935550000")  # type: ignore[attr-defined]
        uow.commit()
    # the attacker, signed in to their own account, starts verification and stops at the callback
    attacker = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(attacker)
    assert attacker.post("/api/v1/auth/password", json={"phone": "998935550000", "password": PASSWORD}).is_success
    callback = _oneid_callback(one_id, attacker)
    # ... and makes the victim's browser (signed in, or not, or mid-way through its own round trip) open it
    victim = _browser(one_id)
    stranger = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(stranger)
    _oneid_callback(one_id, stranger)  # a browser with a OneID cookie of its own
    blank = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(blank)
    for browser in (victim, stranger, blank):
        answer = browser.get(callback)
        assert answer.status_code == 400 and answer.json()["code"] == "oneid_state_invalid", answer.text
        assert "yagona_session" not in answer.headers.get("set-cookie", "")
    assert victim.get("/api/v1/me").json()["verification_level"] == "basic"
    # the attacker's own browser may finish its own round trip (the refusals spent nothing)
    own = attacker.get(callback)
    assert own.status_code == 200 and own.json()["customer"]["phones"] == ["998935550000"]
    # signed out: a sign-in round trip finished in another browser signs nobody in
    lurker = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(lurker)
    callback = _oneid_callback(one_id, lurker)
    fresh = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(fresh)
    hijack = fresh.get(callback)
    assert hijack.status_code == 400 and "yagona_session" not in fresh.cookies


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"\xff\xfe:\x80\x81").decode(),  # not UTF-8
        "Basic " + base64.b64encode(b"no-colon-at-all").decode(),
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b":secret-without-id").decode(),
        "Basic",
    ],
)
def test_malformed_basic_credentials_are_invalid_client_not_500(one_id: OneId, authorization: str) -> None:
    for path, form in (
        ("/oauth/token", {"grant_type": "client_credentials"}),
        ("/oauth/revoke", {"token": "x"}),
        ("/oauth/introspect", {"token": "x"}),
    ):
        answer = httpx.post(f"{one_id.url}{path}", data=form, headers={"Authorization": authorization})
        assert answer.status_code == 401, (path, answer.text)
        assert answer.json()["error"] == "invalid_client"


def test_only_the_tokens_client_or_a_resource_server_may_introspect_it(one_id: OneId) -> None:
    _customer(one_id)
    owner_id, owner_secret = _client(one_id)
    other_id, other_secret = _client(one_id)
    api_id, api_secret = _client(one_id)
    token = _code_flow(one_id, _browser(one_id), owner_id, owner_secret, "openid")["access_token"]

    def introspect(client_id: str, secret: str | None) -> dict[str, object]:
        answer = httpx.post(f"{one_id.url}/oauth/introspect", data={"token": token}, auth=(client_id, secret or ""))
        assert answer.status_code == 200
        body: dict[str, object] = answer.json()
        return body

    assert introspect(other_id, other_secret) == {"active": False}
    assert introspect(owner_id, owner_secret)["active"] is True
    ctx = one_id.app_state.identity  # type: ignore[attr-defined]
    ctx.settings = ctx.settings.model_copy(update={"resource_servers": [api_id]})
    assert introspect(api_id, api_secret)["client_id"] == owner_id


def test_logout_without_an_id_token_hint_ends_nothing_until_the_customer_confirms(one_id: OneId) -> None:
    _customer(one_id)
    browser = _browser(one_id)
    # a cross-site image or link: GET without the hint only asks
    asked = browser.get("/oauth/logout")
    assert asked.status_code == 200 and "csrf" in asked.text
    assert browser.get("/api/v1/me").status_code == 200
    # a cross-site form: POST without the hint and without the page's token only asks
    forged = browser.post("/oauth/logout", data={"csrf": "forged"})
    assert forged.status_code == 200 and browser.get("/api/v1/me").status_code == 200
    # a stranger with no session gets a protocol error
    nobody = httpx.get(f"{one_id.url}/oauth/logout")
    assert nobody.status_code == 400 and nobody.json()["error"] == "invalid_request"
    bad_hint = browser.get("/oauth/logout", params={"id_token_hint": "not.a.jwt"})
    assert bad_hint.status_code == 400 and browser.get("/api/v1/me").status_code == 200
    # the confirmation page's own form signs out
    csrf = asked.text.split("name='csrf' value='")[1].split("'")[0]
    done = browser.post("/oauth/logout", data={"csrf": csrf})
    assert done.status_code == 200 and browser.get("/api/v1/me").status_code == 401


def test_the_authenticator_cannot_be_swapped_or_removed_with_a_session_alone(one_id: OneId) -> None:
    _customer(one_id)
    browser = _browser(one_id)
    setup = browser.post("/api/v1/me/totp")
    assert setup.status_code == 200
    authenticator = pyotp.TOTP(setup.json()["secret"])
    confirmed = browser.post(
        "/api/v1/me/totp/confirm", json={"code": authenticator.now(), "setup_token": setup.json()["setup_token"]}
    )
    assert confirmed.status_code == 204, confirmed.text
    # a thief holding the session (cookie) but not the phone's authenticator
    assert browser.post("/api/v1/me/totp").json()["code"] == "totp_required"
    assert browser.post("/api/v1/me/totp", json={"code": "000000"}).json()["code"] == "invalid_credentials"
    assert browser.post("/api/v1/me/totp/remove", json={"code": "000000"}).status_code == 401
    assert browser.post("/api/v1/me/totp/remove", json={}).status_code == 422
    assert browser.get("/api/v1/me").json()["totp_enabled"] is True
    again = httpx.post(f"{one_id.url}/api/v1/auth/password", json={"phone": PHONE, "password": PASSWORD})
    assert again.json()["code"] == "totp_required"


def test_a_line_joins_a_profile_only_with_the_code_sent_to_that_line(one_id: OneId) -> None:
    _customer(one_id)
    line = "998991112233"
    browser = _browser(one_id)
    ctx = one_id.app_state.identity  # type: ignore[attr-defined]
    # a code of another purpose, and a code sent to another number, prove nothing
    assert browser.post("/api/v1/auth/otp", json={"phone": line, "purpose": "login"}).status_code == 202
    with one_id.container.uow() as uow:
        login_code = last_code(uow, ctx, line)
    assert browser.post("/api/v1/me/lines", json={"phone": line, "code": login_code}).status_code == 401
    assert browser.post("/api/v1/auth/otp", json={"phone": PHONE, "purpose": "link_line"}).status_code == 202
    with one_id.container.uow() as uow:
        own_code = last_code(uow, ctx, PHONE)
    assert browser.post("/api/v1/me/lines", json={"phone": line, "code": own_code}).status_code == 401
    # no session, or a bearer token instead of it: the cabinet does not answer
    sent = browser.post("/api/v1/auth/otp", json={"phone": line, "purpose": OtpPurpose.LINK_LINE.value})
    assert sent.status_code == 202
    with one_id.container.uow() as uow:
        code = last_code(uow, ctx, line)
    assert httpx.post(f"{one_id.url}/api/v1/me/lines", json={"phone": line, "code": code}).status_code == 401
    client_id, client_secret = _client(one_id)
    bearer = _code_flow(one_id, browser, client_id, client_secret, "openid")["access_token"]
    as_bearer = httpx.post(
        f"{one_id.url}/api/v1/me/lines",
        json={"phone": line, "code": code},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert as_bearer.status_code == 401
    # unknown fields and coerced types are refused
    assert browser.post("/api/v1/me/lines", json={"phone": line, "code": code, "hack": True}).status_code == 422
    assert browser.post("/api/v1/me/lines", json={"phone": line, "code": 123456}).status_code == 422
    linked = browser.post("/api/v1/me/lines", json={"phone": line, "code": code})
    assert linked.status_code == 201, linked.text
    assert linked.json()["linked_at"].endswith("+05:00")
    me = browser.get("/api/v1/me").json()
    assert {"kind": "mobile", "reference": line} in [{k: s[k] for k in ("kind", "reference")} for s in me["services"]]
    assert me["created_at"].endswith("+05:00")


def test_the_cabinet_declares_the_session_scheme_and_refuses_anyone_else(one_id: OneId) -> None:
    answer = httpx.get(f"{one_id.url}/api/openapi.json", timeout=60)  # built on its first request
    openapi = answer.json()
    assert "paths" in openapi, answer.text[:500]
    for path, item in openapi["paths"].items():
        if path.startswith("/api/v1/me"):
            for operation in item.values():
                assert {"session": []} in operation.get("security", []), path
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/me/sessions"),
        ("POST", "/api/v1/me/report-unauthorised-access"),
        ("POST", "/api/v1/me/totp"),
        ("GET", "/api/v1/me/audit"),
        ("POST", "/api/v1/auth/logout"),
    ):
        answer = httpx.request(method, f"{one_id.url}{path}", cookies={"yagona_session": "forged"})
        assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated", path
    # another customer's session id is not ours to end
    _customer(one_id)
    browser = _browser(one_id)
    assert browser.delete("/api/v1/me/sessions/01234567-0000-0000-0000-000000000000").status_code == 422


def test_the_oneid_simulator_is_closed_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from yagona.identity import routes, service
    from yagona.identity.settings import IdentitySettings

    monkeypatch.setenv("YAGONA_ENV", "prod")
    monkeypatch.setenv("YAGONA_IDENTITY_ONEID_SIMULATOR", "true")
    with pytest.raises(ValidationError, match="simulator"):
        IdentitySettings()
    monkeypatch.delenv("YAGONA_IDENTITY_ONEID_SIMULATOR")
    settings = IdentitySettings()
    assert settings.env == "prod" and not settings.simulator_enabled("prod")
    with pytest.raises(ValueError, match="simulator"):
        service.make_context(
            secret_key="k" * 40, env="prod", settings=IdentitySettings(env="dev", oneid_simulator=True)
        )
    # the code path: a production process answers 404 even if something switched it on
    ctx = service.make_context(secret_key="k" * 40, env="prod", settings=settings)
    ctx.settings = ctx.settings.model_copy(update={"oneid_simulator": True, "env": "dev"})
    assert not ctx.oneid_simulator
    app = FastAPI()
    from yagona.app import problems

    problems.install(app)
    app.state.identity = ctx
    app.include_router(routes.simulator_router)
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        query = {"response_type": "one_code", "client_id": "yagona", "redirect_uri": "http://x/cb", "state": "s"}
        assert http.get("/oneid-simulator/sso/oauth/Authorization.do", params=query).status_code == 404
        token = http.post("/oneid-simulator/sso/oauth/Authorization.do", data={"grant_type": "one_log_out"})
        assert token.status_code == 404


def test_garbage_never_gets_a_5xx_from_one_id(one_id: OneId) -> None:
    _customer(one_id)
    browser = _browser(one_id)
    bodies: list[object] = [
        None,
        [],
        "x",
        {"phone": None},
        {"phone": 998901234567},
        {"phone": "٩٩٨٩٠١٢٣٤٥٦٧", "code": "١٢٣٤٥٦"},
        {"phone": PHONE, "code": "1" * 17},
        {"phone": PHONE, "code": "123456", "name": "A", "accept_documents": True, "email": "not-an-email"},
        {"phone": PHONE, "code": "123456", "name": "A", "accept_documents": True, "birth_date": "2020-13-45"},
        {"phone": PHONE, "code": "123456", "name": "A", "accept_documents": True, "birth_date": 0},
        {"phone": PHONE, "code": "123456", "language": "fr"},
        {"phone": PHONE, "purpose": "hack"},
        {"code": "1", "setup_token": "x" * 2001},
        {"code": "1", "setup_token": "garbage"},
        {"current_password": None, "new_password": "x"},
        {"opt_in": "yes"},
    ]
    paths = [
        "/api/v1/auth/otp",
        "/api/v1/auth/otp/verify",
        "/api/v1/auth/password",
        "/api/v1/me/password",
        "/api/v1/me/phone",
        "/api/v1/me/totp",
        "/api/v1/me/totp/confirm",
        "/api/v1/me/totp/remove",
        "/api/v1/me/lines",
        "/api/v1/me/marketing",
    ]
    for path in paths:
        for body in bodies:
            answer = browser.post(path, json=body)
            assert answer.status_code < 500, (path, body, answer.text)
            assert answer.headers["content-type"].startswith(("application/problem+json", "application/json"))
    for query in ({"state": "x" * 129}, {"state": "s", "code": "c"}, {"state": "\u0000"}):
        assert browser.get("/api/v1/auth/oneid/callback", params=query).status_code < 500
    for body in ("grant_type=%FF%FE", "token=\u0000", ""):
        for path in ("/oauth/token", "/oauth/revoke", "/oauth/introspect", "/oauth/logout", "/authorize"):
            answer = browser.post(path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert answer.status_code < 500, (path, body, answer.text)

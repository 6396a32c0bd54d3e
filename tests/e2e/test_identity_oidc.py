"""One ID over a real socket, with a relying party nobody here wrote: authlib's OAuth 2
client runs discovery, sign-in, authorize (PKCE S256), token, ID-token signature against
the JWKS, userinfo, refresh (rotation and reuse detection), revocation, introspection and
logout. Then the national OneID round trip against the simulator, the bad inputs, and a
scan of the database and the logs for any secret in clear."""

from __future__ import annotations

import html
import logging
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import Engine, MetaData, select

from tests.e2e.server import serving
from tests.factories.identity import PASSWORD, context, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SystemClock
from yagona.platform.settings import Settings

with warnings.catch_warnings():
    # authlib prefers the httpx2 fork; the httpx it falls back to is what this project ships.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

PHONE = "998901234567"
CALLBACK = "http://127.0.0.1:9/callback"
AFTER_LOGOUT = "http://127.0.0.1:9/bye"


@dataclass
class OneId:
    url: str
    container: Container
    settings: Settings
    app_state: object
    opened: list[httpx.Client]

    def rp(self, *args: object, **kwargs: object) -> OAuth2Client:
        """authlib's client as a relying party; closed with the fixture."""
        client = OAuth2Client(*args, **kwargs)
        self.opened.append(client)
        return client


@pytest.fixture
def one_id(settings: Settings, engine: Engine) -> Iterator[OneId]:
    # The system clock: the relying party checks ID-token times against the real time.
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(
            settings,
            issuer=url,
            oneid_endpoint=f"{url}/oneid-simulator/sso/oauth/Authorization.do",
            oneid_redirect_uri=f"{url}/api/v1/auth/oneid/callback",
        )
        one_id = OneId(url, container, settings, app.state, [])
        try:
            yield one_id
        finally:
            for client in one_id.opened:
                client.close()


def _client(one_id: OneId, *, first_party: bool = True, public: bool = False) -> tuple[str, str | None]:
    from yagona.identity import oidc
    from yagona.identity.schemas import ClientCreate

    with one_id.container.uow() as uow:
        created = oidc.add_client(
            uow,
            client=ClientCreate(
                name="Portal" if first_party else "Partner shop",
                redirect_uris=[CALLBACK],
                post_logout_redirect_uris=[AFTER_LOGOUT],
                first_party=first_party,
                public=public,
                grant_types=["authorization_code", "refresh_token"] + ([] if public else ["client_credentials"]),
            ),
        )
        uow.commit()
    secret = created.client_secret.get_secret_value() if created.client_secret else None
    return created.client.client_id, secret


def _customer(one_id: OneId) -> None:
    with one_id.container.uow() as uow:
        customer(uow, one_id.app_state.identity)  # type: ignore[attr-defined]
        uow.commit()


def _browser(one_id: OneId) -> httpx.Client:
    browser = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(browser)
    signed = browser.post("/api/v1/auth/password", json={"phone": PHONE, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    return browser


def _authorize(browser: httpx.Client, rp: OAuth2Client, endpoint: str, verifier: str, nonce: str) -> str:
    uri, _state = rp.create_authorization_url(endpoint, code_verifier=verifier, nonce=nonce)
    answer = browser.get(uri)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK)
    return location


def test_a_relying_party_signs_in_end_to_end(one_id: OneId) -> None:
    _customer(one_id)
    client_id, client_secret = _client(one_id)
    config = httpx.get(f"{one_id.url}/.well-known/openid-configuration").json()
    assert config["issuer"] == one_id.url and config["code_challenge_methods_supported"] == ["S256"]
    browser = _browser(one_id)
    rp = one_id.rp(
        client_id,
        client_secret,
        scope="openid profile phone services offline_access",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    location = _authorize(browser, rp, config["authorization_endpoint"], verifier, nonce)
    token = rp.fetch_token(config["token_endpoint"], authorization_response=location, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["refresh_token"] and token["id_token"]

    # the ID token: signed by a key of the JWKS, for this client, with the nonce
    keys = KeySet.import_key_set(httpx.get(config["jwks_uri"]).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": one_id.url},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
    ).validate(id_token.claims)
    assert id_token.claims["phone_number"] == f"+{PHONE}" and id_token.claims["amr"] == ["pwd"]

    userinfo = rp.get(config["userinfo_endpoint"]).json()
    assert userinfo["sub"] == id_token.claims["sub"] and userinfo["name"] == "Dilnoza Alimova"
    assert userinfo["services"] == []

    # refresh: rotated on every use; the old one presented again revokes the family
    first_refresh = token["refresh_token"]
    refreshed = rp.refresh_token(config["token_endpoint"], refresh_token=first_refresh)
    assert refreshed["refresh_token"] != first_refresh and refreshed["access_token"] != token["access_token"]
    replay = httpx.post(
        config["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": first_refresh},
        auth=(client_id, client_secret or ""),
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    family = httpx.post(
        config["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
        auth=(client_id, client_secret or ""),
    )
    assert family.json()["error"] == "invalid_grant"  # the thief's and the owner's tokens are gone
    introspected = httpx.post(
        config["introspection_endpoint"],
        data={"token": refreshed["access_token"]},
        auth=(client_id, client_secret or ""),
    ).json()
    assert introspected == {"active": False}

    # a fresh sign-in to the RP, then RP-initiated logout ends the session and its tokens
    verifier = secrets.token_urlsafe(48)
    location = _authorize(browser, rp, config["authorization_endpoint"], verifier, "n2")
    token = rp.fetch_token(config["token_endpoint"], authorization_response=location, code_verifier=verifier)
    active = httpx.post(
        config["introspection_endpoint"], data={"token": token["access_token"]}, auth=(client_id, client_secret or "")
    ).json()
    assert active["active"] is True and active["client_id"] == client_id and "openid" in active["scope"]
    bye = browser.get(
        config["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": AFTER_LOGOUT, "state": "s1"},
    )
    assert bye.status_code == 302 and bye.headers["location"] == f"{AFTER_LOGOUT}?state=s1"
    assert browser.get("/api/v1/me").status_code == 401
    assert rp.get(config["userinfo_endpoint"]).status_code == 401
    browser.close()


def test_client_credentials_revocation_and_public_clients(one_id: OneId) -> None:
    _customer(one_id)
    client_id, client_secret = _client(one_id)
    machine = httpx.post(
        f"{one_id.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "openid"},
        auth=(client_id, client_secret or ""),
    )
    assert machine.status_code == 200 and "refresh_token" not in machine.json()
    revoked = httpx.post(
        f"{one_id.url}/oauth/revoke",
        data={"token": machine.json()["access_token"]},
        auth=(client_id, client_secret or ""),
    )
    assert revoked.status_code == 200
    # a public client (the mobile app): no secret, PKCE alone
    public_id, none = _client(one_id, public=True)
    assert none is None
    browser = _browser(one_id)
    rp = one_id.rp(
        public_id,
        scope="openid phone",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = secrets.token_urlsafe(48)
    location = _authorize(browser, rp, f"{one_id.url}/authorize", verifier, "n")
    token = rp.fetch_token(f"{one_id.url}/oauth/token", authorization_response=location, code_verifier=verifier)
    assert token["access_token"]


def test_a_third_party_client_gets_a_consent_page(one_id: OneId) -> None:
    _customer(one_id)
    client_id, _ = _client(one_id, first_party=False)
    browser = _browser(one_id)
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid phone",
        "state": "st",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    page = browser.get("/authorize", params=params)
    assert page.status_code == 200 and "Partner shop" in page.text and "decision" in page.text
    assert "Telefon raqamingiz" in page.text  # each scope described in the customer's language (uz)
    csrf = page.text.split("name='csrf' value='")[1].split("'")[0]
    denied = browser.post("/authorize", data={**params, "csrf": csrf, "decision": "deny"})
    assert denied.status_code == 302 and "error=access_denied" in denied.headers["location"]
    approved = browser.post("/authorize", data={**params, "csrf": csrf, "decision": "approve"})
    assert approved.status_code == 302 and "code=" in approved.headers["location"]
    assert browser.get("/authorize", params=params).status_code == 302  # consent remembered
    forged = browser.post("/authorize", data={**params, "csrf": "forged", "decision": "approve"})
    assert forged.status_code == 401


def test_bad_authorisation_requests_get_standard_errors_and_write_nothing(one_id: OneId) -> None:
    _customer(one_id)
    client_id, client_secret = _client(one_id)
    browser = _browser(one_id)
    verifier = secrets.token_urlsafe(48)
    base = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "st",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    unknown = browser.get("/authorize", params={**base, "client_id": "nobody"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_client"
    wrong_uri = browser.get("/authorize", params={**base, "redirect_uri": "http://127.0.0.1:9/evil"})
    assert wrong_uri.status_code == 400 and wrong_uri.json()["error"] == "invalid_request"
    no_pkce = browser.get("/authorize", params={k: v for k, v in base.items() if not k.startswith("code_")})
    assert no_pkce.status_code == 302 and "error=invalid_request" in no_pkce.headers["location"]
    plain = browser.get("/authorize", params={**base, "code_challenge_method": "plain"})
    assert "error=invalid_request" in plain.headers["location"]
    # a code used twice: refused, and the tokens it bought are revoked
    code = parse_qs(urlsplit(browser.get("/authorize", params=base).headers["location"]).query)["code"][0]
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier}
    no_verifier = httpx.post(
        f"{one_id.url}/oauth/token", data={**exchange, "code_verifier": ""}, auth=(client_id, client_secret or "")
    )
    assert no_verifier.status_code == 400 and no_verifier.json()["error"] == "invalid_request"
    # the failed PKCE check spent the code: the right verifier after it is refused
    late = httpx.post(f"{one_id.url}/oauth/token", data=exchange, auth=(client_id, client_secret or ""))
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    wrong = {**exchange, "code_verifier": secrets.token_urlsafe(48)}
    code = parse_qs(urlsplit(browser.get("/authorize", params=base).headers["location"]).query)["code"][0]
    wrong["code"] = code
    exchange["code"] = code
    refused = httpx.post(f"{one_id.url}/oauth/token", data=wrong, auth=(client_id, client_secret or ""))
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    late = httpx.post(f"{one_id.url}/oauth/token", data=exchange, auth=(client_id, client_secret or ""))
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    code = parse_qs(urlsplit(browser.get("/authorize", params=base).headers["location"]).query)["code"][0]
    exchange["code"] = code
    first = httpx.post(f"{one_id.url}/oauth/token", data=exchange, auth=(client_id, client_secret or ""))
    assert first.status_code == 200, first.text
    second = httpx.post(f"{one_id.url}/oauth/token", data=exchange, auth=(client_id, client_secret or ""))
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert (
        httpx.get(
            f"{one_id.url}/oauth/userinfo", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
        ).status_code
        == 401
    )
    bad_secret = httpx.post(f"{one_id.url}/oauth/token", data=exchange, auth=(client_id, "wrong"))
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    # the sign-in API: malformed phone, same answer for known and unknown phones
    assert httpx.post(f"{one_id.url}/api/v1/auth/otp", json={"phone": "12345"}).json()["code"] == "invalid_phone"
    answers = [
        httpx.post(
            f"{one_id.url}/api/v1/auth/password",
            json={"phone": p, "password": "Wrong-pass-1"},
            headers={"Accept-Language": "en"},  # refusals are in Uzbek by default
        )
        for p in (PHONE, "998907777777")
    ]
    assert [(a.status_code, a.json()["detail"]) for a in answers] == [
        (401, "the phone number or the password is wrong")
    ] * 2


def test_the_national_oneid_round_trip_against_the_simulator(one_id: OneId) -> None:
    _customer(one_id)
    browser = _browser(one_id)
    start = browser.get("/api/v1/auth/oneid/start")
    assert start.status_code == 302
    to_oneid = urlsplit(start.headers["location"])
    query = parse_qs(to_oneid.query)
    assert query["response_type"] == ["one_code"] and len(query["state"][0]) >= 32
    approved = browser.get(start.headers["location"])  # the simulator approves at once
    assert approved.status_code == 302
    callback = approved.headers["location"]
    forged = browser.get(callback.replace(query["state"][0], "forged-state"))
    assert forged.status_code == 400 and forged.json()["code"] == "oneid_state_invalid"
    done = browser.get(callback)
    assert done.status_code == 200, done.text
    assert done.json()["customer"]["verification_level"] == "verified"
    assert browser.get(callback).json()["code"] == "oneid_state_invalid"  # the state is spent
    # signed out, OneID signs the linked customer in
    stranger = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(stranger)
    hop = stranger.get("/api/v1/auth/oneid/start")
    back = stranger.get(hop.headers["location"])
    signed = stranger.get(back.headers["location"])
    assert signed.json()["signed_in"] is True
    assert stranger.get("/api/v1/me").json()["verification_level"] == "verified"


def test_no_secret_is_stored_or_logged_in_clear(
    one_id: OneId, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets_seen: list[str] = [PASSWORD]
    with httpx.Client(base_url=one_id.url, timeout=10) as browser:
        assert browser.post("/api/v1/auth/otp", json={"phone": PHONE}).status_code == 202
        from tests.factories.identity import last_code

        with one_id.container.uow() as uow:
            code = last_code(uow, one_id.app_state.identity, PHONE)  # type: ignore[attr-defined]
        secrets_seen.append(code)
        signed = browser.post(
            "/api/v1/auth/otp/verify",
            json={"phone": PHONE, "code": code, "name": "Dilnoza", "accept_documents": True},
        )
        assert signed.status_code == 200, signed.text
        secrets_seen.append(browser.cookies["yagona_session"])
        assert browser.post("/api/v1/me/password", json={"new_password": PASSWORD}).status_code == 204
    client_id, client_secret = _client(one_id)
    assert client_secret
    secrets_seen.append(client_secret)
    browser = _browser(one_id)
    rp = one_id.rp(
        client_id, client_secret, scope="openid offline_access", redirect_uri=CALLBACK, code_challenge_method="S256"
    )
    verifier = secrets.token_urlsafe(48)
    location = _authorize(browser, rp, f"{one_id.url}/authorize", verifier, "n")
    secrets_seen.append(parse_qs(urlsplit(location).query)["code"][0])
    token = rp.fetch_token(f"{one_id.url}/oauth/token", authorization_response=location, code_verifier=verifier)
    secrets_seen += [token["access_token"], token["refresh_token"], verifier]
    # the national OneID round trip (its code, its state, the browser key) and a TOTP setup
    start = browser.get("/api/v1/auth/oneid/start")
    secrets_seen.append(browser.cookies["yagona_oneid"])
    callback = browser.get(start.headers["location"]).headers["location"]
    back = parse_qs(urlsplit(callback).query)
    secrets_seen += [back["code"][0], back["state"][0]]
    assert browser.get(callback).status_code == 200
    setup = browser.post("/api/v1/me/totp").json()
    secrets_seen += [setup["secret"], setup["setup_token"]]

    dump = _dump(one_id.container.engine)
    # the server's lines (this process's HTTP client logs what it sends: that is not the server)
    # uvicorn's access lines are left out: `yagona serve` runs uvicorn with access_log=False
    # (its logger has no handler and does not propagate); the capture here revives them.
    server_lines = [
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "uvicorn.access"))
    ]
    captured = capsys.readouterr()
    logs = "\n".join(server_lines) + captured.out + captured.err
    for secret in secrets_seen:
        assert secret not in dump, "a secret is stored in clear"
        assert secret not in logs, (
            f"a secret is logged: {logs[max(0, logs.find(secret) - 300) : logs.find(secret) + 50]}"
        )
    assert "argon2id$v=19$m=19456,t=2,p=1" in dump


def _dump(engine: Engine) -> str:
    metadata = MetaData()
    metadata.reflect(engine)
    lines: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            lines.extend(repr(tuple(row)) for row in connection.execute(select(table)))
    return "\n".join(lines)


def test_without_a_session_authorize_sends_the_browser_to_sign_in_and_back(one_id: OneId) -> None:
    _customer(one_id)
    client_id, _ = _client(one_id)
    browser = httpx.Client(base_url=one_id.url, timeout=10)
    one_id.opened.append(browser)
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "st",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    silent = browser.get("/authorize", params={**params, "prompt": "none"})
    assert silent.status_code == 302 and "error=login_required" in silent.headers["location"]
    to_login = browser.get("/authorize", params=params)
    assert to_login.status_code == 302 and to_login.headers["location"].startswith("/login?next=")
    page = browser.get(to_login.headers["location"])
    target = html.unescape(page.text.split('name="next" value="')[-1].split('"')[0])  # the sign-in form's
    assert target.startswith("/authorize?")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    signed = browser.post("/login", data={"phone": PHONE, "password": PASSWORD, "next": target, "csrf_token": token})
    assert signed.status_code == 303 and signed.headers["location"] == target
    back = browser.get(target)
    assert back.status_code == 302 and back.headers["location"].startswith(f"{CALLBACK}?code=")
    token = browser.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]  # a new session: a new token
    evil = browser.post(
        "/login", data={"phone": PHONE, "password": PASSWORD, "next": "https://evil.example/", "csrf_token": token}
    )
    assert evil.headers["location"] == "/"

"""The HTTP API over a real socket, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import gc
import logging
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs

from tests.e2e.server import serving
from tests.e2e.test_identity_oidc import (  # the One ID fixture and its helpers
    CALLBACK,
    OneId,
    _browser,
    _client,
    _customer,
    create_s256_code_challenge,
    one_id,  # noqa: F401 - a fixture, used by name
)
from tests.factories.ledger import fund, open_account
from yagona.app import problems
from yagona.app.api import create_app, ready_to_serve
from yagona.app.bootstrap import Container, bootstrap
from yagona.platform.settings import LimitSettings, Settings
from yagona.platform.web import RequestContextMiddleware

STAFF = {"X-Api-Key": "test-staff-key"}
BATCH_MAX = LimitSettings().batch_size_max
PROBLEM = "application/problem+json"


@pytest.fixture
def client(settings: Settings, container: Container) -> Iterator[httpx.Client]:
    with serving(create_app(settings, container=container)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def test_a_served_app_is_kept_out_of_the_collectors_way(settings: Settings, container: Container) -> None:
    """What a server process builds lives as long as it: a full collection walking it paused
    the server for 0.1-0.2 s (the slowest answers under load)."""
    app = create_app(settings, container=container)
    try:
        assert ready_to_serve(app) is app
        assert gc.get_freeze_count() > 0
        assert not any(thing is app for thing in gc.get_objects())  # in no generation the collector walks
    finally:
        gc.unfreeze()


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


def test_health_readiness_and_openapi(client: httpx.Client, container: Container) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/ready").json() == {"status": "ready", "database": container.engine.dialect.name}
    paths = client.get("/api/openapi.json", timeout=60).json()["paths"]
    assert {"/health", "/ready", "/api/v1/ledger/transfers", "/api/v1/catalog/plans"} <= set(paths)


def test_readiness_says_when_the_database_is_unreachable() -> None:
    settings = Settings(env="test", database={"url": "postgresql://postgres@127.0.0.1:1/none"})  # type: ignore[arg-type]
    container = bootstrap(settings, configure_logs=False)
    with serving(create_app(settings, container=container)) as url:
        response = httpx.get(f"{url}/ready", timeout=30)
    _problem(response, 503, "unavailable")


def test_every_request_gets_an_id(client: httpx.Client) -> None:
    assert len(client.get("/health").headers["x-request-id"]) == 36
    assert client.get("/health", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert client.get("/health", headers={"X-Request-Id": "<script>"}).headers["x-request-id"] != "<script>"


def test_staff_routes_need_the_staff_key(client: httpx.Client) -> None:
    _problem(client.get("/api/v1/ledger/accounts/wallet:a"), 401, "unauthenticated")
    _problem(client.get("/api/v1/ledger/accounts/wallet:a", headers={"X-Api-Key": "wrong"}), 401, "unauthenticated")
    _problem(client.get("/api/v1/ledger/accounts/wallet:a", headers=STAFF), 404, "not_found")


def test_transfers_over_http_with_every_refusal_as_a_problem(client: httpx.Client, container: Container) -> None:
    with container.uow() as uow:
        open_account(uow, "wallet:alice")
        open_account(uow, "wallet:bob", upper_limit=1_000_00)
        fund(uow, "wallet:alice", 500_00)  # tiyin inside: 500 so'm
        uow.commit()

    def send(amount: object, key: str = "k1", credit: str = "wallet:bob") -> httpx.Response:
        body = {"transfers": [{"debit": "wallet:alice", "credit": credit, "amount": amount, "reason": "transfer"}]}
        return client.post("/api/v1/ledger/transfers", json=body, headers={**STAFF, "Idempotency-Key": key})

    first = send(200.5)  # so'm, as every REST answer of Yagona
    assert first.status_code == 201, first.text
    [moved] = first.json()
    assert (moved["debit"], moved["credit"], moved["amount"], moved["kind"]) == (
        "wallet:alice",
        "wallet:bob",
        200.5,
        "posted",
    )
    assert moved["created_at"].endswith("+05:00")
    assert send(200.5).json() == first.json()  # a replay answers the same
    _problem(send(200), 409, "idempotency_conflict")
    short = _problem(send(400, key="k2"), 409, "insufficient_funds")
    assert short["details"]["short_by"] == 100.5  # type: ignore[index]  # so'm, not tiyin
    _problem(send(1, key="k3", credit="wallet:nobody"), 404, "not_found")
    body = _problem(send(-5, key="k4"), 422, "invalid_request")
    assert body["errors"][0]["field"].endswith("amount")  # type: ignore[index]
    _problem(send("12.5", key="k5"), 422, "invalid_request")  # a number, not a string
    _problem(send(1.234, key="k6"), 422, "invalid_request")  # at most two decimals
    missing_key = client.post("/api/v1/ledger/transfers", json={"transfers": []}, headers=STAFF)
    _problem(missing_key, 422, "invalid_request")
    alice = client.get("/api/v1/ledger/accounts/wallet:alice", headers=STAFF).json()
    assert (alice["balance_now"], alice["available_now"]) == (299.5, 299.5)
    assert client.get("/api/v1/ledger/accounts/wallet:bob", headers=STAFF).json()["upper_limit"] == 1_000
    history = client.get("/api/v1/ledger/accounts/wallet:alice/transfers", params={"limit": 1}, headers=STAFF).json()
    assert len(history["items"]) == 1 and history["next_cursor"] and history["items"][0]["amount"] == 200.5
    assert client.get("/api/v1/ledger/verify", headers=STAFF).json()["problems"] == []


def test_unknown_routes_and_large_bodies_are_problems_too(client: httpx.Client) -> None:
    _problem(client.get("/no/such/thing"), 404, "not_found")
    _problem(client.delete("/health"), 405, "method_not_allowed")
    huge = b"x" * 2_000_000
    _problem(client.post("/api/v1/ledger/transfers", content=huge, headers=STAFF), 413, "too_large")


TMF620 = "/tmf-api/productCatalogManagement/v4/productOffering"


def test_the_catalogue_in_snake_case_and_so_m(client: httpx.Client) -> None:
    plans = client.get("/api/v1/catalog/plans").json()
    by_id = {p["id"]: p for p in plans}
    assert {"lider-start", "ustoz-start", "terminal", "business-pro-10", "mening-davram"} <= set(by_id)
    lider = by_id["lider-start"]
    assert (lider["status"], lider["name"], lider["monthly_fee"], lider["first_fee"]) == (
        "open",
        "Lider Start",
        35_000,
        40_000,
    )
    assert lider["prices"]["central_asia"] == 1_430 and lider["bundles"]["mb"]["quantity"] == 10_240
    assert by_id["business-platinum"]["monthly_fee"] == 137_035.5 and by_id["business-pro-10"]["status"] == "closed"
    assert all(key == key.lower() and "@" not in key for plan in plans for key in plan)
    open_only = client.get("/api/v1/catalog/plans", params={"include_closed": "false"}).json()
    assert open_only and all(p["status"] == "open" for p in open_only)
    assert client.get("/api/v1/catalog/plans/lider-start").json() == lider
    _problem(client.get("/api/v1/catalog/plans/no-such-plan"), 404, "not_found")
    _problem(client.get("/api/v1/catalog/plans/NO_SUCH"), 422, "invalid_request")


def test_the_tmf620_catalogue_lives_under_tmf_api(client: httpx.Client) -> None:
    offerings = {p["id"]: p for p in client.get(TMF620).json()}
    lider = offerings["lider-start"]
    assert lider["lifecycleStatus"] == "Active" and lider["@type"] == "ProductOffering"
    assert offerings["business-pro-10"]["lifecycleStatus"] == "Retired"
    assert lider["href"].startswith(TMF620) and client.get(lider["href"]).json()["id"] == "lider-start"
    open_only = client.get(TMF620, params={"includeClosed": "false"}).json()
    assert all(p["lifecycleStatus"] == "Active" for p in open_only)
    _problem(client.get(f"{TMF620}/no-such-plan"), 404, "not_found")


# --- hardening: each of these failed on the code before issue 8 ------------------------


def _raw_chunked_upload(base_url: str, path: str, *, total: int, headers: dict[str, str]) -> tuple[bytes, int]:
    """POST a chunked body of up to `total` bytes over a raw socket; a reader thread takes the
    answer as soon as it comes. Returns the answer and how many body bytes went out."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    answer = bytearray()

    def read() -> None:
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65_536):
                answer.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Transfer-Encoding: chunked\r\n{head}\r\n".encode()
    )
    piece = b"x" * 262_144
    sent = 0
    try:
        while sent < total and not answer:
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
    except OSError:
        pass  # the server closed the connection: it will read no more
    reader.join(timeout=10)
    sock.close()
    return bytes(answer), sent


def test_a_chunked_body_over_the_limit_is_cut_off_while_it_streams(client: httpx.Client) -> None:
    # No Content-Length: the old check never fired, and 200 MB were read into memory.
    answer, sent = _raw_chunked_upload(
        str(client.base_url),
        "/api/v1/ledger/transfers",
        total=64 * 1_048_576,
        headers={**STAFF, "Idempotency-Key": "c"},
    )
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line, answer[:300]
    assert b"application/problem+json" in rest and b'"code":"too_large"' in rest
    assert b"connection: close" in rest.lower()
    assert sent < 32 * 1_048_576  # the server stopped reading long before the 64 MiB were sent


def test_a_streamed_body_under_the_limit_is_served(client: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"transfers": '
        yield b"[]}"

    response = client.post("/api/v1/ledger/transfers", content=body(), headers={**STAFF, "Idempotency-Key": "s"})
    _problem(response, 422, "invalid_request")  # read whole, then refused for its content


def test_a_ledger_batch_is_bounded_by_the_schema(client: httpx.Client) -> None:
    transfer = {"debit": "wallet:a", "credit": "wallet:b", "amount": 1, "reason": "transfer"}
    response = client.post(
        "/api/v1/ledger/transfers",
        json={"transfers": [transfer] * (BATCH_MAX + 1)},
        headers={**STAFF, "Idempotency-Key": "big", "Accept-Language": "en"},
    )
    body = _problem(response, 422, "invalid_request")
    [error] = body["errors"]  # type: ignore[misc]
    assert (error["field"], error["code"]) == ("transfers", "field_too_long")
    assert str(BATCH_MAX) in error["message"]


SECURITY = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _secured(response: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_every_answer_carries_the_security_headers(client: httpx.Client) -> None:
    for response in (
        client.get("/health"),
        client.get("/no/such/thing"),
        client.get("/api/docs"),
        client.get("/login"),
        client.get("/authorize"),
        client.post("/api/v1/ledger/transfers", content=b"x" * 2_000_000, headers=STAFF),
        client.get("/api/v1/catalog/plans/lider-start"),
    ):
        _secured(response)


def test_authenticated_and_api_answers_are_never_cached(client: httpx.Client) -> None:
    assert "no-store" not in client.get("/health").headers.get("cache-control", "")
    for response in (
        client.get("/health", headers=STAFF),
        client.get("/health", headers={"Authorization": "Bearer x"}),
        client.get("/health", headers={"Cookie": "yagona_session=x"}),
        client.get("/api/v1/catalog/plans/lider-start"),
        client.get("/api/v1/ledger/accounts/wallet:a", headers=STAFF),
        client.get("/login"),
        client.get("/authorize"),
        client.post("/oauth/token"),
    ):
        assert response.headers["cache-control"] == "no-store", response.url


def test_the_docs_page_loads_only_its_own_files(client: httpx.Client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    _secured(page)
    assert "<script>" not in page.text  # no inline script: the CSP would refuse it
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len([a for a in assets if a.endswith(".js")]) >= 2 and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset  # same origin, no CDN
        assert client.get(asset).status_code == 200, asset
    assert client.get("/api/openapi.json", timeout=60).json()["info"]["title"] == "Yagona"


def test_the_docs_the_openapi_document_and_the_simulators_are_off_in_production(container: Container) -> None:
    prod = Settings(env="prod", secret_key="s" * 20 + "ecret-key-0123456789", database=container.settings.database)  # type: ignore[arg-type]
    assert not prod.docs_enabled and Settings(env="test").docs_enabled
    app = create_app(prod, container=container)
    with serving(app) as url:
        for path in (
            "/api/docs",
            "/api/openapi.json",
            "/api/docs/ui/swagger-ui-bundle.js",
            "/oneid-simulator/sso/oauth/Authorization.do",  # no simulator is mounted in prod
        ):
            assert httpx.get(f"{url}{path}").status_code == 404, path
        assert httpx.get(f"{url}/health").status_code == 200
    turned_on = prod.model_copy(update={"http": prod.http.model_copy(update={"docs": True})})
    assert turned_on.docs_enabled


def test_every_request_is_logged_once_without_its_query(client: httpx.Client) -> None:
    with capture_logs() as logs:
        client.get("/api/v1/catalog/plans", params={"include_closed": "false", "token": "secret-value"})
        client.get("/no/such/thing", headers={"X-Request-Id": "req-1"})
        deadline = time.monotonic() + 5
        while len([e for e in logs if e["event"] == "request"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    lines = [entry for entry in logs if entry["event"] == "request"]
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [
        ("GET", "/api/v1/catalog/plans", 200),
        ("GET", "/no/such/thing", 404),
    ]
    assert lines[1]["request_id"] == "req-1" and all(e["duration_ms"] >= 0 for e in lines)
    assert "secret-value" not in repr(logs)


def test_a_client_that_goes_away_mid_request_is_no_error(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = str(client.base_url).removeprefix("http://").split(":")
    with capture_logs() as logs, caplog.at_level(logging.WARNING):
        for path in ("/oauth/token", "/api/v1/ledger/transfers"):
            with socket.create_connection((host, int(port)), timeout=5) as sock:
                sock.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "X-Api-Key: test-staff-key\r\nIdempotency-Key: gone\r\nContent-Length: 5000\r\n\r\ngrant_type=".encode()
                )
                time.sleep(0.2)
        deadline = time.monotonic() + 5
        while len([e for e in logs if e["event"] == "request"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert len([e for e in logs if e["event"] == "request"]) == 2
    assert [e for e in logs if e["log_level"] in ("error", "critical", "exception")] == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_refusals_speak_the_callers_language(client: httpx.Client) -> None:
    missing = "/api/v1/ledger/accounts/wallet:nobody"
    by_language = {
        lang: client.get(missing, headers={**STAFF, "Accept-Language": header})
        for lang, header in (("uz", ""), ("ru", "ru-RU,ru;q=0.9,en;q=0.5"), ("en", "en-GB"), ("uz", "de, uz;q=0.1"))
    }
    for lang, response in by_language.items():
        body = _problem(response, 404, "not_found")
        assert response.headers["content-language"] == lang
        assert body["title"] == "Not found"  # the generic English
    assert by_language["ru"].json()["detail"] == "Не найдено"  # noqa: RUF001
    assert by_language["uz"].json()["detail"] == "Topilmadi"
    assert by_language["en"].json()["detail"] == "no account wallet:nobody"


@pytest.mark.parametrize(
    ("lang", "transfer", "field", "code", "words"),
    [
        ("en", {"credit": "wallet:b", "amount": 1, "reason": "x"}, "transfers.0.debit", "field_missing", "required"),
        ("ru", {"credit": "wallet:b", "amount": 1, "reason": "x"}, "transfers.0.debit", "field_missing", "обязательное"),
        ("uz", {"credit": "wallet:b", "amount": 1, "reason": "x"}, "transfers.0.debit", "field_missing", "majburiy"),
        ("en", {"debit": "a", "credit": "b", "amount": 1, "reason": "x", "hack": True}, "transfers.0.hack", "field_extra", "no such field"),
        ("ru", {"debit": "a", "credit": "b", "amount": 1, "reason": "x", "pending": "yes"}, "transfers.0.pending", "field_type", "неверный тип"),
        ("en", {"debit": "a", "credit": "b", "amount": 1, "reason": "x" * 61}, "transfers.0.reason", "field_too_long", "at most 60"),
        ("uz", {"debit": "a", "credit": "b", "amount": 1, "reason": "Bad Reason"}, "transfers.0.reason", "field_pattern", "shakli"),
        ("en", {"debit": "a", "credit": "b", "amount": 0, "reason": "x"}, "transfers.0.amount", "field_invalid", "more than zero"),
    ],
)  # fmt: skip
def test_an_invalid_field_is_said_in_plain_words(
    client: httpx.Client, *, lang: str, transfer: dict[str, object], field: str, code: str, words: str
) -> None:
    response = client.post(
        "/api/v1/ledger/transfers",
        json={"transfers": [transfer]},
        headers={**STAFF, "Idempotency-Key": "v", "Accept-Language": lang},
    )
    body = _problem(response, 422, "invalid_request")
    [error] = body["errors"]  # type: ignore[misc]
    assert (error["field"], error["code"]) == (field, code)
    assert words in error["message"] and field in str(body["detail"])
    for framework_words in ("Value error", "Input should", "Field required", "Extra inputs", "String should"):
        assert framework_words not in response.text


def test_a_wrong_method_answers_with_allow(client: httpx.Client) -> None:
    response = client.delete("/api/v1/ledger/transfers", headers=STAFF)
    _problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"
    assert client.delete("/api/v1/ledger/accounts/wallet:a", headers=STAFF).headers["allow"].startswith("GET")
    assert client.put("/health").headers["allow"] in ("GET", "GET, HEAD")


def test_the_one_id_consent_page_cannot_be_framed(one_id: OneId) -> None:  # noqa: F811
    # Clickjacking: a third-party page framing the consent form could trick an "Allow".
    _customer(one_id)
    client_id, _ = _client(one_id, first_party=False)
    browser = _browser(one_id)
    page = browser.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "scope": "openid phone",
            "state": "st",
            "code_challenge": create_s256_code_challenge(secrets.token_urlsafe(48)),
            "code_challenge_method": "S256",
        },
    )
    assert page.status_code == 200 and "decision" in page.text  # the consent form itself
    _secured(page)
    assert page.headers["cache-control"] == "no-store"


def test_an_unexpected_error_is_one_500_problem_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()
    problems.install(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=1_048_576)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    with capture_logs() as logs, caplog.at_level(logging.WARNING), serving(app) as url:
        response = httpx.get(f"{url}/boom", headers={"X-Request-Id": "boom-1"})
    body = _problem(response, 500, "internal_error")
    assert "internal detail" not in response.text and body["title"]
    _secured(response)
    assert response.headers["x-request-id"] == "boom-1"
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["unhandled_error"]
    assert [(e["status"], e["path"]) for e in logs if e["event"] == "request"] == [(500, "/boom")]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # not again by the server


def test_a_body_declared_too_large_is_refused_unread_in_the_callers_language(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/ledger/transfers", content=b"x" * 2_000_000, headers={**STAFF, "Accept-Language": "ru"}
    )
    body = _problem(response, 413, "too_large")
    assert response.headers["content-language"] == "ru" and body["detail"] == "Запрос слишком большой"
    assert response.headers["connection"] == "close"


def test_a_missing_header_is_named_as_the_header(client: httpx.Client) -> None:
    transfer = {"debit": "wallet:a", "credit": "wallet:b", "amount": 1, "reason": "transfer"}
    response = client.post("/api/v1/ledger/transfers", json={"transfers": [transfer]}, headers=STAFF)
    body = _problem(response, 422, "invalid_request")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("Idempotency-Key", "field_missing")]  # type: ignore[attr-defined]
    upper = client.post(
        "/api/v1/ledger/accounts",
        json={"code": "wallet:x", "owner": "x", "kind": "customer", "unit": "som", "upper_limit": -1},
        headers=STAFF,
    )
    assert [e["field"] for e in _problem(upper, 422, "invalid_request")["errors"]] == ["upper_limit"]  # type: ignore[attr-defined]


def test_an_account_opened_over_http_takes_its_ceiling_in_som(client: httpx.Client) -> None:
    spec = {"code": "wallet:new", "owner": "new", "kind": "customer", "unit": "som", "upper_limit": 1_225_000}
    opened = client.post("/api/v1/ledger/accounts", json=spec, headers=STAFF)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["upper_limit"], opened.json()["balance_now"]) == (1_225_000, 0)
    assert client.post("/api/v1/ledger/accounts", json=spec, headers=STAFF).json() == opened.json()  # idempotent
    _problem(
        client.post("/api/v1/ledger/accounts", json={**spec, "unit": "SOM"}, headers=STAFF), 422, "invalid_request"
    )


def test_what_a_domain_schema_refuses_is_a_422_never_a_500(client: httpx.Client) -> None:
    """Found by schemathesis: a well-formed body the ledger's own rules refuse (a sharded account
    with a floor, a transfer from an account to itself) answered 500."""
    sharded = {
        "code": "revenue:x",
        "owner": "op",
        "kind": "revenue",
        "unit": "som",
        "shards": 4,
        "allow_negative": False,
    }
    refused = client.post("/api/v1/ledger/accounts", json=sharded, headers={**STAFF, "Accept-Language": "en"})
    assert "shards" in str(_problem(refused, 422, "invalid_request")["errors"])
    spec = {"code": "wallet:self", "owner": "self", "kind": "customer", "unit": "som", "allow_negative": True}
    assert client.post("/api/v1/ledger/accounts", json=spec, headers=STAFF).status_code == 201
    to_itself = {"transfers": [{"debit": "wallet:self", "credit": "wallet:self", "amount": 1, "reason": "transfer"}]}
    answer = client.post("/api/v1/ledger/transfers", json=to_itself, headers={**STAFF, "Idempotency-Key": "self-1"})
    _problem(answer, 422, "invalid_request")

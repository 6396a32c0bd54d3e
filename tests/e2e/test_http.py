"""The HTTP API over a real socket, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.server import serving
from tests.factories.ledger import fund, open_account
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.platform.settings import Settings

STAFF = {"X-Api-Key": "test-staff-key"}
PROBLEM = "application/problem+json"


@pytest.fixture
def client(settings: Settings, container: Container) -> Iterator[httpx.Client]:
    with serving(create_app(settings, container=container)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


def test_health_readiness_and_openapi(client: httpx.Client, container: Container) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/ready").json() == {"status": "ready", "database": container.engine.dialect.name}
    paths = client.get("/api/openapi.json").json()["paths"]
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
    assert lider["prices"]["central_asia"] == 1_430 and lider["bundles"]["mb"]["amount"] == 10_240
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

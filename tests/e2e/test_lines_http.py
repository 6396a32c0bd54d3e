"""Mobile lines over HTTP on a real socket, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.ledger import service as ledger_service
from yagona.lines import service as lines_service
from yagona.platform.settings import Settings

STAFF = {"X-Api-Key": "test-staff-key"}


@pytest.fixture
def client(settings: Settings, container: Container) -> Iterator[httpx.Client]:
    with (
        serving(create_app(settings, container=container)) as url,
        httpx.Client(base_url=url, timeout=10, headers=STAFF) as c,
    ):
        yield c


def _code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    code: str = response.json()["code"]
    return code


def test_a_line_over_http_from_connection_to_usage(client: httpx.Client) -> None:
    created = client.post("/api/v1/lines", json={"msisdn": "998901000001", "plan": "lider-plus", "deposit": 100000})
    assert created.status_code == 201, created.text
    assert created.json()["balance"] == 40_000
    assert created.json()["next_charge"] == 55_000  # Lider Plus: 60 000 first, then 55 000

    record = {"id": "cdr-1", "msisdn": "998901000001", "type": "voice", "to": "992921234567", "seconds": 45}
    rated = client.post("/api/v1/usage", json=record)
    assert rated.status_code == 201
    assert (rated.json()["units"], rated.json()["charged"], rated.json()["balance"]) == (1, 1_430, 38_570)
    assert client.post("/api/v1/usage", json=record).json() == rated.json()  # charged once
    assert _code(client.post("/api/v1/usage", json={**record, "seconds": 46}), 409) == "idempotency_conflict"

    data = client.post("/api/v1/usage", json={"id": "d-1", "msisdn": "998901000001", "type": "data", "mb": 250.5})
    assert (data.json()["units"], data.json()["from_bundle"]) == (250.5, 250.5)

    topped = client.post(
        "/api/v1/lines/998901000001/topups", json={"amount": 10000.50}, headers={"Idempotency-Key": "t1"}
    )
    assert topped.json()["balance"] == 48_570.5
    again = client.post(
        "/api/v1/lines/998901000001/topups", json={"amount": 10000.50}, headers={"Idempotency-Key": "t1"}
    )
    assert again.json()["balance"] == 48_570.5

    ussd = client.post("/api/v1/lines/998901000001/ussd", json={"code": "*100#"})
    assert ussd.json()["text"] == "Balans: 48 570.50 so'm. Tarif: Lider Plus."
    state = client.get("/api/v1/lines/998901000001").json()
    assert state["bundles"]["welcome_mb"] == 249.5 and state["next_charge_at"] == "2026-04-15T00:00:00+05:00"


def test_concurrent_usage_records_share_a_commit_and_keep_their_own_answers(
    client: httpx.Client, container: Container
) -> None:
    """Group commit behind POST /api/v1/usage: 24 requests at once — records of two lines,
    one record sent three times, one for a line that does not exist — each get their own
    answer, after the commit; the repeated record is charged once, the refused one writes
    nothing and fails nobody else, and the ledger holds."""
    for msisdn in ("998901000011", "998901000012"):
        made = client.post("/api/v1/lines", json={"msisdn": msisdn, "plan": "lider-plus", "deposit": 100000})
        assert made.status_code == 201, made.text
    records = [
        {"id": f"g-{i}", "msisdn": f"99890100001{1 + i % 2}", "type": "sms", "to": "998931234567"} for i in range(20)
    ]
    records += [records[0], records[0], {"id": "g-x", "msisdn": "998901999999", "type": "sms", "to": "998931234567"}]
    records.append({"id": "g-20", "msisdn": "998901000011", "type": "voice", "to": "992921234567", "seconds": 45})
    with ThreadPoolExecutor(max_workers=len(records)) as pool:
        answers = list(pool.map(lambda record: client.post("/api/v1/usage", json=record), records))
    assert [a.status_code for a in answers] == [201] * 22 + [404, 201]
    assert _code(answers[22], 404) == "not_found"
    first = {k: v for k, v in answers[0].json().items() if k != "balance"}  # a replay shows the balance now
    assert all({k: v for k, v in a.json().items() if k != "balance"} == first for a in answers[20:22])
    assert answers[23].json()["charged"] == 1_430
    with container.uow() as uow:
        history, _ = lines_service.usage_history(uow, msisdn="998901000011", limit=100)
        assert sorted(result.record_id for _id, _at, result in history) == sorted(
            [f"g-{i}" for i in range(0, 20, 2)] + ["g-20"]
        )
        assert ledger_service.verify(uow).ok


def test_refusals_over_http_have_the_contract_codes(client: httpx.Client) -> None:
    line = {"msisdn": "998901000002", "plan": "lider-start", "deposit": 50000}
    assert _code(client.post("/api/v1/lines", json={**line, "plan": "business-pro-10"}), 409) == "plan_closed"
    assert _code(client.post("/api/v1/lines", json={**line, "plan": "nope"}), 404) == "not_found"
    assert _code(client.post("/api/v1/lines", json={**line, "deposit": 100}), 409) == "below_minimum"
    assert _code(client.post("/api/v1/lines", json={**line, "deposit": -5}), 422) == "invalid_request"
    assert _code(client.post("/api/v1/lines", json={**line, "msisdn": "abc"}), 422) == "invalid_request"
    assert _code(client.post("/api/v1/lines", json={**line, "msisdn": "998931000002"}), 422) == "invalid_request"
    assert client.post("/api/v1/lines", json=line).status_code == 201
    assert (
        _code(client.post("/api/v1/lines/998901000002/plan", json={"plan": "ustoz-start"}), 409) == "switch_not_allowed"
    )
    assert (
        client.post("/api/v1/lines/998901000002/block", json={"reason": "administrative"}).json()["status"] == "blocked"
    )
    record = {"id": "x", "msisdn": "998901000002", "type": "sms", "to": "998931234567"}
    assert _code(client.post("/api/v1/usage", json=record), 409) == "line_blocked"
    assert _code(client.post("/api/v1/usage", json={**record, "type": "voice"}), 422) == "invalid_request"
    assert (
        _code(client.post("/api/v1/usage", json={**record, "type": "voice", "to": "1", "seconds": -1}), 422)
        == "invalid_request"
    )
    assert _code(client.get("/api/v1/lines/998909999999"), 404) == "not_found"
    assert _code(client.post("/api/v1/lines/998901000002/ussd", json={"code": "*555#"}), 422) == "invalid_request"
    assert client.post("/api/v1/lines/998901000002/unblock").json()["status"] == "active"


def test_lines_need_the_staff_key(settings: Settings, container: Container) -> None:
    with serving(create_app(settings, container=container)) as url:
        response = httpx.get(f"{url}/api/v1/lines/998901000001", timeout=10)
        # The usage route, matched before every other router, keeps the key: none, or a wrong one.
        record = {"id": "k-1", "msisdn": "998901000001", "type": "sms", "to": "998931234567"}
        refused = [
            httpx.post(f"{url}/api/v1/usage", json=record, headers=headers, timeout=10)
            for headers in ({"Accept-Language": "ru"}, {"X-Api-Key": "wrong", "Accept-Language": "ru"})
        ]
    assert _code(response, 401) == "unauthenticated"
    for answer in refused:
        assert _code(answer, 401) == "unauthenticated"
        assert answer.headers["content-language"] == "ru"


def test_a_promo_switched_off_costs_nothing_after_its_free_days(client: httpx.Client, container: Container) -> None:
    assert (
        client.post(
            "/api/v1/lines", json={"msisdn": "998901000003", "plan": "ustoz-start", "deposit": 60000}
        ).status_code
        == 201
    )
    assert client.post("/api/v1/lines/998901000003/promos/beeline-music-promo").status_code == 201
    assert _code(client.post("/api/v1/lines/998901000003/promos/beeline-music-promo"), 422) == "invalid_request"
    assert client.delete("/api/v1/lines/998901000003/promos/beeline-music-promo").status_code == 204
    assert _code(client.delete("/api/v1/lines/998901000003/promos/beeline-music-promo"), 422) == "invalid_request"
    container.clock.advance_by(timedelta(days=31))  # type: ignore[attr-defined]
    effects = [e for o in container.jobs.run_due() for e in o.effects if "promo" in e]
    assert effects == []  # switched off: no promo fee
    # 20 000 left after the first fee, less the renewal into debt (35 000) and nothing else.
    assert client.get("/api/v1/lines/998901000003").json()["balance"] == -15_000


def test_the_api_convention_holds_for_lines(client: httpx.Client) -> None:
    """Attacks from the issue: unknown fields, coercion, paths, one phone normaliser, batches."""
    made = client.post("/api/v1/lines", json={"msisdn": "+998 90 100-00-04", "plan": "lider-start", "deposit": 50_000})
    assert made.status_code == 201, made.text
    assert made.json()["msisdn"] == "998901000004"  # `+998 90 …` works for lines too
    top = "/api/v1/lines/998901000004/topups"
    assert _code(client.post(top, json={"amount": 1, "hack": True}, headers={"Idempotency-Key": "k1"}), 422)
    assert _code(client.post(top, json={"amount": "1"}, headers={"Idempotency-Key": "k2"}), 422)
    assert _code(client.post(top, json={"amount": 1}, headers={"Idempotency-Key": "k" * 121}), 422)
    assert _code(client.post(top, json={"amount": 1}, headers={"Idempotency-Key": "a b"}), 422)
    assert client.post(top, json={"amount": 1}, headers={"Idempotency-Key": "k" * 120}).status_code == 201
    assert client.get("/api/v1/lines/abc").status_code == 422  # not 404
    assert (
        client.post("/api/v1/lines/abc/topups", json={"amount": 1}, headers={"Idempotency-Key": "k3"}).status_code
        == 422
    )
    record = {"id": "c-1", "msisdn": "998901000004", "type": "voice", "to": "998931234567", "seconds": "60"}
    assert _code(client.post("/api/v1/usage", json=record), 422) == "invalid_request"  # "60" is not 60
    assert _code(client.post("/api/v1/usage", json={**record, "seconds": 60, "extra": 1}), 422)
    assert (
        client.post("/api/v1/usage", json={**record, "seconds": 60, "msisdn": "+998 90 100 00 04"}).status_code == 201
    )

    batch = client.post(
        "/api/v1/usage/batch",
        json={
            "records": [
                {"id": "b-1", "msisdn": "998901000004", "type": "sms", "to": "998931234567"},
                {"id": "b-2", "msisdn": "998901000004", "type": "voice", "to": "998931234567", "seconds": "9"},
                {"id": "b-3", "msisdn": "998909999999", "type": "sms", "to": "998931234567"},
                {"msisdn": "998901000004"},
                {"id": "b-4", "msisdn": "998901000004", "type": "data", "mb": 1.5},
            ]
        },
        headers={"Accept-Language": "ru"},
    )
    assert batch.status_code == 200, batch.text
    results = batch.json()["results"]
    assert [(r["id"], r["ok"], r["code"]) for r in results] == [
        ("b-1", True, None),
        ("b-2", False, "invalid_request"),
        ("b-3", False, "not_found"),
        (None, False, "invalid_request"),
        ("b-4", True, None),
    ]
    assert results[2]["detail"] == "\u041d\u0435 \u043d\u0430\u0439\u0434\u0435\u043d\u043e"  # Russian: "not found"
    assert results[0]["result"]["charged"] == 0 and results[4]["result"]["units"] == 1.5


def test_a_batch_is_bounded_by_the_configured_limit(settings: Settings, engine: Engine, clock: object) -> None:
    from yagona.app.bootstrap import bootstrap

    small = settings.model_copy(update={"limits": settings.limits.model_copy(update={"batch_size_max": 2})})
    container = bootstrap(small, clock=clock, engine=engine, configure_logs=False)  # type: ignore[arg-type]
    with serving(create_app(small, container=container)) as url, httpx.Client(base_url=url, headers=STAFF) as c:
        records = [{"id": f"r-{i}", "msisdn": "998901000005", "type": "sms", "to": "998931234567"} for i in range(3)]
        assert _code(c.post("/api/v1/usage/batch", json={"records": records}), 422) == "invalid_request"

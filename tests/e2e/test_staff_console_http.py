"""The staff console over a real socket: who may open it, the roles of its actions, the
reason every view and action needs, CSRF, and the access log that keeps them all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories import lines as line_factory
from tests.factories import wallet as wallet_factory
from tests.factories.identity import PASSWORD, customer
from tests.factories.staff import STAFF_PASSWORD, csrf_token, member, post_form, sign_in_console, totp_code
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.lines import service as lines
from yagona.payments import service as payments
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy
from yagona.wallet import service as wallets

PHONE = "998901234567"
PAGE = {"Accept": "text/html", "Accept-Language": "en"}


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with serving(app) as url, httpx.Client(base_url=url, timeout=10, headers=PAGE) as client:
        yield client


@pytest.fixture
def customer_id(app: FastAPI, container: Container) -> str:
    """A customer with a line and a Light wallet on their phone, and staff of every role."""
    with container.uow() as uow:
        found = customer(uow, app.state.identity, PHONE)
        line_factory.connect(uow, PHONE)
        wallet_factory.register(uow, PHONE, customer_id=found.id)
        for role in ("agent", "supervisor", "admin"):
            member(uow, app.state.identity, role, access_to=[found.id])
        uow.commit()
    return found.id


def test_no_staff_session_is_sent_to_the_console_sign_in(client: httpx.Client, customer_id: str) -> None:
    for path in ("/staff", f"/staff/customers/{customer_id}", "/staff/access-log", "/staff/payments"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/staff/login", path
        assert answer.headers["cache-control"] == "no-store"
    forged = httpx.get(f"{client.base_url}/staff", headers={"Cookie": "yagona_staff=forged"})
    assert forged.status_code == 303


def test_a_customer_session_does_not_open_the_console(client: httpx.Client, customer_id: str) -> None:
    token = csrf_token(client.get("/login"))
    signed = client.post("/login", data={"phone": PHONE, "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 303 and "yagona_session" in client.cookies
    answer = client.get("/staff")
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login"


def test_sign_in_needs_the_password_and_the_code_and_locks_out(
    client: httpx.Client, customer_id: str, clock: SimulatedClock
) -> None:
    token = csrf_token(client.get("/staff/login"))
    wrong_code = {"login": "test-agent", "password": STAFF_PASSWORD, "totp": "000000", "csrf_token": token}
    refused = client.post("/staff/login", data=wrong_code)
    assert refused.status_code == 401 and "is wrong" in refused.text and "yagona_staff" not in client.cookies
    wrong_password = {**wrong_code, "password": "not-it", "totp": totp_code(clock.now())}
    assert client.post("/staff/login", data=wrong_password).status_code == 401
    for _ in range(3):
        client.post("/staff/login", data=wrong_code)
    # The sixth attempt in the window is refused whatever it carries: the right factors too.
    right = {**wrong_code, "totp": totp_code(clock.now() + timedelta(seconds=30))}
    locked = client.post("/staff/login", data=right)
    assert locked.status_code == 429 and "yagona_staff" not in client.cookies


def test_the_staff_cookie_is_strict_and_the_session_ends_on_sign_out(
    client: httpx.Client, customer_id: str, clock: SimulatedClock
) -> None:
    clock.advance_by(timedelta(seconds=30))
    form = {"login": "test-agent", "password": STAFF_PASSWORD, "totp": totp_code(clock.now())}
    answer = client.post("/staff/login", data={**form, "csrf_token": csrf_token(client.get("/staff/login"))})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
    assert client.get("/staff").status_code == 200
    stolen = client.cookies["yagona_staff"]
    assert post_form(client, "/staff/logout").status_code == 303
    assert httpx.get(f"{client.base_url}/staff", headers={"Cookie": f"yagona_staff={stolen}"}).status_code == 303


def test_a_session_idle_too_long_has_ended(client: httpx.Client, customer_id: str, clock: SimulatedClock) -> None:
    sign_in_console(client, login="test-agent", clock=clock)
    clock.advance_by(timedelta(minutes=29))
    assert client.get("/staff").status_code == 200  # each use starts the idle time again
    clock.advance_by(timedelta(minutes=31))
    assert client.get("/staff").status_code == 303


def test_search_then_open_with_a_reason_logs_the_view(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-agent", clock=clock)
    for query in ("+998 90 123 45 67", "dilnoza", customer_id):
        found = client.get("/staff", params={"q": query})
        assert f"/staff/customers/{customer_id}" in found.text, query
    asked = client.get(f"/staff/customers/{customer_id}")
    assert asked.status_code == 200 and "Why are you opening this customer?" in asked.text
    assert "Dilnoza" not in asked.text  # nothing personal before the reason
    no_reason = post_form(client, f"/staff/customers/{customer_id}", reason=" ")
    assert no_reason.status_code == 422 and "Dilnoza" not in no_reason.text
    opened = post_form(client, f"/staff/customers/{customer_id}", reason="Customer called about the bill")
    assert opened.status_code == 200 and "Dilnoza Alimova" in opened.text and "+998 90 123 45 67" in opened.text
    with container.uow() as uow:
        log = privacy.access_log(uow, customer_id=customer_id)
    assert [(r.action, r.reason) for r in log] == [("view", "Customer called about the bill")]


def test_an_agent_blocks_and_unblocks_a_line_each_with_a_reason(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-agent", clock=clock)
    base = f"/staff/customers/{customer_id}/lines/{PHONE}"
    refused = post_form(client, f"{base}/block", reason="")
    assert refused.status_code == 422
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).status == "active"
    blocked = post_form(client, f"{base}/block", reason="Phone lost, said the owner")
    assert blocked.status_code == 200 and "The line is blocked." in blocked.text
    assert post_form(client, f"{base}/unblock", reason="Phone found again").status_code == 200
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).status == "active"
        log = privacy.access_log(uow, customer_id=customer_id)
    assert [(r.action, r.subject, r.reason) for r in log] == [
        ("line.unblock", PHONE, "Phone found again"),
        ("line.block.lost", PHONE, "Phone lost, said the owner"),
    ]


def test_an_agent_is_refused_a_supervisors_action_and_nothing_changes(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-agent", clock=clock)
    refused = post_form(client, f"/staff/customers/{customer_id}/wallets/{PHONE}/freeze", reason="Suspicious payments")
    assert refused.status_code == 403 and "may not do this" in refused.text
    assert client.get("/staff/access-log").status_code == 403
    assert client.get("/staff/payments").status_code == 403
    with container.uow() as uow:
        assert wallets.get(uow, phone=PHONE).state == "active"
        assert privacy.access_log(uow, customer_id=customer_id) == []


def test_a_supervisor_freezes_restores_and_identifies_a_wallet(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-supervisor", clock=clock)
    base = f"/staff/customers/{customer_id}/wallets/{PHONE}"
    assert post_form(client, f"{base}/freeze", reason="Suspicious payments").status_code == 200
    with container.uow() as uow:
        assert wallets.get(uow, phone=PHONE).block_reason == "fraud"
    assert post_form(client, f"{base}/restore", reason="Suspicion cleared").status_code == 200
    assert post_form(client, f"{base}/lost", reason="Phone stolen").status_code == 200
    assert post_form(client, f"{base}/restore", reason="New SIM card").status_code == 200
    identified = post_form(client, f"{base}/identify", reason="Passport seen in the office", document="AA1234567")
    assert identified.status_code == 200 and "Premium" in identified.text
    with container.uow() as uow:
        found = wallets.get(uow, phone=PHONE)
        assert (found.state, found.tier) == ("active", "premium")
    log = client.get("/staff/access-log", params={"customer": customer_id})
    assert log.status_code == 200 and "Passport seen in the office" in log.text and "Suspicion cleared" in log.text


def test_another_customers_line_is_not_found_from_this_customer(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    with container.uow() as uow:
        line_factory.connect(uow, "998901000009")
        uow.commit()
    sign_in_console(client, login="test-admin", clock=clock)
    answer = post_form(client, f"/staff/customers/{customer_id}/lines/998901000009/block", reason="Wrong customer")
    assert answer.status_code == 404
    with container.uow() as uow:
        assert lines.state(uow, msisdn="998901000009").status == "active"


def test_a_form_without_its_csrf_token_is_refused(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-admin", clock=clock)
    answer = client.post(f"/staff/customers/{customer_id}/lines/{PHONE}/block", data={"reason": "No token here"})
    assert answer.status_code == 403
    with container.uow() as uow:
        assert lines.state(uow, msisdn=PHONE).status == "active"
        assert privacy.access_log(uow, customer_id=customer_id) == []


def test_the_payments_statement_answers_a_supervisor(
    client: httpx.Client, app: FastAPI, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    with container.uow() as uow:  # Payme pays 25 000 so'm into the customer's line
        params = {"id": "payme-1", "time": 1_773_565_200_000, "amount": 2_500_000, "account": {"phone": PHONE}}
        payments.payme(uow, config=app.state.payments, method="CreateTransaction", params=params)
        payments.payme(uow, config=app.state.payments, method="PerformTransaction", params={"id": "payme-1"})
        uow.commit()
    sign_in_console(client, login="test-supervisor", clock=clock)
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    answer = client.get("/staff/payments", params={"system": "payme", **march})
    text = answer.text.replace("\u00a0", " ")  # money keeps its unit on the same line
    assert answer.status_code == 200 and "payme-1" in text and "Performed" in text and "25,000 so&#39;m" in text
    other = client.get("/staff/payments", params={"system": "click", **march})
    assert "No transaction in this period." in other.text


def test_the_console_speaks_the_visitors_language_and_hides_unknown_customers(
    client: httpx.Client, customer_id: str, clock: SimulatedClock
) -> None:
    russian = client.get("/staff/login", headers={"Accept-Language": "ru"})
    assert '<html lang="ru">' in russian.text and "Консоль сотрудника: вход" in russian.text
    sign_in_console(client, login="test-agent", clock=clock)
    unknown = client.get("/staff/customers/no-such-customer")
    assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]
    again = client.get(f"/staff/customers/{customer_id}/lines/{PHONE}/block")  # a reload of an action
    assert again.status_code == 303 and again.headers["location"] == f"/staff/customers/{customer_id}"
    refused = post_form(client, f"/staff/customers/{customer_id}", reason="")
    assert refused.status_code == 422 and "access log" in refused.text

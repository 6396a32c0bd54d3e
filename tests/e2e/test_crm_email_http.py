"""Tickets by e-mail over HTTP, SQLite and PostgreSQL: the mail provider's signed inbound
route (Mailgun's form: sender, subject, body-plain, timestamp, token, signature) opens a
ticket for the customer whose One ID e-mail wrote; a retry of the same message opens nothing
more; a forged or stale signature is 401 and writes nothing; a stranger's address opens
nothing and says nothing; without a configured key the route is 404."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.server import serving
from tests.factories.identity import context, customer
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.crm.schemas import ContactRequestRead
from yagona.identity import service as identity
from yagona.kernel.clock import SimulatedClock
from yagona.platform.settings import Settings

KEY = "mailgun-webhook-signing-key-for-tests"
PATH = "/api/v1/crm/email/inbound"
PHONE = "998901230077"


def _signed(clock: SimulatedClock, token: str, *, key: str = KEY, age_s: int = 0) -> dict[str, str]:
    timestamp = str(int(clock.now().timestamp()) - age_s)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


@pytest.fixture
def mail(settings: Settings, container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    monkeypatch.setenv("YAGONA_CRM_INBOUND_EMAIL_KEY", KEY)
    with serving(create_app(settings, container=container)) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def _customer_with_email(container: Container, settings: Settings) -> str:
    with container.uow() as uow:
        made = customer(uow, context(settings), PHONE)
        identity.correct_profile(uow, customer_id=made.id, name=made.name, email="Dilnoza.A@example.uz")
        uow.commit()
    return made.id


def _tickets(container: Container, customer_id: str) -> list[ContactRequestRead]:
    with container.uow() as uow:
        return crm.contact_requests(uow, customer_id=customer_id, status=None)


def test_a_signed_e_mail_from_a_customer_opens_one_ticket(
    mail: httpx.Client, container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    customer_id = _customer_with_email(container, settings)
    message = {
        "sender": "Dilnoza A. <dilnoza.a@example.uz>",
        "subject": "Internet is slow in the evenings",
        "body-plain": "Since Monday, after 20:00.\nContract 10000007.",
        **_signed(clock, "token-one-0123456789abcdefghijklmnopqrstuvwxyz"),
    }
    opened = mail.post(PATH, data=message)
    assert opened.status_code == 200, opened.text
    assert opened.json() == {"accepted": True}
    [ticket] = _tickets(container, customer_id)
    assert (ticket.channel, ticket.summary) == ("email", "Internet is slow in the evenings")
    assert ticket.body == "Since Monday, after 20:00. Contract 10000007."  # kept as one paragraph
    again = mail.post(PATH, data=message)  # the provider retrying the same message
    assert again.status_code == 200 and again.json() == {"accepted": False}
    assert len(_tickets(container, customer_id)) == 1


def test_forged_stale_or_unknown_messages_open_nothing(
    mail: httpx.Client, container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    customer_id = _customer_with_email(container, settings)
    base = {"sender": "dilnoza.a@example.uz", "subject": "Refund", "body-plain": "Please refund."}
    for name, signed in (
        ("another key", _signed(clock, "token-forged-000000000000", key="not-our-key")),
        ("20 minutes old", _signed(clock, "token-stale-000000000000", age_s=20 * 60)),
        ("no token", {**_signed(clock, "x"), "token": ""}),
    ):
        refused = mail.post(PATH, data={**base, **signed})
        assert refused.status_code in (401, 422), name
        assert refused.headers["content-type"] == "application/problem+json", name
    stranger = mail.post(PATH, data={**base, "sender": "someone@else.example", **_signed(clock, "token-stranger-0000")})
    assert stranger.status_code == 200 and stranger.json() == {"accepted": False}  # nothing told
    assert _tickets(container, customer_id) == []


def test_without_a_key_there_is_no_e_mail_intake(
    settings: Settings, container: Container, clock: SimulatedClock
) -> None:
    with serving(create_app(settings, container=container)) as url:
        answer = httpx.post(url + PATH, data={"sender": "a@b.uz", **_signed(clock, "token-off-000000")}, timeout=10)
    assert answer.status_code == 404

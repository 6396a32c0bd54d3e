"""SMS through the Eskiz adapter against the stand-in (`/eskiz-simulator`) of a real server on
a real socket: a message is taken (with the gateway's id), its delivery receipt comes back to
the callback URL and marks it delivered; a refused number fails it; a gateway that does not
answer leaves it queued for later; an expired token is renewed. The receipt endpoint answers
only to the URL notify gave the gateway: anything else is refused and changes nothing, and a
replay is harmless. SQLite: the gateway is the subject, not the database."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import serving
from yagona.app import worker
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.notify import delivery, eskiz_simulator
from yagona.notify import service as notify
from yagona.notify.eskiz import EskizGateway
from yagona.notify.schemas import Channel, Language, MessageRead
from yagona.notify.settings import NotifySettings
from yagona.platform.bus import EventEnvelope
from yagona.platform.settings import Settings

OK, REFUSED, LATE, DOWN, UNDELIVERED = "998901110001", "998901110400", "998901110408", "998901110503", "998901110404"
EVENTS = ("notify.message_sent", "notify.message_delivered", "notify.message_failed")


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass
class Gateway:
    url: str
    container: Container
    events: list[EventEnvelope] = field(default_factory=list)

    def queue(self, phone: str, text: str = "Yagona: oʻzingiz uchun kod 123456") -> str:  # noqa: RUF001
        # A millisecond apart on the simulated clock: messages go out in the order queued (at
        # one instant they would be ordered by their random-tailed ids).
        clock = self.container.clock
        assert isinstance(clock, SimulatedClock)
        clock.advance_by(timedelta(milliseconds=1))
        with self.container.uow() as uow:
            message_id = notify.queue(
                uow,
                channel=Channel.SMS,
                recipient=phone,
                template="notify.text",
                language=Language.UZ,
                params={"text": text},
                sealer=notify.sealer_for(self.container.settings.secret_key.get_secret_value()),
            )
            uow.commit()
        return message_id

    def message(self, phone: str) -> MessageRead:
        sealer = notify.sealer_for(self.container.settings.secret_key.get_secret_value())
        with self.container.uow() as uow:
            return notify.outbox(uow, recipient=phone, sealer=sealer, env="test", limit=1)[0]

    def wait_for(self, phone: str, status: str) -> MessageRead:
        deadline = time.monotonic() + 5
        while (found := self.message(phone)).status != status and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def names(self, at_least: int = 0) -> list[str]:
        """The events' names; with `at_least`, waits (5 s at most) until that many arrived: a
        receipt's event is dispatched just after its status is committed, on the server's thread."""
        deadline = time.monotonic() + 5
        while len(self.events) < at_least and time.monotonic() < deadline:
            time.sleep(0.05)
        return [e.name for e in self.events]


@pytest.fixture
def gateway(settings: Settings, container: Container) -> Iterator[Gateway]:
    app = create_app(settings, container=container)
    before = delivery.current()
    with serving(app) as url:
        configured = NotifySettings(
            eskiz_url=f"{url}/eskiz-simulator",
            eskiz_email="yagona@example.uz",
            eskiz_password="eskiz-test-password",  # type: ignore[arg-type]
            public_url=url,
            eskiz_timeout_s=5.0,  # generous: a loaded CI machine may take seconds to answer a send
        )
        wired = delivery.for_environment(configured, env="test", secret_key=settings.secret_key.get_secret_value())
        delivery.install(wired)
        eskiz_simulator.set_late(8.0)  # well past the timeout
        # The server's first form takes a second to set up: not what the gateway's timeout is about.
        httpx.post(f"{url}/eskiz-simulator/api/auth/login", data={"email": "w", "password": "w"}, timeout=10)
        site = Gateway(url, replace(container, delivery=wired))
        for name in EVENTS:
            container.bus.subscribe(name, "test.recorder", site.events.append)
        try:
            yield site
        finally:
            delivery.install(before)
            assert isinstance(wired.sms, EskizGateway)
            wired.sms.close()


def test_the_gateway_takes_refuses_reports_renews_its_token_and_may_not_answer(gateway: Gateway) -> None:
    # Taken: the gateway's id kept, then its receipt (DELIVRD) marks the message delivered.
    message_id = gateway.queue(OK)
    assert worker.run_pass(gateway.container).sent == 1
    sent = gateway.message(OK)
    assert sent.status == "sent" and sent.gateway_id and (sent.encoding, sent.parts) == ("GSM-7", 1)
    # The gateway got the text as it travels: Uzbek's ʻ as ', our sender name.  # noqa: RUF003
    got = next(m for m in eskiz_simulator.received() if m["id"] == sent.gateway_id)
    assert got == {
        "id": sent.gateway_id,
        "mobile_phone": OK,
        "message": "Yagona: o'zingiz uchun kod 123456",
        "from": "4546",
    }
    assert gateway.wait_for(OK, "delivered").status == "delivered"
    assert gateway.names(at_least=2) == ["notify.message_sent", "notify.message_delivered"]
    assert gateway.events[0].payload == {
        "message_id": message_id,
        "channel": "sms",
        "recipient": OK,
        "template": "notify.text",
    }
    assert gateway.events[1].payload == {
        "message_id": message_id,
        "channel": "sms",
        "recipient": OK,
        "status": "DELIVRD",
    }

    # Refused for good (400), and taken but undelivered (UNDELIV): both fail.
    gateway.queue(REFUSED)
    gateway.queue(UNDELIVERED)
    worker.run_pass(gateway.container)
    refused = gateway.message(REFUSED)
    assert (refused.status, refused.error, refused.gateway_id) == ("failed", "rejected", None)
    undelivered = gateway.wait_for(UNDELIVERED, "failed")
    assert (undelivered.status, undelivered.error) == ("failed", "undelivered")
    assert gateway.names(at_least=5)[2:] == ["notify.message_failed", "notify.message_sent", "notify.message_failed"]

    # An expired token: a new login, and the message is sent once.
    logins = eskiz_simulator.logins()
    eskiz_simulator.expire_tokens()
    second = "998901110002"
    gateway.queue(second)
    assert worker.run_pass(gateway.container).sent == 1
    assert eskiz_simulator.logins() == logins + 1 and gateway.message(second).status == "sent"
    assert sum(m["mobile_phone"] == second for m in eskiz_simulator.received()) == 1

    # No answer in time: the message stays queued for later, and this pass sends no more SMS.
    third = "998901110005"
    gateway.queue(LATE)
    gateway.queue(third)
    assert worker.run_pass(gateway.container).sent == 0
    late = gateway.message(LATE)
    assert (late.status, late.error, late.gateway_id) == ("queued", "gateway_unavailable", None)
    assert gateway.message(third).status == "queued"
    # Once the gateway is done with the late request (the stand-in serves one at a time), the
    # next pass sends the third; the late one waits its turn (retry_after_s).
    deadline = time.monotonic() + 15
    while not any(m["mobile_phone"] == LATE for m in eskiz_simulator.received()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.run_pass(gateway.container).sent == 1
    assert gateway.message(third).status == "sent" and gateway.message(LATE).status == "queued"
    gateway.queue(DOWN)  # 503
    worker.run_pass(gateway.container)
    assert (gateway.message(DOWN).status, gateway.message(DOWN).error) == ("queued", "gateway_unavailable")


def test_only_the_gateway_may_report_and_a_replay_is_harmless(gateway: Gateway) -> None:
    message_id = gateway.queue(OK)
    other_id = gateway.queue("998901110003")
    before = {m["id"] for m in eskiz_simulator.received()}
    # Deliver without asking for receipts: the test sends them itself.
    quiet = replace(gateway.container.delivery, settings=NotifySettings(public_url=None))  # type: ignore[arg-type]
    worker.run_pass(replace(gateway.container, delivery=quiet))
    request_id = gateway.message(OK).gateway_id
    assert request_id and request_id not in before
    secret = gateway.container.settings.secret_key.get_secret_value()
    token = delivery.callback_token(secret, message_id)
    receipt = {"request_id": request_id, "status": "DELIVRD", "phone_number": OK}
    base = f"{gateway.url}/api/v1/notify/sms/eskiz"
    with httpx.Client(timeout=10) as client:
        refused = [
            client.post(f"{base}/{message_id}/{'0' * 40}", json=receipt),  # a guessed token
            client.post(f"{base}/{message_id}/{delivery.callback_token(secret, other_id)}", json=receipt),
            client.post(f"{base}/{other_id}/{delivery.callback_token(secret, other_id)}", json=receipt),
            client.post(f"{base}/{message_id}/{delivery.callback_token('another-key', message_id)}", json=receipt),
        ]
        assert [r.status_code for r in refused] == [403, 403, 403, 403]
        assert {r.json()["code"] for r in refused} == {"callback_refused"}
        assert gateway.message(OK).status == "sent" and gateway.names() == ["notify.message_sent"] * 2

        accepted = client.post(f"{base}/{message_id}/{token}", json=receipt)
        assert accepted.status_code == 200 and accepted.json() == {"status": "delivered"}
        replayed = client.post(f"{base}/{message_id}/{token}", data={**receipt, "status": "UNDELIV"})
        assert replayed.status_code == 200 and replayed.json() == {"status": "delivered"}
        assert client.post(f"{base}/{message_id}/{token}", json=receipt).json() == {"status": "delivered"}
    assert gateway.message(OK).status == "delivered"
    assert gateway.names().count("notify.message_delivered") == 1

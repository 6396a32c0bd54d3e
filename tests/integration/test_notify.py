"""Notify's rules on a real database: an SMS over the part limit is refused with its count;
the per-phone rate limit holds ordinary messages back but never a one-time code; every
hand-over publishes its event."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.notify import delivery
from yagona.notify import service as notify
from yagona.notify.errors import SmsTooLongError
from yagona.notify.models import Message
from yagona.notify.schemas import Channel, Language, MessageRead
from yagona.notify.settings import NotifySettings
from yagona.platform import i18n
from yagona.platform.bus import EventEnvelope

PHONE = "998901234567"


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def limited(container: Container) -> Iterator[Container]:
    """The dev outbox as the gateway, 2 ordinary and 2 urgent SMS per phone per hour."""
    before = delivery.current()
    settings = NotifySettings(sms_per_phone_max=2, sms_urgent_per_phone_max=2, sms_window_s=3600)
    wired = delivery.for_environment(settings, env="test", secret_key=container.settings.secret_key.get_secret_value())
    delivery.install(wired)
    yield replace(container, delivery=wired)
    delivery.install(before)


def _queue(container: Container, template: str, params: dict[str, str], channel: Channel = Channel.SMS) -> str:
    with container.uow() as uow:
        message_id = notify.queue(
            uow,
            channel=channel,
            recipient=PHONE,
            template=template,
            language=Language.UZ,
            params=params,
            sealer=notify.sealer_for(container.settings.secret_key.get_secret_value()),
        )
        uow.commit()
    return message_id


def _deliver(container: Container) -> int:
    assert container.delivery is not None
    with container.uow() as uow:
        sent = notify.deliver_queued(
            uow,
            adapter=container.delivery,
            sealer=notify.sealer_for(container.settings.secret_key.get_secret_value()),
            keep_body=True,
            limit=100,
        )
        uow.commit()
    return sent


def _messages(container: Container) -> dict[str, MessageRead]:
    sealer = notify.sealer_for(container.settings.secret_key.get_secret_value())
    with container.uow() as uow:
        return {m.id: m for m in notify.outbox(uow, recipient=PHONE, sealer=sealer, env="test", limit=50)}


def test_an_sms_over_the_part_limit_is_refused_with_its_count_and_nothing_is_written(container: Container) -> None:
    text = "Ваш платёж принят. " * 24  # 456 Cyrillic characters: 7 UCS-2 parts of 67
    with container.uow() as uow:
        with pytest.raises(SmsTooLongError) as refused:
            notify.queue(
                uow,
                channel=Channel.SMS,
                recipient=PHONE,
                template="notify.text",
                language=Language.RU,
                params={"text": text},
                sealer=notify.sealer_for(container.settings.secret_key.get_secret_value()),
            )
        assert uow.session.scalar(select(func.count()).select_from(Message)) == 0
    assert refused.value.code == "sms_too_long"
    assert i18n.localize(refused.value, "ru") == "SMS слишком длинное: 7 частей (UCS-2), можно не больше 6"
    assert i18n.localize(refused.value, "uz") == "SMS juda uzun: 7 qism (UCS-2), ko'pi bilan 6 qism mumkin"
    # The same text in Latin letters fits: GSM-7 parts are twice as long.
    _queue(container, "notify.text", {"text": "Tolovingiz qabul qilindi. " * 24})
    [latin] = _messages(container).values()
    assert (latin.encoding, latin.parts) == ("GSM-7", 5)


def test_the_rate_limit_holds_ordinary_sms_back_but_never_a_one_time_code(
    limited: Container, clock: SimulatedClock
) -> None:
    events: list[EventEnvelope] = []
    limited.bus.subscribe("notify.message_sent", "test.recorder", events.append)
    notices = [_queue(limited, "notify.text", {"text": f"Eslatma {n}"}) for n in range(3)]
    assert _deliver(limited) == 2
    clock.advance_by(timedelta(minutes=1))
    # The phone's ordinary budget is spent; a sign-in code still goes at once, ahead of the notice.
    codes = [_queue(limited, "identity.otp", {"code": f"12345{n}", "minutes": "5"}) for n in range(2)]
    assert _deliver(limited) == 2
    found = _messages(limited)
    assert [found[c].status for c in codes] == ["sent", "sent"]
    assert [found[n].status for n in notices] == ["sent", "sent", "queued"]
    assert found[notices[2]].error == "rate_limited"
    assert len(events) == 4 and {e.payload["template"] for e in events} == {"notify.text", "identity.otp"}
    # Within the hour nothing more goes; once the first notice leaves the window, the third goes.
    clock.advance_by(timedelta(minutes=30))
    assert _deliver(limited) == 0
    clock.advance_by(timedelta(minutes=30))
    assert _deliver(limited) == 1
    assert _messages(limited)[notices[2]].status == "sent"


def test_a_push_to_a_customer_without_a_device_fails_and_says_so(limited: Container) -> None:
    events: list[EventEnvelope] = []
    limited.bus.subscribe("notify.message_failed", "test.recorder", events.append)
    wired = replace(limited.delivery, push=_NoPush())  # type: ignore[arg-type]
    message_id = _queue(limited, "notify.text", {"text": "Salom"}, channel=Channel.PUSH)
    assert _deliver(replace(limited, delivery=wired)) == 0
    assert [e.payload for e in events] == [
        {"message_id": message_id, "channel": "push", "recipient": PHONE, "status": "no_device"}
    ]


class _NoPush:
    """A push service that is never reached: the customer has no device."""

    def push(self, target: object, payload: str) -> str:
        raise AssertionError("no device: nothing to push to")

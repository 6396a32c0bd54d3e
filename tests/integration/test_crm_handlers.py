"""Events become the customer's timeline, on SQLite and PostgreSQL: a sign-in, a message and
its delivery (one row per message, never its text), a reminder, a top-up; an event delivered
twice is recorded once; a message to a number nobody holds is skipped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tests.factories.identity import context, customer, last_code, signed_in
from tests.factories.lines import connect
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.crm.schemas import InteractionRead
from yagona.identity import service as identity
from yagona.identity.schemas import Language, OtpPurpose
from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.notify import service as notify
from yagona.notify.schemas import MessageRead
from yagona.platform.bus import EventEnvelope
from yagona.platform.models import OutboxRow
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork

PHONE, STRANGER = "998901234567", "998907654321"


def _timeline(container: Container, customer_id: str, channel: str | None = None) -> list[InteractionRead]:
    with container.uow() as uow:
        return crm.timeline(uow, customer_id=customer_id, channel=channel)


def _event(name: str, at: datetime, **payload: object) -> EventEnvelope:
    return EventEnvelope(new_id(), name, at, dict(payload))


def test_a_sign_in_is_on_the_timeline_once_though_its_event_comes_twice(
    container: Container, settings: Settings
) -> None:
    ctx = context(settings)
    with container.uow() as uow:
        holder = customer(uow, ctx, PHONE, language=Language.EN)
        uow.commit()
    with container.uow() as uow:
        signed_in(uow, ctx, PHONE)
        uow.commit()
    with container.uow() as uow:
        [row] = uow.session.scalars(select(OutboxRow).where(OutboxRow.name == "identity.customer_signed_in")).all()
        again = EventEnvelope(row.event_id, row.name, row.occurred_at, row.payload)
    assert container.bus.dispatch(again)  # a redispatch after a crash, or JetStream's redelivery
    portal = _timeline(container, holder.id, "portal")
    assert [e.summary for e in portal] == ["Signed in to the portal (password; a new device)", "Registered with One ID"]
    assert {e.direction for e in portal} == {"in"}


def test_an_sms_code_is_described_never_quoted_and_its_delivery_moves_one_row(
    container: Container, settings: Settings
) -> None:
    ctx = context(settings)
    with container.uow() as uow:
        holder = customer(uow, ctx, PHONE)  # Uzbek, the default
        identity.request_otp(uow, ctx=ctx, phone=PHONE, purpose=OtpPurpose.LOGIN, client_ip="10.0.0.1")
        uow.commit()
    with container.uow() as uow:
        code = last_code(uow, ctx, PHONE)
        [message] = [m for m in identity_outbox(uow, ctx) if m.template == "identity.otp"]
    at = container.clock.now()
    sent = _event(
        "notify.message_sent", at, message_id=message.id, channel="sms", recipient=PHONE, template=message.template
    )
    assert container.bus.dispatch(sent)
    [entry] = _timeline(container, holder.id, "sms")
    assert (entry.summary, entry.status, entry.direction) == ("SMS: kirish kodi", "sent", "out")
    assert code not in entry.summary
    delivered = _event(
        "notify.message_delivered", at, message_id=message.id, channel="sms", recipient=PHONE, status="DELIVRD"
    )
    assert container.bus.dispatch(delivered)
    assert container.bus.dispatch(sent)  # the same event again: nothing moves back
    [entry] = _timeline(container, holder.id, "sms")
    assert (entry.summary, entry.status) == ("SMS: kirish kodi", "delivered")


def identity_outbox(uow: UnitOfWork, ctx: identity.IdentityContext) -> list[MessageRead]:
    return notify.outbox(uow, recipient=PHONE, sealer=ctx.messages, env="test", limit=5)


def test_a_message_to_a_number_nobody_holds_is_skipped(container: Container, settings: Settings) -> None:
    with container.uow() as uow:
        holder = customer(uow, context(settings), PHONE)
        uow.commit()
    at = container.clock.now()
    for recipient in (STRANGER, "not a phone"):
        event = _event(
            "notify.message_failed", at, message_id=new_id(), channel="sms", recipient=recipient, status="REJECTD"
        )
        assert container.bus.dispatch(event)
    assert _timeline(container, holder.id, "sms") == []


def test_a_reminder_words_its_message_and_a_failure_shows(container: Container, settings: Settings) -> None:
    with container.uow() as uow:
        holder = customer(uow, context(settings), PHONE, language=Language.RU)
        uow.commit()
    at, message_id = container.clock.now(), new_id()
    reminder = _event(
        "reminders.reminder_sent",
        at,
        customer_id=holder.id,
        phone=PHONE,
        rule="line-bundle-80",
        channel="sms",
        message_id=message_id,
    )
    failed = _event("notify.message_failed", at, message_id=message_id, channel="sms", recipient=PHONE, status="failed")
    assert container.bus.dispatch(failed)  # the gateway's answer may come first
    assert container.bus.dispatch(reminder)
    [entry] = _timeline(container, holder.id)[:1]
    assert (entry.channel, entry.summary, entry.status) == ("sms", "Напоминание: пакет израсходован на 80 %", "failed")
    assert len(_timeline(container, holder.id, "sms")) == 1


def test_a_top_up_of_the_customer_s_line_is_an_operation_on_the_timeline(
    container: Container, settings: Settings
) -> None:
    with container.uow() as uow:
        holder = customer(uow, context(settings), PHONE, language=Language.EN)
        connect(uow, PHONE, plan="lider-start", deposit_som=50_000)
        connect(uow, STRANGER, plan="lider-start", deposit_som=50_000)  # nobody's: skipped
        uow.commit()
    with container.uow() as uow:
        for number in (PHONE, STRANGER):
            lines.top_up(uow, msisdn=number, amount=Money.of_som(10_000), idempotency_key=f"t-{number}")
        uow.commit()
    account = _timeline(container, holder.id, "account")
    assert [e.summary for e in account] == [
        "Line +998 90 123 45 67 topped up: 10 000.00 so'm",
        "Line +998 90 123 45 67 connected, plan lider-start",
    ]
    assert [(e.subject_kind, e.subject_id) for e in account] == [("line", PHONE)] * 2

"""Every contact lands on the timeline: the events of the domains below become interactions.
Each event is handled with its `consume_once` mark, so an event delivered twice is recorded
once; the consumer is deferred (the worker's drain feeds it from the outbox, in order). An
event whose customer cannot be found (a message to a number no profile holds, a line nobody
linked) is skipped.

The events taken, and why (a one-glance timeline, not a ledger — fees and rated usage stay
on the line's own history):
- identity: registered, signed in (portal, One ID), verified through OneID, reported access;
- notify: a message sent, delivered, failed (one interaction per message, its state moving);
- reminders: a reminder sent (it names the message, whose interaction it words);
- lines: connected, topped up, plan switched, blocked, unblocked;
- wallet: opened, topped up, transferred (both sides), paid, state changed, redeemed;
- home: requested, activated, topped up, plan changed, suspended, resumed, closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from yagona.crm import rules, service
from yagona.crm.schemas import Direction, InteractionChannel
from yagona.home import service as home
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead, ServiceKind
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn, normalise_msisdn
from yagona.platform.bus import EventBus, EventEnvelope, consume_once
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

CONSUMER = "crm"
ACCOUNT, PORTAL = InteractionChannel.ACCOUNT, InteractionChannel.PORTAL
IN, OUT = Direction.IN, Direction.OUT
MESSAGE_CHANNELS = {"sms": InteractionChannel.SMS, "push": InteractionChannel.PUSH, "email": InteractionChannel.EMAIL}

Action = Callable[[UnitOfWork, EventEnvelope], None]


def _customer(uow: UnitOfWork, customer_id: str) -> CustomerRead | None:
    try:
        return identity.get_customer(uow, customer_id=str(customer_id)[:36])
    except YagonaError:
        return None


def _holder(uow: UnitOfWork, kind: ServiceKind, reference: str) -> CustomerRead | None:
    return identity.service_holder(uow, kind=kind, reference=str(reference))


def _home_holder(uow: UnitOfWork, contract: str) -> CustomerRead | None:
    try:
        return _customer(uow, home.state(uow, contract=contract).customer_id)
    except YagonaError:
        return None


def _write(  # noqa: PLR0917 - an event's interaction: who, where, which way, what words
    uow: UnitOfWork,
    who: CustomerRead | None,
    channel: InteractionChannel,
    direction: Direction,
    key: str,
    subject: tuple[str, str] | None = None,
    *,
    at: datetime,
    **params: str,
) -> None:
    if who is None:
        return  # nobody's: skipped
    service.record_interaction(
        uow,
        customer_id=who.id,
        channel=channel,
        direction=direction,
        summary=rules.phrase(key, who.language.value, **params),
        subject_kind=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        occurred_at=at,
    )


def _number(msisdn: str) -> str:
    normalised = normalise_msisdn(msisdn)
    return display_msisdn(normalised) if normalised else msisdn


def _som(tiyin: int) -> str:
    return Money(int(tiyin)).format()


# --- identity ------------------------------------------------------------------------------


def _signed_in(uow: UnitOfWork, e: EventEnvelope) -> None:
    who = _customer(uow, e.payload["customer_id"])
    if who is not None:
        summary = rules.sign_in_summary(
            e.payload.get("methods", ""), new_device=bool(e.payload.get("new_device")), language=who.language.value
        )
        service.record_interaction(
            uow, customer_id=who.id, channel=PORTAL, direction=IN, summary=summary, occurred_at=e.occurred_at
        )


def _identity(key: str) -> Action:
    def action(uow: UnitOfWork, e: EventEnvelope) -> None:
        _write(uow, _customer(uow, e.payload["customer_id"]), PORTAL, IN, key, at=e.occurred_at)

    return action


# --- notify and reminders ------------------------------------------------------------------


def _message_recipient(uow: UnitOfWork, channel: str, recipient: str) -> CustomerRead | None:
    if channel == "push":
        return _customer(uow, recipient)  # a push goes to a customer's devices: its recipient is the id
    if channel == "sms":
        return _holder(uow, ServiceKind.MOBILE, recipient)
    return None  # an e-mail address names no customer here


def _message(uow: UnitOfWork, e: EventEnvelope) -> None:
    p = e.payload
    channel = str(p.get("channel", ""))
    who = _message_recipient(uow, channel, str(p.get("recipient", "")))
    if who is None or channel not in MESSAGE_CHANNELS:
        return
    status = {"notify.message_sent": "sent", "notify.message_delivered": "delivered"}.get(e.name, "failed")
    template = str(p.get("template", ""))  # delivered / failed name none: "a message", if first
    service.note_message(
        uow,
        customer_id=who.id,
        channel=MESSAGE_CHANNELS[channel],
        message_id=str(p["message_id"]),
        summary=rules.message_summary(channel=channel, template=template, language=who.language.value),
        status=status,
        occurred_at=e.occurred_at,
    )


def _reminder(uow: UnitOfWork, e: EventEnvelope) -> None:
    p = e.payload
    who = _customer(uow, p["customer_id"])
    if who is None:
        return
    summary = rules.reminder_summary(str(p.get("rule", "")), who.language.value)
    channel = MESSAGE_CHANNELS.get(str(p.get("channel", "")), InteractionChannel.SMS)
    if p.get("message_id"):
        service.note_message(
            uow,
            customer_id=who.id,
            channel=channel,
            message_id=str(p["message_id"]),
            summary=summary,
            reword=True,
            occurred_at=e.occurred_at,
        )
    else:  # sent through its own domain (home): no message id to share
        service.record_interaction(
            uow,
            customer_id=who.id,
            channel=channel,
            direction=OUT,
            summary=summary,
            subject_kind="reminder",
            subject_id=str(p.get("rule", ""))[:64] or None,
            occurred_at=e.occurred_at,
        )


# --- lines ---------------------------------------------------------------------------------


def _line(key: str, direction: Direction, **words: str) -> Action:
    def action(uow: UnitOfWork, e: EventEnvelope) -> None:
        p = e.payload
        params = {"number": _number(p["msisdn"])}
        if "amount_tiyin" in p:
            params["amount"] = _som(p["amount_tiyin"])
        for name, field in words.items():
            params[name] = str(p[field])
        who = _holder(uow, ServiceKind.MOBILE, p["msisdn"])
        if key == "line_blocked" and who is not None:
            params["reason"] = rules.word(str(p["reason"]), who.language.value)
        _write(uow, who, ACCOUNT, direction, key, ("line", p["msisdn"]), at=e.occurred_at, **params)

    return action


# --- wallet --------------------------------------------------------------------------------


def _wallet(key: str, direction: Direction = IN) -> Action:
    def action(uow: UnitOfWork, e: EventEnvelope) -> None:
        p = e.payload
        who = _holder(uow, ServiceKind.WALLET, p["phone"])
        params = {"amount": _som(p["amount"])} if "amount" in p else {}
        if "provider" in p:
            params["provider"] = str(p["provider"])
        if key == "wallet_state" and who is not None:
            params["change"] = rules.word(str(p["change"]), who.language.value)
        subject = ("wallet_receipt", str(p["receipt"])) if p.get("receipt") else ("wallet", p["phone"])
        _write(uow, who, ACCOUNT, direction, key, subject, at=e.occurred_at, **params)

    return action


def _transferred(uow: UnitOfWork, e: EventEnvelope) -> None:
    p = e.payload
    amount, subject = _som(p["amount"]), ("wallet_receipt", str(p["receipt"]))
    sender = _holder(uow, ServiceKind.WALLET, p["from_phone"])
    to = rules.masked_phone(p["to_phone"])
    _write(uow, sender, ACCOUNT, IN, "wallet_sent", subject, at=e.occurred_at, amount=amount, to=to)
    payee = _holder(uow, ServiceKind.WALLET, p["to_phone"])
    if payee is not None and (sender is None or payee.id != sender.id):
        sender_phone = rules.masked_phone(p["from_phone"])
        _write(
            uow, payee, ACCOUNT, OUT, "wallet_received", subject, at=e.occurred_at, amount=amount, sender=sender_phone
        )


# --- home ----------------------------------------------------------------------------------


def _home(key: str, direction: Direction) -> Action:
    def action(uow: UnitOfWork, e: EventEnvelope) -> None:
        p = e.payload
        if e.name == "home.plan_changed" and p.get("effective") == "applied":
            return  # the change was on the timeline when it was asked for
        params = {"contract": str(p["contract"])}
        if "amount_tiyin" in p:
            params["amount"] = _som(p["amount_tiyin"])
        if "plan" in p:
            params["plan"] = str(p["plan"])
        chosen = "home_plan_next" if p.get("effective") == "next_period" else key
        who = _customer(uow, p["customer_id"]) if "customer_id" in p else _home_holder(uow, p["contract"])
        _write(uow, who, ACCOUNT, direction, chosen, ("home", str(p["contract"])), at=e.occurred_at, **params)

    return action


ACTIONS: Mapping[str, Action] = {
    "identity.customer_signed_in": _signed_in,
    "identity.customer_registered": _identity("registered"),
    "identity.customer_verified": _identity("verified"),
    "identity.access_reported": _identity("access_reported"),
    "notify.message_sent": _message,
    "notify.message_delivered": _message,
    "notify.message_failed": _message,
    "reminders.reminder_sent": _reminder,
    "lines.line_connected": _line("line_connected", IN, plan="plan"),
    "lines.line_topped_up": _line("line_topped_up", IN),
    "lines.plan_switched": _line("plan_switched", IN, from_plan="from_plan", to_plan="to_plan"),
    "lines.line_blocked": _line("line_blocked", OUT),
    "lines.line_unblocked": _line("line_unblocked", OUT),
    "wallet.registered": _wallet("wallet_registered"),
    "wallet.topped_up": _wallet("wallet_topped_up"),
    "wallet.transferred": _transferred,
    "wallet.paid": _wallet("wallet_paid"),
    "wallet.state_changed": _wallet("wallet_state", OUT),
    "wallet.redeemed": _wallet("wallet_redeemed"),
    "home.requested": _home("home_requested", IN),
    "home.activated": _home("home_activated", OUT),
    "home.topped_up": _home("home_topped_up", IN),
    "home.plan_changed": _home("home_plan_changed", IN),
    "home.suspended": _home("home_suspended", OUT),
    "home.resumed": _home("home_resumed", OUT),
    "home.closed": _home("home_closed", OUT),
}


def handle_in(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    """One event inside the caller's unit of work (the drain's batch): marked, then written."""
    if consume_once(uow.session, consumer=CONSUMER, event_id=envelope.event_id, now=uow.clock.now()):
        ACTIONS[envelope.name](uow, envelope)


def subscribe(bus: EventBus, uow_factory: UnitOfWorkFactory) -> None:
    """Registered by the composition root (`app.bootstrap`): deferred, so an operation's
    request does not pay for its timeline entry (a wallet transfer spent ~2.6 ms of CPU on it
    at commit) — the worker's drain writes the entries from the outbox, in order, in batches
    (on a bus that does not defer, at commit in its own unit of work, as before)."""
    bus.subscribe_deferred(ACTIONS, CONSUMER, handle_in, uow_factory)

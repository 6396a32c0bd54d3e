"""The engine: arm a check when a lower domain's event calls for one, run the check when it
falls due (a job), and for each rule whose condition holds decide — within the limits of
`rules` — to send it now through notify, hold it until quiet hours end, or skip it. Every
decision is written to the log; a sent reminder is published (`reminders.reminder_sent`) so
that crm records it as an interaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform import jobs
from yagona.platform.sealing import Sealer
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy
from yagona.reminders import repository, rules
from yagona.reminders.events import ReminderSent
from yagona.reminders.models import ReminderLog
from yagona.reminders.schemas import Rule
from yagona.reminders.service import catalogue
from yagona.reminders.service.preferences import choices_of
from yagona.reminders.service.triggers import TRIGGERS, Occasion, Subject, Trigger

CHECK = "reminders.check"  # the due job: look at a trigger's facts and decide
SENDABLE = frozenset({"sms"})  # always; push too for a customer with a subscribed device
TEXT_TEMPLATE = "notify.text"
STALE_AFTER = timedelta(days=1)  # a scheduled look whose day has passed is not armed

_sealers: list[Sealer] = []


def configure(*, secret_key: str) -> None:
    """The composition root hands in the secret that seals the messages (notify)."""
    _sealers[:] = [notify.sealer_for(secret_key)]


def _sealer() -> Sealer:
    if not _sealers:
        raise RuntimeError("reminders.service.configure was not called")
    return _sealers[0]


def _sendable(uow: UnitOfWork, customer_id: str) -> frozenset[str]:
    """The channels a reminder can take today: SMS, and push once a device subscribed."""
    return (SENDABLE | {"push"}) if notify.has_push_device(uow, customer_id=customer_id) else SENDABLE


# --- arming -------------------------------------------------------------------------------------


def on_event(uow: UnitOfWork, *, event_name: str, payload: dict[str, Any]) -> int:
    """A lower domain's event: arm the checks it calls for; returns how many were armed."""
    armed = 0
    for trigger in TRIGGERS.values():
        subject_of = trigger.armed_by.get(event_name)
        subject = subject_of(payload) if subject_of else None
        if subject is None or not catalogue.of_trigger(trigger.name):
            continue
        armed += _arm(uow, trigger, subject)
    return armed


def _arm(uow: UnitOfWork, trigger: Trigger, subject: Subject) -> int:
    # Reminders reach One ID customers (their language, channels and consent live there): a
    # line's or a wallet's phone is looked up before its facts; home names its customer.
    customer = _customer_of(uow, subject["phone"], None) if "phone" in subject else None
    if "phone" in subject and customer is None:
        return 0
    look = _when_to_look(uow, trigger, subject)
    if look is None:
        return 0
    at, subject, bucket = look
    customer = customer or _customer_of(uow, subject.get("phone", ""), subject.get("customer_id"))
    if customer is None:
        return 0  # reminders reach One ID customers: their language, channels and consent live there
    if all(r.kind == "marketing" for r in catalogue.of_trigger(trigger.name)) and not _consents(uow, customer):
        return 0  # no offer is prepared for a customer who did not opt in (checked again when it is due)
    return int(_schedule(uow, trigger.name, subject, at, suffix=bucket))


def _when_to_look(uow: UnitOfWork, trigger: Trigger, subject: Subject) -> tuple[datetime, Subject, str] | None:
    """When the check runs, for what subject, and the key's bucket; None: nothing to arm."""
    now = uow.clock.now()
    if trigger.when is None:  # an event trigger: look now, and only when some rule would hold
        occasion = trigger.read(uow, subject)
        if occasion is None or not _holding(trigger.name, occasion):
            return None
        return now, subject, now.astimezone(TASHKENT).date().isoformat()  # one look a day per subject
    planned = trigger.when(uow, subject)
    if planned is None or planned[0] < now - STALE_AFTER:
        return None
    at, subject = planned
    return max(at, now), subject, at.isoformat()


def _schedule(uow: UnitOfWork, trigger: str, subject: Subject, at: datetime, *, suffix: str, rule: str = "") -> bool:
    described = ",".join(f"{k}={v}" for k, v in sorted(subject.items()))
    return jobs.schedule(
        uow.session,
        key=f"{CHECK}:{trigger}:{rule}:{described}:{suffix}"[:200],
        kind=CHECK,
        due_at=at,
        payload={"trigger": trigger, "subject": subject, "rule": rule},
        now=uow.clock.now(),
    )


def _consents(uow: UnitOfWork, customer: CustomerRead) -> bool:
    """Does the customer consent to offers and newsletters now (privacy's consent register)?"""
    return privacy.has_consent(uow, customer_id=customer.id, purpose=privacy.MARKETING)


def _holding(trigger: str, occasion: Occasion) -> list[Rule]:
    return [r for r in catalogue.of_trigger(trigger) if rules.holds([c.comparison() for c in r.when], occasion.facts)]


# --- the check (a due job) ----------------------------------------------------------------------------


def check(uow: UnitOfWork, *, trigger: str, subject: Subject, rule: str = "") -> list[dict[str, Any]]:
    """Read the trigger's facts now; each rule that holds is sent, held or skipped. Facts that
    changed since the check was armed (the fee paid, the wallet used) send nothing."""
    found = TRIGGERS.get(trigger)
    if found is None:
        return []
    occasion = found.read(uow, subject)
    if occasion is None:
        if found.when is not None:  # the facts moved (an operation postponed dormancy…): look again then
            _arm(uow, found, subject)
        return []
    customer = _customer_of(uow, occasion.phone, occasion.customer_id)
    if customer is None:
        return []
    return [
        _decide(uow, found, subject, rule=r, occasion=occasion, customer=customer)
        for r in _holding(trigger, occasion)
        if not rule or r.id == rule
    ]


def _decide(
    uow: UnitOfWork, trigger: Trigger, subject: Subject, *, rule: Rule, occasion: Occasion, customer: CustomerRead
) -> dict[str, Any]:
    now = uow.clock.now()
    choices = choices_of(uow, customer_id=customer.id)
    start, end = rules.day_of(now)
    decision = rules.decide(
        now=now,
        kind=rule.kind,
        required=rule.required,
        opted_out=rule.id in choices.opted_out,
        marketing_opt_in=_consents(uow, customer),  # asked at send time (privacy keeps the consent)
        last_sent_at=repository.last_sent(uow.session, customer.id, rule.id, occasion.subject),
        period=rule.period,
        sent_today=repository.sent_between(uow.session, customer.id, start, end),
        channel_name=rules.channel(choices.channels, rule.channels, _sendable(uow, customer.id)),
    )
    phone = _recipient(customer, occasion.phone)
    base = {"phone": phone, "rule": rule.id}
    if isinstance(decision, rules.Hold):
        _schedule(uow, trigger.name, subject, decision.until, suffix=decision.until.isoformat(), rule=rule.id)
        return {**base, "kind": "reminder_held", "until": decision.until.astimezone(TASHKENT).isoformat()}
    if isinstance(decision, rules.Drop):
        _log(uow, customer.id, rule, occasion, status="skipped", reason=decision.reason)
        return {**base, "kind": "reminder_skipped", "reason": decision.reason}
    language = customer.language.value
    text = render(rule, language, occasion.facts)
    message_id = notify.queue(
        uow,
        channel=Channel(decision.channel),
        recipient=customer.id if decision.channel == Channel.PUSH else phone,  # a push goes to the devices
        template=TEXT_TEMPLATE,
        language=Language(language),
        params={"text": text},
        sealer=_sealer(),
    )
    _log(uow, customer.id, rule, occasion, status="sent", channel=decision.channel, message_id=message_id)
    uow.add_event(
        ReminderSent(
            occurred_at=now,
            customer_id=customer.id,
            phone=phone,
            rule=rule.id,
            channel=decision.channel,
            message_id=message_id,
        )
    )
    return {**base, "kind": "reminder", "channel": decision.channel, "language": language, "text": text}


def render(rule: Rule, language: str, facts: dict[str, Any]) -> str:
    """The rule's text in `language`, its placeholders filled (a fact per language takes its own)."""
    values = {k: (v.get(language, v.get("en", "")) if isinstance(v, dict) else v) for k, v in facts.items()}
    return rule.text[language].format_map(values)  # type: ignore[index]


def _log(
    uow: UnitOfWork,
    customer_id: str,
    rule: Rule,
    occasion: Occasion,
    *,
    status: str,
    reason: str | None = None,
    channel: str | None = None,
    message_id: str | None = None,
) -> None:
    repository.add(
        uow.session,
        ReminderLog(
            customer_id=customer_id,
            rule=rule.id,
            subject=occasion.subject[:120],
            status=status,
            reason=reason,
            channel=channel,
            message_id=message_id,
            at=uow.clock.now(),
        ),
    )


def _customer_of(uow: UnitOfWork, phone: str, customer_id: str | None) -> CustomerRead | None:
    try:
        if customer_id:
            return identity.get_customer(uow, customer_id=customer_id)
        return identity.find_customer_by_phone(uow, phone=phone) if phone else None
    except YagonaError:  # no such customer, or not a phone number
        return None


def _recipient(customer: CustomerRead, phone: str) -> str:
    """The phone the reminder is about when it is the customer's, else their first."""
    return phone if phone in customer.phones or not customer.phones else customer.phones[0]

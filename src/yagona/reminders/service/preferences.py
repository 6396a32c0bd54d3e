"""A customer's reminder preferences: the channel order, the rules switched off, and the
marketing opt-in (identity's consent, recorded with its time). A legally required notice
(`required: true` in the rule file) cannot be switched off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yagona.identity import service as identity
from yagona.platform.uow import UnitOfWork
from yagona.reminders import repository
from yagona.reminders.errors import InvalidRequestError, UnknownRuleError
from yagona.reminders.models import ReminderPreference
from yagona.reminders.schemas import Preferences, RuleChoice
from yagona.reminders.service import catalogue

CHANNELS = ("push", "sms")  # the default order: push when the customer has it, else SMS


@dataclass(frozen=True, slots=True)
class Choices:
    channels: tuple[str, ...]
    opted_out: frozenset[str]


def choices_of(uow: UnitOfWork, *, customer_id: str) -> Choices:
    row = repository.preference(uow.session, customer_id)
    if row is None:
        return Choices(CHANNELS, frozenset())
    return Choices(tuple(row.channels), frozenset(row.opted_out))


def preferences(uow: UnitOfWork, *, customer_id: str) -> Preferences:
    """The customer's choices and every rule they may see, switched on or off."""
    customer = identity.get_customer(uow, customer_id=customer_id)
    choices = choices_of(uow, customer_id=customer_id)
    return Preferences(
        channels=choices.channels,
        opted_out=tuple(sorted(choices.opted_out)),
        marketing_opt_in=customer.marketing_opt_in,
        rules=tuple(
            RuleChoice(
                rule=r.id,
                title=r.title,
                kind=r.kind,
                required=r.required,
                on=r.required or r.id not in choices.opted_out,
            )
            for r in catalogue.rules()
        ),
    )


def set_preferences(
    uow: UnitOfWork, *, customer_id: str, channels: Sequence[str], off: Sequence[str], marketing_opt_in: bool
) -> Preferences:
    """Save the choices; nothing is written when one of them is not valid."""
    customer = identity.get_customer(uow, customer_id=customer_id)
    order = tuple(dict.fromkeys(channels))
    if not order or any(c not in CHANNELS for c in order):
        raise InvalidRequestError(f"channels are some of {', '.join(CHANNELS)}", field="channels")
    for rule_id in off:
        found = catalogue.rule(rule_id)
        if found is None:
            raise UnknownRuleError(f"no reminder {rule_id}", rule=rule_id)
        if found.required:
            raise InvalidRequestError(f"the reminder {rule_id} is required and cannot be switched off", field="off")
    repository.save_preference(
        uow.session,
        ReminderPreference(
            customer_id=customer_id,
            channels=list(order),
            opted_out=sorted(set(off)),
            updated_at=uow.clock.now(),
        ),
    )
    if customer.marketing_opt_in != marketing_opt_in:
        identity.set_marketing_opt_in(uow, customer_id=customer_id, opt_in=marketing_opt_in)
    return preferences(uow, customer_id=customer_id)


def sent_messages(uow: UnitOfWork, *, customer_id: str, limit: int = 50) -> list[str]:
    """The notify message ids of the reminders lately sent to the customer (newest first):
    a channel that lists what reached the customer tells reminders from other messages
    (a sign-in code, a receipt) by them."""
    rows = repository.history(uow.session, customer_id, limit=limit)
    return [row.message_id for row in rows if row.status == "sent" and row.message_id]

"""What the customer 360 adds beside the profile, the services and the timeline (issue 14.1):
the recent payments through Payme and Click to every line, wallet and home account of the
customer, the consents, the devices (sessions and whether a push device is subscribed), and
the customer's latest surveys and answers. Every domain is read through its public service;
the 360's view is logged once, with its reason, by the page that shows it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yagona.app.staff.reports import PAYMENT_STATES
from yagona.crm import service as crm
from yagona.identity.schemas import CustomerRead
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.notify import service as notify
from yagona.payments import service as payments
from yagona.payments.schemas import Target
from yagona.platform.pages.core import N_
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

RECENT = 10
SURVEYS = 5
TARGETS: dict[str, str] = {"line": N_("Line"), "wallet": N_("Wallet"), "home": N_("Home internet")}
SURVEY_KINDS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
SURVEY_STATES = {"due": N_("waiting for the morning"), "sent": N_("sent"), "answered": N_("answered")}


def _payments(uow: UnitOfWork, accounts: Iterable[tuple[Target, str]]) -> list[dict[str, Any]]:
    found = [
        {"at": p.created_at, "target": target, "system": p.system, "amount": Money(p.amount),
         "number": display_msisdn(number) if target != "home" else number,
         "state": PAYMENT_STATES.get(p.state, str(p.state))}
        for target, number in accounts
        for p in payments.payments_of(uow, target=target, number=number, limit=RECENT)
    ]  # fmt: skip
    return sorted(found, key=lambda p: p["at"], reverse=True)[:RECENT]


def context(
    uow: UnitOfWork,
    customer: CustomerRead,
    *,
    lines: list[str],
    wallets: list[str],
    homes: list[str],
    with_surveys: bool = True,
) -> dict[str, Any]:
    """The 360's sections beyond the services: payments to `lines`, `wallets` and `homes` (the
    sections the customer granted), the documents accepted and the consents per purpose
    (privacy), devices, and — with the timeline granted — the latest surveys."""
    accounts: list[tuple[Target, str]] = [
        *(("line", m) for m in lines),
        *(("wallet", w) for w in wallets),
        *(("home", h) for h in homes),
    ]
    return {
        "payments": _payments(uow, accounts),
        "payment_targets": TARGETS,
        "consents": customer.consents,
        "privacy_consents": privacy.consents_of(uow, customer_id=customer.id),
        "legal_holds": privacy.holds(uow, customer_id=customer.id),  # the badge while one is active
        "push_device": notify.has_push_device(uow, customer_id=customer.id),
        "surveys": crm.surveys_of(uow, customer_id=customer.id, limit=SURVEYS) if with_surveys else [],
        "survey_kinds": SURVEY_KINDS,
        "survey_states": SURVEY_STATES,
    }

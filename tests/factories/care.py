"""Customer care made through the CRM's services for the analytics tests (three days from
Sunday 15 March 2026, the conftest clock's start): five customers with a line each; a portal
ticket (technical, high) left past its SLA and resolved late, a bot ticket (billing) resolved
in time; contacts by USSD, a call, e-mail and SMS; NPS answers 3 (a detractor, with a comment
that must never leave the CRM), 10 and 9; CSAT answers 5 and 2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tests.factories.identity import context, customer
from tests.factories.staff import member
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.identity.schemas import CustomerRead
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.platform.uow import UnitOfWork

PHONES = ("998911000401", "998911000402", "998911000403", "998911000404", "998911000405")
COMMENT = "Zarina Qodirova says the internet at Chilonzor 7 drops every night"
NPS = {0: 3, 3: 10, 4: 9}  # by the customer's index: (2 promoters - 1 detractor) / 3 = 33.3
CSAT = {1: 5, 2: 2}  # one satisfied in two: 50 %


@dataclass(frozen=True)
class Care:
    people: list[CustomerRead]
    late_ticket: str  # customer 0's technical ticket, resolved past its SLA
    timely_ticket: str  # customer 1's billing ticket, resolved in time


def _answer(uow: UnitOfWork, who: CustomerRead, kind: str, score: int, comment: str | None = None) -> None:
    """Answer the customer's open survey of `kind` (one the CRM offered by itself, or offered here)."""
    waiting = [s for s in crm.surveys_of(uow, customer_id=who.id) if s.kind == kind and s.status != "answered"]
    survey = waiting[0] if waiting else None
    if survey is None:
        survey = crm.offer_survey(
            uow, customer_id=who.id, kind=kind, trigger="relationship" if kind == "nps" else "call",
            channel="account" if kind == "nps" else "staff", category="relationship" if kind == "nps" else "call",
        )  # fmt: skip
    assert survey is not None, f"no {kind} survey for {who.id}"
    crm.answer_survey(uow, token=crm.survey_token(survey.id), score=score, comment=comment)


def customer_care(container: Container, clock: SimulatedClock, phones: tuple[str, ...] = PHONES) -> Care:
    ctx = context(container.settings)
    with container.uow() as uow:  # Sunday 15 March 14:00
        people = [customer(uow, ctx, phone) for phone in phones]
        lead = member(uow, ctx, "supervisor", login="test-care-lead").staff.id
        for n, phone in enumerate(phones):
            lines.connect(uow, msisdn=phone, plan_id="lider-start", deposit=Money.of_som(100_000))
            lines.rate_raw(uow, records=[{"id": f"care-{n}", "msisdn": phone, "type": "data", "mb": "100"}])
        late = crm.open_request(
            uow, customer_id=people[0].id, channel="portal", summary="Internet drops every evening",
            body="Since Friday the line drops at 21:00", category="technical", priority="high",
        )  # fmt: skip
        timely = crm.open_request(
            uow, customer_id=people[1].id, channel="telegram", summary="Charged twice",
            body="Two fees this month", category="billing",
        )  # fmt: skip
        for who, channel, kind in ((0, "ussd", None), (2, "staff", "call"), (3, "email", None), (4, "sms", None)):
            crm.record_interaction(
                uow, customer_id=people[who].id, channel=channel, direction="in", summary="Asked about roaming",
                subject_kind=kind,
            )  # fmt: skip
        _answer(uow, people[0], "nps", NPS[0], COMMENT)  # a detractor: a follow-up complaint opens
        for who in (3, 4):
            _answer(uow, people[who], "nps", NPS[who])
        _answer(uow, people[2], "csat", CSAT[2], "Rude operator")
        uow.commit()
    clock.advance_to(datetime(2026, 3, 16, 10, 0, tzinfo=TASHKENT))  # Monday: the bot ticket in time
    with container.uow() as uow:
        crm.set_status(uow, ticket_id=timely, staff_id=lead, role="supervisor", status="resolved")
        uow.commit()
    with container.uow() as uow:
        _answer(uow, people[1], "csat", CSAT[1])
        uow.commit()
    clock.advance_to(datetime(2026, 3, 17, 10, 0, tzinfo=TASHKENT))  # Tuesday: past the portal ticket's SLA
    container.jobs.run_due()
    with container.uow() as uow:
        crm.set_status(uow, ticket_id=late, staff_id=lead, role="supervisor", status="resolved")
        uow.commit()
    return Care(people=people, late_ticket=late, timely_ticket=timely)

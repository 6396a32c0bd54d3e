"""Customer care in the synthetic operator, through `crm.service`'s public use cases only.

A small share of customers open a ticket on a day they use their line — through the portal,
the Telegram bot or a call (an agent opens it: channel `staff`) — more of them among churners
fading away and among customers whose line refused a record (blocked) in the week before.
Most tickets are answered and resolved a few days later by an agent of the open queues
(`crm.reply`, `crm.set_status`); resolving one offers the CSAT survey (crm's own consumer of
`crm.ticket_resolved`), a wallet payment the CES survey, and the relationship NPS comes from
crm's daily job (`crm.arm_nps`, run by the clock like every due job). Customers answer a
share of the surveys they were sent through the link (`crm.answer_survey`): churners and
blocked customers are more often detractors (NPS 0-6, which opens crm's follow-up ticket)
and less satisfied. Every draw comes from the care's own generator, in customer order: the
same seed gives the same care data, and the usage draws are those without care.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from yagona.app.population.personas import Persona
from yagona.crm import service as crm
from yagona.kernel.errors import YagonaError

if TYPE_CHECKING:
    from yagona.app.bootstrap import Container

T = TypeVar("T")

TICKET_SHARE = 0.0015  # a customer's chance to open a ticket on a day they use their line
CHURNER_FACTOR = 4.0  # fading away (the three weeks before leaving)
BLOCKED_FACTOR = 6.0  # a record of their line was refused in the last BLOCKED_DAYS
BLOCKED_DAYS = 7
# Where tickets come from: the portal, the Telegram bot, a call (the agent opens the ticket).
CHANNELS: tuple[tuple[str, float], ...] = (("portal", 0.45), ("telegram", 0.30), ("staff", 0.25))
CATEGORIES: tuple[tuple[str, float], ...] = (
    ("question", 0.40), ("technical", 0.30), ("billing", 0.20), ("complaint", 0.10),
)  # fmt: skip
PRIORITIES: tuple[tuple[str, float], ...] = (("normal", 0.75), ("low", 0.10), ("high", 0.15))
RESOLVE_AFTER_DAYS = (0, 1, 1, 2, 3, 5)  # a ticket is answered and resolved that many days later
UNRESOLVED_SHARE = 0.12  # left open past the run (SLA breaches)
AGENT = "population-agent"  # the call-centre's agent (the open queues are every agent's)
SURVEY_EVERY_DAYS = 7  # a customer opens their survey links one day in seven (a link lives 14)
ANSWER_SHARE = {"nps": 0.35, "csat": 0.45, "ces": 0.25}
SUMMARIES = {
    "question": ("Tarif haqida savol", "Tarifimdagi daqiqalar qachon yangilanadi?"),
    "technical": ("Internet sekin ishlayapti", "Kechqurun mobil internet juda sekin."),
    "billing": ("Balansdan pul yechildi", "Hisobimdan tushunarsiz summa yechildi, tekshirib bering."),
    "complaint": ("Xizmatdan norozi", "Aloqa tez-tez uzilib qolmoqda."),
}
REPLY = "Murojaatingiz ko'rib chiqildi, muammo hal qilindi. Rahmat!"
# Scores by mood: (score, weight) for a content customer and an unhappy one (a churner or blocked).
SCORES: dict[str, tuple[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...]]] = {
    "nps": (
        ((0, 1), (3, 1), (5, 3), (6, 5), (7, 12), (8, 18), (9, 28), (10, 32)),
        ((0, 10), (2, 12), (4, 14), (5, 12), (6, 12), (7, 14), (8, 11), (9, 8), (10, 7)),
    ),
    "csat": (((1, 4), (2, 5), (3, 14), (4, 35), (5, 42)), ((1, 24), (2, 24), (3, 25), (4, 16), (5, 11))),
    "ces": (
        ((2, 3), (3, 6), (4, 12), (5, 24), (6, 30), (7, 25)),
        ((1, 12), (2, 16), (3, 20), (4, 20), (5, 18), (6, 14)),
    ),
}


@dataclass(frozen=True, slots=True)
class CareMix:
    """How much care the population asks for: the defaults are the operator's; a test asks
    for more (a dozen customers open no ticket in a week at the real share)."""

    ticket_share: float = TICKET_SHARE
    answers: float = 1.0  # times ANSWER_SHARE (capped at every survey answered)

    def answer_share(self, kind: str) -> float:
        return min(1.0, ANSWER_SHARE[kind] * self.answers)


@dataclass
class CareReport:
    tickets: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    detractors: int = 0


@dataclass
class Care:
    """What the population remembers of its customers' care between days."""

    seed: int
    mix: CareMix = field(default_factory=CareMix)
    report: CareReport = field(default_factory=CareReport)
    customer_ids: dict[int, str] = field(default_factory=dict)  # persona index → One ID customer
    refused_on: dict[str, int] = field(default_factory=dict)  # msisdn → last day a record was refused
    pending: list[tuple[int, str, int]] = field(default_factory=list)  # (resolve on day, ticket, persona)
    seen_surveys: set[str] = field(default_factory=set)  # considered once: answered or let go

    def __post_init__(self) -> None:
        self.draw = random.Random(self.seed * 104_729 + 3)  # noqa: S311 - synthetic data, reproducible by design

    def refused(self, msisdns: set[str], day: int) -> None:
        for msisdn in msisdns:
            self.refused_on[msisdn] = day

    def unhappy(self, persona: Persona, day: int) -> bool:
        refused = self.refused_on.get(persona.msisdn)
        fading = persona.leaves_on is not None and persona.activity(day) < 1.0
        return fading or (refused is not None and day - refused <= BLOCKED_DAYS)

    def day(self, container: Container, people: list[Persona], day: int) -> None:
        """The day's care: due tickets answered and resolved, new tickets, survey answers."""
        self._resolve(container, day)
        self._open(container, people, day)
        self._answer(container, people, day)

    def _resolve(self, container: Container, day: int) -> None:
        due = [entry for entry in self.pending if entry[0] <= day]
        self.pending = [entry for entry in self.pending if entry[0] > day]
        for _on, ticket_id, _index in due:
            with container.uow() as uow:
                crm.reply(uow, ticket_id=ticket_id, staff_id=AGENT, role="agent", body=REPLY)
                crm.set_status(uow, ticket_id=ticket_id, staff_id=AGENT, role="agent", status="resolved")
                uow.commit()  # crm's consumer offers the CSAT survey (its 30-day rest permitting)
            self.report.resolved += 1

    def _open(self, container: Container, people: list[Persona], day: int) -> None:
        opening: list[tuple[Persona, str, str, str]] = []
        for persona in people:
            if persona.index not in self.customer_ids or persona.activity(day) <= 0:
                continue
            chance = self.mix.ticket_share
            if persona.leaves_on is not None and persona.activity(day) < 1.0:
                chance *= CHURNER_FACTOR
            refused = self.refused_on.get(persona.msisdn)
            if refused is not None and day - refused <= BLOCKED_DAYS:
                chance *= BLOCKED_FACTOR
            if self.draw.random() >= chance:
                continue
            channel = _pick(CHANNELS, self.draw)
            category = "billing" if refused is not None and self.draw.random() < 0.6 else _pick(CATEGORIES, self.draw)
            opening.append((persona, channel, category, _pick(PRIORITIES, self.draw)))
        for persona, channel, category, priority in opening:
            summary, body = SUMMARIES[category]
            with container.uow() as uow:
                ticket_id = crm.open_request(
                    uow, customer_id=self.customer_ids[persona.index], channel=channel, summary=summary, body=body,
                    category=category, priority=priority, service=persona.msisdn,
                )  # fmt: skip
                uow.commit()
            self.report.tickets += 1
            self.report.by_channel[channel] = self.report.by_channel.get(channel, 0) + 1
            if self.draw.random() >= UNRESOLVED_SHARE:
                self.pending.append((day + self.draw.choice(RESOLVE_AFTER_DAYS), ticket_id, persona.index))

    def _answer(self, container: Container, people: list[Persona], day: int) -> None:
        """The customers of the day's share open their newest survey link, if it is still
        good, and answer it or not (each survey is considered once)."""
        with container.uow() as uow:
            for persona in people:
                customer_id = self.customer_ids.get(persona.index)
                if customer_id is None or (persona.index + day) % SURVEY_EVERY_DAYS:
                    continue
                surveys = crm.surveys_of(uow, customer_id=customer_id, limit=1)
                if not surveys or surveys[0].status != "sent" or surveys[0].id in self.seen_surveys:
                    continue
                survey = surveys[0]
                self.seen_surveys.add(survey.id)
                if crm.survey_expired(uow, survey) or self.draw.random() >= self.mix.answer_share(survey.kind.value):
                    continue
                kind = survey.kind.value
                scores = SCORES[kind][1 if self.unhappy(persona, day) else 0]
                score = _pick(scores, self.draw)
                try:
                    answered = crm.answer_survey(uow, token=crm.survey_token(survey.id), score=score, channel="portal")
                except YagonaError:
                    continue
                self.report.answers[kind] = self.report.answers.get(kind, 0) + 1
                self.report.detractors += answered.follow_up_id is not None
            uow.commit()


def _pick(options: tuple[tuple[T, float], ...], draw: random.Random) -> T:
    values = [value for value, _weight in options]
    return draw.choices(values, [weight for _value, weight in options])[0]


def summary(container: Container, msisdns: list[str]) -> dict[str, list[tuple[str, ...]]]:
    """The care data of the population's customers, without ids or times (a seed's population
    compares equal to itself with this): their tickets and their surveys."""
    from yagona.identity import service as identity  # noqa: PLC0415 - the summary alone reads customers

    found: dict[str, list[tuple[str, ...]]] = {}
    with container.uow() as uow:
        for msisdn in msisdns:
            customer = identity.find_customer_by_phone(uow, phone=msisdn)
            if customer is None:
                continue
            rows: list[tuple[str, ...]] = [
                ("ticket", t.channel.value, t.category, t.priority, t.status)
                for t in crm.tickets(uow, customer_id=customer.id, limit=100)
            ]
            rows += [
                ("survey", s.kind.value, s.trigger, s.status, str(s.score))
                for s in crm.surveys_of(uow, customer_id=customer.id, limit=100)
            ]
            found[msisdn] = sorted(rows)
    return found

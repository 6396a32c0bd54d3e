"""Drive the real services with the personas on the simulated clock: customers sign up,
connect lines, top up by card, Payme and Click, use their lines in the day's slots (batched
through `lines.rate_usages`, a few records a line a slot), keep wallets and home internet,
earn points (the bonus programme's deferred consumer, drained daily) and, some of them, fade
and leave. Due jobs (renewals, blocks) run as the clock passes them (the sandbox's `advance`)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from yagona.app.bootstrap import payments_config
from yagona.app.population.care import Care, CareMix, CareReport
from yagona.app.population.personas import DIURNAL, Persona, Use, msisdn_of, personas, uses_of
from yagona.app.sandbox import verbs
from yagona.app.sandbox.runner import Simulation
from yagona.catalog import service as catalog
from yagona.crm import service as crm
from yagona.home import service as home
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.errors import InvalidRequestError, YagonaError
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.lines.schemas import UsageRecord
from yagona.payments import service as payments
from yagona.platform.outbox import drain_batch
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallets

if TYPE_CHECKING:
    from yagona.app.bootstrap import Container

# Refuse what this machine cannot do in a working day (measured: docs/analytics.md).
MAX_CUSTOMER_DAYS = 1_000_000
# 2 000 x 30 with the care: 193 s of CPU = 18 600 customer-days a CPU minute (216 s in `bench
# analytics` at load 9); one process, so a quiet machine's wall time is about its CPU time.
MEASURED_CUSTOMER_DAYS_PER_MINUTE = 18_000
WALLET_PIN = "24680"
ONBOARD_BATCH = 200  # sign-ups a unit of work
DRAIN_BATCH = 5_000  # events a unit of work when the bonus programme catches up (once a day)
POINTS_CONSUMERS = frozenset({"loyalty"})
# crm asks the relationship NPS of customers with a month of service, and its daily pass reads
# every customer to find them (1.5 s of CPU a day at 2 000 customers): a population whose
# customers all join in the run arms it in its fifth week, when the first can be due.
NPS_FROM_DAY = 29
REGIONS = {"oson-business": "xorazm"}  # a regional plan connects in its regions only
FIRST_NAMES = ("Aziza", "Bobur", "Dilnoza", "Jasur", "Kamola", "Rustam", "Sevara", "Timur", "Umida", "Zafar")
LAST_NAMES = ("Karimova", "Toshmatov", "Rahimova", "Yusupov", "Aliyeva", "Nazarov", "Qodirova", "Saidov")


@dataclass
class PopulationReport:
    customers: int
    days: int
    seed: int
    records: int = 0
    refused: int = 0
    topups: int = 0
    churners: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    care: CareReport = field(default_factory=CareReport)


def personas_msisdn(index: int) -> str:
    """The line of the population's `index`-th customer."""
    return msisdn_of(index)


def estimate_minutes(customers: int, days: int) -> float:
    return customers * days / MEASURED_CUSTOMER_DAYS_PER_MINUTE


def check_size(customers: int, days: int) -> None:
    """A population beyond the machine is refused with the time it would take."""
    if customers < 1 or days < 1:
        raise InvalidRequestError("a population has at least one customer and one day", field="customers")
    if customers * days > MAX_CUSTOMER_DAYS:
        hours = estimate_minutes(customers, days) / 60
        raise InvalidRequestError(
            f"{customers} customers x {days} days is beyond this machine: about {hours:,.0f} hours at the measured"
            f" {MEASURED_CUSTOMER_DAYS_PER_MINUTE:,} customer-days a minute (the limit is {MAX_CUSTOMER_DAYS:,})",
            field="customers",
        )


def generate(
    container: Container,
    clock: SimulatedClock,
    *,
    customers: int,
    days: int,
    seed: int,
    progress: Callable[[int], None] = lambda day: None,
    care_mix: CareMix = CareMix(),  # noqa: B008 - frozen
) -> PopulationReport:
    """The population, from the clock's day on (the clock ends `days` days later)."""
    check_size(customers, days)
    report = PopulationReport(customers=customers, days=days, seed=seed)
    people = personas(seed=seed, customers=customers, days=days)
    report.churners = sum(1 for p in people if p.leaves_on is not None)
    ctx = identity.make_context(secret_key=container.settings.secret_key.get_secret_value(), env=container.settings.env)
    sim = Simulation(uow=container.uow, clock=clock, jobs=container.jobs, make_identity=lambda: ctx,
                     drain=lambda: _drain_points(container))  # fmt: skip
    start = clock.now().astimezone(TASHKENT).replace(hour=0, minute=0, second=0, microsecond=0)
    draw = random.Random(seed * 7919 + 1)  # noqa: S311 - synthetic data, reproducible by design
    care = Care(seed=seed, mix=care_mix, report=report.care)
    for day in range(days):
        midnight = start + timedelta(days=day)
        if day == NPS_FROM_DAY:
            _arm_nps(container)
        _advance(sim, midnight + timedelta(hours=1))
        joining = [persona for persona in people if persona.joins_on == day]
        for at in range(0, len(joining), ONBOARD_BATCH):
            _onboard(container, ctx, joining[at : at + ONBOARD_BATCH], seed, care)
        weekday = midnight.weekday()
        for hour, share in DIURNAL:
            _advance(sim, midnight + timedelta(hours=hour))
            records = [
                _record(persona, use, f"pop:{seed}:{day}:{hour}:{persona.index}:{n}")
                for persona in people
                for n, use in enumerate(uses_of(persona, day=day, weekday=weekday, share=share, draw=draw))
            ]
            care.refused(_rate(container, records, report), day)
            if hour == 13:
                _top_ups(container, people, day, seed, report)
                care.day(container, people, day)
        sim.drain()
        progress(day + 1)
    _advance(sim, start + timedelta(days=days))
    return report


def _arm_nps(container: Container) -> None:
    """crm's relationship NPS pass, a bounded sample a day, armed as the worker arms it and from
    then on run by the clock."""
    with container.uow() as uow:
        crm.arm_nps(uow)
        uow.commit()


def _drain_points(container: Container) -> int:
    """The bonus programme's consumer caught up with the outbox (the points), as the worker's
    drain does; the other deferred consumers (the reminder engine: an SMS per low balance)
    catch up when a worker runs, not here: they cost 4 ms an event and send nothing worth
    simulating (docs/analytics.md)."""
    handled = 0
    bus = container.settings.bus
    for consumer in container.bus.deferred_consumers():
        if consumer.name not in POINTS_CONSUMERS:
            continue
        while True:
            report = drain_batch(container.uow, consumer, batch=DRAIN_BATCH, gap_grace_s=bus.drain_gap_grace_s)
            handled += report.handled
            if report.failed or report.waiting or report.passed < DRAIN_BATCH:
                break
    return handled


def _advance(sim: Simulation, to: datetime) -> None:
    if to > sim.clock.now():
        verbs.advance(sim, {"to": to, "by": None})


def _name(persona: Persona) -> str:
    return f"{FIRST_NAMES[persona.index % len(FIRST_NAMES)]} {LAST_NAMES[persona.index // 7 % len(LAST_NAMES)]}"


def _onboard(
    container: Container, ctx: identity.IdentityContext, joining: list[Persona], seed: int, care: Care
) -> None:
    with container.uow() as uow:
        for persona in joining:
            care.customer_ids[persona.index] = _join(uow, ctx, persona, seed)
        uow.commit()


def _join(uow: UnitOfWork, ctx: identity.IdentityContext, persona: Persona, seed: int) -> str:
    """One ID sign-up, the line (its first fee and a first top-up), a wallet, home internet."""
    first_fee = lines_first_fee(persona.plan)
    holder = identity.find_customer_by_phone(uow, phone=persona.msisdn) or identity.register_customer(
        uow,
        ctx=ctx,
        customer=CustomerCreate(
            phone=persona.msisdn, name=_name(persona), accept_documents=True, marketing_opt_in=persona.index % 3 > 0
        ),
    )
    if not lines.exists(uow, persona.msisdn):
        lines.connect(
            uow,
            msisdn=persona.msisdn,
            plan_id=persona.plan,
            deposit=Money(first_fee + persona.topup_som * 100),
            region=REGIONS.get(persona.plan),
        )
        lines.link_to_owner(uow, persona.msisdn)
    if persona.wallet:  # a fresh customer: no wallet yet
        wallets.register(
            uow, customer_id=holder.id, phone=persona.msisdn, pin=WALLET_PIN, birth_date=_birth_date(persona),
            accept_offer=True, offer_version=wallets.current().settings.offer_version,
        )  # fmt: skip
        wallets.topup(
            uow, phone=persona.msisdn, amount=Money.of_som(persona.topup_som).tiyin, source="card",
            idempotency_key=f"pop:{seed}:wallet:{persona.index}",
        )  # fmt: skip
    if persona.home and not home.accounts_of(uow, customer_id=holder.id):
        account = home.request_connection(
            uow, customer_id=holder.id, address=f"Toshkent, {persona.index % 12 + 1}-mavze, {persona.index}-uy",
            plan_id="uy-100", equipment=["router-wifi"],
        )  # fmt: skip
        home.top_up(uow, contract=account.contract, amount=Money.of_som(150_000),
                    idempotency_key=f"pop:{seed}:home:{persona.index}")  # fmt: skip
    return holder.id


def _birth_date(persona: Persona) -> date:
    return date(1980 + persona.index % 25, 1 + persona.index % 12, 1 + persona.index % 28)


def lines_first_fee(plan_id: str) -> int:
    return catalog.connection_minimum(catalog.get_plan(plan_id)).tiyin


def _record(persona: Persona, use: Use, record_id: str) -> UsageRecord:
    if use.kind == "data":
        return lines.parse_record({"id": record_id, "msisdn": persona.msisdn, "type": "data", "mb": use.mb,
                                   "tasix": use.tasix})  # fmt: skip
    fields: dict[str, Any] = {"id": record_id, "msisdn": persona.msisdn, "type": use.kind, "to": use.to}
    if use.kind == "voice":
        fields["seconds"] = use.seconds
    return lines.parse_record(fields)


def _rate(container: Container, records: list[UsageRecord], report: PopulationReport) -> set[str]:
    """A slot's records of every line in one unit of work (batches of the largest size
    `lines.rate_usages` takes): one commit a slot. Returns the lines a record was refused for."""
    size = container.settings.limits.batch_size_max
    refused: set[str] = set()
    with container.uow() as uow:
        for at in range(0, len(records), size):
            chunk = records[at : at + size]
            outcomes = lines.rate_usages(uow, records=chunk)
            report.records += len(outcomes)
            for record, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, YagonaError):
                    report.refused += 1
                    refused.add(record.msisdn)
        uow.commit()
    return refused


def _top_ups(container: Container, people: list[Persona], day: int, seed: int, report: PopulationReport) -> None:
    for persona in people:
        since = day - persona.joins_on
        if since <= 0 or since % persona.topup_every_days or persona.activity(day) < 0.5:
            continue
        key = f"pop:{seed}:topup:{persona.index}:{day}"
        if persona.wallet and since % (persona.topup_every_days * 2) == 0:
            channel = "wallet"
            _pay_from_wallet(container, persona, key)
        else:
            channel = persona.topup_channel
            {"card": _card, "payme": _payme, "click": _click}[channel](container, persona, key, seed, day)
        report.topups += 1
        report.by_channel[channel] = report.by_channel.get(channel, 0) + 1


def _card(container: Container, persona: Persona, key: str, seed: int, day: int) -> None:
    with container.uow() as uow:
        lines.top_up(uow, msisdn=persona.msisdn, amount=Money.of_som(persona.topup_som), idempotency_key=key)
        uow.commit()


def _payme(container: Container, persona: Persona, key: str, seed: int, day: int) -> None:
    config = payments_config(container.settings)
    with container.uow() as uow:
        params = {"id": key, "time": payments.ms(uow.clock.now()), "amount": persona.topup_som * 100,
                  "account": {"phone": persona.msisdn}}  # fmt: skip
        payments.payme(uow, config=config, method="CreateTransaction", params=params)
        payments.payme(uow, config=config, method="PerformTransaction", params={"id": key})
        uow.commit()


def _click(container: Container, persona: Persona, key: str, seed: int, day: int) -> None:
    """Click's side of the SHOP API: its form, signed as Click signs (MD5 with the secret)."""
    config = payments_config(container.settings)
    secret, service = config.click_secret_key or "", config.click_service_id or ""
    trans_id = str(int(hashlib.sha256(key.encode()).hexdigest()[:12], 16))
    amount = f"{persona.topup_som}.00"
    base = {"click_trans_id": trans_id, "service_id": service, "merchant_trans_id": persona.msisdn,
            "amount": amount, "sign_time": "2026-01-01 00:00:00", "error": "0"}  # fmt: skip
    with container.uow() as uow:
        prepared = payments.click_prepare(uow, config=config, form={**base, "action": "0", "sign_string": _sign(
            [trans_id, service, persona.msisdn, amount, "0", base["sign_time"]], secret)})  # fmt: skip
        prepare_id = str(prepared["merchant_prepare_id"])
        payments.click_complete(uow, config=config, form={
            **base, "action": "1", "merchant_prepare_id": prepare_id,
            "sign_string": _sign([trans_id, service, persona.msisdn, prepare_id, amount, "1",
                                  base["sign_time"]], secret)})  # fmt: skip
        uow.commit()


def _sign(fields: list[str], secret: str) -> str:
    """Click signs the documented fields with the secret third (click.uz SHOP API)."""
    joined = "".join([*fields[:2], secret, *fields[2:]])
    return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()


def _pay_from_wallet(container: Container, persona: Persona, key: str) -> None:
    """The wallet tops up by card, then pays the line (the wallet's `mobile` provider)."""
    amount = Money.of_som(persona.topup_som).tiyin
    with container.uow() as uow:
        wallets.topup(uow, phone=persona.msisdn, amount=amount, source="card", idempotency_key=key)
        wallets.pay(uow, phone=persona.msisdn, provider="mobile", account=persona.msisdn, amount=amount,
                    pin=WALLET_PIN, idempotency_key=key)  # fmt: skip
        uow.commit()


def summary(container: Container) -> dict[str, tuple[str, str, int, int]]:
    """What the population holds now, line by line: plan, status, balance, points (a seed's
    population compares equal to itself with this)."""
    from yagona.loyalty import service as loyalty  # noqa: PLC0415 - the summary alone reads points

    with container.uow() as uow:
        members = set(loyalty.members(uow))
        return {
            msisdn: (
                (line := lines.state(uow, msisdn=msisdn)).plan,
                line.status,
                line.balance_tiyin,
                loyalty.state(uow, phone=msisdn).points if msisdn in members else 0,
            )
            for msisdn in lines.list_msisdns(uow)
        }

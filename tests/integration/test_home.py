"""Home internet on both databases: the OneID wait, the first fee, the monthly night
renewal, suspension without debt, resume on payment (desk and wallet), IPTV add-ons, plan
change, the reminders (the engine's) by SMS in the customer's language, the staff moves."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest

from tests.factories import home as factory
from tests.factories.identity import customer
from tests.factories.wallet import PIN, register, som, top_up
from yagona.app.bootstrap import Container
from yagona.home import service
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerCreate, Language, ServiceKind
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.errors import YagonaError
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.notify import service as notify
from yagona.wallet import service as wallet

PHONE = "998901112233"
PINFL = "31203901230012"


def run_jobs_until(container: Container, clock: SimulatedClock, target: datetime) -> list[dict[str, Any]]:
    effects: list[dict[str, Any]] = []
    while (due := container.jobs.next_due_at()) is not None and due <= target:
        clock.advance_to(max(due, clock.now()))
        for outcome in container.jobs.run_due():
            assert outcome.ok, outcome.error
            effects.extend(outcome.effects)
    clock.advance_to(target)
    return effects


def refused(container: Container, code: str, action: Any) -> None:
    with pytest.raises(YagonaError) as caught, container.uow() as uow:
        action(uow)
    assert caught.value.code == code, caught.value


def state(container: Container, contract: str = "10000001") -> Any:
    with container.uow() as uow:
        return service.state(uow, contract=contract)


def sms(container: Container, phone: str = PHONE) -> list[tuple[str, str]]:
    ctx = factory.ctx(container.settings)
    with container.uow() as uow:
        messages = notify.outbox(uow, recipient=phone, sealer=ctx.messages, env="test", limit=50)
    return [(m.template, m.body or "") for m in reversed(messages) if m.template == "notify.text"]


def at(*parts: int) -> datetime:
    year, month, day, hour, minute = parts
    return datetime(year, month, day, hour, minute, tzinfo=TASHKENT)


def connected(container: Container, *, deposit: int, plan: str = "uy-100", **kwargs: Any) -> str:
    """A request, money paid in at a desk, the customer verified: active (or suspended)."""
    ctx = factory.ctx(container.settings)
    with container.uow() as uow:
        holder, account = factory.request(uow, ctx, PHONE, plan=plan, **kwargs)
        if deposit:
            service.top_up(uow, contract=account.contract, amount=Money(deposit), idempotency_key="deposit")
        uow.commit()
    factory.verify(container.uow, ctx, holder.id, PINFL)
    return account.contract


def test_a_request_waits_for_oneid_and_the_staff_cannot_skip_it(container: Container) -> None:
    ctx = factory.ctx(container.settings)
    with container.uow() as uow:
        holder, account = factory.request(uow, ctx, PHONE, equipment=("router-wifi",))
        service.top_up(uow, contract=account.contract, amount=Money(som(200_000)), idempotency_key="d")
        uow.commit()
    assert (account.contract, account.state, account.iptv_number) == ("10000001", "pending_identity", "IP0000001")
    refused(container, "identity_not_verified", lambda uow: service.activate(uow, contract="10000001"))
    with container.uow() as uow:
        assert [a.contract for a in service.pending_requests(uow)] == ["10000001"]
        profile = identity.get_customer(uow, customer_id=holder.id)
        assert (ServiceKind.HOME_INTERNET, "10000001") in [(s.kind, s.reference) for s in profile.services]
    waiting = state(container)
    assert (waiting.state, waiting.balance_tiyin, waiting.next_charge_at) == ("pending_identity", som(200_000), None)

    factory.verify(container.uow, ctx, holder.id, PINFL)  # the event activates the request

    active = state(container)
    assert active.state == "active"
    assert active.balance_tiyin == som(200_000 - 159_000)  # uy-100 149 000 + router 10 000, in advance
    assert active.next_charge_at == at(2026, 4, 15, 0, 0)
    with container.uow() as uow:
        assert service.pending_requests(uow) == []
        assert ledger.posted_balance(uow, code=service.REVENUE) == som(159_000)
    refused(container, "home_state", lambda uow: service.activate(uow, contract="10000001"))


def test_a_verified_customer_is_connected_at_once_and_the_staff_can_activate_after_oneid(
    container: Container,
) -> None:
    contract = connected(container, deposit=som(99_000), plan="uy-50")
    assert state(container, contract).state == "active"
    with container.uow() as uow:  # verified already: the second request starts at once (no money: suspended)
        holder = identity.find_customer_by_phone(uow, phone=PHONE)
        assert holder is not None
        second = service.request_connection(uow, customer_id=holder.id, address="Toshkent, Olmazor 3", plan_id="uy-50")
        uow.commit()
    assert (second.contract, second.state) == ("10000002", "suspended")


def test_bad_requests_are_refused_and_write_nothing(container: Container) -> None:
    ctx = factory.ctx(container.settings)
    with container.uow() as uow:
        holder = customer(uow, ctx, PHONE)
        uow.commit()

    def ask(plan: str = "uy-100", address: str = factory.ADDRESS, **kw: Any) -> Any:
        return lambda uow: service.request_connection(uow, customer_id=holder.id, address=address, plan_id=plan, **kw)

    refused(container, "plan_closed", ask("uy-20-arxiv"))
    refused(container, "not_found", ask("uy-999"))
    refused(container, "not_found", ask(equipment=["modem"]))
    refused(container, "plan_closed", ask(packages=["tv-sport-arxiv"]))
    refused(container, "invalid_request", ask(address="   "))
    refused(container, "invalid_request", ask(address="Toshkent\x00 Chilonzor"))
    refused(container, "not_found", lambda uow: service.state(uow, contract="10000001"))
    refused(container, "invalid_request", lambda uow: service.state(uow, contract="1234"))
    with container.uow() as uow:
        assert service.list_contracts(uow) == []


def test_renewal_suspension_reminders_and_resume(container: Container, clock: SimulatedClock) -> None:
    with container.uow() as uow:  # a customer who reads Russian
        identity.register_customer(
            uow,
            ctx=factory.ctx(container.settings),
            customer=CustomerCreate(phone=PHONE, name="Ольга", language=Language.RU, accept_documents=True),
        )
        uow.commit()
    contract = connected(container, deposit=som(400_000), equipment=("router-wifi",))
    effects = run_jobs_until(container, clock, at(2026, 4, 15, 7, 0))
    assert [(e["kind"], e.get("rule", e.get("amount"))) for e in effects] == [
        ("renewal", 159_000),  # 241 000 on the balance covers the fee: no reminder
    ]
    assert state(container, contract).balance_tiyin == som(82_000)

    # The reminders are the reminder engine's (docs/reminders.md), in the customer's language.
    effects = run_jobs_until(container, clock, at(2026, 5, 19, 9, 0))
    assert [(e["kind"], e.get("rule")) for e in effects] == [
        ("reminder", "home-fee-due"),
        ("suspended", None),
        ("reminder", "home-suspended"),
        ("reminder", "home-still-suspended"),
    ]
    suspended = state(container, contract)
    assert (suspended.state, suspended.balance_tiyin, suspended.next_charge_at) == ("suspended", som(82_000), None)
    bodies = [body for template, body in sms(container)]
    assert len(bodies) == 3
    assert all(body.startswith(f"Домашний интернет {contract}") for body in bodies)
    assert "Оплатите 77 000 сум, и он сразу возобновится." in bodies[1]

    with container.uow() as uow:  # short of the fee: stays suspended (no part payment of a period)
        service.top_up(uow, contract=contract, amount=Money(som(50_000)), idempotency_key="t1")
        uow.commit()
    assert state(container, contract).state == "suspended"
    with container.uow() as uow:
        service.top_up(uow, contract=contract, amount=Money(som(80_000)), idempotency_key="t2")
        service.top_up(uow, contract=contract, amount=Money(som(80_000)), idempotency_key="t2")  # a replay
        uow.commit()
    resumed = state(container, contract)
    assert (resumed.state, resumed.balance_tiyin) == ("active", som(212_000 - 159_000))
    assert resumed.next_charge_at == at(2026, 6, 19, 0, 0)  # a new period from the day of the top-up


def test_the_wallet_pays_home_internet_and_iptv_and_resumes_the_account(
    container: Container, clock: SimulatedClock
) -> None:
    contract = connected(container, deposit=0, plan="uy-50")
    assert state(container, contract).state == "suspended"  # verified with nothing on the balance
    with container.uow() as uow:
        register(uow, PHONE)
        top_up(uow, PHONE, som(200_000))
        receipt = wallet.pay(
            uow, phone=PHONE, provider="iptv", account="IP0000001", amount=som(99_000), pin=PIN, idempotency_key="w1"
        )
        uow.commit()
    assert receipt.account == "IP0000001"
    paid = state(container, contract)
    assert (paid.state, paid.balance_tiyin, paid.next_charge_at) == ("active", 0, at(2026, 4, 15, 0, 0))
    with container.uow() as uow:
        wallet.pay(
            uow, phone=PHONE, provider="home-internet", account=contract, amount=som(1_000), pin=PIN,
            idempotency_key="w2",
        )  # fmt: skip
        uow.commit()
    assert state(container, contract).balance_tiyin == som(1_000)
    refused(
        container,
        "not_found",
        lambda uow: wallet.pay(
            uow, phone=PHONE, provider="home-internet", account="19999999", amount=som(1_000), pin=PIN,
            idempotency_key="w3",
        ),
    )  # fmt: skip
    refused(
        container,
        "invalid_request",
        lambda uow: wallet.pay(
            uow, phone=PHONE, provider="home-internet", account="01234567", amount=som(1_000), pin=PIN,
            idempotency_key="w4",
        ),
    )  # fmt: skip


def test_iptv_add_on_and_plan_change_from_the_next_period(container: Container, clock: SimulatedClock) -> None:
    contract = connected(container, deposit=som(600_000), plan="uy-50")
    clock.advance_to(at(2026, 3, 30, 12, 0))  # 16 of 31 days left (started days count)
    with container.uow() as uow:
        before = service.balance(uow, contract)
        service.add_package(uow, contract=contract, package_id="tv-asosiy")
        service.change_plan(uow, contract=contract, plan_id="uy-300")
        uow.commit()
        after = service.balance(uow, contract)
    assert before - after == 1_290_323  # 25 000 x 16/31, half up
    changed = state(container, contract)
    assert (changed.plan, changed.next_plan, changed.next_fee_tiyin) == ("uy-50", "uy-300", som(249_000 + 25_000))
    refused(container, "plan_closed", lambda uow: service.change_plan(uow, contract=contract, plan_id="uy-20-arxiv"))
    refused(container, "not_found", lambda uow: service.add_package(uow, contract=contract, package_id="tv-yoq"))

    effects = run_jobs_until(container, clock, at(2026, 4, 15, 7, 0))
    assert [e["kind"] for e in effects] == ["plan_changed", "renewal"]  # the balance covers it: no reminder
    renewed = state(container, contract)
    assert (renewed.plan, renewed.next_plan, [p.id for p in renewed.packages]) == ("uy-300", None, ["tv-asosiy"])
    with container.uow() as uow:
        assert ledger.posted_balance(uow, code=service.REVENUE_TV) == 1_290_323 + som(25_000)
        with_tv = identity.get_customer(uow, customer_id=renewed.customer_id)
        assert (ServiceKind.IPTV, "IP0000001") in [(s.kind, s.reference) for s in with_tv.services]


def test_an_add_on_the_balance_cannot_pay_is_refused_and_nothing_changes(container: Container) -> None:
    contract = connected(container, deposit=som(99_000), plan="uy-50")
    refused(
        container, "insufficient_funds", lambda uow: service.add_package(uow, contract=contract, package_id="tv-kino")
    )
    assert state(container, contract).packages == ()


def test_a_closed_contract_is_billed_no_more_and_takes_no_payment(container: Container, clock: SimulatedClock) -> None:
    contract = connected(container, deposit=som(400_000))
    with container.uow() as uow:
        service.close(uow, contract=contract)
        uow.commit()
    assert run_jobs_until(container, clock, at(2026, 5, 20, 12, 0)) == []
    closed = state(container, contract)
    assert (closed.state, closed.balance_tiyin) == ("closed", som(400_000 - 149_000))
    refused(
        container,
        "home_state",
        lambda uow: service.top_up(uow, contract=contract, amount=Money(100), idempotency_key="late"),
    )


def test_the_demo_customer_has_home_internet_that_starts_after_oneid(container: Container) -> None:
    from yagona.app import demo

    with container.uow() as uow:
        done = demo.load(uow, container.settings)
        uow.commit()
    assert "home internet 10000001 (pending_identity)" in done
    with container.uow() as uow:
        holder = identity.find_customer_by_phone(uow, phone=demo.DEMO_CUSTOMER["phone"])
        assert holder is not None
    factory.verify(container.uow, factory.ctx(container.settings), holder.id, PINFL)
    with container.uow() as uow:
        assert "home internet 10000001 (uy-100, active): balance 41 000.00 so'm" in demo.current_state(uow)


def test_requests_at_once_each_get_their_own_contract(container: Container) -> None:
    ctx = factory.ctx(container.settings)
    phones = [f"99890777000{n}" for n in range(4)]
    with container.uow() as uow:
        holders = [customer(uow, ctx, number).id for number in phones]
        uow.commit()
    contracts: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(len(holders))

    def ask(holder: str) -> None:
        gate.wait()
        try:
            with container.uow() as uow:
                account = service.request_connection(uow, customer_id=holder, address=factory.ADDRESS, plan_id="uy-50")
                uow.commit()
            contracts.append(account.contract)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(holder,)) for holder in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:2]
    assert sorted(contracts) == ["10000001", "10000002", "10000003", "10000004"]

"""The reminder engine end to end on SQLite: a lower domain's event or the engine's due job →
the message in notify's outbox, in the customer's language, and `reminders.reminder_sent`
published for crm. The limits themselves are unit-tested (tests/unit/reminders)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.factories import wallet as wallets
from tests.factories.identity import context, customer
from yagona.app.bootstrap import Container
from yagona.identity.schemas import Language
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.notify import service as notify
from yagona.platform.bus import EventEnvelope
from yagona.reminders import service as reminders

PHONE = "998901000001"


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    # The engine holds no lock of its own: SQLite is enough.
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def published(container: Container) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def listen(envelope: EventEnvelope) -> None:
        seen.append(envelope.payload)

    container.bus.subscribe("reminders.reminder_sent", "test-crm", listen)
    return seen


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TASHKENT)


def one_id(container: Container, phone: str = PHONE, language: Language = Language.UZ) -> str:
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), phone, language=language)
        uow.commit()
    return holder.id


def run_jobs_until(container: Container, clock: SimulatedClock, target: datetime) -> list[dict[str, Any]]:
    effects: list[dict[str, Any]] = []
    while (due := container.jobs.next_due_at()) is not None and due <= target:
        clock.advance_to(max(due, clock.now()))
        for outcome in container.jobs.run_due():
            assert outcome.ok, outcome.error
            effects.extend({"at": outcome.ran_at, **e} for e in outcome.effects if "rule" in e)
    clock.advance_to(target)
    return effects


def texts(container: Container, phone: str = PHONE) -> list[str]:
    sealer = notify.sealer_for(container.settings.secret_key.get_secret_value())
    with container.uow() as uow:
        messages = notify.outbox(uow, recipient=phone, sealer=sealer, env="test", limit=50)
    return [m.body or "" for m in reversed(messages) if m.template == "notify.text"]


def test_fee_due_tomorrow_with_the_balance_short_reaches_a_russian_reader_the_day_before(
    container: Container, clock: SimulatedClock, published: list[dict[str, Any]]
) -> None:
    customer_id = one_id(container, language=Language.RU)
    with container.uow() as uow:  # 100 000 in, the first fee 55 000: 45 000 left for the next 55 000
        lines.connect(uow, msisdn=PHONE, plan_id="lider-plus", deposit=Money.of_som(100_000))
        uow.commit()
    effects = run_jobs_until(container, clock, at(4, 14, 12))
    assert [(e["at"], e["rule"], e["kind"], e["language"]) for e in effects] == [
        (at(4, 14, 10), "line-fee-due", "reminder", "ru")
    ]
    [text] = texts(container)
    assert text.startswith("+998 90 100 00 01: завтра абонентская плата 55 000 сум.")
    assert text.endswith("не хватает 15 000 сум. Пополните баланс.")
    assert published == [
        {
            "customer_id": customer_id,
            "phone": PHONE,
            "rule": "line-fee-due",
            "channel": "sms",
            "message_id": published[0]["message_id"],
        }
    ]
    assert published[0]["message_id"]


def test_a_fee_the_balance_covers_needs_no_reminder(container: Container, clock: SimulatedClock) -> None:
    one_id(container)
    with container.uow() as uow:
        lines.connect(uow, msisdn=PHONE, plan_id="lider-plus", deposit=Money.of_som(100_000))
        uow.commit()
    with container.uow() as uow:  # topped up before the day before: the check finds nothing short
        lines.top_up(uow, msisdn=PHONE, amount=Money.of_som(20_000), idempotency_key="t1")
        uow.commit()
    assert run_jobs_until(container, clock, at(4, 14, 12)) == []
    assert texts(container) == []


def test_a_line_without_a_one_id_customer_gets_no_reminder(container: Container, clock: SimulatedClock) -> None:
    with container.uow() as uow:
        lines.connect(uow, msisdn=PHONE, plan_id="lider-plus", deposit=Money.of_som(100_000))
        uow.commit()
    assert run_jobs_until(container, clock, at(4, 16, 12)) == []


def test_a_light_wallet_topped_up_to_90_percent_at_night_hears_at_eight(
    container: Container, clock: SimulatedClock, published: list[dict[str, Any]]
) -> None:
    one_id(container, language=Language.EN)
    clock.advance_to(at(3, 15, 23, 30))
    with container.uow() as uow:  # the Light limit is 1 225 000 so'm: 1 102 500 is 90 %
        wallets.register(uow, PHONE)
        wallets.top_up(uow, PHONE, wallets.som(1_102_500))
        uow.commit()
    effects = run_jobs_until(container, clock, at(3, 16, 9))
    assert [(e["at"], e["kind"]) for e in effects] == [
        (at(3, 15, 23, 30), "reminder_held"),
        (at(3, 16, 8), "reminder"),
    ]
    assert effects[0]["until"] == "2026-03-16T08:00:00+05:00"
    assert texts(container) == [
        "Wallet +998 90 100 00 01: 90% of the Light limit (1 225 000 so'm) is used. Get identified at an office to lift the limits."
    ]
    assert [p["rule"] for p in published] == ["wallet-light-limit"]
    with container.uow() as uow:  # within the period: no second reminder for the same wallet
        wallets.top_up(uow, PHONE, wallets.som(10_000))
        uow.commit()
    again = run_jobs_until(container, clock, at(3, 17, 12))
    assert [(e["kind"], e.get("reason")) for e in again] == [("reminder_skipped", "repeat")]
    assert len(texts(container)) == 1


def test_a_bundle_80_percent_used_in_uzbek_unless_switched_off(container: Container, clock: SimulatedClock) -> None:
    customer_id = one_id(container)
    with container.uow() as uow:
        lines.connect(uow, msisdn=PHONE, plan_id="lider-plus", deposit=Money.of_som(100_000))
        reminders.set_preferences(
            uow, customer_id=customer_id, channels=["sms"], off=["line-bundle-80"], marketing_opt_in=False
        )
        uow.commit()
    with container.uow() as uow:  # 500 MB of the first month's extra, then 16 400 of the 20 480 MB: 80 %
        lines.data(uow, msisdn=PHONE, mb=16_900, tasix=False, record_id="d1")
        uow.commit()
    effects = run_jobs_until(container, clock, at(3, 15, 15))
    assert [(e["rule"], e["kind"], e.get("reason")) for e in effects] == [
        ("line-bundle-80", "reminder_skipped", "opted_out")
    ]
    with container.uow() as uow:  # switched on again, the next call the next day
        reminders.set_preferences(uow, customer_id=customer_id, channels=["sms"], off=[], marketing_opt_in=False)
        lines.data(uow, msisdn=PHONE, mb=1, tasix=False, record_id="d2")
        uow.commit()
    clock.advance_to(at(3, 16, 11))
    with container.uow() as uow:
        lines.data(uow, msisdn=PHONE, mb=1, tasix=False, record_id="d3")
        uow.commit()
    effects = run_jobs_until(container, clock, at(3, 16, 12))
    assert [(e["rule"], e["kind"]) for e in effects] == [("line-bundle-80", "reminder")]
    assert texts(container) == ["+998 90 100 00 01: internet paketining 80% ishlatildi, 4078 MB qoldi."]


def test_points_expiring_are_an_offer_only_with_marketing_consent(
    container: Container, clock: SimulatedClock, published: list[dict[str, Any]]
) -> None:
    consenting, other = PHONE, "998901000002"
    with container.uow() as uow:
        holder = customer(uow, context(container.settings), consenting)
        customer(uow, context(container.settings), other)
        uow.commit()
    with container.uow() as uow:
        reminders.set_preferences(uow, customer_id=holder.id, channels=["sms"], off=[], marketing_opt_in=True)
        for msisdn in (consenting, other):  # the first fee earns 60 points, expiring 2027-03-15
            lines.connect(uow, msisdn=msisdn, plan_id="lider-plus", deposit=Money.of_som(1_000_000))
        uow.commit()
    effects = run_jobs_until(container, clock, datetime(2027, 2, 13, 11, tzinfo=TASHKENT))
    assert [(e["at"], e["phone"], e["rule"], e["kind"]) for e in effects] == [
        (datetime(2027, 2, 13, 10, tzinfo=TASHKENT), consenting, "points-expiring", "reminder")
    ]
    assert texts(container, consenting) == [
        "60 ball 15.03.2027 kuni yonib ketadi. Ularni sovg'aga almashtiring: /points"
    ]
    assert texts(container, other) == []
    assert [p["rule"] for p in published] == ["points-expiring"]


# --- home internet: the engine decides (issue 13.6) ------------------------------------------------


def home_connected(
    container: Container, deposits: list[int], *, language: Language = Language.UZ
) -> tuple[str, list[str]]:
    """A customer's home accounts (uy-100 without equipment: 149 000 a month), each with its
    deposit paid in, then the OneID check: each account active when its deposit covers the
    first fee, else suspended at once."""
    from tests.factories import home
    from yagona.home import service as homes

    ctx = home.ctx(container.settings)
    contracts = []
    with container.uow() as uow:
        holder = customer(uow, ctx, PHONE, language=language)
        for i, deposit in enumerate(deposits):
            _, account = home.request(uow, ctx, PHONE, plan="uy-100")
            if deposit:
                homes.top_up(uow, contract=account.contract, amount=Money.of_som(deposit), idempotency_key=f"d{i}")
            contracts.append(account.contract)
        uow.commit()
    home.verify(container.uow, ctx, holder.id, "31203901230012")
    return holder.id, contracts


def test_home_internet_reminders_are_the_engines_in_the_customers_language(
    container: Container, clock: SimulatedClock, published: list[dict[str, Any]]
) -> None:
    # 200 000 in, the first fee 149 000: 51 000 left for the next one, due 15 April at 00:00.
    _, [contract] = home_connected(container, [200_000], language=Language.RU)
    effects = run_jobs_until(container, clock, at(4, 19, 12))
    assert [(e["at"], e["rule"], e["kind"], e["channel"], e["language"]) for e in effects] == [
        (at(4, 14, 10), "home-fee-due", "reminder", "sms", "ru"),
        (at(4, 15, 10), "home-suspended", "reminder", "sms", "ru"),  # cut in the night of the 15th
        (at(4, 18, 10), "home-still-suspended", "reminder", "sms", "ru"),
    ]
    fee_due, suspended, still = texts(container)
    assert fee_due.startswith(f"Домашний интернет {contract}: завтра абонентская плата 149 000 сум.")
    assert fee_due.endswith("51 000 сум, не хватает 98 000 сум. Пополните баланс.")
    assert suspended.startswith(f"Домашний интернет {contract} приостановлен: абонентская плата 149 000 сум,")
    assert suspended.endswith("Оплатите 98 000 сум, и он сразу возобновится.")
    assert still == f"Домашний интернет {contract} всё ещё приостановлен. Для возобновления оплатите 98 000 сум."
    assert [(p["rule"], p["phone"], p["channel"], bool(p["message_id"])) for p in published] == [
        ("home-fee-due", PHONE, "sms", True),
        ("home-suspended", PHONE, "sms", True),
        ("home-still-suspended", PHONE, "sms", True),
    ]


def test_a_home_reminder_is_not_sent_twice_nor_once_it_is_no_longer_true(
    container: Container, clock: SimulatedClock
) -> None:
    from yagona.home import service as homes

    customer_id, [contract] = home_connected(container, [200_000])
    effects = run_jobs_until(container, clock, at(4, 14, 12))
    assert [(e["rule"], e["kind"]) for e in effects] == [("home-fee-due", "reminder")]
    subject = {"contract": contract, "customer_id": customer_id, "due": "2026-04-15"}
    with container.uow() as uow:  # the same check again (an event delivered twice, a replayed job)
        again = reminders.check(uow, trigger="schedule:home.fee_due", subject=subject)
        uow.commit()
    assert [(e["rule"], e["kind"], e.get("reason")) for e in again] == [("home-fee-due", "reminder_skipped", "repeat")]
    with container.uow() as uow:  # paid in before the night: renewed, and no suspension to tell
        homes.top_up(uow, contract=contract, amount=Money.of_som(100_000), idempotency_key="t1")
        uow.commit()
    effects = run_jobs_until(container, clock, at(5, 14, 12))  # 2 000 left after April's fee
    assert [(e["at"], e["rule"]) for e in effects] == [(at(5, 14, 10), "home-fee-due")]  # the next period's
    assert len(texts(container)) == 2


def test_a_home_suspension_at_night_is_told_at_eight_and_the_fee_reminder_can_be_switched_off(
    container: Container, clock: SimulatedClock
) -> None:
    clock.advance_to(at(3, 15, 23, 30))  # verified at 23:30 with nothing paid in: suspended at once
    customer_id, contracts = home_connected(container, [0])
    effects = run_jobs_until(container, clock, at(3, 16, 9))
    assert [(e["at"], e["rule"], e["kind"], e.get("until")) for e in effects] == [
        (at(3, 15, 23, 30), "home-suspended", "reminder_held", "2026-03-16T08:00:00+05:00"),
        (at(3, 16, 8), "home-suspended", "reminder", None),
    ]
    assert texts(container)[0].startswith(f"Uy interneti {contracts[0]} to'xtatildi")
    with container.uow() as uow:  # the suspension notices are required: switching them off keeps them on
        reminders.set_preferences(
            uow, customer_id=customer_id, channels=["sms"], off=["home-fee-due"], marketing_opt_in=False
        )
        prefs = reminders.preferences(uow, customer_id=customer_id)
        uow.commit()
    assert {c.rule: c.on for c in prefs.rules if c.rule.startswith("home-")} == {
        "home-fee-due": False, "home-suspended": True, "home-still-suspended": True,
    }  # fmt: skip
    with container.uow() as uow:  # paid: resumed on the 16th, next fee due 16 April with 1 000 left
        homes_top_up(uow, contracts[0], 150_000)
        uow.commit()
    effects = run_jobs_until(container, clock, at(4, 15, 12))
    assert [(e["at"], e["rule"], e["kind"], e.get("reason")) for e in effects] == [
        (at(4, 15, 10), "home-fee-due", "reminder_skipped", "opted_out")
    ]  # and no "still suspended" on 18 March: resumed since
    assert len(texts(container)) == 1


def test_at_most_three_reminders_a_day_home_internet_included(container: Container, clock: SimulatedClock) -> None:
    home_connected(container, [200_000, 200_000, 200_000, 200_000])  # four accounts, each short on 15 April
    effects = run_jobs_until(container, clock, at(4, 14, 12))
    assert sorted((e["rule"], e["kind"], e.get("reason")) for e in effects) == [
        ("home-fee-due", "reminder", None),
        ("home-fee-due", "reminder", None),
        ("home-fee-due", "reminder", None),
        ("home-fee-due", "reminder_skipped", "daily_cap"),
    ]
    assert len(texts(container)) == 3


def homes_top_up(uow: Any, contract: str, som: int) -> None:
    from yagona.home import service as homes

    homes.top_up(uow, contract=contract, amount=Money.of_som(som), idempotency_key=f"top-{contract}-{som}")


def test_the_dormancy_warning_follows_the_last_operation(container: Container, clock: SimulatedClock) -> None:
    one_id(container, language=Language.RU)
    with container.uow() as uow:  # registered 15.03.2026: dormant from 15.03.2029 unless used
        wallets.register(uow, PHONE)
        wallets.top_up(uow, PHONE, wallets.som(20_000))
        uow.commit()
    clock.advance_to(at(9, 1, 12))
    with container.uow() as uow:  # an operation postpones dormancy to 01.09.2029
        wallets.top_up(uow, PHONE, wallets.som(1_000))
        uow.commit()
    effects = run_jobs_until(container, clock, datetime(2029, 8, 3, 11, tzinfo=TASHKENT))
    assert [(e["at"], e["rule"], e["kind"]) for e in effects] == [
        (datetime(2029, 8, 2, 10, tzinfo=TASHKENT), "wallet-dormancy", "reminder")
    ]
    [text] = texts(container)
    assert "будет заблокирован за неактивность 01.09.2029, баланс (21 000 сум) не возвращается." in text


def test_a_customer_with_a_subscribed_device_hears_by_push_and_the_rest_by_sms(
    container: Container, clock: SimulatedClock, published: list[dict[str, Any]]
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from yagona.notify import subscriptions
    from yagona.notify.push import b64url

    customer_id = one_id(container)
    device = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = device.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    with container.uow() as uow:  # the rules offer [push, sms]: a device makes push the first that can go
        subscriptions.subscribe(
            uow, customer_id=customer_id, endpoint="http://127.0.0.1:9/push/device-1", p256dh=b64url(point),
            auth=b64url(b"0123456789abcdef"), user_agent="test",
        )  # fmt: skip
        lines.connect(uow, msisdn=PHONE, plan_id="lider-plus", deposit=Money.of_som(100_000))
        uow.commit()
    effects = run_jobs_until(container, clock, at(4, 14, 12))
    assert [(e["rule"], e["channel"]) for e in effects] == [("line-fee-due", "push")]
    assert [p["channel"] for p in published] == ["push"]
    assert texts(container) == []  # no SMS to the phone…
    assert texts(container, phone=customer_id)[0].startswith("+998 90 100 00 01")  # …the devices got it

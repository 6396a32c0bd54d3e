"""The composition root: settings in, a wired platform out. Subscriptions and job
handlers are registered here explicitly, never by import-time decorators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from yagona.analytics import handlers as analytics_handlers
from yagona.analytics import service as analytics_service
from yagona.analytics import tasks as analytics_tasks
from yagona.analytics.personal_data import AnalyticsPersonalData
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.telegram.personal_data import TelegramPersonalData
from yagona.app.ussd.personal_data import UssdPersonalData
from yagona.crm import feedback_handlers as crm_feedback_handlers
from yagona.crm import feedback_tasks as crm_feedback_tasks
from yagona.crm import handlers as crm_handlers
from yagona.crm import service as crm_service
from yagona.crm import tasks as crm_tasks
from yagona.crm.personal_data import CrmPersonalData
from yagona.home import handlers as home_handlers
from yagona.home import service as home_service
from yagona.home import tasks as home_tasks
from yagona.home.personal_data import HomePersonalData
from yagona.identity.personal_data import IdentityPersonalData
from yagona.kernel.clock import Clock, SystemClock
from yagona.ledger.personal_data import LedgerPersonalData
from yagona.lines import service as lines_service
from yagona.lines import tasks as lines_tasks
from yagona.lines.personal_data import LinesPersonalData
from yagona.loyalty import handlers as loyalty_handlers
from yagona.loyalty import service as loyalty_service
from yagona.loyalty import tasks as loyalty_tasks
from yagona.loyalty.personal_data import LoyaltyPersonalData
from yagona.notify import delivery as notify_delivery
from yagona.notify.personal_data import NotifyPersonalData
from yagona.notify.settings import NotifySettings
from yagona.payments import tasks as payments_tasks
from yagona.payments.personal_data import PaymentsPersonalData
from yagona.payments.schemas import PaymentsConfig
from yagona.platform.bus import EventBus
from yagona.platform.db import make_engine
from yagona.platform.jobs import JobHandler, JobRunner
from yagona.platform.logging import configure_logging
from yagona.platform.personal_data import PlatformPersonalData
from yagona.platform.sealing import KeyRing, configure_field_keys
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWorkFactory, unit_of_work_factory
from yagona.privacy import service as privacy_service
from yagona.privacy import tasks as privacy_tasks
from yagona.privacy.personal_data import PrivacyPersonalData
from yagona.reminders import handlers as reminders_handlers
from yagona.reminders import service as reminders_service
from yagona.reminders import tasks as reminders_tasks
from yagona.reminders.personal_data import RemindersPersonalData
from yagona.wallet import service as wallet_service
from yagona.wallet import tasks as wallet_tasks
from yagona.wallet.personal_data import WalletPersonalData
from yagona.wallet.settings import WalletSettings


@dataclass(frozen=True)
class Container:
    settings: Settings
    engine: Engine
    clock: Clock
    bus: EventBus
    uow: UnitOfWorkFactory
    jobs: JobRunner
    # Where SMS, push and e-mail go (notify.delivery): in dev and test the outbox row is the
    # message unless a gateway (stand-in) is configured; in prod a channel without a gateway
    # keeps its messages queued, so none is marked sent that no gateway took.
    delivery: notify_delivery.Delivery | None


def personal_data_providers() -> list[privacy_service.PersonalDataProvider]:
    """Every domain's `personal_data` room, in the order erasure runs them (the identity's
    first: it names the phones the others find rows by; the ledger's and platform's last)."""

    return [
        IdentityPersonalData(),
        LinesPersonalData(),
        WalletPersonalData(),
        HomePersonalData(),
        PaymentsPersonalData(),
        LoyaltyPersonalData(),
        CrmPersonalData(),
        NotifyPersonalData(),
        RemindersPersonalData(),
        AnalyticsPersonalData(),
        PrivacyPersonalData(),
        TelegramPersonalData(),
        UssdPersonalData(),
        LedgerPersonalData(),
        PlatformPersonalData(),
    ]


def job_handlers() -> dict[str, JobHandler]:
    """Every kind of due job, by name. Domains add theirs as they arrive."""
    return {
        **lines_tasks.handlers(),
        **wallet_tasks.handlers(),
        **payments_tasks.handlers(),
        **home_tasks.handlers(),
        **loyalty_tasks.handlers(),
        **reminders_tasks.handlers(),
        **privacy_tasks.handlers(),
        **crm_tasks.handlers(),
        **crm_feedback_tasks.handlers(),
        **analytics_tasks.handlers(),
    }


# The merchant credentials of dev and test (never used elsewhere: prod has none by default).
TEST_PAYME_KEY, TEST_CLICK_SECRET, TEST_CLICK_SERVICE = "test-payme-key", "test-click-secret", "1"
TEST_PAYME_MERCHANT, TEST_CLICK_MERCHANT = "5f0c1a2b3c4d5e6f7a8b9c0d", "1"


def payments_config(settings: Settings) -> PaymentsConfig:
    """The payment systems' credentials: configured ones, else the test ones in dev and test."""
    p, test = settings.payments, settings.env in ("dev", "test")

    def secret(value: object, fallback: str) -> str | None:
        configured = value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]
        return configured or (fallback if test else None)

    return PaymentsConfig(
        payme_key=secret(p.payme_key, TEST_PAYME_KEY),
        click_secret_key=secret(p.click_secret_key, TEST_CLICK_SECRET),
        click_service_id=p.click_service_id or (TEST_CLICK_SERVICE if test else None),
        min_amount_tiyin=p.min_amount_tiyin,
        max_amount_tiyin=p.max_amount_tiyin,
        payme_merchant_id=p.payme_merchant_id or (TEST_PAYME_MERCHANT if test else None),
        payme_checkout_url=p.payme_checkout_url,
        click_merchant_id=p.click_merchant_id or (TEST_CLICK_MERCHANT if test else None),
    )


def payment_providers() -> dict[str, wallet_service.PaymentProvider]:
    """Providers of the wallet served by other domains (`settlement: protocol` in
    wallet/data/providers.yaml): `mobile` → the lines domain; `home-internet`, `iptv` → home."""
    return {
        "mobile": lines_service.MobilePayments(),
        **dict.fromkeys(("home-internet", "iptv"), home_service.HomePayments()),
    }


def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    configure_logs: bool = True,
    wallet_settings: WalletSettings | None = None,
) -> Container:
    if configure_logs:
        configure_logging(level=settings.log_level, json=settings.log_json)
    clock = clock or SystemClock()
    engine = engine or make_engine(
        settings.database.url,
        pool_size=settings.database.pool_size,
        busy_timeout_s=settings.database.busy_timeout_s,
        echo=settings.database.echo,
        pre_ping=settings.database.pre_ping,
    )
    bus = EventBus(defer=settings.bus.defers(settings.env))  # deferred consumers: docs/loyalty.md
    # The wallet's settings, checked against the environment (no card simulator in prod).
    # The utilities' biller: YAGONA_WALLET_BILLER_URL over HTTP (in dev, the server's own
    # /biller-simulator); unset, the simulator's answers in process where simulators run.
    wallet = wallet_settings or WalletSettings()
    wallet_service.configure(
        wallet_service.make_context(
            settings=wallet,
            env=settings.env,
            secret_key=settings.secret_key.get_secret_value(),
            providers=payment_providers(),
            biller=wallet_service.biller_for(wallet, simulators=settings.simulators_enabled),
        )
    )
    uow = unit_of_work_factory(
        engine, clock=clock, bus=bus, limits=settings.limits, publishes_externally=settings.bus.nats_url is not None
    )
    privacy_service.configure(secret_key=settings.secret_key.get_secret_value())  # keyed pseudonyms
    secret = settings.secret_key.get_secret_value()
    field_keys = settings.field_keys.get_secret_value() if settings.field_keys else None
    configure_field_keys(KeyRing.parse(field_keys, fallback_secret=secret))  # sealed personal fields
    privacy_service.register(*personal_data_providers())  # the customer's own data: docs/personal-data.md
    privacy_service.configure_notices(secret_key=settings.secret_key.get_secret_value())  # documents, access codes
    bus.subscribe(home_handlers.CUSTOMER_VERIFIED, "home.activate", home_handlers.on_customer_verified(uow))
    loyalty_service.editions()  # the programme's data, validated at start: a bad file stops here
    loyalty_handlers.subscribe(bus, uow)  # the bonus programme earns from lines' and wallet's charges
    crm_handlers.subscribe(bus, uow)  # every contact and operation lands on the customer's timeline
    reminders_service.rules()  # the reminder rules, validated at start: a bad file stops here
    reminders_service.configure(secret_key=settings.secret_key.get_secret_value())
    reminders_handlers.subscribe(bus, uow)  # reminders arm their checks on the lower domains' events
    crm_service.ticket_options("en")  # the ticket data (categories, queues, SLA targets): a bad file stops here
    crm_service.configure_tickets(secret_key=settings.secret_key.get_secret_value())  # SMS replies to tickets
    crm_service.configure_feedback(secret_key=settings.secret_key.get_secret_value())  # survey links, SMS
    crm_feedback_handlers.subscribe(bus, uow)  # surveys after a resolved ticket, a plan switch, a payment
    analytics_handlers.subscribe(bus, uow)  # the store's events kept in the outbox; offers' delivery
    delivery = notify_delivery.for_environment(
        NotifySettings(), env=settings.env, secret_key=settings.secret_key.get_secret_value()
    )
    notify_delivery.install(delivery)
    analytics_service.configure(AnalyticsSettings())  # the de-identified store's folder (docs/analytics.md)
    return Container(settings, engine, clock, bus, uow, JobRunner(uow, job_handlers(), settings.jobs), delivery)

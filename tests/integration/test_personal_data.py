"""The customer's own data (issue 16, parts 3 and 6): every table with personal columns has a
provider; the export of a customer who used every domain holds every personal value the
database keeps about them (found by scanning the tables, not listed by hand); erasure leaves
none of it anywhere while the ledger verifies; erasure for someone else or under a legal hold
is refused, writes nothing and is logged."""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import structlog
from sqlalchemy import select, text
from typer.testing import CliRunner

from tests.factories import home as home_factory
from tests.factories import identity as identity_factory
from tests.factories import lines as lines_factory
from tests.factories import wallet as wallet_factory
from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app import cli, worker
from yagona.app.bootstrap import Container
from yagona.app.metadata import all_metadata
from yagona.app.telegram.models import TelegramChat
from yagona.app.ussd.models import UssdLanguage, UssdSession
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.kernel.clock import SimulatedClock
from yagona.ledger import service as ledger
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy
from yagona.privacy.errors import LegalHoldError, NotYourDataError

PHONE = "998901234567"
OTHER = "998907654321"
PINFL = "31505901234567"
DOCUMENT = "AA1234567"

# Column names that say "personal" (a heuristic), and the columns that match it but are not a
# customer's personal data — each with its reason.
PERSONAL = re.compile(
    r"phone|msisdn|(^|_)name$|birth|document|passport|pinfl|email|address|card|chat_id|user_id|recipient|"
    r"destination|fingerprint|endpoint|user_agent|p256dh|^auth$|^label$|payer|payee|summary|^body$|note|"
    r"^reference$|^owner$|^account$|^subject$"
)
NOT_PERSONAL = {
    ("platform_outbox", "name"): "the event's name",
    ("ussd_gateway", "name"): "a USSD gateway's name",
    ("identity_oauth_client", "name"): "an application's name",
    ("identity_staff_member", "name"): "a member of staff, not a customer (staff data)",
    ("identity_consent", "document"): "the code of the document accepted (offer, privacy)",
    ("wallet_operation", "biller_confirmation"): "the biller's confirmation number",
    ("wallet_account", "birth_date_failures"): "a counter of wrong answers",
    ("wallet_account", "birth_date_locked_until"): "when the check opens again",
}


def personal_columns() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table in all_metadata().sorted_tables:
        for column in table.columns:
            if PERSONAL.search(column.name) and (table.name, column.name) not in NOT_PERSONAL:
                found.setdefault(table.name, set()).add(column.name)
    return found


def test_every_table_with_personal_columns_has_a_provider(container: Container) -> None:
    claimed: dict[str, set[str]] = {}
    for tables in privacy.coverage().values():
        for table, columns in tables.items():
            claimed.setdefault(table, set()).update(columns)
    missing = {
        table: sorted(columns - claimed.get(table, set()))
        for table, columns in personal_columns().items()
        if columns - claimed.get(table, set())
    }
    assert not missing, f"personal columns no PersonalDataProvider claims: {missing}"
    assert "identity_customer" in claimed and "wallet_operation" in claimed and "telegram_chat" in claimed


# --- a customer who used every domain -----------------------------------------------------


def _customer_everywhere(container: Container, settings: Settings, clock: SimulatedClock) -> str:
    ctx = identity_factory.context(settings)
    with container.uow() as uow:
        customer = identity_factory.customer(uow, ctx, PHONE)
        identity_factory.signed_in(uow, ctx, PHONE)
        identity_factory.send_code(uow, ctx, PHONE)
        lines_factory.connect(uow, msisdn=PHONE)
        wallet_factory.register(uow, PHONE, customer_id=customer.id)
        wallet_factory.top_up(uow, PHONE, wallet_factory.som(100_000))
        identity_factory.customer(uow, ctx, OTHER)
        wallet_factory.register(uow, OTHER)
        home_factory.request(uow, ctx, PHONE)
        crm.open_request(uow, customer_id=customer.id, channel="portal", summary="Call me", body=f"My number {PHONE}")
        privacy.record_access(
            uow, staff_id="staff-1", customer_id=customer.id, action="view", reason="caller asked", subject=PHONE
        )
        now = clock.now()
        uow.session.add(
            TelegramChat(
                chat_id=424242,
                user_id=515151,
                state="linked",
                phone=PHONE,
                customer_id=customer.id,
                last_update_id=1,
                linked_at=now,
                updated_at=now,
            )
        )
        uow.session.add(
            UssdSession(
                id="ussd-1",
                gateway="test",
                session_ref="ref-1",
                msisdn=PHONE,
                service_code="*100#",
                inputs_seen=1,
                stack=[["main", {}]],
                page=0,
                last_reply="Menu",
                recorded=False,
                started_at=now,
                updated_at=now,
            )
        )
        uow.session.add(UssdLanguage(msisdn=PHONE, language="uz", updated_at=now))
        uow.commit()
    home_factory.verify(container.uow, ctx, customer.id, PINFL)
    with container.uow() as uow:
        wallet_factory.service.identify(uow, phone=PHONE, document=DOCUMENT, staff="test-office")
        uow.commit()
    return customer.id


def _rows_about(uow: UnitOfWork, needles: list[str]) -> list[tuple[str, dict[str, object]]]:
    """Every row of every table with a value mentioning one of `needles`."""
    return [
        (table.name, dict(row))
        for table in all_metadata().sorted_tables
        for row in uow.session.execute(select(table)).mappings()
        if any(n in str(v) for v in row.values() if v is not None for n in needles)
    ]


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def test_the_export_holds_every_personal_value_the_database_keeps(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    customer_id = _customer_everywhere(container, settings, clock)
    personal = personal_columns()
    with container.uow() as uow:
        sections = privacy.export(uow, customer_id=customer_id)
        rows = _rows_about(uow, [customer_id, PHONE])
    archive = privacy.archive(sections, customer_id=customer_id, generated_at=clock.now())
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        names = set(zipped.namelist())
        exported = zipped.read("data.json").decode()
    assert "data.json" in names and "identity.profile.csv" in names and "wallet.operations.csv" in names
    assert json.loads(exported)["customer_id"] == customer_id
    domains = {table.split("_")[0] for table, _ in rows}
    assert {"identity", "lines", "wallet", "home", "crm", "notify", "privacy", "telegram", "ussd", "ledger"} <= domains
    hidden = {"password_hash", "pin_hash", "totp_secret_sealed", "token_hash", "code_hash", "session_sealed"}
    hidden |= {"body_sealed", "p256dh", "auth", "request_hash", "pinfl_lookup"}  # keyed hashes, sealed texts
    missing = [
        (table, column, value)
        for table, row in rows
        for column, value in row.items()
        if column in personal.get(table, ())
        and column not in hidden
        and value not in (None, "", [], {})
        and json.dumps(_text(value), ensure_ascii=False).strip('"') not in exported
        and _text(value) not in exported
    ]
    assert not missing, f"personal values held but not exported: {missing}"
    for value in (PHONE, PINFL, DOCUMENT, "Dilnoza Alimova", home_factory.ADDRESS, "1990-05-17"):
        assert value in exported


def test_erasure_leaves_no_personal_data_and_the_ledger_verifies(
    container: Container, settings: Settings, clock: SimulatedClock, tmp_path: Path
) -> None:
    customer_id = _customer_everywhere(container, settings, clock)
    analytics.configure(AnalyticsSettings(directory=tmp_path / "analytics"))
    with container.uow() as uow:  # the de-identified store has their events too
        assert analytics.export_all(uow) > 0
        uow.commit()
    with container.uow() as uow:
        before = ledger.verify(uow)
        other_before = identity.find_customer_by_phone(uow, phone=OTHER)
    assert before.ok
    clock.advance_by(timedelta(minutes=5))
    with structlog.testing.capture_logs() as logs, container.uow() as uow:
        done = privacy.erase(uow, customer_id=customer_id, requested_by="customer", asked_by=customer_id)
        uow.commit()
    assert done.rows["identity"] > 0 and done.rows["wallet"] > 0 and done.rows["ledger"] > 0
    secrets = [PHONE, PINFL, DOCUMENT, "Dilnoza", "Alimova", "ALIMOVA", home_factory.ADDRESS, "1990-05-17", "424242"]
    with container.uow() as uow:
        assert other_before is not None
        others = [OTHER, other_before.id, f"customer-{OTHER}"]  # the other customer's rows are theirs
        left = [
            (table, column)
            for table, row in _rows_about(uow, secrets)
            if not any(o in str(v) for v in row.values() for o in others)
            for column, value in row.items()
            if value is not None and any(s in str(value) for s in secrets)
        ]
        assert not left, f"personal data left after erasure: {left}"
        report = ledger.verify(uow)
        assert report.ok and report.transfers == before.transfers  # money records stay whole
        assert identity.find_customer_by_phone(uow, phone=OTHER) == other_before  # others untouched
        assert privacy.erasures(uow, customer_id=customer_id)[0].id == done.id
        assert privacy.export(uow, customer_id=customer_id)  # the kept records are still theirs
    logged = json.dumps(logs, default=str)
    assert "privacy.erasure.done" in logged and not any(s in logged for s in secrets)
    exported = [
        json.dumps(pq.read_table(f).to_pylist(), default=str) for f in (tmp_path / "analytics").rglob("*.parquet")
    ]
    assert exported and not any(s in rows or customer_id in rows for rows in exported for s in secrets)
    analytics.configure(AnalyticsSettings())


def _count(uow: UnitOfWork, table: str) -> int:
    return int(uow.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def _retention_jobs(uow: UnitOfWork) -> int:
    """The retention passes among the due jobs (the worker arms other daily passes too)."""
    query = text("SELECT count(*) FROM platform_job WHERE kind = 'privacy.retention'")
    return int(uow.session.execute(query).scalar_one())


def test_erasure_for_someone_else_or_under_a_legal_hold_is_refused_and_logged(
    container: Container, settings: Settings
) -> None:
    ctx = identity_factory.context(settings)
    with container.uow() as uow:
        mine = identity_factory.customer(uow, ctx, PHONE)
        theirs = identity_factory.customer(uow, ctx, OTHER)
        uow.commit()
    with structlog.testing.capture_logs() as logs, container.uow() as uow, pytest.raises(NotYourDataError) as refused:
        privacy.erase(uow, customer_id=theirs.id, requested_by="customer", asked_by=mine.id)
    assert refused.value.code == "not_your_data"
    assert [e["code"] for e in logs if e["event"] == "privacy.erasure.refused"] == ["not_your_data"]
    with container.uow() as uow:
        hold = privacy.place_hold(uow, customer_id=mine.id, reason="court order 12/2026", placed_by="cli")
        uow.commit()
    with structlog.testing.capture_logs() as logs, container.uow() as uow, pytest.raises(LegalHoldError) as held:
        privacy.erase(uow, customer_id=mine.id, requested_by="staff-1")
    assert held.value.code == "legal_hold" and held.value.http_status == 409
    assert [e["code"] for e in logs if e["event"] == "privacy.erasure.refused"] == ["legal_hold"]
    with container.uow() as uow:
        assert _count(uow, "privacy_erasure") == 0
        assert identity.get_customer(uow, customer_id=mine.id).name == "Dilnoza Alimova"
        assert identity.get_customer(uow, customer_id=theirs.id).name == "Dilnoza Alimova"
        privacy.release_hold(uow, hold_id=hold.id, released_by="cli")
        assert privacy.holds(uow, customer_id=mine.id) == []
        done = privacy.erase(uow, customer_id=mine.id, requested_by="staff-1")
        uow.commit()
    assert done.rows["identity"] > 0


def test_retention_lets_old_codes_and_messages_go(
    container: Container, settings: Settings, clock: SimulatedClock
) -> None:
    ctx = identity_factory.context(settings)
    with container.uow() as uow:
        identity_factory.customer(uow, ctx, PHONE)
        identity_factory.send_code(uow, ctx, PHONE)
        uow.commit()
    with container.uow() as uow:
        assert _count(uow, "identity_otp") == 1
        assert privacy.run_retention(uow, purpose="identification")[0].rows == {}  # not old yet
        uow.commit()
    clock.advance_by(timedelta(days=400))
    with container.uow() as uow:
        reports = {r.purpose: r for r in privacy.run_retention(uow)}
        assert privacy.arm_retention(uow)
        uow.commit()
    assert reports["identification"].rows["identity"] >= 1  # the code, its counters
    assert reports["notifications"].rows.get("notify", 0) >= 1
    with container.uow() as uow:
        assert _count(uow, "identity_otp") == 0 and _count(uow, "privacy_retention_run") == len(reports) + 1


def test_the_cli_places_a_hold_that_stops_erasure_then_erases(container: Container, settings: Settings) -> None:
    """The commands, on both databases (each command closes its engine when it ends)."""
    ctx = identity_factory.context(settings)
    with container.uow() as uow:
        mine = identity_factory.customer(uow, ctx, PHONE)
        uow.commit()
    env = {"YAGONA_ENV": "test", "YAGONA_DATABASE__URL": settings.database.url}
    runner = CliRunner()
    held = runner.invoke(cli.app, ["privacy", "hold", "add", mine.id, "--reason", "court order 12/2026"], env=env)
    assert held.exit_code == 0, held.output
    hold_id = json.loads(held.stdout)["id"]
    refused = runner.invoke(cli.app, ["privacy", "erase", mine.id], env=env)
    assert refused.exit_code != 0 and "legal_hold" in refused.output
    assert runner.invoke(cli.app, ["privacy", "hold", "release", hold_id], env=env).exit_code == 0
    erased = runner.invoke(cli.app, ["privacy", "erase", mine.id], env=env)
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.stdout)["rows"]["identity"] > 0
    rotated = runner.invoke(cli.app, ["privacy", "rotate-keys"], env=env)
    assert rotated.exit_code == 0 and "wallet_account.birth_date" in json.loads(rotated.stdout)


def test_the_worker_arms_the_daily_retention_pass_which_re_arms_itself(
    container: Container, clock: SimulatedClock
) -> None:
    stop = threading.Event()
    stop.set()  # one start, no pass: what the worker does first
    worker.run_forever(container, stop)
    worker.run_forever(container, stop)  # started twice the same day: still one job
    with container.uow() as uow:
        assert _retention_jobs(uow) == 1
    clock.advance_by(timedelta(days=1, minutes=1))
    outcomes = container.jobs.run_due()
    [retention] = [o for o in outcomes if o.job.kind == "privacy.retention"]
    assert retention.ok
    with container.uow() as uow:
        assert _count(uow, "privacy_retention_run") == len(privacy.retention_periods())
        assert _retention_jobs(uow) == 2  # the next day's, armed by the pass

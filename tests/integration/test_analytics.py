"""Analytics on a small synthetic operator (30 customers x 21 days, SQLite): the Parquet
export (incremental, no personal data), segments, churn end to end."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from yagona.analytics import service
from yagona.analytics.errors import OneClassError
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.bootstrap import Container, bootstrap
from yagona.app.population import runner
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy

START = datetime(2026, 9, 1, tzinfo=TASHKENT)
CUSTOMERS, DAYS = 30, 21


@dataclass
class Operator:
    container: Container
    clock: SimulatedClock
    store: Path


@pytest.fixture(scope="module")
def operator(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Operator]:
    folder = tmp_path_factory.mktemp("analytics")
    shutil.copy(sqlite_template, folder / "operator.db")
    url = f"sqlite:///{folder / 'operator.db'}"
    engine = make_engine(url)
    clock = SimulatedClock(START)
    settings = Settings(env="test", database={"url": url}, bus={"defer": True})  # type: ignore[arg-type]
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    runner.generate(container, clock, customers=CUSTOMERS, days=DAYS, seed=5)  # both classes in each snapshot
    yield Operator(container, clock, folder / "store")
    engine.dispose()


@pytest.fixture(autouse=True)
def store(operator: Operator) -> Path:
    service.configure(AnalyticsSettings(directory=operator.store))
    return operator.store


def _export(operator: Operator) -> int:
    with operator.container.uow() as uow:
        written = service.export_all(uow, limit=5_000)
        uow.commit()
    return written


def test_the_export_is_incremental_and_partitioned_by_day(operator: Operator, store: Path) -> None:
    first = _export(operator)
    assert first > 1_000
    days = sorted(p.name for p in (store / "events").iterdir())
    assert days[0] == "day=2026-09-01" and len(days) >= DAYS
    assert _export(operator) == 0  # nothing new
    with operator.container.uow() as uow:
        lines.top_up(uow, msisdn=runner.personas_msisdn(0), amount=Money.of_som(5_000), idempotency_key="t-1")
        uow.commit()
    assert _export(operator) == 1
    with service.connect() as con:
        [(count,)] = con.execute("SELECT count(*) FROM events").fetchall()
    assert count == first + 1


def test_the_parquet_files_hold_no_personal_data(operator: Operator, store: Path) -> None:
    words = ("Signal lost near Yunusobod 4", "Operator Kamola was helpful")
    with operator.container.uow() as uow:  # customer care too: a ticket's words, a survey's comment
        person = identity.find_customer_by_phone(uow, phone=runner.personas_msisdn(3))
        assert person is not None
        ticket = crm.open_request(uow, customer_id=person.id, channel="telegram", summary=words[0], body=words[0])
        crm.record_interaction(uow, customer_id=person.id, channel="staff", direction="in", summary=words[1])
        survey = crm.offer_survey(
            uow, customer_id=person.id, kind="csat", trigger="call", channel="staff", category="call"
        ) or next(s for s in crm.surveys_of(uow, customer_id=person.id) if s.status != "answered")
        crm.answer_survey(uow, token=crm.survey_token(survey.id), score=1, comment=words[1])
        uow.commit()
    _export(operator)
    with service.connect() as con:
        [(care,)] = con.execute("SELECT count(*) FROM events WHERE subject_kind = 'customer'").fetchall()
    assert care >= 3  # the ticket, the contacts, the answer
    with operator.container.uow() as uow:
        people = [identity.find_customer_by_phone(uow, phone=runner.personas_msisdn(i)) for i in range(CUSTOMERS)]
    secrets = {ticket, survey.id, *words}
    for person in people:
        assert person is not None
        secrets |= {person.id, person.name, *person.phones, *(phone[3:] for phone in person.phones)}
        secrets |= set(person.name.split())
    files = list(store.rglob("*.parquet"))
    assert files
    for path in files:
        raw = path.read_bytes()
        cells = {str(v) for column in pq.read_table(path).to_pylist() for v in column.values()}
        for secret in secrets:
            assert secret.encode() not in raw, f"{secret} in {path}"
            assert not any(secret in cell for cell in cells), f"{secret} in {path}"


def test_a_customers_segments_come_from_the_store(operator: Operator) -> None:
    _export(operator)
    with operator.container.uow() as uow:
        person = identity.find_customer_by_phone(uow, phone=runner.personas_msisdn(1))
        assert person is not None
        found = service.segments_of(uow, customer_id=person.id, as_of=date(2026, 9, 22))
    lifecycle = {s.id for s in service.groups()[0].segments}
    rfm = {s.id for s in service.groups()[1].segments}
    assert len(lifecycle & set(found)) == 1 and len(rfm & set(found)) == 1
    sizes = service.sizes(as_of=date(2026, 9, 22))
    assert sum(sizes[s] for s in lifecycle) == CUSTOMERS  # every line is in one lifecycle segment
    over_time = service.sizes_over_time(step_days=7)
    assert len(over_time) >= 3 and over_time[0]["new"] > 0


def test_churn_end_to_end_on_the_population(operator: Operator) -> None:
    with operator.container.uow() as uow:  # a customer's ticket and NPS answer, through the CRM
        person = identity.find_customer_by_phone(uow, phone=runner.personas_msisdn(2))
        assert person is not None
        crm.open_request(
            uow, customer_id=person.id, channel="portal", summary="No signal", body="At home, since Monday"
        )
        survey = crm.offer_survey(
            uow, customer_id=person.id, kind="nps", trigger="relationship", channel="account", category="relationship"
        ) or next(s for s in crm.surveys_of(uow, customer_id=person.id) if s.status != "answered")
        crm.answer_survey(uow, token=crm.survey_token(survey.id), score=2 if survey.kind == "nps" else 1)
        uow.commit()
    _export(operator)
    line = privacy.pseudonym(runner.personas_msisdn(2), kind="phone")
    with service.connect() as con:
        rows = service.features(con, as_of=operator.clock.now().astimezone(TASHKENT).date() + timedelta(days=1))
    assert all(set(service.MODEL_FEATURES) <= set(row) for row in rows)  # the care features, for every line
    [mine] = [row for row in rows if row["subject"] == line]
    assert mine["tickets_30"] >= 1 and (mine["nps_detractor"] == 1 or mine["low_csat"] == 1)
    trained = service.train_from_store(horizon_days=7, step_days=7)
    e = trained.evaluation
    assert trained.snapshots >= 2 and e.train_rows > 0 and e.test_rows > 0
    assert 0.0 <= e.roc_auc <= 1.0 and 0.0 <= e.precision_top_decile <= 1.0
    assert sum(n for _p, _o, n in e.calibration) == e.test_rows
    assert service.score_all(as_of=date(2026, 9, 22)) == CUSTOMERS
    with operator.container.uow() as uow:
        person = identity.find_customer_by_phone(uow, phone=runner.personas_msisdn(2))
        assert person is not None
        risk = service.churn_risk_of(uow, customer_id=person.id)
    assert risk is not None and 0.0 <= risk.risk <= 1.0 and risk.as_of == date(2026, 9, 22)
    assert set(risk.reasons) <= set(service.MODEL_FEATURES)


def test_the_nightly_job_exports_and_scores(operator: Operator) -> None:
    with operator.container.uow() as uow:
        service.schedule_nightly(uow)
        uow.commit()
    operator.clock.advance_to(operator.clock.now() + timedelta(days=1))
    outcomes = operator.container.jobs.run_due()
    nightly = [o for o in outcomes if o.job.kind == service.NIGHTLY]
    assert nightly and nightly[0].ok


def test_a_training_set_with_one_class_is_refused() -> None:
    rows = [{"tenure_days": n} for n in range(50)]
    with pytest.raises(OneClassError, match="one class only"):
        service.fit(rows, [0] * 50, numeric=["tenure_days"])

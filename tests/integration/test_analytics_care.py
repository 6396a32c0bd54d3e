"""Customer care in the de-identified store (SQLite and PostgreSQL): tickets, SLA breaches,
survey answers and contacts made through the CRM's services are exported with the customer's
pseudonym and non-personal fields only; the care KPIs (NPS, CSAT, SLA compliance, the
contact-channel mix) and a line's care features (tickets, last NPS, low CSAT, SLA breaches)
are read back from the Parquet files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.factories.care import COMMENT, Care, customer_care
from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.privacy import service as privacy

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture
def care(container: Container, clock: SimulatedClock, tmp_path: Path) -> Care:
    analytics.configure(AnalyticsSettings(directory=tmp_path / "store"))
    made = customer_care(container, clock)
    clock.advance_by(timedelta(days=1))
    with container.uow() as uow:
        analytics.export_all(uow)
        uow.commit()
    return made


def test_care_events_enter_the_store_by_pseudonym_without_personal_data(care: Care, tmp_path: Path) -> None:
    with analytics.connect() as con:
        found = con.execute(
            "SELECT event, subject, subject_kind, kind, channel, category, queue, priority, units, lines FROM events"
            " WHERE event LIKE 'crm.%' ORDER BY seq"
        ).fetchall()
    names = {row[0] for row in found}
    assert names == {
        "crm.ticket_opened", "crm.ticket_resolved", "crm.sla_breached", "crm.feedback_answered", "crm.contact_made"
    }  # fmt: skip
    assert {row[2] for row in found} == {"customer"}
    first = care.people[0]
    mine = [row for row in found if row[1] == privacy.pseudonym(first.id, kind="customer")]
    assert ("crm.ticket_opened", "technical", "technical", "high", "portal") in [
        (r[0], r[5], r[6], r[7], r[4]) for r in mine
    ]
    assert ("crm.feedback_answered", "nps", 3) in [(r[0], r[3], r[8]) for r in mine]
    assert ("crm.ticket_resolved", "technical", 0) in [(r[0], r[6], r[8]) for r in mine]  # past its SLA
    assert all(r[9] == [privacy.pseudonym(first.phones[0], kind="phone")] for r in mine)  # her line, by pseudonym
    # No id, name, phone, ticket id or comment in any file, in its raw bytes or its cells.
    secrets = {care.late_ticket, care.timely_ticket, COMMENT, "Rude operator", "Internet drops", "Charged twice"}
    for person in care.people:
        secrets |= {person.id, person.name, *person.phones, *(phone[3:] for phone in person.phones)}
    files = list((tmp_path / "store").rglob("*.parquet"))
    assert files
    for path in files:
        raw = path.read_bytes()
        cells = {str(v) for row in pq.read_table(path).to_pylist() for v in row.values()}
        for secret in secrets:
            assert secret.encode() not in raw, f"{secret} in {path}"
            assert not any(secret in cell for cell in cells), f"{secret} in {path}"


def test_the_care_kpis_come_from_the_store(care: Care) -> None:
    nps = analytics.kpi("nps", **MARCH)
    assert nps.points == [("2026-03", 33.3)] and nps.extra["answers"] == [("2026-03", 3.0)]
    csat = analytics.kpi("csat", **MARCH)
    assert csat.points == [("2026-03", 0.5)]
    sla = analytics.kpi("sla", **MARCH)
    assert sla.points == [("2026-03 billing", 1.0), ("2026-03 technical", 0.0)]
    assert analytics.csv_rows(sla) == [
        ["label", "share", "tickets"], ["2026-03 billing", 1.0, 1.0], ["2026-03 technical", 0.0, 1.0]
    ]  # fmt: skip
    mix = analytics.kpi("contact_mix", **MARCH)
    contacts, tickets = dict(mix.points), dict(mix.extra["tickets"])
    assert [label for label, _ in mix.points][:6] == ["portal", "bot", "ussd", "call", "email", "sms"]
    assert all(contacts[c] >= 1 for c in ("portal", "bot", "ussd", "call", "email", "sms"))
    assert tickets["portal"] == 2 and tickets["bot"] == 1  # the portal's and the detractor's follow-up
    assert sum(share for _c, share in mix.extra["share"]) == pytest.approx(1.0)
    for name in ("nps", "csat", "sla", "contact_mix"):  # a range without data: empty series
        assert analytics.kpi(name, start=date(2020, 1, 1), end=date(2020, 1, 31)).empty


def test_a_lines_care_features_are_read_back(care: Care) -> None:
    line = {privacy.pseudonym(p.phones[0], kind="phone"): n for n, p in enumerate(care.people)}
    with analytics.connect() as con:
        rows = {line[f["subject"]]: f for f in analytics.features(con, as_of=date(2026, 3, 18))}
    assert set(rows) == set(range(5))
    first = rows[0]  # a detractor whose ticket breached its SLA, and her follow-up complaint
    assert (first["tickets_30"], first["tickets_90"], first["last_nps"], first["nps_detractor"]) == (2, 2, 3, 1)
    assert first["sla_breaches_90"] >= 2 and first["low_csat"] == 0
    assert (rows[1]["tickets_30"], rows[1]["sla_breaches_90"], rows[1]["low_csat"]) == (1, 0, 0)
    assert (rows[2]["low_csat"], rows[2]["last_nps"], rows[2]["nps_detractor"]) == (1, None, 0)
    assert (rows[3]["last_nps"], rows[3]["nps_detractor"], rows[3]["tickets_30"]) == (10, 0, 0)
    assert {"tickets_30", "last_nps", "nps_detractor", "low_csat", "sla_breaches_90"} <= set(analytics.MODEL_FEATURES)
    with analytics.connect() as con:  # as of Monday: the breach of Tuesday is not yet suffered
        monday = {line[f["subject"]]: f for f in analytics.features(con, as_of=date(2026, 3, 16))}
    assert (monday[0]["sla_breaches_90"], monday[0]["last_nps"], monday[0]["tickets_30"]) == (0, 3, 2)

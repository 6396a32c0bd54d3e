"""The customer-care KPIs (the CRM's events in the store, by customer pseudonym): NPS and CSAT
by month, SLA compliance by month and queue, the contact-channel mix. The scores are the
CRM's own rules (`crm.service.survey_score`): nothing is counted twice two ways."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from yagona.analytics import rules
from yagona.analytics.service._base import rows
from yagona.analytics.service.kpi._series import Series
from yagona.crm import service as crm

if TYPE_CHECKING:  # DuckDB is imported on use: a server or a CLI command seldom needs it
    import duckdb

_SCORES = """
    SELECT strftime(date_trunc('month', day), '%Y-%m') AS month, list(units) AS scores FROM events
    WHERE event = 'crm.feedback_answered' AND kind = $kind AND day BETWEEN $start AND $end
    GROUP BY 1 ORDER BY 1"""


def _monthly(con: duckdb.DuckDBPyConnection, kind: str, start: date, end: date) -> list[tuple[str, list[int], float]]:
    found = rows(con, _SCORES, {"kind": kind, "start": start, "end": end})
    made = []
    for r in found:
        scores = [int(s) for s in r["scores"]]
        score = crm.survey_score(kind, scores)
        if score is not None:
            made.append((str(r["month"]), scores, score))
    return made


def nps(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Net promoter score month by month: % promoters (9-10) - % detractors (0-6)."""
    found = _monthly(con, "nps", start, end)
    return Series("nps", "score", [(month, score) for month, _s, score in found],
                  {"answers": [(month, float(len(scores))) for month, scores, _ in found]})  # fmt: skip


def csat(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """CSAT month by month: the share of answers 4 or 5."""
    found = _monthly(con, "csat", start, end)
    return Series("csat", "share", [(month, score / 100) for month, _s, score in found],
                  {"answers": [(month, float(len(scores))) for month, scores, _ in found]})  # fmt: skip


def sla_compliance(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Of the tickets resolved in a month, by queue, the share resolved within their SLA."""
    found = rows(con, """
        SELECT strftime(date_trunc('month', day), '%Y-%m') AS month, coalesce(nullif(queue, ''), 'other') AS queue,
               avg(units) AS share, count(*) AS tickets FROM events
        WHERE event = 'crm.ticket_resolved' AND day BETWEEN $start AND $end
        GROUP BY 1, 2 ORDER BY 1, 2""", {"start": start, "end": end})  # fmt: skip
    labelled = [(f"{r['month']} {r['queue']}", r) for r in found]
    return Series("sla", "share", [(label, float(r["share"])) for label, r in labelled],
                  {"tickets": [(label, float(r["tickets"])) for label, r in labelled]})  # fmt: skip


def contact_mix(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Customers' contacts (inbound interactions) and the tickets they opened, by channel —
    portal, bot, USSD, call, e-mail, SMS — and each channel's share of the contacts."""
    found = rows(con, """
        SELECT channel, count(*) FILTER (WHERE event = 'crm.contact_made') AS contacts,
               count(*) FILTER (WHERE event = 'crm.ticket_opened') AS tickets FROM events
        WHERE event IN ('crm.contact_made', 'crm.ticket_opened') AND day BETWEEN $start AND $end
        GROUP BY 1""", {"start": start, "end": end})  # fmt: skip
    if not found:
        return Series("contact_mix", "count", [])
    by = {str(r["channel"]): (int(r["contacts"]), int(r["tickets"])) for r in found}
    order = [*dict.fromkeys(rules.CONTACT_CHANNELS.values()), *sorted(set(by) - set(rules.CONTACT_CHANNELS.values()))]
    total = sum(contacts for contacts, _t in by.values()) or 1
    return Series(
        "contact_mix",
        "count",
        [(channel, float(by.get(channel, (0, 0))[0])) for channel in order],
        {
            "tickets": [(channel, float(by.get(channel, (0, 0))[1])) for channel in order],
            "share": [(channel, by.get(channel, (0, 0))[0] / total) for channel in order],
        },
    )

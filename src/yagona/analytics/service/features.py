"""A subject's features as of a day (the events before it), from the store with DuckDB: the
inputs of the segment rules and of the churn model. A subject is a line's pseudonym; its
customer-care features count the CRM's rows of its owner (the store's `lines` links them):
tickets opened in the last 30 / 90 days, the last NPS score and whether a detractor, a low
last CSAT (below 4), SLA breaches suffered in 90 days. Detractor and satisfied are the CRM's
rules (`crm.service.is_detractor`, `is_satisfied`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from yagona.analytics.service._base import rows
from yagona.crm import service as crm

if TYPE_CHECKING:  # DuckDB is imported on use: a server or a CLI command seldom needs it
    import duckdb

USAGE = "lines.usage_rated"
CHARGES = ("lines.usage_rated", "lines.fee_charged", "lines.line_charged")
PLAN_EVENTS = ("lines.line_connected", "lines.plan_switched", "lines.fee_charged")
CARE_FEATURES = ("tickets_30", "tickets_90", "last_nps", "nps_detractor", "low_csat", "sla_breaches_90")
# The model's inputs (the last NPS is None before any answer: the model reads the median).
MODEL_FEATURES = (
    "tenure_days", "days_since_active", "days_since_topup", "active_days_30", "active_days_7",
    "active_days_prev_7", "spend_30", "spend_trend", "topups_90", "topup_som_90", "blocks_90",
    "voice_minutes_30", "data_mb_30", "tasix_share", "plan_fee_som", *CARE_FEATURES,
)  # fmt: skip

_SQL = """
WITH ev AS (
    SELECT * FROM events WHERE day < $as_of AND subject_kind = 'phone' {subjects}
), per AS (
    SELECT subject,
        min(day) AS first_day,
        max(day) FILTER (WHERE event = '{usage}') AS last_active,
        max(day) FILTER (WHERE event = 'lines.line_topped_up') AS last_topup,
        count(DISTINCT day) FILTER (WHERE event = '{usage}' AND day >= $as_of - 30) AS active_days_30,
        count(DISTINCT day) FILTER (WHERE event = '{usage}' AND day >= $as_of - 60 AND day < $as_of - 30)
            AS active_days_prev_30,
        count(DISTINCT day) FILTER (WHERE event = '{usage}' AND day >= $as_of - 7) AS active_days_7,
        count(DISTINCT day) FILTER (WHERE event = '{usage}' AND day >= $as_of - 14 AND day < $as_of - 7)
            AS active_days_prev_7,
        coalesce(sum(amount_tiyin) FILTER (WHERE event IN {charges} AND day >= $as_of - 30), 0) / 100 AS spend_30,
        coalesce(sum(amount_tiyin) FILTER (WHERE event IN {charges} AND day >= $as_of - 60 AND day < $as_of - 30),
            0) / 100 AS spend_prev_30,
        coalesce(sum(amount_tiyin) FILTER (WHERE event IN {charges} AND day >= $as_of - 90), 0) / 100 AS spend_90,
        count(*) FILTER (WHERE event = 'lines.line_topped_up' AND day >= $as_of - 90) AS topups_90,
        coalesce(sum(amount_tiyin) FILTER (WHERE event = 'lines.line_topped_up' AND day >= $as_of - 90), 0) / 100
            AS topup_som_90,
        count(*) FILTER (WHERE event = 'lines.line_blocked' AND day >= $as_of - 90) AS blocks_90,
        coalesce(sum(units) FILTER (WHERE event = '{usage}' AND kind = 'voice' AND day >= $as_of - 30), 0)
            AS voice_minutes_30,
        coalesce(sum(units) FILTER (WHERE event = '{usage}' AND kind = 'voice' AND destination IN
            ('international', 'satellite') AND day >= $as_of - 30), 0) AS intl_minutes_30,
        coalesce(sum(units) FILTER (WHERE event = '{usage}' AND kind = 'data' AND day >= $as_of - 30), 0) / 1024
            AS data_mb_30,
        coalesce(sum(units) FILTER (WHERE event = '{usage}' AND kind = 'data' AND destination = 'tasix'
            AND day >= $as_of - 30), 0) / 1024 AS tasix_mb_30,
        arg_max(plan, seq) FILTER (WHERE event IN {plan_events} AND plan <> '') AS plan,
        arg_max(amount_tiyin, seq) FILTER (WHERE event IN ('lines.line_connected', 'lines.fee_charged')) / 100
            AS plan_fee_som
    FROM ev GROUP BY subject
    HAVING count(*) FILTER (WHERE event LIKE 'lines.%') > 0
), crm AS (
    SELECT * FROM (SELECT unnest(lines) AS subject, event, day, seq, kind, units FROM events
                   WHERE day < $as_of AND subject_kind = 'customer' AND lines IS NOT NULL)
    WHERE true {subjects}
), care AS (
    SELECT subject,
        count(*) FILTER (WHERE event = 'crm.ticket_opened' AND day >= $as_of - 30) AS tickets_30,
        count(*) FILTER (WHERE event = 'crm.ticket_opened' AND day >= $as_of - 90) AS tickets_90,
        arg_max(units, seq) FILTER (WHERE event = 'crm.feedback_answered' AND kind = 'nps') AS last_nps,
        arg_max(units, seq) FILTER (WHERE event = 'crm.feedback_answered' AND kind = 'csat') AS last_csat,
        count(*) FILTER (WHERE event = 'crm.sla_breached' AND day >= $as_of - 90) AS sla_breaches_90
    FROM crm GROUP BY subject
)
SELECT subject, plan,
    date_diff('day', first_day, $as_of) AS tenure_days,
    coalesce(date_diff('day', last_active, $as_of), 999) AS days_since_active,
    coalesce(date_diff('day', last_topup, $as_of), 999) AS days_since_topup,
    active_days_30, active_days_prev_30, active_days_7, active_days_prev_7,
    spend_30, spend_prev_30, spend_30 - spend_prev_30 AS spend_trend, spend_90,
    topups_90, topup_som_90, blocks_90, voice_minutes_30, intl_minutes_30, data_mb_30,
    CASE WHEN data_mb_30 > 0 THEN tasix_mb_30 / data_mb_30 ELSE 0 END AS tasix_share,
    coalesce(plan_fee_som, 0) AS plan_fee_som,
    coalesce(tickets_30, 0) AS tickets_30, coalesce(tickets_90, 0) AS tickets_90, last_nps, last_csat,
    coalesce(sla_breaches_90, 0) AS sla_breaches_90
FROM per LEFT JOIN care USING (subject) ORDER BY subject
"""


def _quoted(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def features(
    con: duckdb.DuckDBPyConnection, *, as_of: date, subjects: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Every line's features as of `as_of` (or the named subjects'), one dict a subject."""
    only = ""
    params: dict[str, Any] = {"as_of": as_of}
    if subjects is not None:
        if not subjects:
            return []
        only = "AND list_contains($subjects, subject)"
        params["subjects"] = list(subjects)
    sql = _SQL.format(usage=USAGE, charges=_quoted(CHARGES), plan_events=_quoted(PLAN_EVENTS), subjects=only)
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description or []]
    found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in found:
        nps, csat = row["last_nps"], row["last_csat"]
        row["nps_detractor"] = int(nps is not None and crm.is_detractor(int(nps)))
        row["low_csat"] = int(csat is not None and not crm.is_satisfied(int(csat)))
    return found


def event_days(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """The first and last day the store holds."""
    [found] = rows(con, "SELECT min(day) AS first, max(day) AS last FROM events")
    if found["first"] is None:
        return None
    return found["first"], found["last"]

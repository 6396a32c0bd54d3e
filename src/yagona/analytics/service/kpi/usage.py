"""The usage and revenue KPIs (the lines' events): retention, active days, online payments,
ARPU by plan and by segment, churn rate, the top-up channel mix."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from yagona.analytics import rules
from yagona.analytics.service._base import rows
from yagona.analytics.service.features import features
from yagona.analytics.service.kpi._series import Series
from yagona.analytics.service.segments import groups

if TYPE_CHECKING:  # DuckDB is imported on use: a server or a CLI command seldom needs it
    import duckdb


def retention(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Of the lines that joined in a month (their first event), the share active (any rated
    use) in each month since — month 0 is the joining month."""
    found = rows(con, """
        WITH firsts AS (SELECT subject, date_trunc('month', min(day)) AS cohort FROM events
                        WHERE subject_kind = 'phone' GROUP BY subject),
             active AS (SELECT DISTINCT subject, date_trunc('month', day) AS month FROM events
                        WHERE event = 'lines.usage_rated' AND day BETWEEN $start AND $end)
        SELECT strftime(f.cohort, '%Y-%m') AS cohort, date_diff('month', f.cohort, a.month) AS age,
               count(DISTINCT a.subject) / any_value(s.size) AS share
        FROM active a JOIN firsts f USING (subject)
        JOIN (SELECT cohort, count(*)::DOUBLE AS size FROM firsts GROUP BY cohort) s USING (cohort)
        WHERE f.cohort BETWEEN date_trunc('month', $start::DATE) AND $end
        GROUP BY 1, 2 ORDER BY 1, 2""", {"start": start, "end": end})  # fmt: skip
    return Series("retention", "share", [(f"{r['cohort']} +{r['age']}", float(r["share"])) for r in found])


def active_days(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Usage frequency: the average days with a rated use per active line, week by week."""
    found = rows(con, """
        SELECT strftime(week, '%Y-%m-%d') AS week, avg(days) AS days FROM (
            SELECT subject, date_trunc('week', day) AS week, count(DISTINCT day) AS days FROM events
            WHERE event = 'lines.usage_rated' AND day BETWEEN $start AND $end GROUP BY 1, 2)
        GROUP BY 1 ORDER BY 1""", {"start": start, "end": end})  # fmt: skip
    return Series("active_days", "days", [(r["week"], float(r["days"])) for r in found])


def payments(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Money paid into lines by system (Payme, Click, the wallet, cards) and each one's share."""
    found = rows(con, """
        SELECT channel, sum(amount_tiyin) / 100 AS som FROM events
        WHERE event = 'lines.line_topped_up' AND day BETWEEN $start AND $end GROUP BY 1 ORDER BY 2 DESC""",
                 {"start": start, "end": end})  # fmt: skip
    total = sum(float(r["som"]) for r in found) or 1.0
    return Series("payments", "som", [(r["channel"], float(r["som"])) for r in found],
                  {"share": [(r["channel"], float(r["som"]) / total) for r in found]})  # fmt: skip


def channel_mix(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """How customers pay in: the share of top-ups (by count) made through each channel."""
    found = rows(con, """
        SELECT channel, count(*) AS n FROM events
        WHERE event = 'lines.line_topped_up' AND day BETWEEN $start AND $end GROUP BY 1 ORDER BY 2 DESC""",
                 {"start": start, "end": end})  # fmt: skip
    total = sum(int(r["n"]) for r in found) or 1
    return Series("channel_mix", "share", [(r["channel"], int(r["n"]) / total) for r in found])


_SPEND = """
    SELECT subject, sum(amount_tiyin) / 100 AS som FROM events
    WHERE event IN ('lines.usage_rated', 'lines.fee_charged', 'lines.line_charged') AND day BETWEEN $start AND $end
    GROUP BY 1"""


_ARPU_PLAN = (
    "WITH spend AS (" + _SPEND + "), plans AS (SELECT subject, arg_max(plan, seq) AS plan FROM events"  # noqa: S608
    " WHERE plan <> '' AND subject_kind = 'phone' AND day <= $end GROUP BY 1)"
    " SELECT p.plan, avg(s.som) AS arpu FROM spend s JOIN plans p USING (subject) GROUP BY 1 ORDER BY 2 DESC"
)


def arpu_by_plan(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Average revenue per line over the range, by the line's plan at the end of it."""
    months = max(1.0, ((end - start).days + 1) / 30)
    found = rows(con, _ARPU_PLAN, {"start": start, "end": end})
    return Series("arpu_plan", "som", [(r["plan"], float(r["arpu"]) / months) for r in found])


def arpu_by_segment(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Average revenue per line a month, by its lifecycle and RFM segments at the end."""
    months = max(1.0, ((end - start).days + 1) / 30)
    spend = {r["subject"]: float(r["som"]) for r in rows(con, _SPEND, {"start": start, "end": end})}
    if not spend:
        return Series("arpu_segment", "som", [])
    totals: dict[str, list[float]] = {}
    for subject in features(con, as_of=end + timedelta(days=1)):
        for segment in rules.segments_for(groups()[:2], subject):
            totals.setdefault(segment, []).append(spend.get(subject["subject"], 0.0))
    averages = {segment: sum(values) / len(values) / months for segment, values in totals.items()}
    return Series("arpu_segment", "som", sorted(averages.items(), key=lambda kv: -kv[1]))


def churn_rate(con: duckdb.DuckDBPyConnection, start: date, end: date) -> Series:
    """Week by week: of the lines active the week before, the share with no use in the week
    and the two after (lines that fell silent)."""
    found = rows(con, """
        WITH weeks AS (SELECT DISTINCT subject, date_trunc('week', day) AS week FROM events
                       WHERE event = 'lines.usage_rated'),
             span AS (SELECT max(day) AS last FROM events)
        SELECT strftime(w.week + INTERVAL 7 DAY, '%Y-%m-%d') AS week,
               avg(CASE WHEN NOT EXISTS (SELECT 1 FROM weeks n WHERE n.subject = w.subject
                        AND n.week BETWEEN w.week + INTERVAL 7 DAY AND w.week + INTERVAL 21 DAY) THEN 1.0 ELSE 0.0 END)
                   AS rate
        FROM weeks w, span
        WHERE w.week + INTERVAL 7 DAY BETWEEN $start AND $end AND w.week + INTERVAL 28 DAY <= span.last + INTERVAL 1 DAY
        GROUP BY 1 ORDER BY 1""", {"start": start, "end": end})  # fmt: skip
    return Series("churn_rate", "share", [(r["week"], float(r["rate"])) for r in found])

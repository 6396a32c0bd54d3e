"""PURE rules of feedback (issue 14.4): the three surveys and their scales, who may be asked
(no customer more than once within a rest kept as data, `crm/data/feedback.yaml`; never in
quiet hours), what a score means (a
detractor), and the scores of a group of answers — NPS, CSAT, CES. No I/O: the service reads
the rows and asks here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from yagona.kernel.clock import TASHKENT

# The question each survey asks, and its scale (inclusive).
SCALES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),  # how likely are you to recommend us to a friend?
    "csat": (1, 5),  # how satisfied are you with how we handled it? (after a ticket or a call)
    "ces": (1, 7),  # how easy was it? (after a task in the portal or by USSD)
}
COMMENT_MAX_LENGTH = 1000
# Quiet hours as the reminders keep them (Tashkent): nothing is sent from 22:00 until 08:00.
QUIET_FROM, QUIET_UNTIL = time(22, 0), time(8, 0)
DETRACTOR_MAX = 6  # NPS 0-6: a detractor (a follow-up request opens by itself)
PROMOTER_MIN = 9  # NPS 9-10: a promoter
SATISFIED_MIN = 4  # CSAT 4-5: satisfied


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often customers are asked (`crm/data/feedback.yaml`)."""

    rest: timedelta  # no customer is surveyed twice within it
    link_lifetime: timedelta  # a survey's link answers this long
    nps_every: timedelta  # the relationship NPS: at most once in it
    nps_tenure: timedelta  # asked only of customers with this much service behind them
    nps_per_day: int  # relationship NPS offers a day
    supervisor_window: timedelta  # the console's CSAT and NPS look back this far

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> Cadence:
        nps = raw["relationship_nps"]
        cadence = cls(
            rest=timedelta(days=int(raw["rest_days"])),
            link_lifetime=timedelta(days=int(raw["link_lifetime_days"])),
            nps_every=timedelta(days=int(nps["every_days"])),
            nps_tenure=timedelta(days=int(nps["tenure_days"])),
            nps_per_day=int(nps["per_day"]),
            supervisor_window=timedelta(days=int(raw["supervisor_window_days"])),
        )
        if min(cadence.rest, cadence.link_lifetime, cadence.nps_every, cadence.supervisor_window) <= timedelta(0):
            raise ValueError("feedback.yaml: every period is a positive number of days")
        return cadence


def in_scale(kind: str, score: int) -> bool:
    """The score is a whole number on the survey's scale."""
    low, high = SCALES[kind]
    return low <= score <= high


def may_survey(last_surveyed_at: datetime | None, *, now: datetime, cadence: Cadence) -> bool:
    """Not asked within the rest (a survey offered counts, answered or not)."""
    return last_surveyed_at is None or now - last_surveyed_at >= cadence.rest


def due_for_nps(*, customer_since: datetime, last_nps_at: datetime | None, now: datetime, cadence: Cadence) -> bool:
    """The relationship NPS: a customer of the tenure or more, not asked it within its period
    (the rest between any two surveys is checked when it is offered)."""
    return now - customer_since >= cadence.nps_tenure and (
        last_nps_at is None or now - last_nps_at >= cadence.nps_every
    )


def quiet(at: datetime) -> bool:
    local = at.astimezone(TASHKENT).timetz().replace(tzinfo=None)
    return local >= QUIET_FROM or local < QUIET_UNTIL


def send_at(now: datetime) -> datetime:
    """When a survey offered at `now` is sent: now, or the 08:00 that ends quiet hours."""
    if not quiet(now):
        return now
    local = now.astimezone(TASHKENT)
    day = local.date() if local.timetz().replace(tzinfo=None) < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=TASHKENT)


def is_detractor(kind: str, score: int) -> bool:
    return kind == "nps" and score <= DETRACTOR_MAX


def nps(scores: Sequence[int]) -> float | None:
    """% promoters (9-10) - % detractors (0-6), -100 … 100; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= PROMOTER_MIN)
    detractors = sum(1 for s in scores if s <= DETRACTOR_MAX)
    return round(100 * (promoters - detractors) / len(scores), 1)


def csat(scores: Sequence[int]) -> float | None:
    """% of answers 4 or 5 ("satisfied", "very satisfied"); None without answers."""
    if not scores:
        return None
    return round(100 * sum(1 for s in scores if s >= SATISFIED_MIN) / len(scores), 1)


def ces(scores: Sequence[int]) -> float | None:
    """The average effort score, 1 (very hard) … 7 (very easy); None without answers."""
    if not scores:
        return None
    return round(sum(scores) / len(scores), 2)


SCORE = {"nps": nps, "csat": csat, "ces": ces}
# The bar chart's range of each score: NPS may be negative.
CHART_RANGE: dict[str, tuple[float, float]] = {"nps": (-100.0, 100.0), "csat": (0.0, 100.0), "ces": (1.0, 7.0)}


def week_of(at: datetime) -> date:
    """The Monday (Tashkent) of the week holding `at`: how answers are grouped by week."""
    local = at.astimezone(TASHKENT).date()
    return local - timedelta(days=local.weekday())


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    x: float  # where the bar starts (the zero line for a negative NPS is inside the chart)
    width: float


def bars(kind: str, values: Sequence[tuple[str, float]], *, width: float = 300.0) -> list[Bar]:
    """Horizontal bars for `values` on the score's full range, `width` units wide."""
    low, high = CHART_RANGE[kind]
    span = high - low
    zero = (max(low, 0.0) - low) / span * width  # where 0 (or the floor) sits
    out = []
    for label, value in values:
        at = (min(max(value, low), high) - low) / span * width
        out.append(Bar(label, value, round(min(zero, at), 1), round(abs(at - zero), 1)))
    return out


# --- what feedback says, in the customer's language ------------------------------------------
# The SMS carries no marketing: the question, the link, nothing else.
INVITATION = {
    "nps": {
        "uz": "Yagona: bizni do'stlaringizga tavsiya qilasizmi? Baholang: {link}",
        "ru": "Yagona: порекомендуете ли вы нас? Оцените: {link}",
        "en": "Yagona: would you recommend us? Rate us: {link}",
    },
    "csat": {
        "uz": "Yagona: murojaatingiz qanday hal qilindi? Baholang: {link}",
        "ru": "Yagona: как мы решили ваш вопрос? Оцените: {link}",
        "en": "Yagona: how did we handle your request? Rate it: {link}",
    },
    "ces": {
        "uz": "Yagona: bu amal qanchalik oson bo'ldi? Baholang: {link}",
        "ru": "Yagona: насколько это было просто? Оцените: {link}",
        "en": "Yagona: how easy was it? Rate it: {link}",
    },
}
ANSWERED = {
    "uz": "So'rovnomaga javob berdi: {kind} {score}/{high}",
    "ru": "Ответил на опрос: {kind} {score}/{high}",
    "en": "Answered a survey: {kind} {score}/{high}",
}
FOLLOW_UP = {
    "uz": "NPS {score}/10: mijoz norozi — qayta bog'laning",
    "ru": "NPS {score}/10: клиент недоволен — свяжитесь с ним",  # noqa: RUF001 - Russian
    "en": "NPS {score}/10: an unhappy customer — follow up",
}
NO_COMMENT = {"uz": "Izoh yo'q.", "ru": "Без комментария.", "en": "No comment."}
KIND_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def _said(table: dict[str, str], language: str) -> str:
    return table.get(language) or table["en"]


def invitation(kind: str, language: str, *, link: str) -> str:
    return _said(INVITATION[kind], language).format(link=link)


def answered_summary(kind: str, score: int, language: str, comment: str | None) -> str:
    text = _said(ANSWERED, language).format(kind=KIND_NAMES[kind], score=score, high=SCALES[kind][1])
    return f"{text} — {comment}" if comment else text


def follow_up(score: int, language: str, comment: str | None) -> tuple[str, str]:
    """A detractor's follow-up request: its summary and body (the customer's comment)."""
    return _said(FOLLOW_UP, language).format(score=score), comment or _said(NO_COMMENT, language)


DEFAULT_PERIOD = timedelta(weeks=12)
MAX_PERIOD = timedelta(days=366)
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # dates outside are taken as these


def period(start: date | None, end: date | None, *, today: date) -> tuple[datetime, datetime]:
    """The days asked for (Tashkent), both included, as [start, end) instants: by default the
    last 12 weeks; a reversed or over-long period becomes the 12 weeks before its end."""
    end = min(max(end or today, EARLIEST), LATEST)
    start = min(max(start, EARLIEST), LATEST) if start else end - DEFAULT_PERIOD
    if start > end or end - start > MAX_PERIOD:
        start = end - DEFAULT_PERIOD
    return (
        datetime.combine(start, time(0, 0), tzinfo=TASHKENT),
        datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=TASHKENT),
    )

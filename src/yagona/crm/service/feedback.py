"""Feedback (issue 14.4): NPS, CSAT and CES surveys, offered after an interaction, sent by SMS
through notify with a link to `/feedback/{token}` (answered without signing in: the token is
the survey's id signed with the deployment's key, so it cannot be guessed or forged, and a
survey is answered once), within limits — no customer surveyed more than once in 30 days,
nothing sent in quiet hours (held until 08:00 by a due job), no marketing in the text.

An answer is stored with the interaction the survey follows, is itself an interaction on the
timeline, and a detractor (NPS 0-6) opens a follow-up request for the call-centre at once.
Scores by channel, category and week come from `feedback_rules` (pure)."""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from yagona.crm import feedback_repository as repository
from yagona.crm import feedback_rules as rules
from yagona.crm import rules as crm_rules
from yagona.crm.errors import SurveyAnsweredError, SurveyExpiredError, SurveyNotFoundError, SurveyScoreError
from yagona.crm.events import FeedbackAnswered
from yagona.crm.models import Survey
from yagona.crm.schemas import (
    Direction,
    FeedbackScores,
    InteractionChannel,
    ScoreGroup,
    SurveyKind,
    SurveyRead,
)
from yagona.crm.service._base import _channel
from yagona.crm.service.interactions import record_interaction
from yagona.crm.service.requests import open_request
from yagona.identity import service as identity
from yagona.kernel import yamldata
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.notify import service as notify
from yagona.notify.schemas import Channel, Language
from yagona.platform import jobs
from yagona.platform.sealing import Pepper, Sealer
from yagona.platform.uow import UnitOfWork

_CADENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "feedback.yaml"
CADENCE = rules.Cadence.from_data(yamldata.safe_load(_CADENCE_FILE.read_text(encoding="utf-8")))
SEND_JOB = "crm.survey_send"  # a survey held over quiet hours is sent by this due job
TEXT_TEMPLATE = "notify.text"
DEFAULT_PORTAL_URL = "https://my.yagona.uz"
_MAC_BYTES = 12


class _Config:
    pepper: Pepper | None = None
    sealer: Sealer | None = None
    portal_url: str = DEFAULT_PORTAL_URL


_config = _Config()


def configure(*, secret_key: str, portal_url: str = DEFAULT_PORTAL_URL) -> None:
    """The composition root hands in the secret (signs the links, seals the SMS) and the
    portal's address the links point to."""
    _config.pepper = Pepper(secret_key, "crm.survey")
    _config.sealer = notify.sealer_for(secret_key)
    _config.portal_url = portal_url.rstrip("/")


def _pepper() -> Pepper:
    if _config.pepper is None:
        raise RuntimeError("crm.service.configure_feedback was not called")
    return _config.pepper


def _mac(raw_id: bytes) -> bytes:
    return bytes.fromhex(_pepper().digest(raw_id.hex()))[:_MAC_BYTES]


def survey_token(survey_id: str) -> str:
    """The survey's link token: its id and a MAC, URL-safe (38 characters)."""
    raw = uuid.UUID(survey_id).bytes
    return base64.urlsafe_b64encode(raw + _mac(raw)).decode().rstrip("=")


def survey_link(survey_id: str, *, language: str | None = None) -> str:
    """The portal's page of the survey (in the customer's language when given)."""
    suffix = f"?lang={language}" if language else ""
    return f"{_config.portal_url}/feedback/{survey_token(survey_id)}{suffix}"


def _survey_id(token: str) -> str:
    """The survey a token names; a mistyped or forged one is `survey_not_found`."""
    try:
        blob = base64.urlsafe_b64decode(token[:64] + "=" * (-len(token[:64]) % 4))
    except (binascii.Error, ValueError):
        blob = b""
    if len(blob) != 16 + _MAC_BYTES or not hmac.compare_digest(blob[16:], _mac(blob[:16])):
        raise SurveyNotFoundError("no survey by this link")
    return str(uuid.UUID(bytes=blob[:16]))


def _read(row: Survey) -> SurveyRead:
    return SurveyRead.model_validate(row, from_attributes=True)


# --- offering and sending ----------------------------------------------------------------------


def offer_survey(
    uow: UnitOfWork,
    *,
    customer_id: str,
    kind: SurveyKind | str,
    trigger: str,
    channel: str,
    category: str,
    interaction_id: str | None = None,
) -> SurveyRead | None:
    """Offer a survey after an interaction; None when the customer may not be asked (surveyed
    in the last 30 days, unknown, no phone to send it to). Sent at once, or held over quiet
    hours until 08:00 (a due job)."""
    kind = SurveyKind(kind).value
    try:
        customer = identity.get_customer(uow, customer_id=customer_id[:36])
    except YagonaError:
        return None
    now = uow.clock.now()
    if not customer.phones or not rules.may_survey(
        repository.last_offered_at(uow.session, customer.id), now=now, cadence=CADENCE
    ):
        return None
    row = Survey(
        id=new_id(),
        customer_id=customer.id,
        kind=kind,
        trigger=trigger[:40],
        interaction_id=interaction_id,
        channel=_channel(channel),
        category=category[:40],
        language=customer.language.value,
        status="due",
        offered_at=now,
        send_at=rules.send_at(now),
    )
    try:  # a survey never fails what it follows (a call note, an event): refused, it is not offered
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
            if row.send_at <= now:
                _send(uow, row, customer.phones[0])
            else:
                jobs.schedule(
                    uow.session, key=f"{SEND_JOB}:{row.id}", kind=SEND_JOB, due_at=row.send_at,
                    payload={"survey": row.id}, now=now,
                )  # fmt: skip
    except YagonaError:  # notify refused the SMS (a gateway's part limit set very low)
        return None
    return _read(row)


def _send(uow: UnitOfWork, row: Survey, phone: str) -> None:
    if _config.sealer is None:
        raise RuntimeError("crm.service.configure_feedback was not called")
    text = rules.invitation(row.kind, row.language, link=survey_link(row.id, language=row.language))
    row.message_id = notify.queue(
        uow,
        channel=Channel.SMS,
        recipient=phone,
        template=TEXT_TEMPLATE,
        language=Language(row.language),
        params={"text": text},
        sealer=_config.sealer,
    )
    row.status = "sent"
    uow.session.flush()


def send_due_survey(uow: UnitOfWork, *, survey_id: str) -> bool:
    """The due job: send a survey held over quiet hours (unless answered or gone meanwhile)."""
    row = repository.survey(uow.session, survey_id[:36], for_update=True)
    if row is None or row.status != "due":
        return False
    try:
        customer = identity.get_customer(uow, customer_id=row.customer_id)
    except YagonaError:
        return False
    if not customer.phones:
        return False
    _send(uow, row, customer.phones[0])
    return True


# --- answering ---------------------------------------------------------------------------------


def survey_by_token(uow: UnitOfWork, *, token: str) -> SurveyRead:
    """The survey a link names (forged or mistyped: `survey_not_found`)."""
    row = repository.survey(uow.session, _survey_id(token))
    if row is None:
        raise SurveyNotFoundError("no survey by this link")
    return _read(row)


def survey_expired(uow: UnitOfWork, survey: SurveyRead) -> bool:
    return uow.clock.now() - survey.offered_at > CADENCE.link_lifetime


def answer_survey(
    uow: UnitOfWork, *, token: str, score: int, comment: str | None = None, channel: str = "portal"
) -> SurveyRead:
    """The customer's answer, once: a second one is `survey_answered`, a score off the scale
    `survey_score_out_of_range` (with the scale), an old link `survey_expired` — nothing is
    written on a refusal. Stored with the interaction the survey follows; on the timeline;
    a detractor (NPS 0-6) opens a follow-up request."""
    row = repository.survey(uow.session, _survey_id(token), for_update=True)
    if row is None:
        raise SurveyNotFoundError("no survey by this link")
    if row.status == "answered":
        raise SurveyAnsweredError("this survey is answered already")
    if uow.clock.now() - row.offered_at > CADENCE.link_lifetime:
        raise SurveyExpiredError("this survey has expired")
    low, high = rules.SCALES[row.kind]
    if isinstance(score, bool) or not isinstance(score, int) or not rules.in_scale(row.kind, score):
        raise SurveyScoreError(f"the score must be from {low} to {high}", low=low, high=high, field="score")
    answered_in = _channel(channel)
    cleaned = crm_rules.clean_text(comment or "", max_length=rules.COMMENT_MAX_LENGTH)
    row.score, row.comment, row.answer_channel = score, cleaned, answered_in
    row.status, row.answered_at = "answered", uow.clock.now()
    record_interaction(
        uow,
        customer_id=row.customer_id,
        channel=answered_in,
        direction=Direction.IN,
        summary=rules.answered_summary(row.kind, score, row.language, cleaned),
        subject_kind="survey",
        subject_id=row.id,
    )
    uow.add_event(  # analytics keeps the score, never the comment
        FeedbackAnswered(occurred_at=row.answered_at, survey_id=row.id, customer_id=row.customer_id, kind=row.kind,
                         score=score, touchpoint=row.trigger, category=row.category, channel=row.channel,
                         answered_in=answered_in)
    )  # fmt: skip
    if rules.is_detractor(row.kind, score):
        summary, body = rules.follow_up(score, row.language, cleaned)
        # A detractor's follow-up is a complaint ticket: the call-centre calls them back.
        row.follow_up_id = open_request(
            uow, customer_id=row.customer_id, channel=answered_in, summary=summary, body=body, category="complaint"
        )
    uow.session.flush()
    return _read(row)


def surveys_of(uow: UnitOfWork, *, customer_id: str, limit: int = 20) -> list[SurveyRead]:
    """A customer's surveys, newest first (the 360)."""
    return [_read(r) for r in repository.surveys_of(uow.session, customer_id, min(limit, uow.limits.page_size_max))]


# --- scores ------------------------------------------------------------------------------------


def _groups(
    rows: Sequence[Survey], key: Callable[[Survey], str], score: Callable[[Sequence[int]], float | None]
) -> list[ScoreGroup]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(int(row.score or 0))
    return [ScoreGroup(key=k, answers=len(v), score=score(v)) for k, v in sorted(grouped.items())]


def feedback_scores(
    uow: UnitOfWork, *, kind: SurveyKind | str, start: date | None = None, end: date | None = None
) -> FeedbackScores:
    """A survey's scores over the days [start, end] (Tashkent; by default the last 12 weeks):
    overall, by channel (where the customer dealt with us), by category (a ticket's category
    or the task) and by week (its Monday)."""
    kind = SurveyKind(kind).value
    today = uow.clock.now().astimezone(TASHKENT).date()
    since, until = rules.period(start, end, today=today)
    rows = repository.answered(uow.session, kind=kind, start=since, end=until)
    score = rules.SCORE[kind]
    return FeedbackScores(
        kind=SurveyKind(kind),
        start=since,
        end=until,
        answers=len(rows),
        score=score([int(r.score or 0) for r in rows]),
        by_channel=_groups(rows, lambda r: r.channel, score),
        by_category=_groups(rows, lambda r: r.category, score),
        by_week=_groups(rows, lambda r: rules.week_of(r.answered_at or r.offered_at).isoformat(), score),
    )


def survey_score(kind: SurveyKind | str, scores: Sequence[int]) -> float | None:
    """A survey's score over answers — NPS -100…100, CSAT % satisfied, CES the average — the
    one rule, for analytics' dashboards; None without answers."""
    return rules.SCORE[SurveyKind(kind).value](list(scores))


def is_detractor(score: int) -> bool:
    """An NPS answer of a detractor (0-6)."""
    return rules.is_detractor("nps", score)


def is_satisfied(score: int) -> bool:
    """A CSAT answer of a satisfied customer (4-5)."""
    return score >= rules.SATISFIED_MIN


def feedback_bars(kind: SurveyKind | str, values: Sequence[tuple[str, float]], *, width: float) -> list[rules.Bar]:
    """Horizontal bars of scores on the survey's full range (NPS may be negative), for a chart."""
    return rules.bars(SurveyKind(kind).value, values, width=width)


# --- what a survey follows ---------------------------------------------------------------------

CONTACT_CHANNELS = (InteractionChannel.USSD, InteractionChannel.PORTAL, InteractionChannel.TELEGRAM)
CONTACT_WINDOW = timedelta(minutes=15)


def interaction_about(
    uow: UnitOfWork, *, customer_id: str, subject_kind: str, subject_id: str
) -> tuple[str | None, str]:
    """The interaction an operation left on the timeline (its id) and the channel the
    customer used for it: their latest contact by USSD, the portal or the bot within 15
    minutes before it, else `account`."""
    entry = repository.latest_about(
        uow.session, customer_id=customer_id, subject_kind=subject_kind, subject_id=subject_id[:64]
    )
    at = entry.occurred_at if entry is not None else uow.clock.now()
    contact = repository.latest_contact(
        uow.session,
        customer_id=customer_id,
        channels=[c.value for c in CONTACT_CHANNELS],
        start=at - CONTACT_WINDOW,
        end=at,
    )
    channel = contact.channel if contact is not None else InteractionChannel.ACCOUNT.value
    return (entry.id if entry is not None else None), channel

"""Offers as records: the next-best offer (`advisor.next_best_offer`) made by the nightly job
to a customer whose segments and risk call for one — at most one open offer per line, none
within the cadence of the last (`data/offers.yaml`), and only with marketing consent
(`privacy.service.has_consent`, asked when it is made and again when it is shown or
accepted). Made → shown → accepted | dismissed | expired. Accepting performs the real action
through the real service: a plan switch (`lines.service.switch_plan`) or a loyalty reward
(`loyalty.service.redeem_for_line`). Made offers are published (`analytics.offer_made`): the
reminder engine sends them as a marketing reminder."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from yagona.analytics import repository, rules
from yagona.analytics.errors import OfferClosedError, OfferNotFoundError
from yagona.analytics.events import OfferDecided, OfferMade
from yagona.analytics.models import OPEN
from yagona.analytics.models import Offer as OfferRow
from yagona.analytics.service._base import connect
from yagona.analytics.service.advisor import next_best_offer
from yagona.analytics.service.churn import churn_risk_of, scores_path
from yagona.analytics.service.features import features
from yagona.analytics.service.segments import groups, segments_of
from yagona.catalog import service as catalog
from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.lines import service as lines
from yagona.loyalty import service as loyalty
from yagona.platform.uow import UnitOfWork
from yagona.privacy import service as privacy

KINDS = ("cheaper_plan", "bundle", "loyalty_discount")
LANGUAGES = ("uz", "ru", "en")


@dataclass(frozen=True, slots=True)
class OfferConfig:
    expiry_days: int
    cadence_days: int
    kinds: dict[str, dict[str, Any]]  # kind → {title: {lang: text}, why: {lang: text}, reward?}

    def reward(self) -> str:
        return str(self.kinds["loyalty_discount"]["reward"])


def parse_config(raw: Any) -> OfferConfig:
    """The offers file, checked: every kind with a title and a why in every language."""
    if not isinstance(raw, dict) or set(raw.get("kinds") or {}) != set(KINDS):
        raise ValueError(f"offers.yaml: kinds must be exactly {KINDS}")
    for kind, spec in raw["kinds"].items():
        for part in ("title", "why"):
            if not all(spec.get(part, {}).get(lang) for lang in LANGUAGES):
                raise ValueError(f"offers.yaml: {kind}.{part} needs uz, ru and en")
    expiry, cadence = int(raw["expiry_days"]), int(raw["cadence_days"])
    if not 0 < expiry <= cadence:
        raise ValueError("offers.yaml: 0 < expiry_days <= cadence_days")
    if not raw["kinds"]["loyalty_discount"].get("reward"):
        raise ValueError("offers.yaml: loyalty_discount needs its reward")
    return OfferConfig(expiry_days=expiry, cadence_days=cadence, kinds=dict(raw["kinds"]))


@cache
def config() -> OfferConfig:
    text = resources.files("yagona.analytics").joinpath("data/offers.yaml").read_text(encoding="utf-8")
    return parse_config(yaml.safe_load(text))


@dataclass(frozen=True, slots=True)
class OfferRead:
    id: str
    customer_id: str
    msisdn: str
    kind: str
    plan: str | None
    plan_name: str | None
    reward: str | None
    saving_tiyin: int
    segments: list[str]
    risk: float | None
    status: str
    channel: str | None
    made_at: datetime
    shown_at: datetime | None
    decided_at: datetime | None
    expires_at: datetime

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def title(self, language: str) -> str:
        return str(config().kinds[self.kind]["title"][language]).format(plan=self.plan_name or "")

    def why(self, language: str) -> str:
        return str(config().kinds[self.kind]["why"][language]).format(plan=self.plan_name or "")


def _read(row: OfferRow) -> OfferRead:
    name = catalog.get_plan(row.plan).name if row.plan else None
    return OfferRead(
        id=row.id, customer_id=row.customer_id, msisdn=row.msisdn, kind=row.kind, plan=row.plan, plan_name=name,
        reward=row.reward, saving_tiyin=row.saving_tiyin, segments=list(row.segments), risk=row.risk,
        status=row.status, channel=row.channel, made_at=row.made_at, shown_at=row.shown_at,
        decided_at=row.decided_at, expires_at=row.expires_at,
    )  # fmt: skip


def has_marketing_consent(uow: UnitOfWork, customer_id: str) -> bool:
    """Offers and newsletters, as privacy's consent register says now."""
    return privacy.has_consent(uow, customer_id=customer_id, purpose=privacy.MARKETING)


# --- making ---------------------------------------------------------------------------------------


def _line_free(uow: UnitOfWork, msisdn: str) -> bool:
    """No open offer on the line, and none made within the cadence."""
    last = repository.last_of_line(uow.session, msisdn)
    if last is None:
        return True
    if last.status in OPEN:
        return False
    return last.made_at <= uow.clock.now() - timedelta(days=config().cadence_days)


def _points_enough(uow: UnitOfWork, phones: list[str], reward: str) -> bool:
    """A discount is offered only to a member who holds the points it costs."""
    member = loyalty.member_phone(uow, phones=phones)
    chosen = next((r for r in loyalty.rewards(uow) if r.id == reward), None)
    return member is not None and chosen is not None and loyalty.state(uow, phone=member).points >= chosen.points


def make_offer(
    uow: UnitOfWork, *, customer_id: str, known: tuple[list[str], float | None] | None = None
) -> OfferRead | None:
    """The customer's next-best offer as a record, or None: no marketing consent, no line, an
    open offer or one within the cadence on the line, nothing worth offering. `known`: the
    customer's segments and churn risk when the caller read them already (the nightly step
    reads everyone's at once); else they are read here."""
    if not has_marketing_consent(uow, customer_id):
        return None
    customer = identity.get_customer(uow, customer_id=customer_id)
    owned = [phone for phone in customer.phones if lines.exists(uow, phone)]
    if not owned or not _line_free(uow, owned[0]):  # next_best_offer looks at the first line
        return None
    if known is None:
        found = churn_risk_of(uow, customer_id=customer_id)
        known = (segments_of(uow, customer_id=customer_id), found.risk if found else None)
    segments, risk = known
    offer = next_best_offer(uow, customer_id=customer_id, segments=segments, risk=risk,
                            consent=has_marketing_consent)  # fmt: skip
    if offer is None:
        return None
    reward = config().reward() if offer.kind == "loyalty_discount" else None
    saving = offer.saving_tiyin
    if reward is not None:
        if not _points_enough(uow, owned, reward):
            return None
        percent = next(r.fee_discount_percent or 0 for r in loyalty.rewards(uow) if r.id == reward)
        saving = (lines.state(uow, msisdn=offer.msisdn).next_charge_tiyin or 0) * percent // 100
    now = uow.clock.now()
    row = OfferRow(
        id=new_id(), customer_id=customer_id, msisdn=offer.msisdn, kind=offer.kind, plan=offer.plan, reward=reward,
        saving_tiyin=saving, segments=list(segments), risk=risk, status="made", channel=None, made_at=now,
        shown_at=None, decided_at=None, expires_at=now + timedelta(days=config().expiry_days),
    )  # fmt: skip
    repository.add(uow.session, row)
    uow.add_event(OfferMade(occurred_at=now, offer_id=row.id, customer_id=customer_id, msisdn=row.msisdn,
                            kind=row.kind, saving_tiyin=saving, expires_at=row.expires_at.isoformat()))  # fmt: skip
    return _read(row)


def make_offers(uow: UnitOfWork) -> int:
    """The nightly step: expire what is due, then an offer for every customer of a line with
    marketing consent whose segments and scores call for one; how many were made. Everyone's
    segments and scores are read at once (one DuckDB query, one read of the scores)."""
    expire_due(uow)
    customers: dict[str, list[str]] = {}  # customer → their phones' pseudonyms, in order
    for msisdn in lines.list_msisdns(uow):
        try:
            customer = identity.find_customer_by_phone(uow, phone=msisdn)
        except YagonaError:
            continue
        if customer is None or customer.id in customers or not has_marketing_consent(uow, customer.id):
            continue
        customers[customer.id] = [privacy.pseudonym(phone, kind="phone") for phone in customer.phones]
    known = _segments_and_risks(uow, customers)
    return sum(make_offer(uow, customer_id=cid, known=known[cid]) is not None for cid in customers)


def _segments_and_risks(uow: UnitOfWork, customers: dict[str, list[str]]) -> dict[str, tuple[list[str], float | None]]:
    """What `segments_of` and `churn_risk_of` answer for each customer, read once for all."""
    subjects = sorted({subject for found in customers.values() for subject in found})
    with connect() as con:
        rows = features(con, as_of=uow.clock.now().date(), subjects=subjects)
    segments_by = {row["subject"]: rules.segments_for(groups(), row) for row in rows}
    risks_by: dict[str, float] = {}
    if subjects and scores_path().exists():
        import pyarrow.parquet as pq  # noqa: PLC0415 - on use

        scored = pq.read_table(scores_path(), columns=["subject", "risk"], filters=[("subject", "in", subjects)])
        risks_by = {row["subject"]: row["risk"] for row in scored.to_pylist()}
    known: dict[str, tuple[list[str], float | None]] = {}
    for cid, found in customers.items():
        segments: list[str] = []
        for subject in found:
            segments.extend(s for s in segments_by.get(subject, []) if s not in segments)
        risks = [risks_by[subject] for subject in found if subject in risks_by]
        known[cid] = (segments, max(risks) if risks else None)
    return known


def expire_due(uow: UnitOfWork) -> int:
    now = uow.clock.now()
    due = repository.open_past(uow.session, now)
    for row in due:
        _decide(uow, row, "expired")
    return len(due)


def _decide(uow: UnitOfWork, row: OfferRow, status: str) -> None:
    row.status = status
    row.decided_at = uow.clock.now()
    uow.add_event(OfferDecided(occurred_at=row.decided_at, offer_id=row.id, customer_id=row.customer_id,
                               kind=row.kind, status=status))  # fmt: skip


# --- the customer's offers ----------------------------------------------------------------------------


def _expired(uow: UnitOfWork, row: OfferRow) -> bool:
    if row.status in OPEN and row.expires_at <= uow.clock.now():
        _decide(uow, row, "expired")
    return row.status == "expired"


def offers_of(uow: UnitOfWork, *, customer_id: str, channel: str = "portal") -> list[OfferRead]:
    """The customer's offers, newest first; the open ones only with marketing consent (shown:
    marked so, on `channel`, the first time)."""
    consent = has_marketing_consent(uow, customer_id)
    found = []
    for row in repository.of_customer(uow.session, customer_id):
        if row.status in OPEN and not _expired(uow, row):
            if not consent:
                continue
            _shown(uow, row, channel)
        found.append(_read(row))
    return found


def open_offer(uow: UnitOfWork, *, customer_id: str, channel: str = "portal") -> OfferRead | None:
    """The customer's newest open offer (the dashboard's card), None without consent."""
    if not has_marketing_consent(uow, customer_id):
        return None
    for row in repository.open_of_customer(uow.session, customer_id):
        if not _expired(uow, row):
            _shown(uow, row, channel)
            return _read(row)
    return None


def _shown(uow: UnitOfWork, row: OfferRow, channel: str) -> None:
    if row.status == "made":
        row.status = "shown"
        row.shown_at = uow.clock.now()
    row.channel = row.channel or channel


def _own(uow: UnitOfWork, customer_id: str, offer_id: str, *, for_update: bool = False) -> OfferRow:
    row = repository.offer(uow.session, offer_id[:36], for_update=for_update)
    if row is None or row.customer_id != customer_id:
        raise OfferNotFoundError(f"no offer {offer_id}", offer=offer_id)
    return row


def offer_of(uow: UnitOfWork, *, customer_id: str, offer_id: str) -> OfferRead:
    """One of the customer's offers; another customer's is `offer_not_found`, like none."""
    row = _own(uow, customer_id, offer_id)
    _expired(uow, row)
    return _read(row)


def _still_open(uow: UnitOfWork, row: OfferRow) -> None:
    if _expired(uow, row) or row.status not in OPEN or not has_marketing_consent(uow, row.customer_id):
        raise OfferClosedError(f"offer {row.id} is {row.status}", offer=row.id, status=row.status)


def accept(uow: UnitOfWork, *, customer_id: str, offer_id: str) -> OfferRead:
    """Do what the offer says — the plan switch or the reward — and mark it accepted. An offer
    already accepted is answered as it is (a double submit accepts once); a dismissed or
    expired one is `offer_closed`; the switch's or the reward's refusal is theirs, and then
    nothing is written."""
    row = _own(uow, customer_id, offer_id, for_update=True)
    if row.status == "accepted":
        return _read(row)
    _still_open(uow, row)
    if row.kind == "loyalty_discount":
        loyalty.redeem_for_line(uow, msisdn=row.msisdn, reward=row.reward or config().reward())
    else:
        lines.switch_plan(uow, msisdn=row.msisdn, plan_id=row.plan or "")
    _shown(uow, row, "portal")
    _decide(uow, row, "accepted")
    return _read(row)


def dismiss(uow: UnitOfWork, *, customer_id: str, offer_id: str) -> OfferRead:
    """Not interested: the offer closes (the cadence still counts from when it was made)."""
    row = _own(uow, customer_id, offer_id, for_update=True)
    if row.status == "dismissed":
        return _read(row)
    _still_open(uow, row)
    _shown(uow, row, "portal")
    _decide(uow, row, "dismissed")
    return _read(row)


def delivered(uow: UnitOfWork, *, customer_id: str, channel: str) -> None:
    """A reminder of the customer's newest open offer went out on `channel` (SMS, push)."""
    for row in repository.open_of_customer(uow.session, customer_id):
        row.channel = row.channel or channel
        return


# --- acceptance -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    group: str  # a kind or a segment
    made: int
    shown: int
    accepted: int
    dismissed: int
    expired: int

    @property
    def rate(self) -> float:
        """Accepted of made (0 when none was made)."""
        return self.accepted / self.made if self.made else 0.0


@dataclass(frozen=True, slots=True)
class Acceptance:
    start: date
    end: date
    by_kind: list[Rate]
    by_segment: list[Rate]


NO_SEGMENT = "none"


def acceptance(uow: UnitOfWork, *, start: date, end: date) -> Acceptance:
    """Offers made from `start` to `end` (Tashkent days, both included) and what became of
    them, per kind and per segment (an offer counts in each segment its customer was in)."""
    since = datetime.combine(start, time(0), tzinfo=TASHKENT).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=TASHKENT).astimezone(UTC)
    kinds: dict[str, list[OfferRow]] = {kind: [] for kind in KINDS}
    segments: dict[str, list[OfferRow]] = defaultdict(list)
    for row in repository.made_between(uow.session, since, until):
        kinds.setdefault(row.kind, []).append(row)
        for segment in row.segments or [NO_SEGMENT]:
            segments[segment].append(row)
    return Acceptance(
        start=start,
        end=end,
        by_kind=[_rate(kind, rows) for kind, rows in kinds.items()],
        by_segment=[_rate(segment, rows) for segment, rows in sorted(segments.items())],
    )


def _rate(group: str, rows: list[OfferRow]) -> Rate:
    statuses = [row.status for row in rows]
    return Rate(
        group=group,
        made=len(rows),
        shown=sum(1 for row in rows if row.shown_at is not None),
        accepted=statuses.count("accepted"),
        dismissed=statuses.count("dismissed"),
        expired=statuses.count("expired"),
    )


def acceptance_csv(found: Acceptance) -> list[list[str]]:
    head = ["by", "group", "made", "shown", "accepted", "dismissed", "expired", "acceptance_rate"]
    body = [
        [by, r.group, str(r.made), str(r.shown), str(r.accepted), str(r.dismissed), str(r.expired), f"{r.rate:.4f}"]
        for by, rates in (("kind", found.by_kind), ("segment", found.by_segment))
        for r in rates
    ]
    return [head, *body]

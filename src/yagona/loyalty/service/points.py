"""Points in and out: accruals from spend, the ecosystem bonus, redemptions, expiry,
take-backs, staff adjustments; the tier kept in step. Every move is a ledger transfer in
the unit `points`; lots hold what is left of each accrual, burned oldest first."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT
from yagona.kernel.ids import new_id
from yagona.ledger import service as ledger
from yagona.lines import service as lines
from yagona.loyalty import repository, rules
from yagona.loyalty.errors import InsufficientPointsError, InvalidRequestError, RewardNotFoundError
from yagona.loyalty.events import (
    PointsAdjusted,
    PointsEarned,
    PointsExpired,
    PointsRedeemed,
    PointsTakenBack,
    TierChanged,
)
from yagona.loyalty.models import Lot, Member
from yagona.loyalty.schemas import Adjustment, Redemption
from yagona.loyalty.service._base import (
    EXPIRED,
    EXPIRY,
    ISSUED,
    REDEEMED,
    TAKEN_BACK,
    TIER_REVIEW,
    account_of,
    burn_lots,
    held,
    member_for_change,
    owner_phone,
    phone_of,
    record,
    spend_90d,
)
from yagona.loyalty.service.programme import programme_at
from yagona.platform import jobs
from yagona.platform.bus import consume_once
from yagona.platform.uow import UnitOfWork

MIN_REASON = 3
ADJUSTMENTS = "loyalty.adjust"  # the mark of an adjustment request handled (`consume_once`)


# --- earning -------------------------------------------------------------------------------


def earn_line_charge(uow: UnitOfWork, *, msisdn: str, reason: str, amount_tiyin: int, at: datetime, ref: str) -> int:
    """A fee or charge taken from a line's balance (penalties excepted)."""
    if not rules.line_charge_earns(reason, programme_at(at).earn.line_charges_excluded):
        return 0
    return earn(uow, phone=msisdn, spend_tiyin=amount_tiyin, at=at, reference=ref)


def earn_wallet_payment(
    uow: UnitOfWork, *, phone: str, provider: str, amount_tiyin: int, at: datetime, ref: str
) -> int:
    """A wallet payment to a provider: on what the provider receives, commission excluded."""
    if not rules.wallet_payment_earns(provider, programme_at(at).earn.wallet_providers_excluded):
        return 0
    return earn(uow, phone=phone, spend_tiyin=amount_tiyin, at=at, reference=ref)


def earn(uow: UnitOfWork, *, phone: str, spend_tiyin: int, at: datetime, reference: str) -> int:
    """One accrual: the tier of the 90 days before it (its own spend excluded) sets the
    multiplier; the carry is kept; the points repay a debt first, the rest is a lot."""
    if spend_tiyin <= 0:
        return 0
    member = member_for_change(uow, phone_of(phone))
    programme = programme_at(at)
    # Counted raw (a take-back may leave it below zero): the review below adds this spend to it.
    before = repository.spend_since(uow.session, member.id, rules.window_start(at, programme.spend_window_days))
    tier = rules.tier_for(before, programme.tiers)
    accrual = rules.accrue(
        carry_tiyin=member.carry_tiyin,
        spend_tiyin=spend_tiyin,
        som_per_point=programme.earn.som_per_point,
        multiplier=tier.factor,
    )
    member.carry_tiyin = accrual.carry_tiyin
    record(uow, member, kind="earn", points=accrual.points, spend=spend_tiyin, reference=reference, at=at)
    _credit(uow, member, accrual.points, kind="earn", reference=reference, at=at)
    review_tier(uow, member, at=at, spend=max(0, before + spend_tiyin))
    return accrual.points


def service_added(uow: UnitOfWork, *, phone: str, kind: str, at: datetime, reference: str) -> int:
    """A kind of service the customer had not used: after their first one, a bonus, once."""
    member = member_for_change(uow, phone_of(phone))
    kinds = [k for k in member.kinds.split(",") if k]
    if kind in kinds:
        return 0
    member.kinds = ",".join([*kinds, kind])
    bonus = programme_at(at).ecosystem_bonus
    if not kinds or kind not in bonus.kinds or bonus.points == 0:
        return 0
    record(uow, member, kind="bonus", points=bonus.points, spend=0, reference=reference, at=at)
    _credit(uow, member, bonus.points, kind="bonus", reference=reference, at=at)
    return bonus.points


def line_linked(uow: UnitOfWork, *, customer_id: str, kind: str, reference: str) -> None:
    """A line linked to a One ID profile under another number: from now on its charges earn
    into the profile's own phone, so every line and wallet of the customer earn one balance.
    What it earned before the link stays with its number."""
    if kind != "mobile":
        return
    phones = identity.get_customer(uow, customer_id=customer_id).phones
    msisdn = phone_of(reference, field="reference")
    if phones and phones[0] != msisdn:
        repository.set_alias(uow.session, phone=msisdn, member_phone=phones[0], now=uow.clock.now())


def _credit(uow: UnitOfWork, member: Member, points: int, *, kind: str, reference: str, at: datetime) -> None:
    if points <= 0:
        return
    ledger.transfer(
        uow,
        debit=ISSUED,
        credit=account_of(member.phone),
        amount=points,
        reason=f"loyalty.{kind}",
        idempotency_key=f"loyalty.{kind}:{member.phone}:{reference}",
    )
    repaid = rules.repay(debt=member.debt_points, points=points)
    member.debt_points = repaid.debt
    if repaid.lot_points:
        expires = rules.expires_at(at, programme_at(at).expiry_months)
        repository.add(
            uow.session,
            Lot(
                member_id=member.id,
                points=repaid.lot_points,
                remaining=repaid.lot_points,
                earned_at=at,
                expires_at=expires,
            ),
        )
        jobs.schedule(
            uow.session,
            key=f"{EXPIRY}:{member.phone}:{expires.isoformat()}",
            kind=EXPIRY,
            due_at=expires,
            payload={"phone": member.phone},
            now=uow.clock.now(),
        )
    uow.add_event(PointsEarned(occurred_at=at, phone=member.phone, points=points, kind=kind, reference=reference))


# --- the tier -------------------------------------------------------------------------------


def review_tier(uow: UnitOfWork, member: Member, *, at: datetime, spend: int | None = None) -> list[dict[str, Any]]:
    """The tier of the spend in the window now (`spend` when the caller just counted it);
    when it changed, `tier_changed`. The next review is due when the spend would fall below
    the tier's threshold."""
    programme = programme_at(at)
    spend = spend_90d(uow, member, at) if spend is None else spend
    tier = rules.tier_for(spend, programme.tiers)
    effects: list[dict[str, Any]] = []
    if tier.id != member.tier:
        uow.add_event(TierChanged(occurred_at=at, phone=member.phone, from_tier=member.tier, to_tier=tier.id))
        effects.append({"kind": "tier_changed", "from": member.tier, "tier": tier.id})
        member.tier = tier.id
    if tier.from_tiyin == 0:
        return effects  # the lowest tier cannot drop: no review to schedule
    since = rules.window_start(at, programme.spend_window_days)
    drop = rules.tier_drop_at(
        repository.spends_since(uow.session, member.id, since),
        threshold_tiyin=tier.from_tiyin,
        window_days=programme.spend_window_days,
    )
    if drop is not None:
        jobs.schedule(
            uow.session,
            key=f"{TIER_REVIEW}:{member.phone}:{drop.astimezone(TASHKENT).isoformat()}",
            kind=TIER_REVIEW,
            due_at=drop,
            payload={"phone": member.phone},
            now=uow.clock.now(),
        )
    return effects


def review_tier_of(uow: UnitOfWork, *, phone: str) -> list[dict[str, Any]]:
    """The due job: spend has left the window since the last review."""
    member = repository.member_for_update(uow.session, phone)
    return review_tier(uow, member, at=uow.clock.now()) if member is not None else []


# --- points out -----------------------------------------------------------------------------


def redeem(uow: UnitOfWork, *, phone: str, reward: str, msisdn: str | None = None) -> Redemption:
    """A reward of the catalogue on a line (by default the line of the member's phone): an
    unknown reward is `not_found`, too few points `insufficient_points`, a blocked line
    `line_blocked`. The member's row is locked first, so of two redemptions of the same
    points one wins and the other is refused."""
    phone = phone_of(phone)
    now = uow.clock.now()
    chosen = programme_at(now).reward(reward)
    if chosen is None:
        raise RewardNotFoundError(f"no reward {reward!r}", reward=reward)
    member = repository.member_for_update(uow.session, phone)
    have = held(uow, member) if member is not None else 0
    if member is None or have < chosen.points:
        raise InsufficientPointsError(
            f"Not enough points: {chosen.points} needed, {have} held", needed=chosen.points, points=have
        )
    target = phone_of(msisdn, field="msisdn") if msisdn else phone
    reference = f"loyalty:{new_id()}"
    if chosen.bundle is not None:
        lines.grant_reward_bundle(
            uow,
            msisdn=target,
            key=chosen.bundle.key,
            amount=chosen.bundle.amount,
            days=chosen.bundle.days,
            reference=reference,
        )
    else:
        assert chosen.fee_discount_percent is not None
        lines.grant_fee_discount(uow, msisdn=target, percent=chosen.fee_discount_percent, reference=reference)
    short = burn_lots(uow, member, chosen.points)
    assert short == 0, "held() counted the open lots"
    ledger.transfer(
        uow,
        debit=account_of(phone),
        credit=REDEEMED,
        amount=chosen.points,
        reason="loyalty.redeem",
        metadata={"reward": chosen.id},
        idempotency_key=reference,
    )
    record(uow, member, kind="redeem", points=-chosen.points, spend=0, reference=f"{chosen.id}:{target}", at=now)
    uow.add_event(PointsRedeemed(occurred_at=now, phone=phone, points=chosen.points, reward=chosen.id, msisdn=target))
    return Redemption(reward=chosen.id, msisdn=target, points_spent=chosen.points, points=have - chosen.points)


def redeem_for_line(uow: UnitOfWork, *, msisdn: str, reward: str) -> Redemption:
    """A reward asked for from a line itself (the `*111#` menu): paid with the points its
    charges earn into (the profile's, for a line linked under another number), granted on
    that line. The refusals are `redeem`'s: `not_found`, `insufficient_points`, `line_blocked`."""
    line = phone_of(msisdn, field="msisdn")
    return redeem(uow, phone=owner_phone(uow, line), reward=reward, msisdn=line)


def expire_due(uow: UnitOfWork, *, phone: str) -> list[dict[str, Any]]:
    """The due job at 00:00 Tashkent: what is left of the lots whose day has come expires."""
    member = repository.member_for_update(uow.session, phone)
    if member is None:
        return []
    now = uow.clock.now()
    lots = repository.lots_expiring(uow.session, member.id, now)
    points = sum(lot.remaining for lot in lots)
    if points == 0:
        return []
    for lot in lots:
        lot.remaining = 0
    ledger.transfer(
        uow,
        debit=account_of(phone),
        credit=EXPIRED,
        amount=points,
        reason="loyalty.expire",
        idempotency_key=f"loyalty.expire:{phone}:{now.isoformat()}",
    )
    record(uow, member, kind="expire", points=-points, spend=0, reference="expiry", at=now)
    uow.add_event(PointsExpired(occurred_at=now, phone=phone, points=points))
    return [{"kind": "points_expired", "points": points}]


def take_back(uow: UnitOfWork, *, phone: str, earned: str, reference: str) -> int:
    """A refund or reversal: the points its spend earned go back, oldest lots first; what
    the lots cannot cover is a debt that later points repay first. Its spend leaves the tier's
    count. An earning taken back once is not taken back again."""
    member = repository.member_for_update(uow.session, owner_phone(uow, phone_of(phone)))
    if member is None:
        return 0
    original = repository.entry_by_reference(uow.session, member.id, earned, "earn")
    if original is None or repository.entry_by_reference(uow.session, member.id, earned, "take_back") is not None:
        return 0
    now = uow.clock.now()
    points = original.points
    if points:
        member.debt_points += burn_lots(uow, member, points)
        ledger.transfer(
            uow,
            debit=account_of(member.phone),
            credit=TAKEN_BACK,
            amount=points,
            reason="loyalty.take_back",
            idempotency_key=f"loyalty.take_back:{member.phone}:{reference}",
        )
    record(uow, member, kind="take_back", points=-points, spend=-original.spend_tiyin, reference=earned, at=now)
    uow.add_event(PointsTakenBack(occurred_at=now, phone=member.phone, points=points, reference=reference))
    review_tier(uow, member, at=now)
    return points


def adjust(
    uow: UnitOfWork, *, phone: str, points: int, reason: str, staff: str, request_id: str | None = None
) -> Adjustment:
    """A manual adjustment by staff (the console's supervisor, or the staff REST), with a
    mandatory reason: added points are a lot (they repay a debt first); removed points burn the
    oldest lots and may not exceed what is held. `request_id` (the form's token, an
    `Idempotency-Key`) makes a second submit of the same request change nothing (`repeated`)."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InvalidRequestError("an adjustment needs a reason", field="reason")
    if points == 0:
        raise InvalidRequestError("an adjustment moves at least one point", field="points")
    member = member_for_change(uow, phone_of(phone))
    now = uow.clock.now()
    if request_id is not None:
        mark = "adjust:" + hashlib.sha256(request_id.encode()).hexdigest()[:29]
        if not consume_once(uow.session, consumer=ADJUSTMENTS, event_id=mark, now=now):
            return Adjustment(points=0, balance=held(uow, member), repeated=True)  # done already
    reference = f"adjust:{new_id()}"
    if points > 0:
        record(uow, member, kind="adjust", points=points, spend=0, reference=f"{staff}: {reason}", at=now)
        _credit(uow, member, points, kind="adjust", reference=reference, at=now)
    else:
        have = held(uow, member)
        if have < -points:
            raise InsufficientPointsError(
                f"Not enough points: {-points} needed, {have} held", needed=-points, points=have
            )
        burn_lots(uow, member, -points)
        ledger.transfer(
            uow,
            debit=account_of(member.phone),
            credit=ISSUED,
            amount=-points,
            reason="loyalty.adjust",
            idempotency_key=f"loyalty.adjust:{member.phone}:{reference}",
        )
        record(uow, member, kind="adjust", points=points, spend=0, reference=f"{staff}: {reason}", at=now)
    uow.add_event(PointsAdjusted(occurred_at=now, phone=member.phone, points=points, reason=reason, staff=staff))
    return Adjustment(points=points, balance=held(uow, member))

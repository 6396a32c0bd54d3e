"""What a member holds: points, tier and what the next one needs, lots, history."""

from __future__ import annotations

from collections.abc import Sequence

from yagona.ledger import service as ledger
from yagona.loyalty import repository, rules
from yagona.loyalty.schemas import EntryRead, LotRead, LoyaltyState, LoyaltySummary, NextTier, Reward
from yagona.loyalty.service._base import account_of, owner_phone, phone_of, spend_90d
from yagona.loyalty.service.programme import programme_at
from yagona.platform.uow import UnitOfWork

HISTORY_MAX = 100


def state(uow: UnitOfWork, *, phone: str) -> LoyaltyState:
    """The points of the customer of `phone` (a phone the programme has not seen holds none)."""
    phone = phone_of(phone)
    now = uow.clock.now()
    programme = programme_at(now)
    member = repository.member(uow.session, phone)
    spend = spend_90d(uow, member, now) if member is not None else 0
    tier = next((t for t in programme.tiers if member is not None and t.id == member.tier), programme.tiers[0])
    up = rules.next_tier(spend, programme.tiers)
    return LoyaltyState(
        phone=phone,
        points=ledger.posted_balance(uow, code=account_of(phone)) if member is not None else 0,
        tier=tier.id,
        multiplier=tier.multiplier,
        spend_90d_tiyin=spend,
        carry_tiyin=member.carry_tiyin if member is not None else 0,
        lots=[
            LotRead(points=lot.remaining, earned_at=lot.earned_at, expires_at=lot.expires_at)
            for lot in (repository.open_lots(uow.session, member.id) if member is not None else [])
        ],
        next_tier=NextTier(tier=up[0].id, spend_needed_tiyin=up[1]) if up is not None else None,
        programme=programme.version,
    )


def history(uow: UnitOfWork, *, phone: str, limit: int = 50) -> list[EntryRead]:
    """Earned and burned points, newest first."""
    member = repository.member(uow.session, phone_of(phone))
    if member is None:
        return []
    return [
        EntryRead(kind=e.kind, points=e.points, spend_tiyin=e.spend_tiyin, at=e.at, reference=e.reference)
        for e in repository.history(uow.session, member.id, limit=min(limit, HISTORY_MAX))
    ]


def rewards(uow: UnitOfWork) -> tuple[Reward, ...]:
    """The rewards of the programme in force."""
    return programme_at(uow.clock.now()).rewards


def members(uow: UnitOfWork) -> list[str]:
    """Every member's phone, in order (the sandbox's `final.loyalty`)."""
    return repository.member_phones(uow.session)


def member_phone(uow: UnitOfWork, *, phones: Sequence[str]) -> str | None:
    """Which of a profile's phones holds its points: the first the programme knows, else the
    first (a profile without phones holds none)."""
    known = [phone for phone in phones if repository.member(uow.session, phone) is not None]
    return next(iter(known or phones), None)


def summary(uow: UnitOfWork, *, phone: str) -> LoyaltySummary:
    """The short form of `state` for a phone as a channel knows it (a USSD session's line):
    a line linked to a One ID profile under another number answers with the profile's points.
    Not a phone number: `invalid_request`."""
    held = state(uow, phone=owner_phone(uow, phone_of(phone)))
    first = held.lots[0].expires_at if held.lots else None
    return LoyaltySummary(
        phone=held.phone,
        points=held.points,
        tier=held.tier,
        multiplier=held.multiplier,
        next_tier=held.next_tier,
        expiring_points=sum(lot.points for lot in held.lots if lot.expires_at == first),
        expiring_at=first,
        rewards=tuple(sorted(rewards(uow), key=lambda r: (r.points, r.id))),
    )

"""What the loyalty use cases share: ledger accounts, the member and its lock, lots."""

from __future__ import annotations

import contextlib
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from yagona.kernel.errors import NotFoundError
from yagona.kernel.phone import normalise_msisdn
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.loyalty import repository, rules
from yagona.loyalty.errors import InvalidRequestError
from yagona.loyalty.models import Entry, Member
from yagona.loyalty.service.programme import programme_at
from yagona.platform.uow import UnitOfWork

# The operator's side of every points transfer. Points issued are the programme's cost
# (an expense, sharded: every accrual of every member credits from it); redeemed, expired and
# taken-back points end on their own accounts, so `ledger verify` sums them to zero.
ISSUED = "operator:loyalty:issued"
REDEEMED = "operator:loyalty:redeemed"
EXPIRED = "operator:loyalty:expired"
TAKEN_BACK = "operator:loyalty:taken-back"
ISSUED_SHARDS = 8

# Kinds of due job.
EXPIRY = "loyalty.expiry"
TIER_REVIEW = "loyalty.tier"


def account_of(phone: str) -> str:
    return f"loyalty:{phone}"


def phone_of(raw: str, *, field: str = "phone") -> str:
    digits = normalise_msisdn(raw)
    if digits is None:
        raise InvalidRequestError(f"{raw[:32]!r} is not a phone number (998XXXXXXXXX)", field=field)
    return digits


def _open(uow: UnitOfWork, account: AccountCreate) -> None:
    """Open `account` unless it exists. Two first accruals at once (a new member, a fresh
    system) may both try: the loser's insert fails on the unique code once the winner
    commits, and the account is there to use."""
    try:
        with uow.session.begin_nested():
            ledger.open_account(uow, account=account)
    except IntegrityError:
        pass


def ensure_operator_accounts(uow: UnitOfWork) -> None:
    with contextlib.suppress(NotFoundError):
        ledger.get_account(uow, code=TAKEN_BACK)  # the last one opened: all are there
        return
    _open(
        uow,
        AccountCreate(
            code=ISSUED,
            owner="operator",
            kind="loyalty_expense",
            unit=Unit.POINTS,
            allow_negative=True,
            shards=ISSUED_SHARDS,
        ),
    )
    for code in (REDEEMED, EXPIRED, TAKEN_BACK):
        _open(uow, AccountCreate(code=code, owner="operator", kind="loyalty_liability", unit=Unit.POINTS))


def owner_phone(uow: UnitOfWork, phone: str) -> str:
    """Whose points a phone's charges earn: the profile's phone for a line linked to a One ID
    profile under another number (`identity.service_linked`), else the phone itself."""
    return repository.alias_of(uow.session, phone) or phone


def member_for_change(uow: UnitOfWork, phone: str) -> Member:
    """The member of `phone` (or of the profile it is linked to), created on first use,
    locked for the rest of the transaction."""
    phone = owner_phone(uow, phone)
    found = repository.member_for_update(uow.session, phone)
    if found is not None:
        return found
    now = uow.clock.now()
    ensure_operator_accounts(uow)
    # A points balance may go below zero: a take-back beyond the open lots (product.md §6).
    _open(
        uow, AccountCreate(code=account_of(phone), owner=phone, kind="loyalty", unit=Unit.POINTS, allow_negative=True)
    )
    repository.claim_member(uow.session, phone=phone, tier=programme_at(now).tiers[0].id, now=now)
    member = repository.member_for_update(uow.session, phone)
    assert member is not None
    return member


def record(
    uow: UnitOfWork, member: Member, *, kind: str, points: int, spend: int, reference: str, at: datetime
) -> None:
    repository.add(
        uow.session,
        Entry(member_id=member.id, kind=kind, points=points, spend_tiyin=spend, at=at, reference=reference[:200]),
    )


def burn_lots(uow: UnitOfWork, member: Member, points: int) -> int:
    """Burn `points` from the open lots, oldest first; returns what they could not cover."""
    lots = repository.open_lots(uow.session, member.id, lock=True)
    taken, short = rules.burn([(lot.id, lot.remaining) for lot in lots], points)
    for lot in lots:
        lot.remaining -= taken.get(lot.id, 0)
    return short


def held(uow: UnitOfWork, member: Member) -> int:
    """Open lots less the debt: the balance the customer sees (equals the ledger's)."""
    lots = sum(lot.remaining for lot in repository.open_lots(uow.session, member.id))
    return rules.available(lots, member.debt_points)


def spend_90d(uow: UnitOfWork, member: Member, at: datetime) -> int:
    days = programme_at(at).spend_window_days
    # Never below zero: a take-back may outlive, in the window, the charge it takes back.
    return max(0, repository.spend_since(uow.session, member.id, rules.window_start(at, days)))

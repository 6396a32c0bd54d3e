"""Rewards of the bonus programme on a line: a bundle (`bonus_mb`, `bonus_minutes`) for some
days, or a share off the next monthly fee, once. The loyalty domain asks for them through
this public service; the rating rules say where reward bundles sit in the order of use."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from yagona.kernel.money import Rounding, round_tiyin
from yagona.lines import repository, rules
from yagona.lines.errors import InvalidRequestError
from yagona.lines.models import Bundle, FeeDiscount, Line
from yagona.lines.schemas import LineState
from yagona.lines.service._base import line_for_change, require_active, state
from yagona.platform.uow import UnitOfWork

REWARD_BUNDLES = frozenset({"bonus_mb", "bonus_minutes"})
# The charges that are "the line's monthly fee": a discount applies to the first of them.
MONTHLY_FEES = frozenset({"renewal", "renewal_in_debt", "reload", "unblock_fee"})


def grant_reward_bundle(uow: UnitOfWork, *, msisdn: str, key: str, amount: int, days: int, reference: str) -> LineState:
    """A reward bundle on an active line: `amount` MB or minutes for `days` days. A blocked
    line is `line_blocked`; a missing one `not_found`."""
    if key not in REWARD_BUNDLES or amount <= 0 or days <= 0:
        raise InvalidRequestError(f"no reward bundle {key!r} of {amount} for {days} days", field="reward")
    line = line_for_change(uow, msisdn)
    require_active(line)
    units = amount * rules.KB_PER_MB if key in rules.KB_BUNDLES else amount
    repository.add_bundle(
        uow.session,
        Bundle(
            line_id=line.id,
            key=key,
            origin=f"reward:{reference}"[:40],
            granted=units,
            remaining=units,
            expires_at=uow.clock.now() + timedelta(days=days),
        ),
    )
    return state(uow, msisdn=line.msisdn)


def grant_fee_discount(uow: UnitOfWork, *, msisdn: str, percent: int, reference: str) -> LineState:
    """`percent` off the line's next monthly fee, once."""
    if not 0 < percent <= 100:
        raise InvalidRequestError("a fee discount is 1 to 100 %", field="reward")
    line = line_for_change(uow, msisdn)
    require_active(line)
    repository.add_fee_discount(
        uow.session,
        FeeDiscount(line_id=line.id, percent=percent, reference=reference, granted_at=uow.clock.now(), used_at=None),
    )
    return state(uow, msisdn=line.msisdn)


def discounted(fee: int, percent: int) -> int:
    """The fee less the discount; the discount is rounded down to the tiyin."""
    return fee - round_tiyin(Fraction(fee * percent, 100), Rounding.DOWN)


def fee_due(uow: UnitOfWork, line: Line, fee: int) -> int:
    """What the next monthly fee will charge, its discount counted (nothing used)."""
    discount = repository.open_fee_discount(uow.session, line.id)
    return discounted(fee, discount.percent) if discount is not None else fee


def use_fee_discount(uow: UnitOfWork, line: Line, fee: int) -> int:
    """Charge time: the oldest unused discount applies to this fee and is used up."""
    discount = repository.open_fee_discount(uow.session, line.id)
    if discount is None:
        return fee
    discount.used_at = uow.clock.now()
    return discounted(fee, discount.percent)

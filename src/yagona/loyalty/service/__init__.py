"""Use cases of the bonus programme (product.md §6). Callers pass their unit of work;
nothing here commits.

Points are a ledger unit (`points`): a member's account `loyalty:<phone>` (a customer's line
and wallet of one phone earn into it), the operator's `operator:loyalty:issued` (the cost)
and the accounts redeemed, expired and taken-back points end on. Accruals come from the
events lines and wallet publish (`loyalty.handlers`), expiry and tier reviews are due jobs
(`loyalty.tasks`); rewards are granted through the lines domain's public service.

- `programme`: the versioned programme data, validated on load
- `points`: earn, service_added, redeem, redeem_for_line, expire_due, review_tier_of, take_back, adjust
- `reading`: state, summary, history, rewards, members
"""

from yagona.loyalty.service._base import (
    EXPIRED,
    EXPIRY,
    ISSUED,
    REDEEMED,
    TAKEN_BACK,
    TIER_REVIEW,
    account_of,
)
from yagona.loyalty.service.points import (
    adjust,
    earn,
    earn_line_charge,
    earn_wallet_payment,
    expire_due,
    line_linked,
    redeem,
    redeem_for_line,
    review_tier_of,
    service_added,
    take_back,
)
from yagona.loyalty.service.programme import editions, programme_at
from yagona.loyalty.service.reading import HISTORY_MAX, history, member_phone, members, rewards, state, summary

__all__ = [
    "EXPIRED",
    "EXPIRY",
    "HISTORY_MAX",
    "ISSUED",
    "REDEEMED",
    "TAKEN_BACK",
    "TIER_REVIEW",
    "account_of",
    "adjust",
    "earn",
    "earn_line_charge",
    "earn_wallet_payment",
    "editions",
    "expire_due",
    "history",
    "line_linked",
    "member_phone",
    "members",
    "programme_at",
    "redeem",
    "redeem_for_line",
    "review_tier_of",
    "rewards",
    "service_added",
    "state",
    "summary",
    "take_back",
]

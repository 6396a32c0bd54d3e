"""Use cases of online payments: the Payme Merchant API's methods and the Click SHOP API's
Prepare and Complete. Callers pass their unit of work; nothing here commits. A method
answers a result (a dict of the protocol) or raises the protocol's error; an error whose
`commit` is set wrote something that stays (a transaction cancelled by the timeout, a
payment cancelled by Click) and the caller commits before answering it."""

from __future__ import annotations

from yagona.payments.service.click import (
    click_complete,
    click_prepare,
)
from yagona.payments.service.common import (
    CLEARING_CHECK,
    CLEARING_CHECK_HOUR,
    CLICK,
    PAYME,
    CommittedClickError,
    CommittedPaymeError,
    clearing_account,
    ms,
    schedule_clearing_check,
)
from yagona.payments.service.payme import (
    payme,
    payme_authorised,
    statement_row,
)
from yagona.payments.service.portal import (
    checkout,
    payable_by,
    payments_of,
)
from yagona.payments.service.reports import (
    clearing_problems,
    reconcile,
    statement,
)

__all__ = [
    "CLEARING_CHECK",
    "CLEARING_CHECK_HOUR",
    "CLICK",
    "PAYME",
    "CommittedClickError",
    "CommittedPaymeError",
    "checkout",
    "clearing_account",
    "clearing_problems",
    "click_complete",
    "click_prepare",
    "ms",
    "payable_by",
    "payme",
    "payme_authorised",
    "payments_of",
    "reconcile",
    "schedule_clearing_check",
    "statement",
    "statement_row",
]

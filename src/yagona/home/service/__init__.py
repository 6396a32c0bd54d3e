"""Public use cases of home internet and IPTV. A request waits for the customer's national
OneID check (`pending_identity`); activation charges the first period in advance; every month
on the same day, in the night window, the next period is charged or the account suspended
(no debt); money that covers a period resumes a suspended account at once, with a new period.

Every money move goes through the ledger (`home:<contract>` → the operator's revenue);
every change publishes an event; every scheduled effect is a due job (`home/tasks.py`) that
checks the account is still where it was when the job was scheduled.

A package by use case (`connect`, `payments`, `changes`, `billing`; `_base` what they share);
`from yagona.home import service` re-exports them.
"""

from yagona.home.service._base import (
    ADDRESS_MAX,
    PAYMENTS,
    RENEWAL,
    REVENUE,
    REVENUE_TV,
    account_of,
    accounts_of,
    balance,
    list_contracts,
    own_account,
    pending_requests,
    state,
)
from yagona.home.service.billing import renew
from yagona.home.service.changes import add_package, change_plan, remove_package
from yagona.home.service.connect import activate, activate_verified, close, request_connection
from yagona.home.service.payments import HomePayments, top_up
from yagona.home.service.payments_in import payable, take_back

__all__ = [
    "ADDRESS_MAX",
    "PAYMENTS",
    "RENEWAL",
    "REVENUE",
    "REVENUE_TV",
    "HomePayments",
    "account_of",
    "accounts_of",
    "activate",
    "activate_verified",
    "add_package",
    "balance",
    "change_plan",
    "close",
    "list_contracts",
    "own_account",
    "payable",
    "pending_requests",
    "remove_package",
    "renew",
    "request_connection",
    "state",
    "take_back",
    "top_up",
]

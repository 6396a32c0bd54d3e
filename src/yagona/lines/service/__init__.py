"""Use cases of mobile lines, a module per use case. Callers pass their unit of work;
nothing here commits.

Money moves only through the ledger: a line's balance is the account `line:<msisdn>`,
fees and charges go to the operator's (sharded) revenue account. Every scheduled
effect — renewals, the unblock after a top-up, daily block fees, promo ends, holiday
minutes — is a due job (`lines.tasks`). What a use costs is decided by the pure
`lines.rules`; what a phone shows for a USSD code is the channel adapter `lines.ussd`.

- `connect`: connect, adopt (a line on a customer's own phone joins their One ID profile)
- `topups`: top_up, MobilePayments (the wallet's `mobile` provider)
- `rating`: call, sms, data, rate_usage(s), usage_history
- `lifecycle`: renew, block, unblock, helpers of the due jobs
- `changes`: quote_switch, switch_plan, reload, buy_package
- `promos`: activate_promo, switch_off_promo, promos
- `periods`: charge dates, bundles of a period, scheduling
- `replay`: replay_usage (a line's past usage priced on another plan: the plan advisor's)
- `rewards`: the bonus programme's rewards on a line (reward bundles, a fee discount)
"""

from yagona.lines.service._base import (
    BLOCK_FEE,
    DAILY,
    HOLIDAY,
    LEGACY,
    PAYMENTS,
    PROMO_END,
    PROMO_FEE,
    RENEWAL,
    REVENUE,
    REVENUE_SHARDS,
    UNBLOCK,
    account_of,
    bundle_use,
    ensure_operator_accounts,
    exists,
    list_msisdns,
    normalised,
    own_number,
    state,
)
from yagona.lines.service.changes import buy_package, quote_switch, reload, switch_plan
from yagona.lines.service.connect import adopt, connect, link_to_owner
from yagona.lines.service.lifecycle import (
    balance_of,
    block,
    charge_fee,
    line_for_job,
    renew,
    schedule_block_fee,
    unblock,
    unblock_charging,
)
from yagona.lines.service.periods import grant_daily, grant_holiday, next_charge_at
from yagona.lines.service.promos import activate_promo, charge_promo_day, promos, switch_off_promo
from yagona.lines.service.rating import (
    USAGE_PAGE_MAX,
    call,
    data,
    incoming_call,
    parse_record,
    rate_raw,
    rate_usage,
    rate_usages,
    sms,
    usage_history,
)
from yagona.lines.service.replay import replay_usage
from yagona.lines.service.rewards import grant_fee_discount, grant_reward_bundle
from yagona.lines.service.topups import MobilePayments, take_back, top_up, top_ups

__all__ = [
    "BLOCK_FEE",
    "DAILY",
    "HOLIDAY",
    "LEGACY",
    "PAYMENTS",
    "PROMO_END",
    "PROMO_FEE",
    "RENEWAL",
    "REVENUE",
    "REVENUE_SHARDS",
    "UNBLOCK",
    "USAGE_PAGE_MAX",
    "MobilePayments",
    "account_of",
    "activate_promo",
    "adopt",
    "balance_of",
    "block",
    "bundle_use",
    "buy_package",
    "call",
    "charge_fee",
    "charge_promo_day",
    "connect",
    "data",
    "ensure_operator_accounts",
    "exists",
    "grant_daily",
    "grant_fee_discount",
    "grant_holiday",
    "grant_reward_bundle",
    "incoming_call",
    "line_for_job",
    "link_to_owner",
    "list_msisdns",
    "next_charge_at",
    "normalised",
    "own_number",
    "parse_record",
    "promos",
    "quote_switch",
    "rate_raw",
    "rate_usage",
    "rate_usages",
    "reload",
    "renew",
    "replay_usage",
    "schedule_block_fee",
    "sms",
    "state",
    "switch_off_promo",
    "switch_plan",
    "take_back",
    "top_up",
    "top_ups",
    "unblock",
    "unblock_charging",
    "usage_history",
]

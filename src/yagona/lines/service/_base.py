"""What every use case of the lines service shares: accounts, lookups, money moves, reading."""

from __future__ import annotations

from datetime import time, timedelta

from yagona.catalog import service as catalog
from yagona.catalog.schemas import RatingRules
from yagona.kernel.phone import normalise_msisdn
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.lines import repository, rules
from yagona.lines.errors import InvalidRequestError, LineBlockedError, LineNotFoundError
from yagona.lines.events import LineCharged
from yagona.lines.models import Line
from yagona.lines.repository import LineRecord
from yagona.lines.schemas import LineState
from yagona.platform.uow import UnitOfWork

REVENUE = "operator:revenue:mobile"
PAYMENTS = "external:payments"  # money paid in through cash desks, cards and partners
LEGACY = "external:legacy-billing"  # balances brought over from the operator's previous billing
REVENUE_SHARDS = 8

# Kinds of due job.
RENEWAL = "lines.renewal"
UNBLOCK = "lines.unblock"
BLOCK_FEE = "lines.block_fee"
PROMO_END = "lines.promo_end"
PROMO_FEE = "lines.promo_fee"
HOLIDAY = "lines.holiday"
DAILY = "lines.daily"


def account_of(msisdn: str) -> str:
    return f"line:{msisdn}"


def normalised(msisdn: str) -> str:
    """The one normaliser (kernel.phone): `+998 90 123-45-67` → `998901234567`. A malformed
    number is `invalid_request` (the sandbox's stable code), naming the field."""
    digits = normalise_msisdn(msisdn)
    if digits is None:
        raise InvalidRequestError(f"{msisdn[:32]!r} is not a mobile number (998XXXXXXXXX)", field="msisdn")
    return digits


def own_number(msisdn: str) -> str:
    """A number of this operator, normalised."""
    digits = normalised(msisdn)
    if catalog.classify_number(digits).kind != "onnet":
        raise InvalidRequestError(f"{msisdn} is not a number of this operator", field="msisdn")
    return digits


def ensure_operator_accounts(uow: UnitOfWork) -> None:
    ledger.open_account(
        uow,
        account=AccountCreate(
            code=REVENUE, owner="operator", kind="revenue", unit=Unit.SOM, allow_negative=True, shards=REVENUE_SHARDS
        ),
    )
    for code in (PAYMENTS, LEGACY):
        ledger.open_account(
            uow,
            account=AccountCreate(code=code, owner="operator", kind="settlement", unit=Unit.SOM, allow_negative=True),
        )


def charge(uow: UnitOfWork, line: Line | LineRecord, amount: int, *, reason: str, key: str) -> None:
    if amount > 0:
        ledger.transfer(
            uow, debit=account_of(line.msisdn), credit=REVENUE, amount=amount, reason=reason, idempotency_key=key
        )
        uow.add_event(LineCharged(occurred_at=uow.clock.now(), msisdn=line.msisdn, reason=reason, amount_tiyin=amount))


def balance(uow: UnitOfWork, msisdn: str) -> int:
    return ledger.posted_balance(uow, code=account_of(msisdn))


def line_for_change(uow: UnitOfWork, msisdn: str) -> Line:
    """The line, locked for the rest of the transaction; a refusal when there is none."""
    line = repository.line_for_update(uow.session, normalised(msisdn))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    return line


def require_active(line: Line | LineRecord) -> None:
    if line.status != "active":
        raise LineBlockedError(
            f"line {line.msisdn} is blocked ({line.block_reason}): outgoing services are off", reason=line.block_reason
        )


def rating_rules() -> RatingRules:
    return catalog.get_catalogue().rules


def night_start() -> time:
    return catalog.get_catalogue().rules.night_window.start


def night_end() -> time:
    return catalog.get_catalogue().rules.night_window.end


def duration(period: str) -> timedelta:
    if period.startswith("P") and period.endswith("D"):
        return timedelta(days=int(period[1:-1]))
    raise InvalidRequestError(f"unsupported validity {period!r}")


def as_mb(kb: int) -> int | float:
    return kb // rules.KB_PER_MB if kb % rules.KB_PER_MB == 0 else kb / rules.KB_PER_MB


def shown(key: str, amount: int) -> int | float:
    return as_mb(amount) if key in rules.KB_BUNDLES else amount


# --- reading ---------------------------------------------------------------------------------


def state(uow: UnitOfWork, *, msisdn: str) -> LineState:
    line = repository.line(uow.session, normalised(msisdn))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    uow.session.flush()
    remaining = repository.remaining_by_key(repository.live_bundles(uow.session, line.id, uow.clock.now()))
    plan = catalog.get_plan(line.plan_id)
    return LineState(
        msisdn=line.msisdn,
        plan=line.plan_id,
        status=line.status,
        block_reason=line.block_reason,
        balance_tiyin=balance(uow, line.msisdn),
        next_charge_at=line.next_charge_at,
        # What falls due then: the plan's recurring fee (none while blocked for debt).
        next_charge_tiyin=plan.monthly_fee.tiyin if line.next_charge_at is not None else None,
        bundles={key: shown(key, amount) for key, amount in sorted(remaining.items())},
    )


def bundle_use(uow: UnitOfWork, *, msisdn: str) -> dict[str, tuple[int, int]]:
    """What the plan's live bundles granted and what is left of them, by key (the reminder
    engine: a bundle nearly used up); empty for an unknown line."""
    line = repository.line(uow.session, normalised(msisdn))
    if line is None:
        return {}
    uow.session.flush()
    use: dict[str, tuple[int, int]] = {}
    for bundle in repository.live_bundles(uow.session, line.id, uow.clock.now()):
        if bundle.origin == "plan" and bundle.granted > 0:
            granted, left = use.get(bundle.key, (0, 0))
            use[bundle.key] = (granted + bundle.granted, left + bundle.remaining)
    return use


def list_msisdns(uow: UnitOfWork) -> list[str]:
    return repository.all_msisdns(uow.session)


def exists(uow: UnitOfWork, msisdn: str) -> bool:
    return repository.line(uow.session, msisdn) is not None

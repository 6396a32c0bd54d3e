"""Use cases of mobile lines. Callers pass their unit of work; nothing here commits.

Money moves only through the ledger: a line's balance is the account `line:<msisdn>`,
fees and charges go to the operator's (sharded) revenue account. Every scheduled
effect — renewals, the unblock after a top-up, daily block fees, promo ends, holiday
minutes — is a due job (`lines.tasks`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace
from typing import Any, TypeVar

from pydantic import ValidationError

from yagona.catalog import service as catalog
from yagona.catalog.schemas import Destination, Plan
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.ledger.schemas import AccountCreate, TransferCreate, Unit
from yagona.lines import repository, rules
from yagona.lines.errors import (
    BelowMinimumError,
    IdempotencyConflictError,
    InvalidRequestError,
    LineBlockedError,
    LineExistsError,
    LineNotFoundError,
    PlanClosedError,
)
from yagona.lines.events import (
    FeeCharged,
    LineBlocked,
    LineConnected,
    LineToppedUp,
    LineUnblocked,
    PlanSwitched,
    UsageRated,
)
from yagona.lines.models import Bundle, Line, Promo
from yagona.lines.repository import LineRecord
from yagona.lines.schemas import BlockReason, LineState, UsageKind, UsageRecord, UsageResult, UssdAnswer
from yagona.platform import jobs
from yagona.platform.bus import consume_once
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


_T = TypeVar("_T")


def account_of(msisdn: str) -> str:
    return f"line:{msisdn}"


# --- connect and top up ----------------------------------------------------------------------


def connect(uow: UnitOfWork, *, msisdn: str, plan_id: str, deposit: Money, region: str | None = None) -> LineState:
    """A new line: the deposit is paid in, the first fee charged, the bundles granted."""
    msisdn = own_number(msisdn)
    plan = catalog.get_plan(plan_id)
    if not plan.is_open:
        raise PlanClosedError(f"{plan.name} is closed to new connections", plan=plan.id)
    if plan.connection.regions and region not in plan.connection.regions:
        raise InvalidRequestError(
            f"{plan.name} connects only in: {', '.join(plan.connection.regions)}", field="region", plan=plan.id
        )
    if repository.line(uow.session, msisdn) is not None:
        raise LineExistsError(f"line {msisdn} is already connected", msisdn=msisdn)
    now = uow.clock.now()
    today = now.astimezone(TASHKENT).date()
    fee = rules.prorata(plan.first_fee.tiyin, today) if plan.prorata else plan.first_fee.tiyin
    # decision: the deposit must cover both the minimum to connect and the first fee, or
    # the line would start its life in debt.
    minimum = max(catalog.connection_minimum(plan).tiyin, fee)
    if deposit.tiyin < minimum:
        raise BelowMinimumError(
            f"{plan.name} needs {Money(minimum)} on the balance to connect", minimum=Money(minimum).to_json()
        )
    line = _new_line(
        uow,
        msisdn,
        plan,
        money_from=PAYMENTS,
        amount=deposit.tiyin,
        reason="topup",
        key=f"lines.connect:{msisdn}:deposit",
    )
    _charge(uow, line, fee, reason="fee", key=f"lines.connect:{msisdn}:first_fee")
    _grant_period(uow, line, plan, first=True, prorata_from=today if plan.prorata else None)
    _schedule_renewal(uow, line)
    _schedule_holiday(uow, line, plan, after=today)
    uow.add_event(LineConnected(occurred_at=now, msisdn=msisdn, plan=plan.id, first_fee_tiyin=fee))
    return state(uow, msisdn=msisdn)


def adopt(uow: UnitOfWork, *, msisdn: str, plan_id: str, balance: Money) -> LineState:
    """Bring over an existing subscriber from the legacy billing, archive plans included: the
    balance moves in, the current period starts today with fresh bundles, no fee is charged
    (the legacy system charged it)."""
    msisdn = own_number(msisdn)
    plan = catalog.get_plan(plan_id)
    if repository.line(uow.session, msisdn) is not None:
        raise LineExistsError(f"line {msisdn} is already connected", msisdn=msisdn)
    now = uow.clock.now()
    line = _new_line(
        uow, msisdn, plan, money_from=LEGACY, amount=balance.tiyin, reason="migration", key=f"lines.adopt:{msisdn}"
    )
    _grant_period(uow, line, plan, first=False, prorata_from=None)
    _schedule_renewal(uow, line)
    _schedule_holiday(uow, line, plan, after=now.astimezone(TASHKENT).date())
    return state(uow, msisdn=msisdn)


def _new_line(uow: UnitOfWork, msisdn: str, plan: Plan, *, money_from: str, amount: int, reason: str, key: str) -> Line:
    """The line's ledger account with its first money, and the line, its period starting now."""
    now = uow.clock.now()
    ensure_operator_accounts(uow)
    code = account_of(msisdn)
    ledger.open_account(
        uow, account=AccountCreate(code=code, owner=msisdn, kind="line", unit=Unit.SOM, allow_negative=True)
    )
    if amount:
        ledger.transfer(uow, debit=money_from, credit=code, amount=amount, reason=reason, idempotency_key=key)
    line = Line(
        msisdn=msisdn,
        plan_id=plan.id,
        status="active",
        block_reason=None,
        connected_at=now,
        period_started_at=now,
        next_charge_at=next_charge_at(plan, now.astimezone(TASHKENT).date()),
        version=1,
    )
    repository.add_line(uow.session, line)
    return line


def top_up(
    uow: UnitOfWork, *, msisdn: str, amount: Money, idempotency_key: str, source_account: str = PAYMENTS
) -> LineState:
    """Pay money in. A line blocked for debt is unblocked in the next night window; Mening
    Davram grants its top-up bonus. A replay with the same key changes nothing."""
    if amount.tiyin <= 0:
        raise InvalidRequestError("a top-up is a positive amount", field="amount")
    line = _line(uow, msisdn)
    ensure_operator_accounts(uow)
    ledger.transfer(
        uow,
        debit=source_account,
        credit=account_of(line.msisdn),
        amount=amount.tiyin,
        reason="topup",
        idempotency_key=idempotency_key,
    )
    _after_top_up(uow, line, amount.tiyin, idempotency_key=idempotency_key)
    return state(uow, msisdn=line.msisdn)


class MobilePayments:
    """The provider `mobile` of the wallet: the account is a line's number, the payment tops
    up that line's balance. The wallet moves the money (to `settlement_account`) in its own
    linked batch; `apply_payment` does what a top-up does next, in the same transaction.
    It satisfies the wallet's PaymentProvider protocol without importing it (siblings)."""

    def settlement_account(self, uow: UnitOfWork, *, account: str) -> str:
        msisdn = own_number(account)
        if repository.line(uow.session, msisdn) is None:
            raise LineNotFoundError(f"no line {account}", msisdn=account)
        return account_of(msisdn)

    def apply_payment(self, uow: UnitOfWork, *, account: str, amount: int, idempotency_key: str) -> None:
        _after_top_up(uow, _line(uow, own_number(account)), amount, idempotency_key=idempotency_key)


def _after_top_up(uow: UnitOfWork, line: Line, amount: int, *, idempotency_key: str) -> None:
    """What follows money paid in: the top-up bonus, the unblock in the next night window."""
    now = uow.clock.now()
    marker = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    if not consume_once(uow.session, consumer="lines.top_up", event_id=marker, now=now):
        return  # this top-up was applied before: its bonus and its unblock are already there
    plan = catalog.get_plan(line.plan_id)
    if plan.topup_bonus is not None:
        bonus = plan.topup_bonus
        current = repository.remaining_by_key(repository.live_bundles(uow.session, line.id, now)).get(bonus.bundle, 0)
        granted = rules.topup_bonus(
            amount, min_topup_tiyin=bonus.min_topup.tiyin, grant=bonus.amount, cap=bonus.max_balance, current=current
        )
        if granted:
            repository.add_bundle(
                uow.session,
                Bundle(
                    line_id=line.id,
                    key=bonus.bundle,
                    origin="bonus",
                    granted=granted,
                    remaining=granted,
                    expires_at=now + _duration(bonus.validity),
                ),
            )
    if line.status == "blocked" and line.block_reason == "debt" and _balance(uow, line.msisdn) > 0:
        night = rules.next_night_window(now, _night_start())
        jobs.schedule(
            uow.session,
            key=f"{UNBLOCK}:{line.msisdn}:{night.date().isoformat()}",
            kind=UNBLOCK,
            due_at=night,
            payload={"msisdn": line.msisdn},
            now=now,
        )
    uow.add_event(LineToppedUp(occurred_at=now, msisdn=line.msisdn, amount_tiyin=amount))


# --- usage -----------------------------------------------------------------------------------


def call(uow: UnitOfWork, *, msisdn: str, to: str, seconds: int, record_id: str) -> UsageResult:
    """An outgoing call: per started minute, at most 60 minutes, bundles first."""
    return rate_usage(uow, record=_record(id=record_id, msisdn=msisdn, type="voice", to=to, seconds=seconds))


def incoming_call(uow: UnitOfWork, *, msisdn: str, caller: str, seconds: int, record_id: str) -> UsageResult:
    """Incoming calls are free, never use the bundle, and come through at any balance."""
    return rate_usage(uow, record=_record(id=record_id, msisdn=msisdn, type="incoming", caller=caller, seconds=seconds))


def sms(uow: UnitOfWork, *, msisdn: str, to: str, record_id: str) -> UsageResult:
    return rate_usage(uow, record=_record(id=record_id, msisdn=msisdn, type="sms", to=to))


def data(
    uow: UnitOfWork,
    *,
    msisdn: str,
    mb: Decimal,
    tasix: bool,
    record_id: str,
    ip: str | None = None,
    host: str | None = None,
    vpn: bool = False,
) -> UsageResult:
    """One data session: TAS-IX traffic uses the TAS-IX bundle first (not through a VPN); free
    state resources cost nothing; per MB pro rata after the bundles."""
    return rate_usage(
        uow, record=_record(id=record_id, msisdn=msisdn, type="data", mb=mb, tasix=tasix, ip=ip, host=host, vpn=vpn)
    )


def _record(**fields: Any) -> UsageRecord:
    """A usage record from a channel's fields; what does not validate is invalid_request."""
    try:
        return UsageRecord(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidRequestError(
            str(first["msg"]).removeprefix("Value error, "), field=".".join(map(str, first["loc"]))
        ) from None


def rate_usage(uow: UnitOfWork, *, record: UsageRecord) -> UsageResult:
    """Rate one usage record; a refusal raises (and the caller's unit of work writes nothing)."""
    [outcome] = rate_usages(uow, records=[record])
    if isinstance(outcome, YagonaError):
        raise outcome
    return outcome


def rate_usages(uow: UnitOfWork, *, records: Sequence[UsageRecord]) -> list[UsageResult | YagonaError]:
    """Rate a batch of usage records (a CDR file, a bus fetch) with a few round trips in all.

    Each record is rated exactly as alone, in order; a refused record is answered with its
    error and writes nothing, the others go ahead. A record id seen before is a replay: the
    stored result, charged once.
    """
    if len(records) > uow.limits.batch_size_max:
        raise InvalidRequestError(f"a batch holds at most {uow.limits.batch_size_max} usage records")
    now = uow.clock.now()
    batch = _RatingBatch(uow, records, now)
    outcomes: list[UsageResult | YagonaError] = []
    for record in records:
        try:
            outcomes.append(batch.rate(record))
        except YagonaError as error:
            outcomes.append(error)
    batch.write()
    return outcomes


class _RatingBatch:
    """The state a batch of usage records reads once, rates in memory, and writes once."""

    def __init__(self, uow: UnitOfWork, records: Sequence[UsageRecord], now: datetime) -> None:
        self.uow, self.now = uow, now
        msisdns = {record.msisdn.strip().lstrip("+") for record in records}
        self.seen = repository.usage_rows(uow.session, [record.id for record in records])
        self.lines = repository.lines_for_rating(uow.session, msisdns)
        self.bundles = repository.bundles_for_lines(uow.session, [line.id for line in self.lines.values()], now)
        self.balances = ledger.posted_balances(uow, codes=[account_of(m) for m in self.lines])
        self.usages: list[dict[str, Any]] = []
        self.charges: list[TransferCreate] = []
        self.changed: dict[int, int] = {}  # bundle id → what is left

    def rate(self, record: UsageRecord) -> UsageResult:
        fingerprint = _fingerprint(record)
        if record.id in self.seen:  # a repeated record is charged once
            stored = self.seen[record.id]
            if stored.request_hash != fingerprint:
                raise IdempotencyConflictError(f"usage record {record.id} was posted with other details")
            return _usage_result(stored, self.balances.get(account_of(record.msisdn.strip().lstrip("+")), 0))
        line = self.lines.get(record.msisdn.strip().lstrip("+"))
        if line is None:
            raise LineNotFoundError(f"no line {record.msisdn}", msisdn=record.msisdn)
        if record.type != "incoming":
            _require_active(line)
        plan = catalog.get_plan(line.plan_id)
        bundles = self.bundles.get(line.id, [])
        remaining: dict[str, int] = {}
        for bundle in bundles:
            remaining[bundle.key] = remaining.get(bundle.key, 0) + bundle.remaining
        code = account_of(line.msisdn)
        kind, destination, rated = _price(record, plan, remaining, self.balances[code])
        self.changed.update(repository.take(bundles, rated.from_bundle))
        if rated.charge_tiyin:
            self.balances[code] -= rated.charge_tiyin
            self.charges.append(
                TransferCreate(
                    debit=code,
                    credit=REVENUE,
                    amount=rated.charge_tiyin,
                    reason=f"usage.{kind}",
                    metadata={"record": record.id},
                )
            )
        usage = {
            "record_id": record.id,
            "line_id": line.id,
            "kind": kind,
            "destination": destination,
            "quantity": record.seconds or 1,
            "units": rated.units,
            "from_bundle": rated.bundle_units,
            "charged": rated.charge_tiyin,
            "request_hash": fingerprint,
            "rated_at": self.now,
        }
        self.usages.append(usage)
        self.seen[record.id] = SimpleNamespace(**usage)
        self.uow.add_event(
            UsageRated(
                occurred_at=self.now, msisdn=line.msisdn, kind=kind, units=rated.units, charged_tiyin=rated.charge_tiyin
            )
        )
        return _usage_result(self.seen[record.id], self.balances[code], cut=rated.cut)

    def write(self) -> None:
        repository.save_remaining(self.uow.session, self.changed)
        repository.insert_usages(self.uow.session, self.usages)
        if self.charges:
            key = "lines.usage:" + hashlib.sha256("|".join(u["record_id"] for u in self.usages).encode()).hexdigest()
            ledger.post(self.uow, transfers=self.charges, idempotency_key=key)


def _price(
    record: UsageRecord, plan: Plan, remaining: dict[str, int], available: int
) -> tuple[UsageKind, str, rules.Rated]:
    """What one record costs on `plan`: the rules of the price list, applied."""
    if record.type == "data":
        kb = rules.session_kb(Fraction(_required(record.mb, "mb")))
        if record.host is not None and catalog.is_free_resource(record.host):
            return "data", "free", rules.Rated(units=kb)
        tasix = not record.vpn and (record.tasix or (record.ip is not None and catalog.is_tasix(record.ip)))
        order = rules.TASIX_DATA_BUNDLES if tasix else rules.DATA_BUNDLES
        price = plan.prices.mb.tiyin if plan.prices.mb is not None else None
        rated = rules.rate_data(kb, order=order, remaining=remaining, mb_price_tiyin=price, available_tiyin=available)
        return "data", "tasix" if tasix else "internet", rated
    if record.type == "sms":
        destination = catalog.classify_number(_required(record.to, "to"))
        rated = rules.rate_units(
            1,
            order=rules.SMS_BUNDLES.get(destination.kind, ()),
            remaining=remaining,
            unit_price_tiyin=_sms_price(plan, destination),
            available_tiyin=available,
            what="this SMS",
        )
        return "sms", destination.price_class, rated
    minutes = rules.billed_minutes(
        _required(record.seconds, "seconds"),
        unit_seconds=_rules().call_unit_seconds,
        max_call_seconds=_rules().max_call_seconds,
    )
    if record.type == "incoming":
        return (
            "incoming",
            catalog.classify_number(_required(record.caller, "from")).price_class,
            rules.Rated(units=minutes),
        )
    destination = catalog.classify_number(_required(record.to, "to"))
    kind: UsageKind = "voice" if plan.voice else "csd"
    price_class = "csd" if kind == "csd" else destination.kind
    rated = rules.rate_units(
        minutes,
        order=_voice_bundles(plan, destination, price_class),
        remaining=remaining,
        unit_price_tiyin=_voice_price(plan, destination, kind),
        available_tiyin=available,
        what="this call",
    )
    return kind, destination.price_class, rated


def _required(value: _T | None, field: str) -> _T:
    if value is None:
        raise InvalidRequestError(f"{field} is required for this usage type", field=field)
    return value


def _fingerprint(record: UsageRecord) -> str:
    body = record.model_dump(mode="json", exclude={"id"})
    body["msisdn"] = record.msisdn.strip().lstrip("+")
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


# --- plan changes, reload, blocks -----------------------------------------------------------


def switch_plan(uow: UnitOfWork, *, msisdn: str, plan_id: str) -> LineState:
    """Switch inside the plan's group: the new plan's fee is charged and its period starts."""
    line = _line(uow, msisdn)
    _require_active(line)
    current, target = catalog.get_plan(line.plan_id), catalog.get_plan(plan_id)
    if target.id == current.id:
        raise InvalidRequestError(f"the line is already on {target.name}", field="plan")
    catalog.check_switch(current, target, balance=Money(_balance(uow, line.msisdn)))
    now = uow.clock.now()
    today = now.astimezone(TASHKENT).date()
    fee = rules.prorata(target.monthly_fee.tiyin, today) if target.prorata else target.monthly_fee.tiyin
    _restart_period(uow, line, target, fee=fee, reason="switch_fee", key=f"lines.switch:{line.msisdn}:{new_id()}")
    uow.add_event(PlanSwitched(occurred_at=now, msisdn=line.msisdn, from_plan=current.id, to_plan=target.id))
    return state(uow, msisdn=line.msisdn)


def reload(uow: UnitOfWork, *, msisdn: str) -> LineState:
    """Perezagruzka (`*5#`): the next fee now, a new bundle at once, the old one burns."""
    line = _line(uow, msisdn)
    _require_active(line)
    plan = catalog.get_plan(line.plan_id)
    if plan.reload is None:
        raise InvalidRequestError(f"{plan.name} has no reload", field="code")
    needed = (plan.reload.minimum_balance or catalog.connection_minimum(plan) + plan.reload.price).tiyin
    needed = max(needed, plan.monthly_fee.tiyin + plan.reload.price.tiyin)
    if _balance(uow, line.msisdn) < needed:
        raise BelowMinimumError(f"a reload needs {Money(needed)} on the balance", minimum=Money(needed).to_json())
    request = new_id()  # one key for the price and the fee of this reload
    if plan.reload.price.tiyin:
        _charge(
            uow,
            line,
            plan.reload.price.tiyin,
            reason="reload_price",
            key=f"lines.reload:{line.msisdn}:{request}:price",
        )
    _restart_period(
        uow,
        line,
        plan,
        fee=plan.monthly_fee.tiyin,
        reason="reload",
        key=f"lines.reload:{line.msisdn}:{request}",
    )
    return state(uow, msisdn=line.msisdn)


def block(uow: UnitOfWork, *, msisdn: str, reason: BlockReason) -> LineState:
    """Block a line: administratively (a daily fee where the plan has one) or when the phone is lost."""
    if reason not in ("administrative", "lost"):
        raise InvalidRequestError("a line is blocked for reason administrative or lost", field="reason")
    line = _line(uow, msisdn)
    if line.status == "blocked":
        raise LineBlockedError(f"line {line.msisdn} is already blocked ({line.block_reason})")
    now = uow.clock.now()
    line.status, line.block_reason, line.version = "blocked", reason, line.version + 1
    plan = catalog.get_plan(line.plan_id)
    if reason == "administrative" and plan.admin_block_daily_fee is not None:
        _schedule_block_fee(uow, line, rules.next_night_window(now, _night_start()))
    uow.add_event(LineBlocked(occurred_at=now, msisdn=line.msisdn, reason=reason))
    return state(uow, msisdn=line.msisdn)


def unblock(uow: UnitOfWork, *, msisdn: str) -> LineState:
    """Lift a block. After an administrative block the full fee is charged, the bundles granted
    and the next charge moves one period on; a debt block lifts itself after a top-up."""
    line = _line(uow, msisdn)
    if line.status != "blocked":
        raise InvalidRequestError(f"line {line.msisdn} is not blocked", field="msisdn")
    if line.block_reason == "debt":
        raise InvalidRequestError("a line blocked for debt is unblocked in the night window after a top-up")
    now = uow.clock.now()
    line.status, reason, line.block_reason = "active", line.block_reason, None
    if reason == "administrative":
        plan = catalog.get_plan(line.plan_id)
        if rules.renewal_outcome(_balance(uow, line.msisdn), plan.monthly_fee.tiyin) == "blocked":
            raise BelowMinimumError("the balance does not cover the fee charged on unblocking")
        _restart_period(
            uow,
            line,
            plan,
            fee=plan.monthly_fee.tiyin,
            reason="unblock_fee",
            key=f"lines.unblock:{line.msisdn}:{new_id()}",
        )
    uow.add_event(LineUnblocked(occurred_at=now, msisdn=line.msisdn))
    return state(uow, msisdn=line.msisdn)


def buy_package(uow: UnitOfWork, *, msisdn: str, code: str) -> LineState:
    """A package bought by its USSD code (CSD1/CSD2): it stacks on what is left and extends."""
    line = _line(uow, msisdn)
    _require_active(line)
    package = catalog.find_package_by_code(code)
    if package is None or line.plan_id not in package.plans:
        raise InvalidRequestError(f"no package {code} for this plan", field="code")
    if _balance(uow, line.msisdn) < package.minimum_balance.tiyin:
        raise BelowMinimumError(f"{package.name} needs {package.minimum_balance} on the balance")
    now = uow.clock.now()
    _charge(uow, line, package.price.tiyin, reason="package", key=f"lines.package:{line.msisdn}:{new_id()}")
    expires = now + _duration(package.validity)
    origin = f"package:{package.id}"
    stacked = [
        b
        for b in repository.live_bundles(uow.session, line.id, now)
        if b.key == package.bundle and b.origin.startswith("package:")
    ]
    for bundle in stacked:  # what is left stacks onto the new package and shares its new term
        bundle.expires_at = expires
    repository.add_bundle(
        uow.session,
        Bundle(
            line_id=line.id,
            key=package.bundle,
            origin=origin,
            granted=package.amount,
            remaining=package.amount,
            expires_at=expires,
        ),
    )
    return state(uow, msisdn=line.msisdn)


def activate_promo(uow: UnitOfWork, *, msisdn: str, promo_id: str) -> LineState:
    """A promo subscription: free for its first days once per number and service, then a
    daily fee until the customer switches it off. It follows the number, not the plan."""
    line = _line(uow, msisdn)
    _require_active(line)
    plan = catalog.get_plan(line.plan_id)
    promo = catalog.get_catalogue().promo_subscriptions.get(promo_id)
    if promo is None or promo_id not in plan.promos:
        raise InvalidRequestError(f"{plan.name} has no promo {promo_id}", field="promo")
    if repository.promo(uow.session, line.msisdn, promo_id) is not None:
        raise InvalidRequestError(f"the free period of {promo_id} was already used by {line.msisdn}", field="promo")
    now = uow.clock.now()
    free_until = now + timedelta(days=promo.free_days)
    repository.add_promo(
        uow.session, Promo(msisdn=line.msisdn, promo_id=promo_id, started_at=now, free_until=free_until, status="free")
    )
    jobs.schedule(
        uow.session,
        key=f"{PROMO_END}:{line.msisdn}:{promo_id}",
        kind=PROMO_END,
        due_at=free_until,
        payload={"msisdn": line.msisdn, "promo": promo_id},
        now=now,
    )
    return state(uow, msisdn=line.msisdn)


def switch_off_promo(uow: UnitOfWork, *, msisdn: str, promo_id: str) -> None:
    line = _line(uow, msisdn)
    promo = repository.promo(uow.session, line.msisdn, promo_id)
    if promo is None or promo.status == "off":
        raise InvalidRequestError(f"{promo_id} is not on for {line.msisdn}", field="promo")
    promo.status = "off"


def charge_promo_day(uow: UnitOfWork, *, msisdn: str, promo_id: str, key: str, kind: str) -> list[dict[str, Any]]:
    """One day of a paid promo subscription; a balance that cannot pay it switches it off."""
    line = repository.line_for_update(uow.session, msisdn)
    promo = repository.promo(uow.session, msisdn, promo_id)
    if line is None or promo is None or promo.status == "off":
        return []
    fee = catalog.get_catalogue().promo_subscriptions[promo_id].daily_fee.tiyin
    if _balance(uow, msisdn) < fee:
        promo.status = "off"
        return [{"kind": "promo_off", "promo": promo_id}]
    promo.status = "paid"
    _charge(uow, line, fee, reason="promo_fee", key=key)
    now = uow.clock.now()
    tomorrow = now + timedelta(days=1)
    jobs.schedule(
        uow.session,
        key=f"{PROMO_FEE}:{msisdn}:{promo_id}:{tomorrow.astimezone(TASHKENT).date()}",
        kind=PROMO_FEE,
        due_at=tomorrow,
        payload={"msisdn": msisdn, "promo": promo_id},
        now=now,
    )
    return [{"kind": kind, "promo": promo_id, "amount": Money(fee).to_json()}]


# --- reading ---------------------------------------------------------------------------------


def state(uow: UnitOfWork, *, msisdn: str) -> LineState:
    line = repository.line(uow.session, msisdn)
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    uow.session.flush()
    remaining = repository.remaining_by_key(repository.live_bundles(uow.session, line.id, uow.clock.now()))
    return LineState(
        msisdn=line.msisdn,
        plan=line.plan_id,
        status=line.status,
        block_reason=line.block_reason,
        balance_tiyin=_balance(uow, line.msisdn),
        next_charge_at=line.next_charge_at,
        bundles={key: _shown(key, amount) for key, amount in sorted(remaining.items())},
    )


def list_msisdns(uow: UnitOfWork) -> list[str]:
    return repository.all_msisdns(uow.session)


def own_number(msisdn: str) -> str:
    """A number of this operator (998 90…, 998 91…), digits only."""
    digits = msisdn.strip().lstrip("+")
    if not (digits.isdigit() and len(digits) == 12 and digits.startswith("998")):
        raise InvalidRequestError(f"{msisdn!r} is not a mobile number (998XXXXXXXXX)", field="msisdn")
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


def next_charge_at(plan: Plan, charged_on: date) -> datetime:
    """The night window in which the next fee falls due, one period after `charged_on`."""
    due = (
        rules.first_of_next_month(charged_on)
        if plan.billing_anchor == "calendar_month"
        else rules.add_period(charged_on, plan.period)
    )
    return rules.night_window_start(due, _night_start())


# --- internals shared with tasks ----------------------------------------------------------------


def renew(uow: UnitOfWork, line: Line, *, key: str) -> list[dict[str, Any]]:
    """The fee falls due: charge (into debt once, if short) and grant, or block."""
    plan = catalog.get_plan(line.plan_id)
    now = uow.clock.now()
    fee = plan.monthly_fee.tiyin
    outcome = rules.renewal_outcome(_balance(uow, line.msisdn), fee)
    if outcome == "blocked":
        repository.burn_plan_bundles(uow.session, line.id)
        line.status, line.block_reason, line.next_charge_at, line.version = "blocked", "debt", None, line.version + 1
        uow.add_event(LineBlocked(occurred_at=now, msisdn=line.msisdn, reason="debt"))
        return [{"kind": "blocked"}]
    _restart_period(uow, line, plan, fee=fee, reason=outcome, key=key)
    return [{"kind": outcome, "amount": Money(fee).to_json()}]


def charge_fee(uow: UnitOfWork, line: Line, amount: int, *, reason: str, key: str) -> None:
    _charge(uow, line, amount, reason=reason, key=key)


def line_for_job(uow: UnitOfWork, msisdn: str) -> Line | None:
    return repository.line_for_update(uow.session, msisdn)


def balance_of(uow: UnitOfWork, msisdn: str) -> int:
    return _balance(uow, msisdn)


def schedule_block_fee(uow: UnitOfWork, line: Line, due: datetime) -> None:
    _schedule_block_fee(uow, line, due)


def grant_daily(uow: UnitOfWork, line: Line, plan: Plan) -> list[dict[str, Any]]:
    """Today's daily allowances (Mening Davram: 130 MB a day), valid to the end of the day;
    tomorrow's are granted by a job at midnight."""
    now = uow.clock.now()
    midnight = rules.next_night_window(now, _night_start())
    granted: list[dict[str, Any]] = []
    today = [b for b in repository.live_bundles(uow.session, line.id, now) if b.origin == "daily"]
    if any(b.expires_at == midnight for b in today):
        return granted  # already granted today (a renewal and the midnight job meet)
    for key, bundle in plan.bundles.items():
        if bundle.period != "P1D":
            continue
        amount = bundle.amount * rules.KB_PER_MB if key in rules.KB_BUNDLES else bundle.amount
        repository.add_bundle(
            uow.session,
            Bundle(line_id=line.id, key=key, origin="daily", granted=amount, remaining=amount, expires_at=midnight),
        )
        granted.append({"kind": "daily_bundle", "bundle": key, "amount": _shown(key, amount)})
    jobs.schedule(
        uow.session,
        key=f"{DAILY}:{line.msisdn}:{midnight.astimezone(TASHKENT).date().isoformat()}",
        kind=DAILY,
        due_at=midnight,
        payload={"msisdn": line.msisdn},
        now=now,
    )
    return granted


def grant_holiday(uow: UnitOfWork, line: Line, year: int) -> list[dict[str, Any]]:
    """The professional holiday's international minutes, for a week; then next year's."""
    plan = catalog.get_plan(line.plan_id)
    if plan.holiday_bundle is None:
        return []
    now = uow.clock.now()
    holiday = plan.holiday_bundle
    repository.add_bundle(
        uow.session,
        Bundle(
            line_id=line.id,
            key=holiday.bundle,
            origin="holiday",
            granted=holiday.amount,
            remaining=holiday.amount,
            expires_at=now + _duration(holiday.period),
        ),
    )
    _schedule_holiday(uow, line, plan, after=date(year, 12, 31))
    return [{"kind": "holiday_minutes", "minutes": holiday.amount}]


# --- helpers ---------------------------------------------------------------------------------


def _usage_result(usage: Any, balance_tiyin: int, *, cut: bool = False) -> UsageResult:
    """`usage` is a stored row or the values just inserted: the same fields either way."""
    as_mb = usage.kind == "data"
    return UsageResult(
        record_id=usage.record_id,
        kind=usage.kind,
        destination=usage.destination,
        units=_mb(usage.units) if as_mb else usage.units,
        from_bundle=_mb(usage.from_bundle) if as_mb else usage.from_bundle,
        charged_tiyin=usage.charged,
        balance_tiyin=balance_tiyin,
        cut=cut,
    )


def _voice_bundles(plan: Plan, destination: Destination, price_class: str) -> tuple[str, ...]:
    if price_class == "international":
        holiday = plan.holiday_bundle
        return rules.VOICE_BUNDLES["international"] if holiday and destination.country in holiday.countries else ()
    return rules.VOICE_BUNDLES.get(price_class, ())


def _voice_price(plan: Plan, destination: Destination, kind: UsageKind) -> int | None:
    if kind == "csd":
        price = plan.prices.csd_minute
    elif destination.kind == "short":
        price = destination.price
    else:
        price = getattr(plan.prices, destination.price_class, None)
    return price.tiyin if price is not None else None


def _sms_price(plan: Plan, destination: Destination) -> int | None:
    if destination.kind == "short":
        price = destination.price
    elif destination.kind in ("international", "satellite"):
        price = plan.prices.sms_international
    else:
        price = plan.prices.sms
    return price.tiyin if price is not None else None


def _restart_period(uow: UnitOfWork, line: Line, plan: Plan, *, fee: int, reason: str, key: str) -> None:
    """Charge `fee`, burn the plan's bundles, grant new ones, and start a period today."""
    now = uow.clock.now()
    today = now.astimezone(TASHKENT).date()
    if line.next_charge_at is not None:
        jobs.cancel(uow.session, key=_renewal_key(line))
    _charge(uow, line, fee, reason=reason, key=key)
    line.plan_id, line.status, line.block_reason = plan.id, "active", None
    line.period_started_at, line.next_charge_at, line.version = now, next_charge_at(plan, today), line.version + 1
    _grant_period(uow, line, plan, first=False, prorata_from=None)
    _schedule_renewal(uow, line)
    uow.add_event(FeeCharged(occurred_at=now, msisdn=line.msisdn, plan=plan.id, kind=reason, amount_tiyin=fee))


def _grant_period(uow: UnitOfWork, line: Line, plan: Plan, *, first: bool, prorata_from: date | None) -> None:
    repository.burn_plan_bundles(uow.session, line.id)
    grants = dict(plan.bundles)
    if first:
        grants.update(plan.first_month_bundles)
    for key, bundle in grants.items():
        if bundle.period == "P1D":
            continue  # a daily allowance: granted by grant_daily, to the end of each day
        # Pro rata in the price list's own units (whole MB, minutes, SMS), then to KB.
        amount = rules.prorata(bundle.amount, prorata_from) if prorata_from is not None else bundle.amount
        if key in rules.KB_BUNDLES:
            amount *= rules.KB_PER_MB
        repository.add_bundle(
            uow.session,
            Bundle(
                line_id=line.id,
                key=key,
                origin="plan",
                granted=amount,
                remaining=amount,
                expires_at=line.next_charge_at,
            ),
        )
    if any(bundle.period == "P1D" for bundle in plan.bundles.values()):
        grant_daily(uow, line, plan)


def _charge(uow: UnitOfWork, line: Line | LineRecord, amount: int, *, reason: str, key: str) -> None:
    if amount > 0:
        ledger.transfer(
            uow, debit=account_of(line.msisdn), credit=REVENUE, amount=amount, reason=reason, idempotency_key=key
        )


def _schedule_renewal(uow: UnitOfWork, line: Line) -> None:
    assert line.next_charge_at is not None
    jobs.schedule(
        uow.session,
        key=_renewal_key(line),
        kind=RENEWAL,
        due_at=line.next_charge_at,
        payload={"msisdn": line.msisdn, "due": line.next_charge_at.isoformat()},
        now=uow.clock.now(),
    )


def _renewal_key(line: Line) -> str:
    assert line.next_charge_at is not None
    return f"{RENEWAL}:{line.msisdn}:{line.next_charge_at.astimezone(TASHKENT).isoformat()}"


def _schedule_block_fee(uow: UnitOfWork, line: Line, due: datetime) -> None:
    jobs.schedule(
        uow.session,
        key=f"{BLOCK_FEE}:{line.msisdn}:{due.astimezone(TASHKENT).date().isoformat()}",
        kind=BLOCK_FEE,
        due_at=due,
        payload={"msisdn": line.msisdn},
        now=uow.clock.now(),
    )


def _schedule_holiday(uow: UnitOfWork, line: Line, plan: Plan, *, after: date) -> None:
    holiday = plan.holiday_bundle
    if holiday is None or holiday.holiday.month_day is None:
        return
    month, day = (int(part) for part in holiday.holiday.month_day.split("-"))
    when = date(after.year, month, day)
    if when <= after:
        when = date(after.year + 1, month, day)
    due = rules.night_window_start(when, _night_start())
    jobs.schedule(
        uow.session,
        key=f"{HOLIDAY}:{line.msisdn}:{when.isoformat()}",
        kind=HOLIDAY,
        due_at=due,
        payload={"msisdn": line.msisdn, "year": when.year},
        now=uow.clock.now(),
    )


def _line(uow: UnitOfWork, msisdn: str) -> Line:
    line = repository.line_for_update(uow.session, msisdn.strip().lstrip("+"))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    return line


def _require_active(line: Line | LineRecord) -> None:
    if line.status != "active":
        raise LineBlockedError(
            f"line {line.msisdn} is blocked ({line.block_reason}): outgoing services are off", reason=line.block_reason
        )


def _balance(uow: UnitOfWork, msisdn: str) -> int:
    return ledger.posted_balance(uow, code=account_of(msisdn))


def _rules() -> Any:
    return catalog.get_catalogue().rules


def _night_start() -> Any:
    return catalog.get_catalogue().rules.night_window.start


def _duration(period: str) -> timedelta:
    if period.startswith("P") and period.endswith("D"):
        return timedelta(days=int(period[1:-1]))
    raise InvalidRequestError(f"unsupported validity {period!r}")


def _mb(kb: int) -> int | float:
    return kb // rules.KB_PER_MB if kb % rules.KB_PER_MB == 0 else kb / rules.KB_PER_MB


def _shown(key: str, amount: int) -> int | float:
    return _mb(amount) if key in rules.KB_BUNDLES else amount


# --- USSD ------------------------------------------------------------------------------------

MINUTE_BUNDLES = ("minutes", "onnet_minutes", "offnet_minutes", "bonus_onnet_minutes", "intl_minutes", "csd_minutes")
_MINUTE_LABELS = {
    "minutes": "O'zbekiston bo'ylab",
    "onnet_minutes": "tarmoq ichida",
    "offnet_minutes": "boshqa operatorlarga",
    "bonus_onnet_minutes": "bonus (tarmoq ichida)",
    "intl_minutes": "xalqaro",
    "csd_minutes": "CSD",
}


TV_PROMO = "beeline-tv-promo"


def ussd(uow: UnitOfWork, *, msisdn: str, code: str) -> UssdAnswer:
    """What the phone shows for a USSD code, and the action the code triggers."""
    dialled = "".join(code.split())
    codes = catalog.get_catalogue().ussd
    if not _is_ussd(dialled):
        raise InvalidRequestError(f"{code!r} is not a USSD code (like *100#)", field="code")
    queries = {
        codes.balance: _ussd_balance,
        codes.mb_left: _ussd_mb,
        codes.sms_left: _ussd_sms,
        codes.minutes_left: _ussd_minutes,
        codes.welcome_left: _ussd_welcome,
    }
    if dialled in queries:
        return UssdAnswer(code=dialled, text=queries[dialled](state(uow, msisdn=msisdn)), action=None)
    if dialled == codes.tv_promo_code:
        activate_promo(uow, msisdn=msisdn, promo_id=TV_PROMO)
        return UssdAnswer(
            code=dialled,
            text="Beeline TV: 30 kunlik bepul obuna yoqildi. Promo-kod SMS orqali yuboriladi.",
            action="promo",
        )
    if dialled == codes.reload:
        line = reload(uow, msisdn=msisdn)
        return UssdAnswer(
            code=dialled, text=f"Qayta yuklash bajarildi. Yangi paket berildi. Balans: {_som(line)}", action="reload"
        )
    target = catalog.find_plan_by_switch_code(dialled)
    if target is not None:
        switch_plan(uow, msisdn=msisdn, plan_id=target.id)
        return UssdAnswer(code=dialled, text=f"Tarif rejangiz {target.name} ga o'zgartirildi.", action="switch")
    if catalog.find_package_by_code(dialled) is not None:
        line = buy_package(uow, msisdn=msisdn, code=dialled)
        return UssdAnswer(
            code=dialled, text=f"Paket ulandi. CSD daqiqalar: {line.bundles.get('csd_minutes', 0)}", action="package"
        )
    raise InvalidRequestError(f"unknown USSD code {dialled}", field="code")


def _is_ussd(code: str) -> bool:
    return (
        3 <= len(code) <= 20
        and code.startswith("*")
        and code.endswith("#")
        and all(c.isdigit() or c in "*#" for c in code)
    )


def _som(line: LineState) -> str:
    return Money(line.balance_tiyin).format()


def _ussd_balance(line: LineState) -> str:
    return f"Balans: {_som(line)}. Tarif: {catalog.get_plan(line.plan).name}."


def _ussd_mb(line: LineState) -> str:
    parts = [f"Internet qoldig'i: {line.bundles.get('mb', 0)} MB"]
    if "tasix_mb" in line.bundles:
        parts.append(f"TAS-IX: {line.bundles['tasix_mb']} MB")
    if "welcome_mb" in line.bundles:
        parts.append(f"birinchi oy bonusi: {line.bundles['welcome_mb']} MB")
    return ", ".join(parts) + "."


def _ussd_sms(line: LineState) -> str:
    return f"SMS qoldig'i: {line.bundles.get('sms', 0)} ta."


def _ussd_minutes(line: LineState) -> str:
    found = [f"{_MINUTE_LABELS[key]}: {line.bundles[key]} daqiqa" for key in MINUTE_BUNDLES if key in line.bundles]
    if "welcome_minutes" in line.bundles:
        found.insert(0, f"birinchi oy bonusi: {line.bundles['welcome_minutes']} daqiqa")
    return "Daqiqalar qoldig'i: " + ("; ".join(found) if found else "0 daqiqa") + "."


def _ussd_welcome(line: LineState) -> str:
    minutes, mb = line.bundles.get("welcome_minutes", 0), line.bundles.get("welcome_mb", 0)
    return f"Birinchi oy bonusi qoldig'i: {minutes} daqiqa va {mb} MB."

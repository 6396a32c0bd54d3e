"""Use cases of online payments: the Payme Merchant API's methods and the Click SHOP API's
Prepare and Complete. Callers pass their unit of work; nothing here commits. A method
answers a result (a dict of the protocol) or raises the protocol's error; an error whose
`commit` is set wrote something that stays (a transaction cancelled by the timeout, a
payment cancelled by Click) and the caller commits before answering it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from yagona.home import service as home
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import InvalidRequestError, LimitExceededError, NotFoundError, YagonaError
from yagona.kernel.money import Money
from yagona.ledger import service as ledger
from yagona.ledger.errors import AccountNotFoundError
from yagona.ledger.schemas import AccountCreate, Unit
from yagona.lines import service as lines
from yagona.payments import repository, rules
from yagona.payments.errors import ClickError, PaymeError
from yagona.payments.events import PaymentCancelled, PaymentPerformed
from yagona.payments.models import PaymentTransaction
from yagona.payments.schemas import (
    CANCELLED,
    CANCELLED_AFTER_PERFORM,
    CREATED,
    PERFORMED,
    Checkout,
    PaymentRead,
    PaymentsConfig,
    Target,
    TransactionRead,
)
from yagona.platform import jobs
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallet

PAYME, CLICK = "payme", "click"
CLEARING_CHECK = "payments.clearing_check"  # the daily job: each clearing account against its transactions
CLEARING_CHECK_HOUR = 3  # Tashkent time


def clearing_account(system: str) -> str:
    return f"external:{system}"


class CommittedPaymeError(PaymeError):
    """A Payme error answered after a change that stays (the timeout's cancellation)."""


class CommittedClickError(ClickError):
    """A Click error answered after a change that stays (a cancellation)."""


# --- shared ------------------------------------------------------------------------------------


def ms(instant: datetime | None) -> int:
    return int(instant.timestamp() * 1000) if instant is not None else 0


def _payme_error(code: int, data: Any = None) -> PaymeError:
    return PaymeError(code, rules.PAYME_MESSAGES[code], data)


def _ensure_clearing(uow: UnitOfWork, system: str) -> None:
    code = clearing_account(system)
    spec = AccountCreate(code=code, owner="operator", kind="external", unit=Unit.SOM, allow_negative=True)
    try:
        ledger.get_account(uow, code=code)
    except AccountNotFoundError:
        try:
            with uow.session.begin_nested():
                ledger.open_account(uow, account=spec)
        except IntegrityError:
            ledger.open_account(uow, account=spec)
        schedule_clearing_check(uow)  # money clears from now on: the daily check starts


def schedule_clearing_check(uow: UnitOfWork) -> None:
    """The next daily check (once per day, whoever schedules it)."""
    now = uow.clock.now().astimezone(TASHKENT)
    due = now.replace(hour=CLEARING_CHECK_HOUR, minute=0, second=0, microsecond=0)
    if due <= now:
        due += timedelta(days=1)
    jobs.schedule(
        uow.session, key=f"{CLEARING_CHECK}:{due.date().isoformat()}", kind=CLEARING_CHECK, due_at=due,
        payload={}, now=uow.clock.now(),
    )  # fmt: skip


def _account_problem(uow: UnitOfWork, target: str, number: str, amount: int) -> str | None:
    """None when the account can be paid `amount`; else `missing`, `blocked` or `limit` (a
    Light wallet's 30-day top-ups or its balance ceiling would be passed: refused before the
    customer pays, not only when the money arrives)."""
    if target == "home":
        # A suspended home account is paid: that is how it resumes; a closed one is not.
        found = home.payable(uow, contract=number)
        return "blocked" if found == "closed" else found
    try:
        if target == "line":
            line = lines.state(uow, msisdn=number)
            # A line blocked for debt is exactly what a top-up is for; any other block refuses.
            return "blocked" if line.status == "blocked" and line.block_reason != "debt" else None
        w = wallet.get(uow, phone=number)
    except NotFoundError:
        return "missing"
    if w.state != "active":
        return "blocked"
    over_topups = w.topups_30d_limit is not None and w.topups_30d + amount > w.topups_30d_limit
    over_balance = w.balance_limit is not None and w.balance + amount > w.balance_limit
    return "limit" if over_topups or over_balance else None


def _credit(uow: UnitOfWork, tx: PaymentTransaction) -> None:
    """Money from the clearing account to the line, wallet or home account; a refusal rolls back
    its writes."""
    _ensure_clearing(uow, tx.system)
    key = f"payments:{tx.system}:{tx.seq}"
    with uow.session.begin_nested():
        if tx.target == "line":
            lines.top_up(
                uow,
                msisdn=tx.account,
                amount=Money(tx.amount),
                idempotency_key=key,
                source_account=clearing_account(tx.system),
            )
        elif tx.target == "home":  # a suspended account that the payment covers resumes at once
            home.top_up(
                uow,
                contract=tx.account,
                amount=Money(tx.amount),
                idempotency_key=key,
                source_account=clearing_account(tx.system),
            )
        else:
            wallet.topup_from_payment_system(
                uow,
                phone=tx.account,
                amount=tx.amount,
                system=tx.system,
                source_account=clearing_account(tx.system),
                idempotency_key=key,
            )


def _take_back(uow: UnitOfWork, tx: PaymentTransaction) -> bool:
    """Cancel after perform: the money goes back to the clearing account only while the line,
    the wallet or the home account still holds it; else nothing moves (False)."""
    key = f"payments:{tx.system}:{tx.seq}:cancel"
    if tx.target == "home":  # under the account's lock, like a line's (home.take_back)
        return home.take_back(
            uow, contract=tx.account, amount=tx.amount, destination_account=clearing_account(tx.system),
            idempotency_key=key,
        )  # fmt: skip
    if tx.target == "wallet":
        receipt = wallet.reverse_payment_system_topup(
            uow,
            phone=tx.account,
            amount=tx.amount,
            system=tx.system,
            destination_account=clearing_account(tx.system),
            idempotency_key=key,
        )
        return receipt is not None
    # The check and the debit are one step under the line's locks (lines.take_back): two
    # cancels, or a cancel and a spend, cannot both use the same money.
    return lines.take_back(
        uow, msisdn=tx.account, amount=tx.amount, destination_account=clearing_account(tx.system), idempotency_key=key
    )


def _perform(uow: UnitOfWork, tx: PaymentTransaction) -> None:
    _credit(uow, tx)
    tx.state, tx.performed_at = PERFORMED, uow.clock.now()
    uow.session.flush()
    uow.add_event(
        PaymentPerformed(
            occurred_at=tx.performed_at,
            system=tx.system,
            transaction=tx.seq,
            target=tx.target,
            account=tx.account,
            amount=tx.amount,
        )
    )


def _cancel(uow: UnitOfWork, tx: PaymentTransaction, *, state: int, reason: int | None) -> None:
    tx.state, tx.reason, tx.cancelled_at = state, reason, uow.clock.now()
    uow.session.flush()
    uow.add_event(
        PaymentCancelled(occurred_at=tx.cancelled_at, system=tx.system, transaction=tx.seq, state=state, reason=reason)
    )


def _insert(uow: UnitOfWork, row: PaymentTransaction) -> PaymentTransaction:
    """A new transaction; two first calls with the same external id at once: the second reads
    the first one's row."""
    try:
        with uow.session.begin_nested():
            return repository.add(uow.session, row)
    except IntegrityError:
        existing = repository.by_external(uow.session, row.system, row.external_id, lock=True)
        assert existing is not None
        return existing


# --- Payme Merchant API -------------------------------------------------------------------------


def payme_authorised(uow: UnitOfWork, *, config: PaymentsConfig, authorization: str | None) -> bool:
    """Payme's Basic credentials: the key set by ChangePassword if any, else the configured one."""
    stored = repository.credential(uow.session, PAYME)
    return rules.payme_credentials_ok(
        authorization, config.payme_key, key_sha256=stored.key_sha256 if stored is not None else None
    )


def payme(uow: UnitOfWork, *, config: PaymentsConfig, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    handler = _PAYME_METHODS.get(method)
    if handler is None:
        raise _payme_error(-32601, method)
    return handler(uow, config, params)


def _payme_target(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> tuple[str, str, int]:
    field = rules.payme_account_field(params.get("account"))
    account = rules.payme_account(params.get("account"))
    if account is None:
        raise _payme_error(-31050, field)
    target, number = account
    amount = rules.payme_amount(params.get("amount"), minimum=config.min_amount_tiyin, maximum=config.max_amount_tiyin)
    if amount is None:
        raise _payme_error(-31001, "amount")
    problem = _account_problem(uow, target, number, amount)
    if problem is not None:
        raise _payme_error(_PAYME_ACCOUNT_ERRORS[problem], field)
    return target, number, amount


_PAYME_ACCOUNT_ERRORS = {"missing": -31050, "blocked": -31051, "limit": -31052}


def _payme_id(params: Mapping[str, Any]) -> str:
    value = params.get("id")
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise _payme_error(-32600, "id")
    return value


def _payme_tx(uow: UnitOfWork, params: Mapping[str, Any]) -> PaymentTransaction:
    tx = repository.by_external(uow.session, PAYME, _payme_id(params), lock=True)
    if tx is None:
        raise _payme_error(-31003, "id")
    return tx


def _payme_timed_out(uow: UnitOfWork, tx: PaymentTransaction) -> bool:
    return tx.state == CREATED and rules.timed_out(ms(tx.created_at), ms(uow.clock.now()))


def _timeout(uow: UnitOfWork, tx: PaymentTransaction) -> CommittedPaymeError:
    _cancel(uow, tx, state=CANCELLED, reason=rules.CANCEL_TIMEOUT)
    return CommittedPaymeError(-31008, rules.PAYME_MESSAGES[-31008], "timeout")


def _check_perform(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    _payme_target(uow, config, params)
    return {"allow": True}


def _create(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    external_id = _payme_id(params)
    time = params.get("time")
    if isinstance(time, bool) or not isinstance(time, int):
        raise _payme_error(-32600, "time")
    tx = repository.by_external(uow.session, PAYME, external_id, lock=True)
    if tx is None:
        target, number, amount = _payme_target(uow, config, params)
        tx = _insert(
            uow,
            PaymentTransaction(
                system=PAYME, external_id=external_id, target=target, account=number, amount=amount,
                state=CREATED, external_time=time, created_at=uow.clock.now(),
            ),
        )  # fmt: skip
    if tx.state != CREATED:
        raise _payme_error(-31008, "state")
    if _payme_timed_out(uow, tx):
        raise _timeout(uow, tx)
    return {"create_time": ms(tx.created_at), "transaction": str(tx.seq), "state": tx.state}


def _perform_method(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    tx = _payme_tx(uow, params)
    if tx.state == CREATED:
        if _payme_timed_out(uow, tx):
            raise _timeout(uow, tx)
        try:
            _perform(uow, tx)
        except LimitExceededError as error:
            raise _payme_error(-31052, rules.PAYME_KEYS[tx.target]) from error
        except YagonaError as error:
            raise _payme_error(-31008, error.code) from error
    if tx.state != PERFORMED:
        raise _payme_error(-31008, "state")
    return {"transaction": str(tx.seq), "perform_time": ms(tx.performed_at), "state": tx.state}


def _cancel_method(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    tx = _payme_tx(uow, params)
    reason = params.get("reason")
    if isinstance(reason, bool) or reason not in rules.PAYME_CANCEL_REASONS:
        raise _payme_error(-32600, "reason")
    if tx.state == CREATED:
        _cancel(uow, tx, state=CANCELLED, reason=reason)
    elif tx.state == PERFORMED:
        if not _take_back(uow, tx):
            raise _payme_error(-31007, "balance")
        _cancel(uow, tx, state=CANCELLED_AFTER_PERFORM, reason=reason)
    return {"transaction": str(tx.seq), "cancel_time": ms(tx.cancelled_at), "state": tx.state}


def _check(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    tx = _payme_tx(uow, params)
    return {
        "create_time": ms(tx.created_at),
        "perform_time": ms(tx.performed_at),
        "cancel_time": ms(tx.cancelled_at),
        "transaction": str(tx.seq),
        "state": tx.state,
        "reason": tx.reason,
    }


def _statement(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    """The transactions whose Payme `time` is in [from, to], by that time (the protocol's rule)."""
    start, end = params.get("from"), params.get("to")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in (start, end)):
        raise _payme_error(-32600, "from/to")
    assert isinstance(start, int) and isinstance(end, int)
    return {"transactions": [statement_row(tx) for tx in repository.payme_between(uow.session, start, end)]}


def statement_row(tx: PaymentTransaction) -> dict[str, Any]:
    """One row of GetStatement, in the protocol's Transaction shape."""
    return {
        "id": tx.external_id,
        "time": tx.external_time,
        "amount": tx.amount,
        "account": {rules.PAYME_KEYS[tx.target]: tx.account},
        "create_time": ms(tx.created_at),
        "perform_time": ms(tx.performed_at),
        "cancel_time": ms(tx.cancelled_at),
        "transaction": str(tx.seq),
        "state": tx.state,
        "reason": tx.reason,
        "receivers": None,  # one cashbox receives the whole payment
    }


def _change_password(uow: UnitOfWork, config: PaymentsConfig, params: Mapping[str, Any]) -> dict[str, Any]:
    """Payme sets a new cashbox key; the call itself came with the current one (the caller
    checked it). Kept in the database (its SHA-256), it overrides the configured key on every
    server at once and survives restarts; the configured key no longer opens the door."""
    key = rules.payme_new_key(params.get("password"))
    if key is None:
        raise _payme_error(-32600, "password")
    repository.save_credential(uow.session, PAYME, rules.payme_key_digest(key), uow.clock.now())
    return {"success": True}


_PAYME_METHODS = {
    "CheckPerformTransaction": _check_perform,
    "CreateTransaction": _create,
    "PerformTransaction": _perform_method,
    "CancelTransaction": _cancel_method,
    "CheckTransaction": _check,
    "GetStatement": _statement,
    "ChangePassword": _change_password,
}


# --- Click SHOP API -----------------------------------------------------------------------------

_PREPARE_FIELDS = ("click_trans_id", "service_id", "merchant_trans_id", "amount", "action", "sign_time")
_COMPLETE_FIELDS = (
    "click_trans_id", "service_id", "merchant_trans_id", "merchant_prepare_id", "amount", "action", "sign_time"
)  # fmt: skip


def _click_error(code: int) -> ClickError:
    return ClickError(code, rules.CLICK_NOTES[code])


def _click_checked(
    config: PaymentsConfig, form: Mapping[str, str], fields: tuple[str, ...], action: str
) -> tuple[str, str, int]:
    """Signature, action, service, amount, account: (target, number, amount)."""
    required = (*fields, "sign_string", "error")
    if any(not isinstance(form.get(name), str) or len(form[name]) > 64 for name in required):
        raise _click_error(-8)
    if not config.click_secret_key or not rules.click_sign_ok(
        form["sign_string"], [form[name] for name in fields], config.click_secret_key
    ):
        raise _click_error(-1)
    if form["action"] != action:
        raise _click_error(-3)
    if form["service_id"] != config.click_service_id or not form["click_trans_id"].isdigit():
        raise _click_error(-8)
    amount = rules.click_amount(form["amount"], minimum=config.min_amount_tiyin, maximum=config.max_amount_tiyin)
    if amount is None:
        raise _click_error(-2)
    account = rules.click_account(form["merchant_trans_id"])
    if account is None:
        raise _click_error(-5)
    return account[0], account[1], amount


def _click_failed(form: Mapping[str, str]) -> bool:
    """Click's own `error` field: negative when Click could not take the money."""
    try:
        return int(form["error"]) < 0
    except ValueError as error:
        raise _click_error(-8) from error


def click_prepare(uow: UnitOfWork, *, config: PaymentsConfig, form: Mapping[str, str]) -> dict[str, Any]:
    target, number, amount = _click_checked(config, form, _PREPARE_FIELDS, "0")
    if _click_failed(form):  # Click reports it failed already: nothing to prepare (-9)
        raise _click_error(-9)
    tx = repository.by_external(uow.session, CLICK, form["click_trans_id"], lock=True)
    if tx is None:
        problem = _account_problem(uow, target, number, amount)
        if problem is not None:
            raise _click_error(-2 if problem == "limit" else -5)
        tx = _insert(
            uow,
            PaymentTransaction(
                system=CLICK, external_id=form["click_trans_id"], target=target, account=number, amount=amount,
                state=CREATED, external_time=None, created_at=uow.clock.now(),
            ),
        )  # fmt: skip
    if tx.target != target or tx.account != number or tx.amount != amount:
        raise _click_error(-8)
    if tx.state == PERFORMED:
        raise _click_error(-4)
    if tx.state < 0:
        raise _click_error(-9)
    return {
        "click_trans_id": rules.click_id(form["click_trans_id"]),
        "merchant_trans_id": form["merchant_trans_id"],
        "merchant_prepare_id": tx.seq,
        "error": 0,
        "error_note": rules.CLICK_NOTES[0],
    }


def click_complete(uow: UnitOfWork, *, config: PaymentsConfig, form: Mapping[str, str]) -> dict[str, Any]:
    target, number, amount = _click_checked(config, form, _COMPLETE_FIELDS, "1")
    prepare_id = form["merchant_prepare_id"]
    tx = repository.by_seq(uow.session, CLICK, int(prepare_id), lock=True) if prepare_id.isdigit() else None
    if tx is None or tx.external_id != form["click_trans_id"] or tx.target != target or tx.account != number:
        raise _click_error(-6)
    if tx.amount != amount:
        raise _click_error(-2)
    if tx.state == PERFORMED:
        raise _click_error(-4)
    if tx.state < 0:
        raise _click_error(-9)
    if _click_failed(form):
        _cancel(uow, tx, state=CANCELLED, reason=None)
        raise CommittedClickError(-9, rules.CLICK_NOTES[-9])
    try:
        _perform(uow, tx)
    except YagonaError as error:
        raise _click_error(-7) from error
    return {
        "click_trans_id": rules.click_id(form["click_trans_id"]),
        "merchant_trans_id": form["merchant_trans_id"],
        "merchant_confirm_id": tx.seq,
        "error": 0,
        "error_note": rules.CLICK_NOTES[0],
    }


# --- the portal: "pay with Payme / Click" ---------------------------------------------------------


def payable_by(
    uow: UnitOfWork, *, target: Target, number: str, customer_id: str, phones: tuple[str, ...], lines_: tuple[str, ...]
) -> bool:
    """Whether the customer may pay this line, wallet or home account from the portal: a line
    linked to their profile (or on one of its phones), a wallet of theirs (as the wallet's pages
    count it), a home account of theirs."""
    if target == "line":
        return (number in lines_ or number in phones) and _account_problem(uow, "line", number, 0) != "missing"
    if target == "home":
        try:
            home.own_account(uow, customer_id=customer_id, contract=number)
        except (NotFoundError, InvalidRequestError):
            return False
        return True
    return any(w.phone == number for w in wallet.own_wallets(uow, customer_id=customer_id, phones=phones))


def checkout(
    uow: UnitOfWork, *, config: PaymentsConfig, target: Target, number: str, amount: str, language: str, return_url: str
) -> Checkout:
    """The checkout links of Payme and Click for `amount` (so'm as typed) to the account,
    or why there are none: the amount out of bounds, the account blocked, a Light wallet's
    limit passed (what Payme and Click would refuse anyway, said before the customer leaves).
    A system without its merchant id configured gets no link."""
    tiyin = rules.click_amount(amount, minimum=config.min_amount_tiyin, maximum=config.max_amount_tiyin)
    if tiyin is None:
        return Checkout(amount=None, problem="amount", payme_url=None, click_url=None)
    problem = _account_problem(uow, target, number, tiyin)
    if problem is not None:
        return Checkout(
            amount=tiyin, problem="limit" if problem == "limit" else "blocked", payme_url=None, click_url=None
        )
    payme_url = click_url = None
    if config.payme_merchant_id:
        payme_url = rules.payme_checkout_url(
            config.payme_checkout_url, merchant_id=config.payme_merchant_id,
            account_key=rules.PAYME_KEYS[target], account=number, amount=tiyin,
            language=language, return_url=return_url,
        )  # fmt: skip
    if config.click_merchant_id and config.click_service_id:
        click_url = rules.click_checkout_url(
            service_id=config.click_service_id, merchant_id=config.click_merchant_id,
            merchant_trans_id=rules.click_merchant_trans_id(target, number), amount=tiyin, return_url=return_url,
        )  # fmt: skip
    return Checkout(amount=tiyin, problem=None, payme_url=payme_url, click_url=click_url)


def payments_of(uow: UnitOfWork, *, target: Target, number: str, limit: int = 10) -> list[PaymentRead]:
    """The latest payments through Payme and Click to a line, a wallet or a home account, newest first."""
    return [
        PaymentRead(system=tx.system, amount=tx.amount, state=tx.state, created_at=tx.created_at)
        for tx in repository.of_account(uow.session, target, number, limit)
    ]


# --- reading and reconciling --------------------------------------------------------------------


def _read(tx: PaymentTransaction) -> TransactionRead:
    return TransactionRead.model_validate(tx, from_attributes=True)


def statement(uow: UnitOfWork, *, system: str, start: datetime, end: datetime) -> list[TransactionRead]:
    return [_read(tx) for tx in repository.between(uow.session, system, start, end)]


def reconcile(uow: UnitOfWork, *, rows: list[dict[str, str]]) -> list[str]:
    """A payment system's statement (`system,id,amount,state` rows, amount in tiyin) against
    Yagona's records and the ledger: every mismatch, as a line of text."""
    problems: list[str] = []
    seen: dict[str, set[str]] = {PAYME: set(), CLICK: set()}
    for number, row in enumerate(rows, start=2):
        system, external_id = row.get("system", ""), row.get("id", "")
        if system not in seen:
            problems.append(f"line {number}: unknown system {system!r}")
            continue
        seen[system].add(external_id)
        tx = repository.by_external(uow.session, system, external_id)
        if tx is None:
            problems.append(f"{system} {external_id}: in the statement, not in Yagona")
            continue
        if str(tx.amount) != row.get("amount", "").strip():
            problems.append(f"{system} {external_id}: amount {row.get('amount')} in the statement, {tx.amount} here")
        if str(tx.state) != row.get("state", "").strip():
            problems.append(f"{system} {external_id}: state {row.get('state')} in the statement, {tx.state} here")
    for system, ids in seen.items():
        problems.extend(
            f"{system} {tx.external_id}: performed in Yagona, not in the statement"
            for tx in repository.all_of(uow.session, system)
            if ids and tx.state == PERFORMED and tx.external_id not in ids
        )
    problems.extend(clearing_problems(uow))
    return problems


def clearing_problems(uow: UnitOfWork) -> list[str]:
    """Each clearing account owes exactly what was performed and not taken back."""
    problems: list[str] = []
    for system in (PAYME, CLICK):
        expected = -repository.net_credited(uow.session, system)
        try:
            actual = ledger.posted_balance(uow, code=clearing_account(system))
        except AccountNotFoundError:
            actual = 0
        if actual != expected:
            problems.append(f"{system}: the clearing account holds {actual}, the transactions say {expected}")
    return problems

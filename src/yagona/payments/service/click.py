"""The Click SHOP API: Prepare and Complete over the shared transaction steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yagona.kernel.errors import YagonaError
from yagona.payments import repository, rules
from yagona.payments.errors import ClickError
from yagona.payments.models import PaymentTransaction
from yagona.payments.schemas import (
    CANCELLED,
    CREATED,
    PERFORMED,
    PaymentsConfig,
)
from yagona.payments.service.common import (
    CLICK,
    CommittedClickError,
    account_problem,
    cancel_transaction,
    insert_transaction,
    perform_transaction,
)
from yagona.platform.uow import UnitOfWork

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
        problem = account_problem(uow, target, number, amount)
        if problem is not None:
            raise _click_error(-2 if problem == "limit" else -5)
        tx = insert_transaction(
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
        cancel_transaction(uow, tx, state=CANCELLED, reason=None)
        raise CommittedClickError(-9, rules.CLICK_NOTES[-9])
    try:
        perform_transaction(uow, tx)
    except YagonaError as error:
        raise _click_error(-7) from error
    return {
        "click_trans_id": rules.click_id(form["click_trans_id"]),
        "merchant_trans_id": form["merchant_trans_id"],
        "merchant_confirm_id": tx.seq,
        "error": 0,
        "error_note": rules.CLICK_NOTES[0],
    }

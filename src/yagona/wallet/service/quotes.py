"""Orders priced before the customer confirms them (what a page shows before the PIN): the
same validation as the order itself and the commission of annex 1. A quote writes and
reserves nothing; the order checks everything again under the wallets' locks."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError
from yagona.platform.uow import UnitOfWork
from yagona.wallet import repository, rules
from yagona.wallet.errors import CardProcessorUnavailableError
from yagona.wallet.schemas import CardOutcome, Quote, SimulatorCard
from yagona.wallet.service.common import check_amount, ctx, phone_of, reason, status, wallet
from yagona.wallet.service.payments import check_biller_account, provider_of


def quote_topup(uow: UnitOfWork, *, phone: str, amount: int, card_number: str) -> Quote:
    """A card top-up of `amount` tiyin: refused at once when no card processor answers here."""
    check_amount(amount)
    card = rules.check_card_number(card_number)
    row = wallet(uow, phone)
    rules.check_usable(status(row), reason(row), phone=row.phone)
    if not ctx().card_simulator:
        raise CardProcessorUnavailableError("no card processor is connected: card operations are unavailable")
    fee = rules.commission(amount, repository.commissions().row("topup"))
    return Quote(operation="topup", amount=amount, commission=fee, total=amount + fee, card=rules.mask_card(card))


def quote_payment(uow: UnitOfWork, *, phone: str, provider: str, account: str, amount: int) -> Quote:
    """A payment to a provider: its account checked against the provider's format and, for
    a utility, by its biller (who holds the account, masked, and what is due)."""
    check_amount(amount)
    chosen = provider_of(provider)
    checked = rules.check_account(chosen, account)
    row = wallet(uow, phone)
    rules.check_usable(status(row), reason(row), phone=row.phone)
    billed = check_biller_account(chosen, checked)
    fee = rules.commission(amount, repository.commissions().row(chosen.commission))
    return Quote(
        operation="pay", amount=amount, commission=fee, total=amount + fee, provider=chosen.id,
        provider_name=chosen.name, account=checked, holder=billed.holder_masked if billed else None,
        amount_due=billed.amount_due_tiyin if billed else None,
    )  # fmt: skip


def quote_transfer(uow: UnitOfWork, *, from_phone: str, to_phone: str, amount: int) -> Quote:
    """A transfer to another wallet (which must exist and be usable)."""
    check_amount(amount)
    payer_phone, payee_phone = phone_of(from_phone), phone_of(to_phone, "to")
    if payer_phone == payee_phone:
        raise InvalidRequestError("a transfer needs two different wallets", field="to")
    payer, payee = wallet(uow, payer_phone), wallet(uow, payee_phone)
    rules.check_usable(status(payer), reason(payer), phone=payer_phone)
    rules.check_usable(status(payee), reason(payee), phone=payee_phone)
    fee = rules.commission(amount, repository.commissions().row("transfer"))
    return Quote(operation="transfer", amount=amount, commission=fee, total=amount + fee, to_phone=payee_phone)


def simulator_cards() -> list[SimulatorCard]:
    """The simulator's test cards (one per answer) where it runs — dev and test; else none."""
    context = ctx()
    if not context.card_simulator:
        return []
    s = context.settings
    base = s.card_simulator_test_card
    cards = [SimulatorCard(number=base, outcome=rules.simulated_card_outcome(
        base, default=s.card_simulator_default, decline_suffix=s.card_simulator_decline_suffix,
        hold_suffix=s.card_simulator_hold_suffix,
    ))]  # fmt: skip
    for suffix, outcome in (
        (s.card_simulator_decline_suffix, CardOutcome.DECLINE),
        (s.card_simulator_hold_suffix, CardOutcome.HOLD),
    ):
        cards.append(SimulatorCard(number=base[: len(base) - len(suffix)] + suffix, outcome=outcome))
    return cards

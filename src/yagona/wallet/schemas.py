"""Types that cross the wallet's boundary. Amounts are integer tiyin here; what the API, the
CLI and the sandbox show is in `views` (so'm, Tashkent times)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yagona.kernel.money import Money


class Tier(StrEnum):
    LIGHT = "light"  # unidentified (offer 3.2, 4.1)
    PREMIUM = "premium"  # identified in an office (offer 4.2)


class WalletStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    CLOSED = "closed"


class BlockReason(StrEnum):
    LOST = "lost"  # 4.6.1 b): the phone was lost; the call-centre restores
    FRAUD = "fraud"  # 4.6.1 c), 5.2.2: funds frozen until the matter is cleared
    PIN_FORGOTTEN = "pin_forgotten"  # 4.6.1 e): PIN cancelled; the customer restores with the birth date
    DORMANT = "dormant"  # 4.6.1 d), 4.6.5: for good; the balance became the operator's income


class TopupSource(StrEnum):
    CARD = "card"  # 4.3.1 b)
    PROMO = "promo"  # 4.3.1 c): joint promotions


class OperationKind(StrEnum):
    TOPUP_CARD = "topup_card"
    TOPUP_PROMO = "topup_promo"
    TOPUP_PAYMENT = "topup_payment"  # paid in through a payment system (Payme, Click)
    TOPUP_REVERSAL = "topup_reversal"  # such a top-up cancelled by the payment system, the money back to it
    TRANSFER = "transfer"  # a top-up of the payee (4.3.1 a)
    PAYMENT = "payment"
    FORFEIT = "forfeit"  # dormancy: the balance became the operator's income (4.6.5)
    RETURN = "return"  # frozen funds returned as the law says (5.2.2)
    REDEMPTION = "redemption"  # 5.4.2: the balance presented for redemption, paid out to a card


TOPUP_KINDS = (OperationKind.TOPUP_CARD, OperationKind.TOPUP_PROMO, OperationKind.TOPUP_PAYMENT, OperationKind.TRANSFER)


class OperationStatus(StrEnum):
    PENDING = "pending"  # a card top-up waiting for the card processor
    COMPLETED = "completed"
    DECLINED = "declined"  # the card processor declined: the hold was voided


class CardOutcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    HOLD = "hold"  # the processor answers later (a callback confirms or declines)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WalletRead(_Frozen):
    phone: str
    customer_id: str | None
    tier: Tier
    state: WalletStatus
    block_reason: BlockReason | None
    balance: int  # posted balance, tiyin
    available: int  # what may be spent: balance less frozen or pending debits
    frozen: int  # held by a fraud freeze
    topups_30d: int  # top-ups in the last 30 calendar days, commissions included
    balance_limit: int | None  # Light: 5 BHM; Premium: None
    topups_30d_limit: int | None
    created_at: datetime
    identified_at: datetime | None
    last_activity_at: datetime
    blocked_at: datetime | None
    offer_version: str | None
    offer_accepted_at: datetime


class WalletState(_Frozen):
    """The WALLET of scenario-format.md; amounts here in tiyin (see `scenario_view`)."""

    phone: str
    tier: Tier
    state: WalletStatus
    balance: int
    topups_30d: int

    def scenario_view(self) -> dict[str, Any]:
        """Exactly the sandbox's WALLET: amounts as so'm JSON numbers."""
        return {
            "phone": self.phone,
            "tier": self.tier.value,
            "state": self.state.value,
            "balance": Money(self.balance).to_json(),
            "topups_30d": Money(self.topups_30d).to_json(),
        }


class Receipt(_Frozen):
    """The electronic receipt (offer 2.19, 4.4): its mandatory details, and what a fiscal
    receipt carries: the operator's legal name and taxpayer number (STIR), the fiscal mark."""

    number: str
    operator_name: str
    operator_tin: str  # STIR
    fiscal_mark: str | None  # when a fiscal module is configured
    kind: OperationKind
    status: OperationStatus
    created_at: datetime  # Tashkent time
    completed_at: datetime | None
    payer: str  # a wallet, a masked card, a promotion, or the operator
    payee: str  # a wallet, a provider, or the operator
    provider: str | None
    provider_name: str | None
    account: str | None
    amount: int
    commission: int
    total: int  # amount + commission: what left the payer
    biller_confirmation: str | None = None  # a utility's own id of the payment (its biller)

    def as_text(self) -> str:
        """A plain-text rendering for download and print."""
        rows = [
            ("Operator", self.operator_name),
            ("STIR / TIN", self.operator_tin),
            ("Kvitansiya / Receipt", self.number),
            ("Sana va vaqt / Date and time", self.created_at.strftime("%Y-%m-%d %H:%M:%S %z")),
            ("Operatsiya / Operation", self.kind.value),
            ("Holat / Status", self.status.value),
            ("To'lovchi / Payer", self.payer),
            ("Oluvchi / Payee", self.payee),
        ]
        if self.provider is not None:
            rows.append(("Yetkazib beruvchi / Provider", f"{self.provider_name} ({self.provider})"))
            rows.append(("Hisob raqami / Account", self.account or ""))
        rows += [
            ("Summa / Amount", Money(self.amount).format()),
            ("Komissiya / Commission", Money(self.commission).format()),
            ("Jami / Total", Money(self.total).format()),
        ]
        if self.biller_confirmation is not None:
            rows.append(("Tasdiq / Biller confirmation", self.biller_confirmation))
        if self.fiscal_mark is not None:
            rows.append(("Fiskal belgi / Fiscal mark", self.fiscal_mark))
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows) + "\n"


class ReceiptPage(_Frozen):
    items: list[Receipt]
    next_cursor: str | None


# --- data files: providers and the commission table -------------------------------------


class CommissionRow(_Frozen):
    operation: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    percent: Decimal = Field(ge=0, le=100)
    minimum_som: Decimal = Field(default=Decimal(0), ge=0)
    maximum_som: Decimal | None = Field(default=None, ge=0)
    note: str = ""


class CommissionTable(_Frozen):
    """Annex 1 of the offer as data: top-up 0 %, wallet-to-wallet 0 %; other rows configurable."""

    version: str
    rows: list[CommissionRow] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _annex_one(self) -> CommissionTable:
        names = [row.operation for row in self.rows]
        if len(set(names)) != len(names):
            raise ValueError("an operation appears twice in the commission table")
        by_name = {row.operation: row for row in self.rows}
        for fixed in ("topup", "transfer"):  # annex 1 of the offer fixes these at 0 %
            row = by_name.get(fixed)
            if row is None or row.percent != 0 or row.minimum_som != 0:
                raise ValueError(f"annex 1 fixes the commission of {fixed!r} at 0 %")
        return self

    def row(self, operation: str) -> CommissionRow:
        for row in self.rows:
            if row.operation == operation:
                return row
        raise KeyError(operation)


class Provider(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)
    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(pattern=r"^(operator|utility)$")
    account_label: str = Field(min_length=1, max_length=60)
    account_pattern: str
    # "protocol": a registered PaymentProvider names the ledger account and applies the effects
    # (mobile → the lines domain); "ledger": the money settles to `settlement_account`.
    settlement: str = Field(pattern=r"^(protocol|ledger)$")
    settlement_account: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_.:#@+-]*$")
    commission: str
    demo: bool = False

    @field_validator("account_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"account_pattern does not compile: {error}") from error
        if not (value.startswith("^") and value.endswith("$")):
            raise ValueError("account_pattern must be anchored with ^ and $")
        return value

    @model_validator(mode="after")
    def _settles_somewhere(self) -> Provider:
        if (self.settlement == "ledger") != (self.settlement_account is not None):
            raise ValueError("a 'ledger' provider names its settlement_account; a 'protocol' provider does not")
        return self


class ProviderCatalogue(_Frozen):
    version: str
    providers: list[Provider] = Field(min_length=1, max_length=1_000)

    @model_validator(mode="after")
    def _unique(self) -> ProviderCatalogue:
        ids = [p.id for p in self.providers]
        if len(set(ids)) != len(ids):
            raise ValueError("a provider id appears twice")
        return self

    def get(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)


# --- what a channel shows before an order is confirmed -----------------------------------


class Quote(_Frozen):
    """An order priced before the customer confirms it with the PIN (annex 1): what it moves,
    its commission and the total that leaves the wallet. Nothing is reserved by a quote."""

    operation: str  # topup | pay | transfer
    amount: int  # tiyin
    commission: int
    total: int
    provider: str | None = None
    provider_name: str | None = None
    account: str | None = None
    to_phone: str | None = None
    card: str | None = None  # masked
    holder: str | None = None  # a utility account's holder as its biller names them, masked
    amount_due: int | None = None  # tiyin the biller says is due on that account


# --- the billers of utilities (docs/wallet.md, "Billers") ----------------------------------


class BillerAccount(_Frozen):
    """A utility account as its biller knows it: who holds it (masked) and what is due."""

    provider: str
    account: str
    holder_masked: str
    amount_due_tiyin: int = Field(ge=0)


class Biller(Protocol):
    """The billers of the utilities (electricity, gas, water…), reached over HTTP with a
    short timeout. Both calls raise `BillerAccountNotFoundError` for an account the biller
    does not know and `BillerUnavailableError` when it is late, down or answers nonsense."""

    def check_account(self, *, provider: str, account: str) -> BillerAccount: ...

    def confirm_payment(self, *, provider: str, account: str, amount: int, reference: str) -> str:
        """Tell the biller `amount` tiyin were paid to `account`; its confirmation id. The same
        `reference` (our operation's id) confirms once: a retry answers the same id."""
        ...


class SimulatorCard(_Frozen):
    """A test card of the card-processor simulator (dev and test only) and what it answers."""

    number: str
    outcome: CardOutcome

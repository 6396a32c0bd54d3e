"""What the API, the CLI and the sandbox show of a wallet and its receipts: money in so'm
(`Som`), times with the Tashkent offset (`Timestamp`) — the one convention (docs/api.md).
One representation, so two receipts of one payment always agree."""

from __future__ import annotations

from yagona.kernel.money import Money
from yagona.platform.api import ApiRead, Som, Timestamp
from yagona.wallet.schemas import (
    BlockReason,
    OperationKind,
    OperationStatus,
    Quote,
    Receipt,
    ReceiptPage,
    Tier,
    WalletRead,
    WalletStatus,
)


class WalletView(ApiRead):
    """A wallet as the customer and staff see it: money in so'm, times with the Tashkent offset."""

    phone: str
    tier: Tier
    state: WalletStatus
    block_reason: BlockReason | None
    balance: Som
    available: Som  # what may be spent: the balance less frozen or pending debits
    frozen: Som  # held by a fraud freeze
    topups_30d: Som  # top-ups in the last 30 calendar days, commissions included
    balance_limit: Som | None  # Light: 5 BHM; Premium: none
    topups_30d_limit: Som | None
    offer_version: str | None
    offer_accepted_at: Timestamp
    created_at: Timestamp
    identified_at: Timestamp | None
    last_activity_at: Timestamp
    blocked_at: Timestamp | None

    @classmethod
    def of(cls, wallet: WalletRead) -> WalletView:
        def som(tiyin: int | None) -> Money | None:
            return None if tiyin is None else Money(tiyin)

        return cls.model_validate(
            {
                **wallet.model_dump(exclude={"customer_id"}),
                **{
                    name: som(getattr(wallet, name))
                    for name in ("balance", "available", "frozen", "topups_30d", "balance_limit", "topups_30d_limit")
                },
            }
        )


class ReceiptView(ApiRead):
    """The electronic receipt in so'm: every channel shows these same figures."""

    number: str
    operator_name: str
    operator_tin: str
    fiscal_mark: str | None
    kind: OperationKind
    status: OperationStatus
    created_at: Timestamp
    completed_at: Timestamp | None
    payer: str
    payee: str
    provider: str | None
    provider_name: str | None
    account: str | None
    amount: Som
    commission: Som
    total: Som
    biller_confirmation: str | None = None  # a utility payment: the biller's id of it

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptView:
        return cls.model_validate(
            {
                **receipt.model_dump(),
                "amount": Money(receipt.amount),
                "commission": Money(receipt.commission),
                "total": Money(receipt.total),
            }
        )


class ReceiptPageView(ApiRead):
    items: list[ReceiptView]
    next_cursor: str | None

    @classmethod
    def of(cls, page: ReceiptPage) -> ReceiptPageView:
        return cls(items=[ReceiptView.of(r) for r in page.items], next_cursor=page.next_cursor)


class PaymentQuoteView(ApiRead):
    """A payment priced before the PIN: the commission, the total and, for a utility, its
    biller's holder (masked) and amount due. Nothing is reserved."""

    provider: str
    provider_name: str
    account: str
    amount: Som
    commission: Som
    total: Som
    holder: str | None  # a utility account's holder, masked ("A***a K******a")
    amount_due: Som | None  # what the utility's biller says is due

    @classmethod
    def of(cls, quote: Quote) -> PaymentQuoteView:
        return cls.model_validate(
            {
                "provider": quote.provider,
                "provider_name": quote.provider_name,
                "account": quote.account,
                "amount": Money(quote.amount),
                "commission": Money(quote.commission),
                "total": Money(quote.total),
                "holder": quote.holder,
                "amount_due": Money(quote.amount_due) if quote.amount_due is not None else None,
            }
        )

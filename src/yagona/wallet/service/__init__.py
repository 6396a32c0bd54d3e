"""Use cases of the e-wallet (offer seed 002), by room: registration and reads, top-ups,
payments (transfers, providers, redemption), states (blocks, freezes, closing, dormancy),
the PIN, receipts. Callers pass their unit of work; nothing here commits. A wrong PIN or
birth date is refused with an error that persists its record (`YagonaError.persist`).

Money moves only through the ledger: each wallet is the account `wallet:<phone>` (never
negative; a Light wallet's ceiling is 5 BHM). Every operation is a `wallet_operation`
row — its electronic receipt — written in Core in the same transaction. Operations lock
the wallets they touch (`FOR UPDATE`, in phone order) before reading what they check.
The composition root installs the context (`configure(make_context(...))`)."""

from yagona.wallet.rules import check_pin as check_pin_hash
from yagona.wallet.rules import hash_pin, pin_hasher
from yagona.wallet.service.common import (
    CARD_SETTLEMENT,
    COMMISSION,
    DORMANCY_JOB,
    DORMANT_INCOME,
    FROZEN,
    PROMOTIONS,
    RETURNS,
    wallet_account_code,
)
from yagona.wallet.service.context import (
    PaymentProvider,
    WalletContext,
    biller_for,
    configure,
    current,
    make_context,
    register_payment_providers,
    registered_payment_providers,
    use_biller,
)
from yagona.wallet.service.group import PaymentOrder, WalletOrders, place_payment, place_transfer, run_orders
from yagona.wallet.service.payments import pay, redeem
from yagona.wallet.service.pin import check_pin, forget_pin, restore_pin
from yagona.wallet.service.quotes import quote_payment, quote_topup, quote_transfer, simulator_cards
from yagona.wallet.service.receipts import receipt, receipts
from yagona.wallet.service.registration import (
    get,
    identify,
    own_wallet,
    own_wallets,
    phones,
    provider_catalogue,
    register,
    state,
)
from yagona.wallet.service.states import (
    block,
    close,
    dormant_from,
    release,
    restore,
    return_frozen,
    run_dormancy,
)
from yagona.wallet.service.topups import (
    confirm_card_topup,
    reverse_payment_system_topup,
    topup,
    topup_from_payment_system,
)
from yagona.wallet.service.transfers import TransferOrder, transfer, transfer_many

__all__ = [
    "CARD_SETTLEMENT",
    "COMMISSION",
    "DORMANCY_JOB",
    "DORMANT_INCOME",
    "FROZEN",
    "PROMOTIONS",
    "RETURNS",
    "PaymentOrder",
    "PaymentProvider",
    "TransferOrder",
    "WalletContext",
    "WalletOrders",
    "biller_for",
    "block",
    "check_pin",
    "check_pin_hash",
    "close",
    "configure",
    "confirm_card_topup",
    "current",
    "dormant_from",
    "forget_pin",
    "get",
    "hash_pin",
    "identify",
    "make_context",
    "own_wallet",
    "own_wallets",
    "pay",
    "phones",
    "pin_hasher",
    "place_payment",
    "place_transfer",
    "provider_catalogue",
    "quote_payment",
    "quote_topup",
    "quote_transfer",
    "receipt",
    "receipts",
    "redeem",
    "register",
    "register_payment_providers",
    "registered_payment_providers",
    "release",
    "restore",
    "restore_pin",
    "return_frozen",
    "reverse_payment_system_topup",
    "run_dormancy",
    "run_orders",
    "simulator_cards",
    "state",
    "topup",
    "topup_from_payment_system",
    "transfer",
    "transfer_many",
    "use_biller",
    "wallet_account_code",
]

"""The wallet's pages (`/wallet/...`): the signed-in customer's wallet, its history and
receipts, opening one (`overview`), and the money moves — top-up by card, paying a provider,
a transfer (`orders`). They call the same `service` as the wallet's REST and hold no rule;
another customer's receipt is the 404 page. A page session is a full One ID session (every
scope); money moves need the wallet's PIN, as over the API."""

from yagona.platform.pages.core import page_router
from yagona.wallet.web import orders, overview
from yagona.wallet.web.common import WalletCard, wallet_card

router = page_router()
router.include_router(overview.router)
router.include_router(orders.router)

__all__ = ["WalletCard", "router", "wallet_card"]

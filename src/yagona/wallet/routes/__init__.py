"""REST of the e-wallet, thin — validate, call the service, map:

- `customer`: the signed-in customer's own wallet, `/api/v1/me/wallet/...`;
- `tmf`: the TMF676 shape of a payment, `/tmf-api/paymentManagement/v4/payment`;
- `staff`: any wallet, `/api/v1/wallets/{phone}/...`, the staff key only.
"""

from fastapi import APIRouter

from yagona.wallet.routes import customer, staff, tmf

router = APIRouter()
router.include_router(customer.router)
router.include_router(tmf.router)
router.include_router(staff.router)

__all__ = ["router"]

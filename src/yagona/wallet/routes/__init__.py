"""REST of the e-wallet, thin — validate, call the service, map:

- `customer`: the signed-in customer's own wallet, `/api/v1/me/wallet/...`;
- `tmf`: the TMF676 shape of a payment, `/tmf-api/paymentManagement/v4/payment`;
- `staff`: any wallet, `/api/v1/wallets/{phone}/...`, the staff key only;
- `biller_simulator_router`: the utilities' biller simulator, mounted in dev and test only.
"""

from fastapi import APIRouter

from yagona.wallet.routes import customer, staff, tmf
from yagona.wallet.routes.biller_simulator import router as biller_simulator_router

router = APIRouter()
router.include_router(customer.router)
router.include_router(tmf.router)
router.include_router(staff.router)

__all__ = ["biller_simulator_router", "router"]

"""Due jobs of the wallet: dormancy (offer 4.5.3, 4.6.1 d, 4.6.5)."""

from __future__ import annotations

from typing import Any

from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.platform.jobs import Job, JobHandler
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service


def dormancy(uow: UnitOfWork, job: Job) -> list[dict[str, Any]]:
    """`wallet.dormancy`: block a wallet unused for more than 3 years and move its balance to
    the operator's income; or, after an operation since, schedule the next check. Twice is once."""
    phone = str(job.payload["phone"])
    forfeited = service.run_dormancy(uow, phone=phone)
    if forfeited is None:
        return []
    return [
        {
            "at": uow.clock.now().astimezone(TASHKENT).isoformat(),
            "phone": phone,
            "kind": "dormant",
            "amount": Money(forfeited).to_json(),
        }
    ]


def handlers() -> dict[str, JobHandler]:
    """The wallet's due jobs, by kind, for the composition root."""
    return {service.DORMANCY_JOB: dormancy}

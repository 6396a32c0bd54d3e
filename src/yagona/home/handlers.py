"""Event consumers of the home domain: a customer verified through the national OneID has
the requests that waited for it activated. Delivery is at least once: `consume_once` guards."""

from __future__ import annotations

from yagona.home import service
from yagona.platform.bus import EventEnvelope, Handler, consume_once
from yagona.platform.uow import UnitOfWorkFactory

CUSTOMER_VERIFIED = "identity.customer_verified"


def on_customer_verified(uow_factory: UnitOfWorkFactory) -> Handler:
    def handle(envelope: EventEnvelope) -> None:
        with uow_factory() as uow:
            if not consume_once(uow.session, consumer="home.activate", event_id=envelope.event_id, now=uow.clock.now()):
                return
            service.activate_verified(uow, customer_id=str(envelope.payload["customer_id"]))
            uow.commit()

    return handle

"""Typed factories for home internet: a One ID customer's request, the national OneID check."""

from __future__ import annotations

from tests.factories.identity import customer
from yagona.home import service
from yagona.home.schemas import HomeAccountState
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead, OneIdProfile
from yagona.identity.settings import IdentitySettings
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

ADDRESS = "Toshkent, Chilonzor 9-mavze, 12-uy, 34-xonadon"


def ctx(settings: Settings) -> identity.IdentityContext:
    return identity.make_context(
        secret_key=settings.secret_key.get_secret_value(), env=settings.env, settings=IdentitySettings()
    )


def request(
    uow: UnitOfWork,
    identity_ctx: identity.IdentityContext,
    phone: str = "998901112233",
    *,
    plan: str = "uy-100",
    equipment: tuple[str, ...] = (),
    packages: tuple[str, ...] = (),
) -> tuple[CustomerRead, HomeAccountState]:
    """A One ID customer (created when the phone has none) and their request for home internet."""
    holder = identity.find_customer_by_phone(uow, phone=phone) or customer(uow, identity_ctx, phone)
    account = service.request_connection(
        uow, customer_id=holder.id, address=ADDRESS, plan_id=plan, equipment=equipment, packages=packages
    )
    return holder, account


def verify(uows: UnitOfWorkFactory, identity_ctx: identity.IdentityContext, customer_id: str, pinfl: str) -> None:
    """The national OneID round trip as the callback runs it (the simulator's answer), each
    part in its own unit of work; the commit publishes `identity.customer_verified`."""
    with uows() as uow:
        started = identity.begin_oneid(uow, ctx=identity_ctx, customer_id=customer_id)
        uow.commit()
    with uows() as uow:
        identity.take_oneid_state(
            uow, state=started.state, browser_key=started.browser_key, signed_in_customer=customer_id
        )
        profile = OneIdProfile(pin=pinfl, full_name="ALIMOVA DILNOZA", valid=True)
        identity.apply_oneid_profile(uow, ctx=identity_ctx, customer_id=customer_id, profile=profile, device=None)
        uow.commit()


def contract_to_pay(uow: UnitOfWork, settings: Settings, phone: str = "998909990000") -> str:
    """A home account that a wallet can pay (`home-internet` with the contract, `iptv` with
    its IPTV number): a request waiting for identity takes payments too."""
    return request(uow, ctx(settings), phone)[1].contract

"""Typed factories for One ID: a context, customers, codes read from the outbox."""

from __future__ import annotations

import re

from pydantic import SecretStr

from yagona.identity import service
from yagona.identity.schemas import CustomerCreate, CustomerRead, DeviceInfo, Language, OtpPurpose, SignedIn
from yagona.notify import service as notify
from yagona.platform.settings import Settings
from yagona.platform.uow import UnitOfWork

PASSWORD = "Tog'-Chimyon-2026"


def context(settings: Settings, **overrides: object) -> service.IdentityContext:
    from yagona.identity.settings import IdentitySettings

    return service.make_context(
        secret_key=settings.secret_key.get_secret_value(),
        env=settings.env,
        settings=IdentitySettings(**overrides),  # type: ignore[arg-type]
    )


def customer(
    uow: UnitOfWork,
    ctx: service.IdentityContext,
    phone: str = "998901234567",
    *,
    password: str | None = PASSWORD,
    language: Language = Language.UZ,
) -> CustomerRead:
    return service.register_customer(
        uow,
        ctx=ctx,
        customer=CustomerCreate(
            phone=phone,
            name="Dilnoza Alimova",
            password=SecretStr(password) if password else None,
            accept_documents=True,
            language=language,
        ),
    )


def last_code(uow: UnitOfWork, ctx: service.IdentityContext, phone: str) -> str:
    messages = notify.outbox(uow, recipient=phone, sealer=ctx.messages, env="test", limit=1)
    assert messages and messages[0].template == "identity.otp", "a code was sent"
    found = re.search(r"\d{6,10}", messages[0].body or "")
    assert found
    return found.group(0)


def send_code(
    uow: UnitOfWork, ctx: service.IdentityContext, phone: str, purpose: OtpPurpose = OtpPurpose.LOGIN
) -> tuple[str, str]:
    """(request id, code) of a fresh code to `phone`."""
    sent = service.request_otp(uow, ctx=ctx, phone=phone, purpose=purpose, client_ip="10.0.0.1")
    return sent.request_id, last_code(uow, ctx, phone)


def signed_in(
    uow: UnitOfWork, ctx: service.IdentityContext, phone: str = "998901234567", device: str = "phone-1"
) -> SignedIn:
    return service.login_with_password(
        uow, ctx=ctx, phone=phone, password=PASSWORD, device=DeviceInfo(device_id=device)
    )

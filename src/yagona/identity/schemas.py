"""What crosses identity's boundary. Never a hash, never a secret."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from yagona.platform.api import Timestamp


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Language(StrEnum):
    UZ = "uz"
    RU = "ru"
    EN = "en"


class VerificationLevel(StrEnum):
    """`basic`: the phone is proven; `verified`: identity checked by the national OneID
    (required before home internet is connected)."""

    BASIC = "basic"
    VERIFIED = "verified"


class ServiceKind(StrEnum):
    MOBILE = "mobile"
    WALLET = "wallet"
    HOME_INTERNET = "home_internet"
    IPTV = "iptv"


class OtpPurpose(StrEnum):
    LOGIN = "login"
    LINK_LINE = "link_line"
    CHANGE_PHONE = "change_phone"


class DocumentKind(StrEnum):
    OFFER = "offer"
    PRIVACY = "privacy"


# The versions in force; a new version is published by changing these (and telling customers).
CURRENT_DOCUMENTS: dict[DocumentKind, str] = {DocumentKind.OFFER: "2026-01", DocumentKind.PRIVACY: "2026-01"}


class CustomerCreate(Frozen):
    phone: str
    name: str = Field(min_length=1, max_length=200)
    password: SecretStr | None = None
    birth_date: date | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    language: Language = Language.UZ
    accept_documents: bool = False
    marketing_opt_in: bool = False


class LinkedServiceRead(Frozen):
    kind: ServiceKind
    reference: str
    linked_at: Timestamp


class ConsentRead(Frozen):
    document: str
    version: str
    accepted_at: Timestamp


class CustomerRead(Frozen):
    id: str
    name: str
    birth_date: date | None
    phones: list[str]
    email: str | None
    language: Language
    verification_level: VerificationLevel
    totp_enabled: bool
    marketing_opt_in: bool
    services: list[LinkedServiceRead]
    consents: list[ConsentRead]
    created_at: Timestamp


class OtpSent(Frozen):
    """Identical for every well-formed phone, registered or not."""

    request_id: str
    expires_in: int
    digits: int


class SessionRead(Frozen):
    id: str
    customer_id: str
    device: str | None
    methods: list[str]
    authenticated_at: Timestamp
    created_at: Timestamp
    last_seen_at: Timestamp
    expires_at: Timestamp
    current: bool = False


class SignedIn(Frozen):
    """A new session. `token` is the cookie value: shown once, stored only as a hash."""

    session: SessionRead
    token: SecretStr
    new_device: bool


class DeviceInfo(Frozen):
    device_id: str | None = Field(default=None, max_length=128)
    user_agent: str | None = Field(default=None, max_length=400)
    ip: str | None = Field(default=None, max_length=64)


class TotpSetup(Frozen):
    secret: SecretStr
    provisioning_uri: SecretStr
    # The pending secret, sealed: handed back to `confirm_totp` (nothing changes before).
    setup_token: SecretStr


class AuditEventRead(Frozen):
    kind: str
    customer_id: str | None
    subject: str | None
    details: dict[str, str]
    occurred_at: Timestamp


class ClientCreate(Frozen):
    name: str = Field(min_length=1, max_length=120)
    redirect_uris: list[str] = Field(min_length=1, max_length=20)
    post_logout_redirect_uris: list[str] = Field(default_factory=list, max_length=20)
    first_party: bool = False
    public: bool = False
    scopes: list[str] = Field(
        default_factory=lambda: ["openid", "profile", "phone", "email", "services", "offline_access"]
    )
    grant_types: list[str] = Field(default_factory=lambda: ["authorization_code", "refresh_token"])


class ClientRead(Frozen):
    client_id: str
    name: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    first_party: bool
    public: bool
    scopes: list[str]
    grant_types: list[str]
    created_at: Timestamp


class ClientCreated(Frozen):
    client: ClientRead
    client_secret: SecretStr | None


class OneIdProfile(Frozen):
    """What the national OneID says about a person."""

    pin: str = Field(pattern=r"^\d{14}$")
    full_name: str
    sur_name: str | None = None
    first_name: str | None = None
    mid_name: str | None = None
    birth_date: date | None = None
    passport: str | None = None
    valid: bool

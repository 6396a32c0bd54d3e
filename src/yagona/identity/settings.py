"""Identity's own settings (`YAGONA_IDENTITY_` prefix): lifetimes, limits, hashing cost,
the issuer and the national OneID endpoints. The platform's settings know no domain."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# OWASP Password Storage Cheat Sheet, Argon2id: m=19 MiB, t=2, p=1 is the floor.
OWASP_MEMORY_KIB = 19_456
OWASP_TIME_COST = 2


class IdentitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_IDENTITY_", extra="ignore", populate_by_name=True)

    # The deployment (YAGONA_ENV), read here only to refuse a simulator outside dev/test.
    env: Literal["dev", "test", "prod"] = Field(default="dev", validation_alias="YAGONA_ENV")

    issuer: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    # One-time codes
    otp_digits: int = Field(default=6, ge=6, le=10)
    otp_ttl_s: int = Field(default=300, ge=30, le=300)
    otp_sends_per_phone_per_hour: int = Field(default=5, ge=1, le=100)
    otp_sends_per_ip_per_hour: int = Field(default=30, ge=1, le=10_000)
    # Failed attempts, counted separately for password, OTP and TOTP, per account and per phone.
    max_failed_attempts: int = Field(default=5, ge=1, le=100)
    lockout_window_s: int = Field(default=900, ge=60, le=86_400)
    # Password attempts from one client address across every phone (spraying): refused
    # before any account's counter moves, so a sprayer cannot cheaply lock owners out.
    password_attempts_per_ip: int = Field(default=30, ge=1, le=100_000)
    password_ip_window_s: int = Field(default=900, ge=60, le=86_400)
    # Sessions
    session_ttl_s: int = Field(default=30 * 86_400, ge=300, le=400 * 86_400)
    reauthentication_window_s: int = Field(default=300, ge=30, le=3_600)
    cookie_name: str = Field(default="yagona_session", pattern=r"^[A-Za-z0-9_-]{1,40}$")
    # Password hashing (Argon2id)
    argon2_memory_kib: int = Field(default=OWASP_MEMORY_KIB, ge=OWASP_MEMORY_KIB, le=4_194_304)
    argon2_time_cost: int = Field(default=OWASP_TIME_COST, ge=OWASP_TIME_COST, le=20)
    argon2_parallelism: int = Field(default=1, ge=1, le=16)
    password_min_length: int = Field(default=8, ge=8, le=128)
    # OpenID Connect
    authorization_code_ttl_s: int = Field(default=60, ge=10, le=600)
    access_token_ttl_s: int = Field(default=600, ge=60, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=3_600, le=400 * 86_400)
    id_token_ttl_s: int = Field(default=600, ge=60, le=86_400)
    # Resource servers: clients that may introspect any token (others only their own).
    resource_servers: list[str] = Field(default_factory=list, max_length=50)
    # National OneID (e-government). One endpoint answers every grant type.
    oneid_endpoint: str = "http://127.0.0.1:8000/oneid-simulator/sso/oauth/Authorization.do"
    oneid_client_id: str = "yagona"
    oneid_client_secret: SecretStr = SecretStr("simulator-secret")
    oneid_scope: str = "yagona"
    oneid_redirect_uri: str = "http://127.0.0.1:8000/api/v1/auth/oneid/callback"
    oneid_timeout_s: float = Field(default=10.0, gt=0, le=60)
    # The built-in simulator of the national provider: None = on in dev and test, off in
    # prod; true outside dev/test is refused (here and by `make_context`).
    oneid_simulator: bool | None = None

    @model_validator(mode="after")
    def _windows_make_sense(self) -> IdentitySettings:
        if self.authorization_code_ttl_s > self.access_token_ttl_s:
            raise ValueError("an authorization code must not outlive the access token it buys")
        if self.oneid_simulator and not simulators_allowed(self.env):
            raise ValueError("YAGONA_IDENTITY_ONEID_SIMULATOR: the OneID simulator runs only in dev and test")
        return self

    def simulator_enabled(self, env: str) -> bool:
        if not simulators_allowed(env) or not simulators_allowed(self.env):
            return False
        return self.oneid_simulator is not False


def simulators_allowed(env: str) -> bool:
    """Simulators (OneID here) exist only in development and tests."""
    return env in ("dev", "test")

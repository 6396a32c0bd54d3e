"""Validated settings from the environment (`YAGONA_` prefix, nested with `__`).

Every limit of the platform lives here, so an operator changes it without code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - a marker refused outside dev/test


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///var/yagona.db"
    pool_size: int = Field(default=10, ge=1, le=200)
    busy_timeout_s: float = Field(default=30.0, gt=0, le=600)
    echo: bool = False
    # A ping on every pool checkout survives a restarted server at one round trip a transaction.
    pre_ping: bool = True


class BusSettings(BaseModel):
    # None keeps the bus in-process; a URL (nats://127.0.0.1:4222) also publishes to JetStream.
    nats_url: str | None = None
    stream: str = Field(default="YAGONA", pattern=r"^[A-Z][A-Z0-9_]{0,31}$")
    subject_prefix: str = Field(default="yagona", pattern=r"^[a-z][a-z0-9_]{0,31}$")
    publish_timeout_s: float = Field(default=5.0, gt=0, le=60)
    relay_batch_size: int = Field(default=200, ge=1, le=10_000)
    # Rows left undispatched longer than this (a process died after commit) are re-dispatched.
    redispatch_after_s: float = Field(default=30.0, gt=0, le=3600)
    # Deferred consumers (the bonus programme) run off the producer's request, fed from the
    # outbox by the worker's drain. None: deferred except with env=test (a test sees the effect
    # at once); the sandbox defers and drains after each step (docs/loyalty.md).
    defer: bool | None = None
    drain_batch_size: int = Field(default=500, ge=1, le=10_000)
    # On PostgreSQL a seq may be missing (a transaction in flight, or rolled back): the drain
    # waits for it at most this long while other transactions are writing.
    drain_gap_grace_s: float = Field(default=10.0, gt=0, le=3600)

    def defers(self, env: str) -> bool:
        return self.defer if self.defer is not None else env != "test"


class JobSettings(BaseModel):
    batch_size: int = Field(default=100, ge=1, le=10_000)
    max_attempts: int = Field(default=5, ge=1, le=100)
    retry_backoff_s: float = Field(default=60.0, ge=0, le=86_400)
    poll_interval_s: float = Field(default=1.0, gt=0, le=60)


class LimitSettings(BaseModel):
    """Bounds every domain applies: no list, batch or page is unbounded."""

    page_size_max: int = Field(default=500, ge=1, le=10_000)
    batch_size_max: int = Field(default=1_000, ge=1, le=100_000)


class GroupCommitSettings(BaseModel):
    """Concurrent postings of one process share a transaction (platform.group_commit)."""

    enabled: bool = True
    # How long the first request of a group waits for others, at most (less when every
    # recently active thread has joined).
    window_ms: float = Field(default=2.0, ge=0, le=50)
    max_size: int = Field(default=64, ge=1, le=1_000)
    # Groups of one process in their transactions at once; the next one fills meanwhile.
    concurrent_groups: int = Field(default=1, ge=1, le=64)


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    # Counted while the body streams in, chunked or not: past it the answer is 413 at once.
    max_body_bytes: int = Field(default=1_048_576, ge=1_024, le=104_857_600)
    # The OpenAPI document and /api/docs. None: served in dev and test, not in prod.
    docs: bool | None = None


class PaymentsSettings(BaseModel):
    """The payment systems' merchant credentials (YAGONA_PAYMENTS__PAYME_KEY, …). None: in dev
    and test a fixed test key; in prod that system refuses every call."""

    payme_key: SecretStr | None = None
    click_secret_key: SecretStr | None = None
    click_service_id: str | None = None
    min_amount_tiyin: int = Field(default=100_000, ge=1)  # 1 000 so'm
    max_amount_tiyin: int = Field(default=1_000_000_000, ge=1)  # 10 000 000 so'm
    # The portal's "pay with Payme / Click" links (public ids, not secrets).
    payme_merchant_id: str | None = None
    payme_checkout_url: str = "https://checkout.paycom.uz"  # the sandbox: https://test.paycom.uz
    click_merchant_id: str | None = None


class UssdSettings(BaseModel):
    """The USSD channel (YAGONA_USSD__SESSION_TIMEOUT_S): a session idle longer than this
    starts again at the top (gateways drop a silent session after 2-3 minutes)."""

    session_timeout_s: float = Field(default=180.0, gt=0, le=3600)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_", env_nested_delimiter="__", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    # Staff and service endpoints (ledger, jobs) answer only to this key until One ID has staff roles.
    staff_api_key: SecretStr | None = None
    # GET /metrics answers to `Authorization: Bearer <this>` (a Prometheus scraper) or the staff key.
    metrics_token: SecretStr | None = None
    # The keys of the sealed personal fields (birth dates, identity documents): `k2:secret2,k1:secret1`,
    # the first seals; unset, one key `k1` derived from the secret key. docs/personal-data.md.
    field_keys: SecretStr | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    database: DatabaseSettings = DatabaseSettings()
    bus: BusSettings = BusSettings()
    jobs: JobSettings = JobSettings()
    limits: LimitSettings = LimitSettings()
    http: HttpSettings = HttpSettings()
    payments: PaymentsSettings = PaymentsSettings()
    ussd: UssdSettings = UssdSettings()
    group_commit: GroupCommitSettings = GroupCommitSettings()
    # The built-in simulators (card processor, national OneID, billers) and the dev outbox.
    # None: on in dev and test, off in prod. True in prod is refused: a simulator there
    # would approve money and identities from nothing.
    simulators: bool | None = None

    @property
    def simulators_enabled(self) -> bool:
        """What every domain asks before it runs a simulator (handed in by the composition root)."""
        return self.env in ("dev", "test") and self.simulators is not False

    @property
    def docs_enabled(self) -> bool:
        return self.http.docs if self.http.docs is not None else self.env in ("dev", "test")

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        if self.env == "prod":
            if self.simulators:
                raise ValueError("YAGONA_SIMULATORS may not be true in prod: simulators run only in dev and test")
            secret = self.secret_key.get_secret_value()
            if secret == DEV_SECRET or not _strong(secret):
                raise ValueError("YAGONA_SECRET_KEY is weak: outside dev and test it needs 32+ varied characters")
            if self.staff_api_key is not None and not _strong(self.staff_api_key.get_secret_value()):
                raise ValueError("YAGONA_STAFF_API_KEY is weak: outside dev and test it needs 32+ varied characters")
        return self


def _strong(secret: str) -> bool:
    return len(secret) >= 32 and len(set(secret)) >= 10

"""Mediation settings (`YAGONA_MEDIATION_` prefix)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MediationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_MEDIATION_", extra="ignore")

    # None: the bus's (YAGONA_BUS__NATS_URL).
    nats_url: str | None = None
    # A work-queue stream holding `<subject_prefix>.<shard>`; each record is removed once acknowledged.
    stream: str = Field(default="YAGONA_USAGE", pattern=r"^[A-Z][A-Z0-9_]{0,31}$")
    subject_prefix: str = Field(default="yagona.usage", pattern=r"^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31})*$")
    # Subjects per line: shard = CRC-32 of the normalised MSISDN mod `shards`. Fixed once records flow.
    shards: int = Field(default=16, ge=1, le=1024)
    # A record republished within this window (same record id) is dropped by JetStream.
    duplicate_window_s: float = Field(default=600.0, gt=0, le=7 * 86_400)
    # The durable pull consumer every rating worker shares.
    durable: str = Field(default="rating", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    batch_size: int = Field(default=200, ge=1, le=1_000)  # at most LimitSettings.batch_size_max
    fetch_wait_s: float = Field(default=1.0, gt=0, le=60)
    # A batch not acknowledged within this long (its worker died) is delivered again.
    ack_wait_s: float = Field(default=30.0, ge=1, le=3_600)
    # A record that fails the worker itself (not a refusal) this many times is terminated.
    max_deliveries: int = Field(default=5, ge=1, le=100)
    timeout_s: float = Field(default=5.0, gt=0, le=60)

"""Notify's own settings (`YAGONA_NOTIFY_` prefix): the SMS gateway (Eskiz), the SMS limits,
web push (VAPID). `platform/settings.py` knows no domain, so they live here; the composition
root builds them once and hands them to `notify.delivery.for_environment`."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

URL = r"^https?://[^\s?#]+$"


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAGONA_NOTIFY_", extra="ignore", frozen=True)

    # --- SMS through Eskiz (docs/notify.md). No URL: the dev outbox in dev and test, and no
    # SMS leaves in prod (messages stay queued) until one is configured.
    eskiz_url: str | None = Field(default=None, pattern=URL)  # https://notify.eskiz.uz
    eskiz_email: str | None = None
    eskiz_password: SecretStr | None = None
    # The sender name ("nick") Eskiz approved for the account; 4546 is Eskiz's own test sender.
    sms_sender: str = Field(default="4546", min_length=1, max_length=11)
    eskiz_timeout_s: float = Field(default=5.0, gt=0, le=60)
    # Our public base URL as the gateway reaches it: delivery receipts come back to
    # {public_url}/api/v1/notify/sms/eskiz/{message id}/{token}. None: no receipts asked.
    public_url: str | None = Field(default=None, pattern=URL)

    # --- SMS limits
    # A text longer than this many parts is refused when it is queued (`sms_too_long`).
    sms_max_parts: int = Field(default=6, ge=1, le=20)
    # Per phone, per window: at most `sms_per_phone_max` ordinary messages (reminders,
    # notices); urgent ones (one-time codes, security alerts) have their own budget of
    # `sms_urgent_per_phone_max`, which ordinary messages never use. Over it, a message
    # waits (`rate_limited`) until the window lets it through.
    sms_window_s: int = Field(default=3600, ge=60, le=86_400)
    sms_per_phone_max: int = Field(default=5, ge=1, le=1000)
    sms_urgent_per_phone_max: int = Field(default=10, ge=1, le=1000)
    # A gateway that does not answer: the message is tried again this much later, at most
    # `delivery_attempts_max` times, then it is `failed`.
    retry_after_s: int = Field(default=60, ge=1, le=86_400)
    delivery_attempts_max: int = Field(default=5, ge=1, le=100)

    # --- Web push (RFC 8291 payloads, RFC 8292 VAPID). `yagona notify vapid-keys` prints a pair.
    vapid_private_key: SecretStr | None = None
    vapid_public_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{80,100}$")
    vapid_subject: str = "mailto:support@yagona.uz"
    push_timeout_s: float = Field(default=5.0, gt=0, le=60)
    push_ttl_s: int = Field(default=86_400, ge=0, le=2_419_200)
    # The push services a browser may name as its endpoint (https only): nothing else is ever
    # called with a customer's subscription. Dev and test also allow http://127.0.0.1 (stand-ins).
    push_hosts: tuple[str, ...] = (
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        ".notify.windows.com",
    )

    @property
    def push_enabled(self) -> bool:
        return self.vapid_private_key is not None and self.vapid_public_key is not None

"""Web push: the VAPID key pair (RFC 8292), which endpoints a subscription may name, and the
sender that encrypts a payload to a device (RFC 8291, aes128gcm) and posts it with
`pywebpush`. Called by `delivery` and `subscriptions`; holds no state."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from yagona.notify.schemas import PushOutcome, PushTarget

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_vapid_keys() -> tuple[str, str]:
    """A fresh P-256 pair as browsers and `pywebpush` take it: the raw private scalar and the
    uncompressed public point, both base64url without padding."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(private), b64url(public)


def endpoint_allowed(endpoint: str, *, hosts: tuple[str, ...], loopback: bool) -> bool:
    """A known push service over https (an entry starting with "." is a domain suffix); with
    `loopback` (dev, test) also a stand-in on this machine."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if loopback and host in LOOPBACK and parts.scheme in ("http", "https"):
        return True
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return False
    return any(host == h or (h.startswith(".") and host.endswith(h)) for h in hosts)


def keys_valid(p256dh: str, auth: str) -> bool:
    """The browser's P-256 public key (65 bytes, uncompressed) and a 16-byte auth secret."""
    try:
        public, secret = unb64url(p256dh), unb64url(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    except (ValueError, binascii.Error):
        return False
    return len(public) == 65 and len(secret) == 16


@dataclass(frozen=True)
class WebPushSender:
    vapid_private_key: str
    subject: str
    timeout_s: float
    ttl_s: int

    def push(self, target: PushTarget, payload: str) -> PushOutcome:
        # Imported on first push: pywebpush brings aiohttp and requests, a second of start-up
        # that every CLI command and server process would pay for nothing.
        import requests  # noqa: PLC0415
        from pywebpush import WebPushException, webpush  # noqa: PLC0415

        subscription = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        try:
            webpush(
                subscription_info=subscription,
                data=payload,
                vapid_private_key=self.vapid_private_key,
                vapid_claims={"sub": self.subject},  # a fresh dict: webpush adds aud and exp to it
                content_encoding="aes128gcm",
                timeout=self.timeout_s,
                ttl=self.ttl_s,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            return "gone" if status in (404, 410) else "failed"
        except requests.RequestException:
            return "failed"
        return "accepted"

"""Web push's own rules: the key pair the CLI prints, and which endpoints a browser may name."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner

from yagona.app.cli import app
from yagona.notify.push import endpoint_allowed, keys_valid
from yagona.notify.settings import NotifySettings


def _raw(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_vapid_keys_prints_a_matching_p256_pair_as_settings() -> None:
    result = CliRunner().invoke(app, ["notify", "vapid-keys"])
    assert result.exit_code == 0, result.output
    values = dict(line.split("=", 1) for line in result.output.strip().splitlines())
    private, public = values["YAGONA_NOTIFY_VAPID_PRIVATE_KEY"], values["YAGONA_NOTIFY_VAPID_PUBLIC_KEY"]
    key = ec.derive_private_key(int.from_bytes(_raw(private), "big"), ec.SECP256R1())
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert _raw(public) == point and len(point) == 65
    assert NotifySettings(vapid_private_key=private, vapid_public_key=public).push_enabled  # type: ignore[arg-type]


HOSTS = NotifySettings().push_hosts


@pytest.mark.parametrize(
    ("endpoint", "loopback", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", False, True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", False, True),
        ("https://web.push.apple.com/QGx", False, True),
        ("https://db5p.notify.windows.com/w/?token=x", False, True),
        ("http://fcm.googleapis.com/fcm/send/abc", False, False),  # not https
        ("https://fcm.googleapis.com.evil.example/x", False, False),
        ("https://evilnotify.windows.com/x", False, False),  # a suffix is a whole label
        ("https://user:pw@fcm.googleapis.com/x", False, False),
        ("https://10.0.0.5/internal", False, False),
        ("http://127.0.0.1:9000/wpush/a", False, False),  # a stand-in: dev and test only
        ("http://127.0.0.1:9000/wpush/a", True, True),
    ],
)
def test_only_a_known_push_service_may_be_an_endpoint(endpoint: str, loopback: bool, allowed: bool) -> None:
    assert endpoint_allowed(endpoint, hosts=HOSTS, loopback=loopback) is allowed


def test_keys_must_be_a_p256_point_and_a_16_byte_secret() -> None:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    p256dh = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
    assert keys_valid(p256dh, "A" * 22)
    assert not keys_valid("A" * 87, "A" * 22)  # not a point on the curve
    assert not keys_valid(p256dh, "A" * 20)  # 15 bytes

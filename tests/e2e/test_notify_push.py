"""Web push over real sockets: the customer's devices (`/api/v1/me/push/subscriptions` and the
page `/account/notifications`) answer only to that customer; a queued push is encrypted to
each device (RFC 8291, aes128gcm) and signed (VAPID, RFC 8292) — the push-service stand-in
below receives the POST and the test decrypts it with the device's private key; a device
the push service no longer knows (410) is forgotten. SQLite: the channel is the subject."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import http_ece
import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi import FastAPI, Request, Response

from tests.e2e.server import serving
from tests.factories import identity as identities
from yagona.app import worker
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.notify import delivery
from yagona.notify import service as notify
from yagona.notify.push import new_vapid_keys
from yagona.notify.schemas import Channel, Language
from yagona.notify.settings import NotifySettings
from yagona.platform.bus import EventEnvelope
from yagona.platform.settings import Settings

DILNOZA, BOBUR = "998901234567", "998907654321"
ME = "/api/v1/me/push/subscriptions"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A browser's push subscription: its own key pair and auth secret (what it decrypts with)."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def json(self) -> dict[str, object]:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, str]:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        decoded: dict[str, str] = json.loads(plain)
        return decoded


@dataclass
class Site:
    url: str
    push_url: str
    container: Container
    vapid_public: str
    received: list[tuple[str, dict[str, str], bytes]]
    customers: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, phone: str | None = None) -> httpx.Client:
        cookies = {"yagona_session": self.tokens[phone]} if phone else {}
        return httpx.Client(base_url=self.url, cookies=cookies, timeout=10, headers={"User-Agent": "Firefox 140"})


def _push_service() -> tuple[FastAPI, list[tuple[str, dict[str, str], bytes]]]:
    """A push service: takes a message for a device (201), or says the device is gone (410)."""
    app = FastAPI()
    received: list[tuple[str, dict[str, str], bytes]] = []

    @app.post("/wpush/{device}")
    async def receive(device: str, request: Request) -> Response:
        received.append((device, dict(request.headers), await request.body()))
        return Response(status_code=410 if device.startswith("gone") else 201)

    return app, received


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def site(settings: Settings, container: Container) -> Iterator[Site]:
    before = delivery.current()
    private, public = new_vapid_keys()
    configured = NotifySettings(vapid_private_key=private, vapid_public_key=public)  # type: ignore[arg-type]
    wired = delivery.for_environment(configured, env="test", secret_key=settings.secret_key.get_secret_value())
    delivery.install(wired)
    app = create_app(settings, container=container)
    push_app, received = _push_service()
    with serving(app) as url, serving(push_app) as push_url:
        site = Site(url, push_url, replace(container, delivery=wired), public, received)
        with container.uow() as uow:
            for phone in (DILNOZA, BOBUR):
                site.customers[phone] = identities.customer(uow, app.state.identity, phone).id
                signed = identities.signed_in(uow, app.state.identity, phone)
                site.tokens[phone] = signed.token.get_secret_value()
            uow.commit()
        try:
            yield site
        finally:
            delivery.install(before)


def test_only_the_customer_manages_their_devices_through_the_api_and_the_page(site: Site) -> None:
    phone = Browser(f"{site.push_url}/wpush/dilnoza-phone")
    with site.client() as anonymous, site.client(DILNOZA) as dilnoza, site.client(BOBUR) as bobur:
        assert anonymous.get(ME).status_code == 401
        assert anonymous.post(ME, json=phone.json()).status_code == 401
        assert dilnoza.get(ME).json() == {"vapid_public_key": site.vapid_public, "devices": []}

        made = dilnoza.post(ME, json=phone.json())
        assert made.status_code == 201, made.text
        device = made.json()
        assert device["push_service"] == "127.0.0.1" and device["user_agent"] == "Firefox 140"
        again = dilnoza.post(ME, json=phone.json())  # the browser renews: the same device
        assert again.status_code == 201 and again.json()["id"] == device["id"]

        # Not a push service, not its keys: refused, nothing written.
        elsewhere = dilnoza.post(ME, json={**phone.json(), "endpoint": "https://evil.example/collect"})
        assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "push_subscription_invalid"
        no_key = dilnoza.post(
            ME, json={"endpoint": phone.endpoint + "x", "keys": {"p256dh": "A" * 87, "auth": "A" * 22}}
        )
        assert no_key.status_code == 422 and no_key.json()["code"] == "push_subscription_invalid"
        assert [d["id"] for d in dilnoza.get(ME).json()["devices"]] == [device["id"]]

        # Another customer neither sees nor removes it: "not found", and it stays.
        assert bobur.get(ME).json()["devices"] == []
        taken = bobur.delete(f"{ME}/{device['id']}")
        assert taken.status_code == 404 and taken.json()["code"] == "push_subscription_not_found"
        page = bobur.get("/account/notifications")
        assert page.status_code == 200 and device["id"] not in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        removed = bobur.post(f"/account/notifications/devices/{device['id']}/remove", data={"csrf_token": token[1]})
        assert removed.status_code == 404
        assert len(dilnoza.get(ME).json()["devices"]) == 1

        # Her page lists it, with the key a browser subscribes with; she removes it there.
        page = dilnoza.get("/account/notifications")
        assert page.status_code == 200 and "Firefox 140" in page.text and site.vapid_public in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        assert dilnoza.post(f"/account/notifications/devices/{device['id']}/remove").status_code == 403  # no token
        done = dilnoza.post(f"/account/notifications/devices/{device['id']}/remove", data={"csrf_token": token[1]})
        assert done.status_code == 303 and dilnoza.get(ME).json()["devices"] == []
        assert anonymous.get("/account/notifications").status_code == 303  # to the sign-in page

        # The API's own removal; a second time it is gone.
        again = dilnoza.post(ME, json=phone.json()).json()
        assert dilnoza.delete(f"{ME}/{again['id']}").status_code == 204
        assert dilnoza.delete(f"{ME}/{again['id']}").status_code == 404


def test_a_push_is_encrypted_to_each_device_and_a_gone_device_is_forgotten(site: Site) -> None:
    phone, old = Browser(f"{site.push_url}/wpush/phone"), Browser(f"{site.push_url}/wpush/gone-laptop")
    sent: list[EventEnvelope] = []
    site.container.bus.subscribe("notify.message_sent", "test.recorder", sent.append)
    with site.client(DILNOZA) as dilnoza:
        for browser in (phone, old):
            assert dilnoza.post(ME, json=browser.json()).status_code == 201
        customer = site.customers[DILNOZA]
        with site.container.uow() as uow:
            message_id = notify.queue(
                uow,
                channel=Channel.PUSH,
                recipient=customer,
                template="notify.text",
                language=Language.UZ,
                params={"text": "Ertaga 95 000 so'm yechiladi, balansda 12 000 so'm."},
                sealer=notify.sealer_for(site.container.settings.secret_key.get_secret_value()),
            )
            uow.commit()
        assert worker.run_pass(site.container).sent == 1

        assert sorted(device for device, _, _ in site.received) == ["gone-laptop", "phone"]
        _, headers, body = next(r for r in site.received if r[0] == "phone")
        assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
        assert phone.decrypt(body) == {
            "title": "Yagona",
            "body": "Ertaga 95 000 so'm yechiladi, balansda 12 000 so'm.",
            "url": "/",
            "tag": "notify.text",
        }
        with pytest.raises(Exception, match=r"(?i)decrypt|tag|invalid"):
            old.decrypt(body)  # encrypted to that device alone
        _verify_vapid(headers["authorization"], site.vapid_public, audience=site.push_url)

        # The push service said the laptop is gone: it is no longer the customer's device.
        assert [d["push_service"] for d in dilnoza.get(ME).json()["devices"]] == ["127.0.0.1"]
    assert [e.payload for e in sent] == [
        {"message_id": message_id, "channel": "push", "recipient": customer, "template": "notify.text"}
    ]


def _verify_vapid(authorization: str, public_key: str, *, audience: str) -> None:
    """`vapid t=<JWT>, k=<key>`: signed (ES256) by our VAPID key, for this push service."""
    fields = dict(part.strip().split("=", 1) for part in authorization.removeprefix("vapid ").split(","))
    assert fields["k"] == public_key
    header, claims, signature = fields["t"].split(".")
    raw = unb64url(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(unb64url(claims))["aud"] == audience

"""The notifications page in Debian's Chromium at 360×740: signed in, the customer sees their
device and the button the script shows where the browser can push; stopping the device
removes it. axe on the page. (Subscribing itself needs a browser profile that may push and
a push service: headless Chromium here has neither; the API and the payload are tested in
tests/e2e/test_notify_push.py.)"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from playwright.sync_api import Page

from tests.e2e.browser.axe import assert_accessible
from tests.e2e.browser.screenshots import screenshot
from tests.factories.identity import PASSWORD, customer
from yagona.app.bootstrap import Container
from yagona.notify import subscriptions

PHONE = "998901234567"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_the_notifications_page_lists_stops_and_offers_to_turn_on(
    page: Page, base_url: str, app: FastAPI, container: Container, tmp_path: Path
) -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    with container.uow() as uow:
        someone = customer(uow, app.state.identity, PHONE)
        subscriptions.subscribe(
            uow,
            customer_id=someone.id,
            endpoint="http://127.0.0.1:9/wpush/old-phone",
            p256dh=_b64(point),
            auth=_b64(os.urandom(16)),
            user_agent="Old phone browser",
        )
        uow.commit()

    page.goto("/account/notifications")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button:not([formaction])").click()
    page.wait_for_url("**/account/notifications")
    page.goto("/account/notifications?lang=en")
    assert page.get_by_text("Old phone browser").is_visible()
    button = page.get_by_role("button", name="Turn on notifications on this device")
    assert button.is_visible()  # the script showed it: this browser can push
    assert_accessible(page)
    screenshot(page, tmp_path, "notifications")

    page.get_by_role("button", name="Stop notifications").first.click()
    page.wait_for_url("**/account/notifications")
    assert page.get_by_text("No device receives notifications.").is_visible()
    with container.uow() as uow:
        left = subscriptions.devices(uow, customer_id=someone.id)
    assert all(device.user_agent != "Old phone browser" for device in left)

"""The notifications page in Debian's Chromium at 360×740: signed in, the customer sees their
device and the button the script shows where the browser can push; stopping the device
removes it. axe on the page. (Subscribing itself needs a browser profile that may push and
a push service: headless Chromium here has neither; the API and the payload are tested in
tests/e2e/test_notify_push.py.)"""

from __future__ import annotations

import base64
import json
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


# The browser's push service stands in for the real one (Google's FCM for Chromium) only at
# the last step: `PushManager.subscribe` answers a subscription of a loopback push service,
# with real P-256 keys, instead of registering with FCM (unreachable here: see docs/notify.md).
STAND_IN_PUSH_SERVICE = """
(() => {
  PushManager.prototype.subscribe = async function (options) {
    sessionStorage.setItem("subscribeOptions", JSON.stringify({ userVisibleOnly: options.userVisibleOnly,
                           key: Array.from(new Uint8Array(options.applicationServerKey)) }));
    const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    const json = { endpoint: "http://127.0.0.1:9/push/this-browser", expirationTime: null,
                   keys: { p256dh: b64(raw), auth: b64(crypto.getRandomValues(new Uint8Array(16))) } };
    return { endpoint: json.endpoint, toJSON: () => json };
  };
})();
"""


def test_turning_on_notifications_registers_the_worker_and_stores_the_subscription(
    page: Page, base_url: str, app: FastAPI, container: Container
) -> None:
    with container.uow() as uow:
        someone = customer(uow, app.state.identity, PHONE)
        uow.commit()
    page.context.grant_permissions(["notifications"], origin=base_url)
    page.add_init_script(STAND_IN_PUSH_SERVICE)
    page.goto("/account/notifications")
    page.locator("#phone").fill(PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button:not([formaction])").click()
    page.wait_for_url("**/account/notifications")
    page.goto("/account/notifications?lang=en")
    assert page.get_by_text("No device receives notifications.").is_visible()

    # What the real Push API says here, in a tab of its own (its console error is expected):
    # Playwright's contexts are incognito-like, where Chromium has no Push API at all.
    probe = page.context.new_page()
    probe.goto("/account/notifications?lang=en")
    real = probe.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.register("/sw.js");
          await navigator.serviceWorker.ready;
          try {
            await registration.pushManager.subscribe({ userVisibleOnly: true,
              applicationServerKey: document.getElementById("push-enable").getAttribute("data-vapid-key") });
            return "subscribed";
          } catch (error) { return error.name + ": " + error.message; }
        }"""
    )
    probe.close()
    assert real.startswith("AbortError: Registration failed"), real

    with page.expect_navigation():  # the script reloads the page once the server kept the device
        page.get_by_role("button", name="Turn on notifications on this device").click()
    assert page.evaluate("() => Notification.permission") == "granted"
    worker = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).active.scriptURL")
    assert worker == f"{base_url}/sw.js"
    assert "HeadlessChrome" in page.get_by_test_id("devices").inner_text()  # this browser, listed
    assert not page.get_by_text("No device receives notifications.").is_visible()
    with container.uow() as uow:
        [device] = subscriptions.devices(uow, customer_id=someone.id)
        vapid = subscriptions.vapid_public_key()
    assert device.push_service == "127.0.0.1"
    assert "Chrome" in device.user_agent
    # the script subscribed with the server's VAPID key (applicationServerKey), visible notifications only
    options = json.loads(page.evaluate("() => sessionStorage.getItem('subscribeOptions')"))
    assert vapid is not None and bytes(options["key"]) == base64.urlsafe_b64decode(vapid + "=" * (-len(vapid) % 4))
    assert options["userVisibleOnly"] is True

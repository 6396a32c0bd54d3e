"""Which gateway each environment gets from the settings (the composition root's choice)."""

from __future__ import annotations

import pytest

from yagona.notify import delivery
from yagona.notify.eskiz import EskizGateway
from yagona.notify.schemas import OutboxGateway
from yagona.notify.settings import NotifySettings

ESKIZ = "https://notify.eskiz.uz"


def test_prod_sends_nothing_without_a_gateway_and_refuses_eskiz_without_credentials() -> None:
    bare = delivery.for_environment(NotifySettings(), env="prod", secret_key="k")
    assert (bare.sms, bare.push, bare.email) == (None, None, None)  # messages wait; none marked sent
    with pytest.raises(ValueError, match="ESKIZ_EMAIL"):
        delivery.for_environment(NotifySettings(eskiz_url=ESKIZ), env="prod", secret_key="k")
    configured = NotifySettings(eskiz_url=ESKIZ, eskiz_email="ops@yagona.uz", eskiz_password="p")  # type: ignore[arg-type]
    assert isinstance(delivery.for_environment(configured, env="prod", secret_key="k").sms, EskizGateway)


def test_dev_uses_the_outbox_unless_a_gateway_is_configured_and_can_always_push() -> None:
    dev = delivery.for_environment(NotifySettings(), env="dev", secret_key="k")
    assert isinstance(dev.sms, OutboxGateway) and dev.push is not None and dev.settings.push_enabled
    stand_in = NotifySettings(eskiz_url="http://127.0.0.1:8000/eskiz-simulator")
    assert isinstance(delivery.for_environment(stand_in, env="test", secret_key="k").sms, EskizGateway)


def test_a_receipt_url_carries_a_token_of_that_message_alone() -> None:
    wired = delivery.for_environment(NotifySettings(public_url="https://yagona.uz"), env="prod", secret_key="k")
    url = wired.callback_url("m1")
    assert url == f"https://yagona.uz/api/v1/notify/sms/eskiz/m1/{delivery.callback_token('k', 'm1')}"
    assert delivery.callback_token("k", "m1") != delivery.callback_token("k", "m2")
    assert delivery.for_environment(NotifySettings(), env="prod", secret_key="k").callback_url("m1") is None

"""Wallet PINs as HMAC-SHA-256 with a pepper outside the database: PINs stored as Argon2id
before verify once and are rehashed; wrong PINs still lock; a rotated pepper keeps the old
PINs working and moves each to the new pepper on its next success."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import update

from tests.factories.wallet import PIN, phone, register, som, top_up
from yagona.app.bootstrap import Container
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.platform.settings import Settings
from yagona.wallet import rules, service
from yagona.wallet.models import WalletAccount
from yagona.wallet.settings import WalletSettings

A, B = phone(1), phone(2)
NEW_PEPPER = "a-new-pepper-of-thirty-two-characters-or-more"


@pytest.fixture
def wallets(container: Container) -> Container:
    with container.uow() as uow:
        register(uow, A)
        register(uow, B)
        top_up(uow, A, som(1_000))
        uow.commit()
    return container


@pytest.fixture
def rotated(settings: Settings) -> Iterator[None]:
    """The operator rotates the pepper: a new one with id 2, the first (derived) kept as id 1."""
    before = service.current()
    first = before.settings.pin_peppers(settings.secret_key.get_secret_value())["1"].decode()
    rotated = WalletSettings(
        pin_pepper=SecretStr(NEW_PEPPER), pin_pepper_id="2", pin_old_peppers={"1": SecretStr(first)}
    )
    service.configure(
        service.make_context(settings=rotated, env="test", secret_key=settings.secret_key.get_secret_value())
    )
    yield
    service.configure(before)


def _stored(container: Container, number: str) -> str:
    with container.uow() as uow:
        row = uow.session.get(WalletAccount, number)
        assert row is not None and row.pin_hash is not None
        return row.pin_hash


def _send(container: Container, pin: str) -> None:
    with container.uow() as uow:
        service.transfer(uow, from_phone=A, to_phone=B, amount=100, pin=pin, idempotency_key=new_id())
        uow.commit()


def _store_argon2(container: Container, number: str, pin: str) -> str:
    legacy = rules.pin_hasher(time_cost=1, memory_kib=8, parallelism=1).hash(pin)
    with container.uow() as uow:
        uow.session.execute(update(WalletAccount).where(WalletAccount.phone == number).values(pin_hash=legacy))
        uow.commit()
    return legacy


def test_a_new_pin_is_a_peppered_hmac_without_the_pin(wallets: Container) -> None:
    stored = _stored(wallets, A)
    assert stored.startswith("$hmac-sha256$1$") and PIN not in stored
    assert stored != _stored(wallets, B)  # the same PIN, salted apart


def test_an_argon2_pin_verifies_once_and_is_rehashed(wallets: Container) -> None:
    legacy = _store_argon2(wallets, A, PIN)
    with pytest.raises(YagonaError) as wrong:
        _send(wallets, "11111")
    assert wrong.value.code == "invalid_pin" and wrong.value.details == {"attempts_left": 2}
    assert _stored(wallets, A) == legacy  # a wrong PIN migrates nothing
    _send(wallets, PIN)
    assert _stored(wallets, A).startswith("$hmac-sha256$1$")
    _send(wallets, PIN)  # and the new hash verifies
    with wallets.uow() as uow:
        assert service.get(uow, phone=B).balance == 200


def test_wrong_pins_on_an_argon2_hash_still_lock(wallets: Container) -> None:
    _store_argon2(wallets, A, PIN)
    codes = []
    for _ in range(3):
        with pytest.raises(YagonaError) as caught:
            _send(wallets, "11111")
        codes.append(caught.value)
    assert "locked_until" in codes[-1].details
    with pytest.raises(YagonaError) as still:
        _send(wallets, PIN)  # even the right PIN while locked
    assert still.value.code == "invalid_pin"
    assert _stored(wallets, A).startswith("$argon2id$")


def test_a_rotated_pepper_verifies_the_old_pins_and_moves_them(wallets: Container, rotated: None) -> None:
    assert _stored(wallets, A).startswith("$hmac-sha256$1$")
    _send(wallets, PIN)
    assert _stored(wallets, A).startswith("$hmac-sha256$2$")
    assert _stored(wallets, B).startswith("$hmac-sha256$1$")  # untouched until its own next success
    _send(wallets, PIN)


def test_a_pin_under_a_pepper_no_longer_kept_does_not_verify(wallets: Container, settings: Settings) -> None:
    before = service.current()
    alone = WalletSettings(pin_pepper=SecretStr(NEW_PEPPER), pin_pepper_id="2")
    service.configure(
        service.make_context(settings=alone, env="test", secret_key=settings.secret_key.get_secret_value())
    )
    try:
        with pytest.raises(YagonaError) as caught:
            _send(wallets, PIN)
        assert caught.value.code == "invalid_pin"
    finally:
        service.configure(before)

"""Field-level encryption of the most sensitive personal fields (issue 16, part 8): birth
dates and identity documents are sealed at rest with the key's id in front; rotating the key
re-seals every row (and seals rows from before sealing); values read back unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select, text

from tests.factories import wallet as wallet_factory
from yagona.app.bootstrap import Container
from yagona.app.metadata import all_metadata
from yagona.platform.sealing import KeyRing, SealError, configure_field_keys, field_keys
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy
from yagona.wallet import service as wallets

PHONE = "998901234567"


@pytest.fixture
def restore_ring(container: Container) -> Iterator[None]:
    before = field_keys()
    yield
    configure_field_keys(before)


def _stored(container: Container) -> tuple[str, str]:
    with container.uow() as uow:
        row = uow.session.execute(
            text("SELECT birth_date, identity_document FROM wallet_account WHERE phone = :p"), {"p": PHONE}
        ).one()
    return str(row[0]), str(row[1])


def _birth_date(container: Container) -> date:
    """The birth date as the model reads it (through the sealed column type)."""
    table = all_metadata().tables["wallet_account"]
    with container.uow() as uow:
        found: date = uow.session.execute(select(table.c.birth_date).where(table.c.phone == PHONE)).scalar_one()
    return found


def test_keys_rotate_and_values_read_back(container: Container, settings: Settings, restore_ring: None) -> None:
    assert ("wallet_account", "birth_date") in privacy.sealed_columns()
    assert ("identity_customer", "birth_date") in privacy.sealed_columns()
    with container.uow() as uow:
        wallet_factory.register(uow, PHONE, birth_date=date(1990, 5, 17))
        wallets.identify(uow, phone=PHONE, document="AA1234567", staff="test-office")
        uow.commit()
    birth, document = _stored(container)
    assert birth.startswith("$f$k1$") and document.startswith("$f$k1$")  # sealed at rest
    assert "1990" not in birth and "AA1234567" not in document

    old = settings.secret_key.get_secret_value()
    configure_field_keys(KeyRing.parse(f"k2:a-new-field-key-of-32-characters!,k1:{old}", fallback_secret=old))
    assert _birth_date(container) == date(1990, 5, 17)  # the old key still opens
    with container.uow() as uow:
        done = privacy.rotate_keys(uow)
        uow.commit()
    assert done["wallet_account.birth_date"] == 1 and done["wallet_account.identity_document"] == 1
    birth, document = _stored(container)
    assert birth.startswith("$f$k2$") and document.startswith("$f$k2$")
    with container.uow() as uow:
        assert privacy.rotate_keys(uow)["wallet_account.birth_date"] == 0  # nothing left to re-seal

    configure_field_keys(KeyRing.parse("k2:a-new-field-key-of-32-characters!", fallback_secret=old))
    assert _birth_date(container) == date(1990, 5, 17)  # the old key dropped: every value still reads
    configure_field_keys(KeyRing.parse("k3:yet-another-key-nobody-rotated-to", fallback_secret=old))
    with pytest.raises(SealError):
        _birth_date(container)  # a key missing from the ring: refused, not guessed


def test_rows_from_before_sealing_are_read_and_then_sealed(container: Container, restore_ring: None) -> None:
    with container.uow() as uow:
        wallet_factory.register(uow, PHONE, birth_date=date(1990, 5, 17))
        uow.session.execute(
            text("UPDATE wallet_account SET birth_date = '1985-07-15', identity_document = 'AB7654321'")
        )  # as the migration leaves an old row
        uow.commit()
    assert _birth_date(container) == date(1985, 7, 15)
    with container.uow() as uow:
        assert privacy.rotate_keys(uow)["wallet_account.birth_date"] == 1
        uow.commit()
    birth, document = _stored(container)
    assert birth.startswith("$f$k1$") and document.startswith("$f$k1$")
    assert _birth_date(container) == date(1985, 7, 15)


def test_a_bad_key_ring_is_refused() -> None:
    with pytest.raises(ValueError, match="key id"):
        KeyRing.parse("K-2:secret", fallback_secret="x")
    with pytest.raises(ValueError, match="YAGONA_FIELD_KEYS"):
        KeyRing.parse("k2", fallback_secret="x")

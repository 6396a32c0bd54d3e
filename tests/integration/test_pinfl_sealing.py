"""The PINFL sealed at rest and found by a keyed hash (issue 16, part 8), on SQLite and
PostgreSQL: the raw columns hold no digit of it, the national OneID still signs in by it, two
customers cannot share it, `rotate-keys` re-seals it and recomputes the hash, erasure clears
both, and the migration converts (and gives back) existing rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.factories import home as home_factory
from tests.factories.identity import context, customer
from yagona.app.bootstrap import Container
from yagona.identity import service as identity
from yagona.identity.errors import PhoneTakenError
from yagona.identity.schemas import DeviceInfo, OneIdProfile
from yagona.platform import migrate
from yagona.platform.sealing import KeyRing, configure_field_keys, field_keys
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy

PINFL = "31505901234567"
PROFILE = OneIdProfile(pin=PINFL, full_name="ALIMOVA DILNOZA", valid=True)


@pytest.fixture
def restore_ring(container: Container) -> Iterator[None]:
    before = field_keys()
    yield
    configure_field_keys(before)


def _raw(container: Container, customer_id: str) -> tuple[str | None, str | None]:
    with container.uow() as uow:
        row = uow.session.execute(
            text("SELECT pinfl, pinfl_lookup FROM identity_customer WHERE id = :id"), {"id": customer_id}
        ).one()
    return row[0], row[1]


def _verified(container: Container, settings: Settings, phone: str = "998901234567") -> str:
    ctx = context(settings)
    with container.uow() as uow:
        holder = customer(uow, ctx, phone)
        uow.commit()
    home_factory.verify(container.uow, ctx, holder.id, PINFL)
    return holder.id


def _signs_in(container: Container, settings: Settings) -> str:
    """The national OneID sign-in (no customer yet in the browser): whom it signs in."""
    with container.uow() as uow:
        _, signed = identity.apply_oneid_profile(
            uow, ctx=context(settings), customer_id=None, profile=PROFILE, device=DeviceInfo(device_id="x")
        )
        uow.commit()
    assert signed is not None
    return signed.session.customer_id


def test_the_pinfl_is_sealed_at_rest_and_oneid_still_finds_the_customer(
    container: Container, settings: Settings
) -> None:
    holder = _verified(container, settings)
    sealed, lookup = _raw(container, holder)
    assert sealed is not None and sealed.startswith("$f$k1$") and lookup is not None and lookup.startswith("k1$")
    for digits in (PINFL, PINFL[:7], PINFL[7:]):
        assert digits not in sealed and digits not in lookup  # no digit run of it in plain SQL
    assert len(lookup) == len("k1$") + 64
    with container.uow() as uow:
        assert identity.get_customer(uow, customer_id=holder).id == holder
    assert _signs_in(container, settings) == holder  # the OneID sign-in still links by the PINFL


def test_two_customers_cannot_share_a_pinfl(container: Container, settings: Settings) -> None:
    first = _verified(container, settings)
    ctx = context(settings)
    with container.uow() as uow:
        other = customer(uow, ctx, "998935550000")
        uow.commit()
    with container.uow() as uow, pytest.raises(PhoneTakenError):  # the service refuses: linked to another customer
        identity.apply_oneid_profile(uow, ctx=ctx, customer_id=other.id, profile=PROFILE, device=None)
    _, lookup = _raw(container, first)
    with container.uow() as uow, pytest.raises(IntegrityError):  # and the database itself
        uow.session.execute(
            text("UPDATE identity_customer SET pinfl_lookup = :l WHERE id = :id"), {"l": lookup, "id": other.id}
        )
        uow.session.flush()


def test_rotation_reseals_and_recomputes_the_lookup(
    container: Container, settings: Settings, restore_ring: None
) -> None:
    holder = _verified(container, settings)
    old = settings.secret_key.get_secret_value()
    configure_field_keys(KeyRing.parse(f"k2:a-new-field-key-of-32-characters!,k1:{old}", fallback_secret=old))
    assert _signs_in(container, settings) == holder  # between the new key and the rotation: still found
    with container.uow() as uow:
        done = privacy.rotate_keys(uow)
        uow.commit()
    assert done["identity_customer.pinfl"] == 1 and done["identity_customer.pinfl_lookup"] == 1
    sealed, lookup = _raw(container, holder)
    assert sealed is not None and sealed.startswith("$f$k2$") and lookup is not None and lookup.startswith("k2$")
    with container.uow() as uow:
        again = privacy.rotate_keys(uow)
    assert again["identity_customer.pinfl"] == 0 and again["identity_customer.pinfl_lookup"] == 0
    configure_field_keys(KeyRing.parse("k2:a-new-field-key-of-32-characters!", fallback_secret=old))
    assert _signs_in(container, settings) == holder  # the old key dropped: found by the new hash
    with container.uow() as uow:
        profile = next(s for s in privacy.export(uow, customer_id=holder) if s.key == "identity.profile")
    assert profile.rows[0]["pinfl"] == PINFL and "pinfl_lookup" not in profile.rows[0]


def test_erasure_clears_both_columns(container: Container, settings: Settings) -> None:
    holder = _verified(container, settings)
    with container.uow() as uow:
        privacy.erase(uow, customer_id=holder, requested_by="cli")
        uow.commit()
    assert _raw(container, holder) == (None, None)


def test_the_migration_seals_existing_rows_and_the_downgrade_opens_them(
    container: Container, settings: Settings, engine: Engine
) -> None:
    holder = _verified(container, settings)
    try:
        _downgrade(engine, "20261202_crm_feedback")
        assert _raw_plain(engine, holder) == PINFL  # back to the plain 14 digits
        migrate.upgrade(engine)
    finally:
        if migrate.current(engine) != migrate.heads()[0]:
            migrate.upgrade(engine)
    sealed, lookup = _raw(container, holder)
    assert sealed is not None and sealed.startswith("$f$k1$") and PINFL not in sealed
    assert lookup == field_keys().lookup("identity_customer.pinfl", PINFL)
    assert _signs_in(container, settings) == holder


def _raw_plain(engine: Engine, customer_id: str) -> str:
    with engine.connect() as connection:
        found: str = connection.execute(
            text("SELECT pinfl FROM identity_customer WHERE id = :id"), {"id": customer_id}
        ).scalar_one()
    return found


def _downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

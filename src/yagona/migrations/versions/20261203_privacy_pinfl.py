"""privacy: the PINFL sealed at rest and found by a keyed hash (issue 16, part 8); legal holds
keep their document reference and the reason they were released (placed from the console).

`identity_customer.pinfl` becomes sealed text (`$f$<key id>$…`, AES-256-GCM) and
`identity_customer.pinfl_lookup` holds its HMAC-SHA-256 under a key derived from the current
field key (`<key id>$<hex>`), unique in place of the PINFL's own constraint. Existing rows are
sealed and hashed here, under YAGONA_FIELD_KEYS (or the key derived from YAGONA_SECRET_KEY):
run the upgrade with the deployment's settings. The downgrade opens them back to plain text.

Revision ID: 20261203_privacy_pinfl
Revises: 20261202_crm_feedback
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from yagona.platform.sealing import KeyRing, field_keys
from yagona.platform.settings import Settings

revision: str = "20261203_privacy_pinfl"
down_revision: str | Sequence[str] | None = "20261202_crm_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURPOSE = "identity_customer.pinfl"  # identity.repository.PINFL_LOOKUP
CUSTOMER = sa.table("identity_customer", sa.column("id", sa.String), sa.column("pinfl", sa.Text))
LOOKUP = sa.table("identity_customer", sa.column("id", sa.String), sa.column("pinfl_lookup", sa.String))


def _ring() -> KeyRing:
    """The ring the application uses (configured by the caller), else the settings'."""
    try:
        return field_keys()
    except RuntimeError:
        settings = Settings()
        spec = settings.field_keys.get_secret_value() if settings.field_keys else None
        return KeyRing.parse(spec, fallback_secret=settings.secret_key.get_secret_value())


def _rebuild(change: Callable[[], None]) -> None:
    """SQLite rebuilds the table (copy, drop, rename), and dropping it with rows of other
    tables pointing at it fails while foreign keys are enforced; they can only be switched off
    outside a transaction. So there: commit what came before, switch them off, rebuild, check
    every reference still holds (`PRAGMA foreign_key_check`), switch them back on."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        change()
        return
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        change()
        _references_hold(bind)
        bind.exec_driver_sql("COMMIT")
    except BaseException:
        bind.exec_driver_sql("ROLLBACK")
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys = ON")
        bind.exec_driver_sql("BEGIN IMMEDIATE")


def _seal_the_column() -> None:
    with op.batch_alter_table("identity_customer") as batch:
        batch.drop_constraint("uq_identity_customer_pinfl", type_="unique")
        batch.alter_column(
            "pinfl",
            existing_type=sa.String(length=14),
            type_=sa.Text(),
            existing_nullable=True,
            postgresql_using="pinfl::text",
        )
        batch.add_column(sa.Column("pinfl_lookup", sa.String(length=80), nullable=True))
        batch.create_unique_constraint(op.f("uq_identity_customer_pinfl_lookup"), ["pinfl_lookup"])


def _open_the_column() -> None:
    with op.batch_alter_table("identity_customer") as batch:
        batch.drop_constraint(op.f("uq_identity_customer_pinfl_lookup"), type_="unique")
        batch.drop_column("pinfl_lookup")
        batch.alter_column(
            "pinfl",
            existing_type=sa.Text(),
            type_=sa.String(length=14),
            existing_nullable=True,
            postgresql_using="pinfl::varchar(14)",
        )
        batch.create_unique_constraint(op.f("uq_identity_customer_pinfl"), ["pinfl"])


def _references_hold(bind: sa.Connection) -> None:
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"references broken by the rebuild: {broken[:5]}")


def upgrade() -> None:
    # All of it inside the one rebuild transaction: a failure half-way (a PINFL a key cannot
    # open, a broken reference) leaves the schema as it was, so the upgrade can simply be run again.
    _rebuild(_upgrade_in_one)


def _upgrade_in_one() -> None:
    with op.batch_alter_table("privacy_legal_hold") as batch:
        batch.add_column(sa.Column("reference", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("release_reason", sa.Text(), nullable=True))
    _seal_the_column()
    bind, ring = op.get_bind(), _ring()
    rows = bind.execute(sa.select(CUSTOMER.c.id, CUSTOMER.c.pinfl).where(CUSTOMER.c.pinfl.is_not(None))).all()
    for customer_id, stored in rows:
        plain = ring.open(stored)
        sealed = ring.seal(plain) if plain == stored else stored
        bind.execute(sa.update(CUSTOMER).where(CUSTOMER.c.id == customer_id).values(pinfl=sealed))
        lookup = ring.lookup(PURPOSE, plain)
        bind.execute(sa.update(LOOKUP).where(LOOKUP.c.id == customer_id).values(pinfl_lookup=lookup))


def downgrade() -> None:
    _rebuild(_downgrade_in_one)


def _downgrade_in_one() -> None:
    bind, ring = op.get_bind(), _ring()
    rows = bind.execute(sa.select(CUSTOMER.c.id, CUSTOMER.c.pinfl).where(CUSTOMER.c.pinfl.is_not(None))).all()
    for customer_id, stored in rows:
        bind.execute(sa.update(CUSTOMER).where(CUSTOMER.c.id == customer_id).values(pinfl=ring.open(stored)))
    _open_the_column()
    with op.batch_alter_table("privacy_legal_hold") as batch:
        batch.drop_column("release_reason")
        batch.drop_column("reference")

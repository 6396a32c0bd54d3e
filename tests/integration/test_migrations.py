"""One Alembic tree, one head; the models and the migrated schema agree on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect

from yagona.app.metadata import all_metadata
from yagona.platform import migrate


def test_the_tree_has_one_head_with_a_dated_domain_prefixed_name() -> None:
    heads = migrate.heads()
    assert len(heads) == 1
    versions = Path(migrate.__file__).parent.parent / "migrations" / "versions"
    for path in versions.glob("*.py"):
        date, domain = path.stem.split("_")[:2]
        assert date.isdigit() and len(date) == 8, path.name
        assert domain.isalpha(), path.name


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.heads()[0]
    assert migrate.differences(engine, all_metadata()) == []
    tables = set(inspect(engine).get_table_names())
    assert {"ledger_account", "ledger_balance", "ledger_transfer", "platform_outbox", "platform_job"} <= tables


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.differences(engine, all_metadata()) == []

"""A migrated SQLite database for a sandbox run, copied from a template kept in the user's
cache (`$XDG_CACHE_HOME/yagona`, else `~/.cache/yagona`), so a run does not import Alembic
and replay every migration. The template's name carries a digest of the migration files:
a new or changed migration makes a new template (the first run after it builds it)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import yagona

MIGRATIONS = Path(yagona.__file__).parent / "migrations" / "versions"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "yagona"


def template_name() -> str:
    digest = hashlib.sha256(yagona.__version__.encode())
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"sandbox-{digest.hexdigest()[:20]}.db"


def migrated_sqlite(path: Path) -> None:
    """Make `path` a SQLite database at the migrations' head."""
    template = cache_dir() / template_name()
    if not template.exists():
        from yagona.platform import migrate  # noqa: PLC0415 - Alembic only to build the template
        from yagona.platform.db import make_engine  # noqa: PLC0415

        template.parent.mkdir(parents=True, exist_ok=True)
        building = template.with_name(f"{template.name}.{os.getpid()}.tmp")
        engine = make_engine(f"sqlite:///{building}")
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()  # the last connection closes: the WAL is folded into the file
        os.replace(building, template)  # atomic: a concurrent run sees the whole file or none
    shutil.copyfile(template, path)

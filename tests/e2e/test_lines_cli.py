"""The lines' staff commands as a real process on a real (SQLite) database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.test_cli import yagona
from tests.factories.lines import connect
from yagona.app.bootstrap import bootstrap
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

MSISDN = "998911000001"


def test_an_unblock_says_what_it_charged(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "yagona.db")  # migrated by the session fixture
    url = f"sqlite:///{tmp_path / 'yagona.db'}"
    engine = make_engine(url)
    container = bootstrap(Settings(env="test", database={"url": url}), engine=engine, configure_logs=False)  # type: ignore[arg-type]
    with container.uow() as uow:
        connect(uow, MSISDN, plan="ustoz-start", deposit_som=100_000)  # 60 000 left after the first fee
        uow.commit()
    engine.dispose()

    blocked = yagona(url, "lines", "block", "+998 91 100 00 01", "--reason", "administrative")
    assert blocked.returncode == 0, blocked.stderr
    unblocked = yagona(url, "lines", "unblock", MSISDN)
    assert unblocked.returncode == 0, unblocked.stderr
    # The staff member sees the money the action moved: Ustoz Start's fee, and the balance after.
    assert unblocked.stdout.strip() == (
        f"line {MSISDN} unblocked; charged 35 000.00 so'm (the plan's fee); balance 25 000.00 so'm"
    )
    shown = json.loads(yagona(url, "lines", "show", MSISDN).stdout)
    assert shown["balance"] == 25_000 and shown["next_charge"] == 35_000
    assert shown["next_charge_at"].endswith("T00:00:00+05:00")
    lost = yagona(url, "lines", "block", MSISDN, "--reason", "lost")
    assert lost.returncode == 0
    assert yagona(url, "lines", "unblock", MSISDN).stdout.strip().endswith("nothing charged; balance 25 000.00 so'm")
    assert yagona(url, "lines", "show", "abc").stderr.startswith("error[invalid_request]")

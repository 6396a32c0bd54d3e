"""The wallet's staff commands as a real process on a real (SQLite) database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.e2e.test_cli import yagona
from tests.factories.wallet import phone, register, top_up
from yagona.app.bootstrap import bootstrap
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

A = phone(1)


def test_staff_identify_block_freeze_release_restore(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "yagona.db")  # migrated by the session fixture
    url = f"sqlite:///{tmp_path / 'yagona.db'}"
    engine = make_engine(url)
    container = bootstrap(Settings(env="test", database={"url": url}), engine=engine, configure_logs=False)  # type: ignore[arg-type]
    with container.uow() as uow:
        register(uow, A)
        top_up(uow, A, 1_000_000)
        uow.commit()
    engine.dispose()

    identified = yagona(url, "wallet", "identify", A, "--document", "AA1234567", "--birth-date", "1990-05-17")
    assert identified.returncode == 0, identified.stderr
    assert f"wallet {A}: premium, active" in identified.stdout
    wrong = yagona(url, "wallet", "identify", A, "--document", "AA1234567", "--birth-date", "1990-05-18")
    assert wrong.returncode == 1 and wrong.stderr.startswith("error[invalid_request]")
    frozen = yagona(url, "wallet", "block", A, "--reason", "fraud")
    assert "blocked (fraud)" in frozen.stdout and "frozen      10 000.00 so'm" in frozen.stdout
    released = yagona(url, "wallet", "release", A)
    assert "premium, active" in released.stdout and "available   10 000.00 so'm" in released.stdout
    assert "blocked (lost)" in yagona(url, "wallet", "block", A, "--reason", "lost").stdout
    assert "premium, active" in yagona(url, "wallet", "restore", A).stdout
    assert yagona(url, "wallet", "show", "998909999999").stderr.strip() == "error[not_found]: no wallet 998909999999"
    assert "electricity" in yagona(url, "wallet", "providers").stdout
    shown = json.loads(yagona(url, "wallet", "show", A, "--json").stdout)  # so'm and Tashkent time, as the API
    assert shown["balance"] == 10000 and shown["created_at"].endswith("+05:00") and "customer_id" not in shown
    assert yagona(url, "ledger", "verify").returncode == 0

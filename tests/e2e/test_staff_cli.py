"""`yagona staff add|list|disable` as an operator runs them; and the demo's staff sign in."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp

from tests.e2e.test_identity_cli import yagona
from tests.factories.identity import context
from yagona.app.bootstrap import bootstrap
from yagona.app.demo import DEMO_STAFF_PASSWORD, DEMO_STAFF_TOTP_SECRET
from yagona.identity.service import staff
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings


def test_staff_are_added_listed_and_disabled_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(make_engine(url))
    added = yagona(url, "staff", "add", "--phone", "+998 90 555 00 11", "--name", "Olim Karimov", "--role", "agent")
    assert added.returncode == 0, added.stderr
    created = json.loads(added.stdout)
    assert created["login"] == "998905550011" and created["role"] == "agent"
    assert created["totp_uri"].startswith("otpauth://totp/") and created["totp_secret"] in created["totp_uri"]
    both = yagona(url, "staff", "add", "--phone", "998905550012", "--login", "olim", "--name", "X", "--role", "agent")
    assert both.returncode != 0
    bad_role = yagona(url, "staff", "add", "--login", "boss", "--name", "X", "--role", "owner")
    assert bad_role.returncode == 1 and bad_role.stderr.startswith("error[invalid_request]")

    settings = Settings(env="test", database={"url": url})  # type: ignore[arg-type]
    container = bootstrap(settings, configure_logs=False)
    ctx = context(settings)
    code = pyotp.TOTP(created["totp_secret"]).now()
    with container.uow() as uow:
        signed = staff.staff_sign_in(
            uow, ctx=ctx, login="998905550011", password=created["password"], totp=code, client_ip=None
        )
        uow.commit()
    assert signed.principal.name == "Olim Karimov"

    assert yagona(url, "staff", "disable", "998905550011").returncode == 0
    listed = json.loads(yagona(url, "staff", "list").stdout)
    assert [(m["login"], m["disabled"]) for m in listed] == [("998905550011", True)]
    with container.uow() as uow:
        assert staff.resolve_staff(uow, token=signed.token) is None
    container.engine.dispose()


def test_the_demo_has_a_member_of_staff_per_role(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate.upgrade(make_engine(url))
    loaded = yagona(url, "demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    for role in ("agent", "supervisor", "admin"):
        assert f"staff demo-{role} ({role})" in loaded.stdout
    again = yagona(url, "demo", "load")  # idempotent
    assert again.returncode == 0, again.stderr
    settings = Settings(env="test", database={"url": url})  # type: ignore[arg-type]
    container = bootstrap(settings, configure_logs=False)
    with container.uow() as uow:
        assert [m.role for m in staff.list_staff(uow)] == ["admin", "agent", "supervisor"]
        code = pyotp.TOTP(DEMO_STAFF_TOTP_SECRET).now()
        signed = staff.staff_sign_in(
            uow, ctx=context(settings), login="demo-admin", password=DEMO_STAFF_PASSWORD, totp=code, client_ip=None
        )
        assert signed.principal.role == "admin"
    container.engine.dispose()

"""`yagona identity`, `yagona oidc` and `yagona notify` as an operator (or a tester) runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import yagona
from tests.factories.identity import context
from yagona.app.bootstrap import bootstrap
from yagona.identity import service
from yagona.platform import migrate
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings


def test_customers_clients_keys_and_the_outbox_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    added = yagona(
        url, "identity", "customer", "add", "--phone", "998901234567", "--password", "Tog'-Chimyon-2026",
        "--name", "Dilnoza", "--accept-documents",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["phones"] == ["998901234567"]
    assert "Tog'-Chimyon" not in added.stdout + added.stderr
    again = yagona(url, "identity", "customer", "add", "--phone", "998901234567", "--name", "X", "--accept-documents")
    assert again.returncode == 1 and again.stderr.startswith("error[phone_taken]")

    client = yagona(
        url, "oidc", "client", "add", "--name", "Portal", "--redirect-uri", "https://my.yagona.uz/cb", "--first-party"
    )
    assert client.returncode == 0, client.stderr
    created = json.loads(client.stdout)
    assert created["client_id"] and len(created["client_secret"]) >= 43 and created["first_party"] is True
    listed = json.loads(yagona(url, "oidc", "client", "list").stdout)
    assert [c["client_id"] for c in listed] == [created["client_id"]] and "client_secret" not in listed[0]
    bad = yagona(url, "oidc", "client", "add", "--name", "Evil", "--redirect-uri", "http://evil.example/cb")
    assert bad.returncode == 1 and bad.stderr.startswith("error[invalid_request]")
    assert yagona(url, "oidc", "keys", "rotate").returncode == 0
    assert yagona(url, "oidc", "client", "remove", created["client_id"]).returncode == 0

    settings = Settings(env="test", database={"url": url})  # type: ignore[arg-type]
    container = bootstrap(settings, engine=engine, configure_logs=False)
    with container.uow() as uow:
        service.request_otp(uow, ctx=context(settings), phone="998901234567", client_ip="10.0.0.1")
        uow.commit()
    outbox = yagona(url, "notify", "outbox", "--phone", "998901234567")
    assert outbox.returncode == 0, outbox.stderr
    assert "tasdiqlash kodi" in json.loads(outbox.stdout)[0]["body"]
    strong = "x7Gq2LmN9vR4tY8wZ1aB3cD5eF6gH0jK"
    refused = yagona(
        url, "notify", "outbox", "--phone", "998901234567", env={"YAGONA_ENV": "prod", "YAGONA_SECRET_KEY": strong}
    )
    assert refused.returncode == 1 and refused.stderr.startswith("error[outbox_closed]")
    engine.dispose()

"""Real services the tests talk to. Under CI=true a missing service fails the run."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import make_url

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("YAGONA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NATS_URL = os.environ.get("YAGONA_TEST_NATS_URL", "nats://127.0.0.1:4222")


def unavailable(what: str, error: BaseException) -> None:
    message = f"{what} is unreachable: {error}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing service is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_postgres_database(prefix: str = "yagona_test") -> Iterator[str]:
    """Create a database of our own on the test server and drop it afterwards."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(_libpq(POSTGRES_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at {POSTGRES_URL}", error)
        raise
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield (
            make_url(POSTGRES_URL)
            .set(database=name, drivername="postgresql+psycopg")
            .render_as_string(hide_password=False)
        )
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def require_nats() -> str:
    url = make_url(NATS_URL.replace("nats://", "postgresql://"))
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 4222), timeout=3):
            pass
    except OSError as error:
        unavailable(f"NATS at {NATS_URL}", error)
    return NATS_URL

"""Schemathesis over the whole API, against the real server on a socket (tests/e2e/server.py).

Twice: without any credential, and with a staff key plus a customer's One ID session (signed in
by SMS code, read from the dev outbox). Each generated request — valid and invalid alike — must
get no 5xx and an answer the OpenAPI document describes: a documented status, its content
type, a body of its schema, its headers. With credentials, an operation that declares a
credential must refuse the same request without one (`ignored_auth`).

Bounded and repeatable: a max-examples budget per operation, derandomized (the same inputs
every run), no example database, a time limit per operation (pytest-timeout) and a wall-clock
budget of fuzzing time per test process.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.factories.identity import last_code
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.kernel.clock import SystemClock
from yagona.ledger import service as ledger_service
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings

STAFF_KEY = "fuzz-staff-key"
PHONE = "998901112233"
# ~125 operations (the anonymous run takes only those anyone may call): ~35 s without coverage on
# one core, ~2 min with it under xdist.
MAX_EXAMPLES = 8  # every operation fuzzed within the budget beats half of them with more examples
PER_OPERATION_S = 30  # pytest-timeout ends an operation that overstays (itself a finding)
BUDGET_S = 420  # of fuzzing per test process: past it, an operation fails under CI=true, else is skipped

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,  # what the schema forbids is refused (no silent coercion)
    missing_required_header,  # e.g. a write without its Idempotency-Key is refused
    # `unsupported_method` (405 with `Allow`) stops each operation at its first example while
    # the server omits `Allow`, hiding every other finding: test_a_wrong_method_is_405_with_allow
    # checks every path instead.
]

FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@dataclass
class Api:
    url: str
    container: Container
    session_cookie: str


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Api]:
    database = tmp_path_factory.mktemp("fuzz") / "yagona.db"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    settings_ = Settings(env="test", database={"url": url}, staff_api_key=STAFF_KEY)  # type: ignore[arg-type]
    engine: Engine = make_engine(url, pool_size=20)
    container = bootstrap(settings_, clock=SystemClock(), engine=engine, configure_logs=False)
    app = create_app(settings_, container=container)
    with serving(app) as base:
        cookie = _sign_in_by_sms(base, container, app.state.identity)
        CREDENTIALS.update(staff_key=STAFF_KEY, session=cookie)
        yield Api(base, container, cookie)
    # Whatever the fuzzing did, money was neither lost nor made.
    with container.uow() as uow:
        report = ledger_service.verify(uow)
    engine.dispose()
    assert report.ok, f"ledger broken by the fuzzing: {report.problems}"


def _sign_in_by_sms(base: str, container: Container, identity: Any) -> str:
    """A new customer signs up with the SMS code the dev outbox holds; their session cookie."""
    with httpx.Client(base_url=base, timeout=10) as client:
        sent = client.post("/api/v1/auth/otp", json={"phone": PHONE, "purpose": "login"})
        assert sent.status_code == 202, sent.text
        with container.uow() as uow:
            code = last_code(uow, identity, PHONE)
        signed = client.post(
            "/api/v1/auth/otp/verify",
            json={
                "phone": PHONE,
                "code": code,
                "request_id": sent.json().get("request_id"),
                "name": "Fuzz Tester",
                "accept_documents": True,
            },
        )
        assert signed.status_code == 200, signed.text
        cookie = signed.cookies.get("yagona_session")
        assert cookie
        return cookie


@functools.cache
def _document() -> dict[str, Any]:
    """The document the server serves at /api/openapi.json: it depends on no setting, so it is
    read at collection (schemathesis makes one test per operation), then fuzzed on the socket."""
    settings_ = Settings(env="test", database={"url": "sqlite://"}, staff_api_key=STAFF_KEY)  # type: ignore[arg-type]
    # configure_logs=False: collecting this module must not reconfigure the logs of every test.
    app = create_app(settings_, container=bootstrap(settings_, configure_logs=False))
    document: dict[str, Any] = app.openapi()
    app.state.container.engine.dispose()
    return document


def _what_cannot_be_fuzzed(schema: Any) -> Any:
    return (
        # The OIDC browser flow: redirects to a sign-in page, a consent form, the client's
        # redirect URI; driven end to end by tests/e2e/test_identity_oidc.py instead.
        schema.exclude(path_regex=r"^/authorize$")
        .exclude(path_regex=r"^/oauth/logout$")
        # The national OneID round trip calls the OneID server named in the settings (an
        # outside address): never from a fuzzer. Covered against the simulator in the OIDC e2e.
        .exclude(path_regex=r"^/api/v1/auth/oneid/")
    )


@functools.cache
def _credentialed() -> frozenset[tuple[str, str]]:
    return frozenset((method, path) for method, path, _security in _credentialed_operations())


def _takes_a_credential(ctx: Any) -> bool:
    return (ctx.operation.method.upper(), ctx.operation.path) in _credentialed()


whole_schema = _what_cannot_be_fuzzed(schemathesis.openapi.from_dict(_document()))
# Without a credential, an operation that requires one answers 401 before it reads the request,
# whatever the fuzzer sends: test_no_operation_that_takes_a_credential_answers_anyone_else
# proves that for each of them, so the anonymous run fuzzes only what anyone may call.
anonymous_schema = whole_schema.exclude(func=_takes_a_credential)
# With the customer's session, three operations end that very session (the rest of the run
# would go on signed out): their own tests drive them (and the one above proves their 401).
signed_in_schema = (
    whole_schema.exclude(path="/api/v1/auth/logout")
    .exclude(path="/api/v1/me/report-unauthorised-access")
    .exclude(path="/api/v1/me/personal-data/erasure")  # erases the customer: their session ends
)


FUZZING_SPENT = [0.0]  # seconds this process spent in the fuzzing tests themselves


@pytest.fixture
def within_budget() -> Iterator[None]:
    """The fuzzing's bound: the time spent in these tests, not the wall clock since the first
    one — xdist runs other modules' tests in between (the checks of every path below run
    whatever it says)."""
    if FUZZING_SPENT[0] > BUDGET_S:
        why = f"the fuzzing budget of {BUDGET_S} s is spent ({FUZZING_SPENT[0]:.0f} s): raise it or lower MAX_EXAMPLES"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (CI=true: every operation is fuzzed, none skipped)")
        pytest.skip(why)
    began = time.monotonic()
    yield
    FUZZING_SPENT[0] += time.monotonic() - began


@pytest.mark.timeout(PER_OPERATION_S)
@anonymous_schema.parametrize()
@FUZZ
def test_the_api_without_credentials(case: Any, api: Api, within_budget: None) -> None:
    case.call_and_validate(base_url=api.url, checks=CHECKS, timeout=10)


# The credentials of the signed-in run, filled in by the `api` fixture.
CREDENTIALS: dict[str, str] = {}


class StaffAndCustomer:
    """Schemathesis' auth provider: explicit credentials on every case, so that it neither
    generates them nor counts a case as "negative" for lacking them."""

    def get(self, case: Any, ctx: Any) -> dict[str, str] | None:
        return dict(CREDENTIALS) or None  # None while collecting, before the server runs

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "X-Api-Key": data["staff_key"]}
        case.cookies = {**(case.cookies or {}), "yagona_session": data["session"]}


@pytest.mark.timeout(PER_OPERATION_S)
@signed_in_schema.auth(StaffAndCustomer, refresh_interval=None)
@signed_in_schema.parametrize()
@FUZZ
def test_the_api_with_staff_key_and_customer_session(case: Any, api: Api, within_budget: None) -> None:
    assert CREDENTIALS["session"] == api.session_cookie
    case.call_and_validate(base_url=api.url, checks=[*CHECKS, ignored_auth], timeout=10)


def test_a_wrong_method_is_405_with_allow(api: Api) -> None:
    """RFC 9110 15.5.6: a method the resource does not have is 405, and `Allow` names those it has."""
    wrong = []
    for path, item in _document()["paths"].items():
        declared = {method.upper() for method in item}
        method = next(m for m in ("DELETE", "PUT", "PATCH", "GET", "POST") if m not in declared)
        answer = httpx.request(method, _url(api, path), timeout=10)
        allowed = {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()} - {"HEAD"}
        if answer.status_code != 405 or allowed != declared:
            wrong.append(f"{method} {path}: {answer.status_code}, Allow: {answer.headers.get('allow')!r}")
        elif not answer.headers["content-type"].startswith("application/problem+json"):
            wrong.append(f"{method} {path}: a 405 that is not a problem")
    assert not wrong, "\n".join(wrong)


def _credentialed_operations() -> list[tuple[str, str, list[dict[str, list[str]]]]]:
    """Every operation whose security names no anonymous alternative: (METHOD, path, security)."""
    operations = []
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            security = operation.get("security")
            if security and {} not in security:
                operations.append((method.upper(), path, security))
    return sorted(operations, key=lambda o: (o[1], o[0]))


def _url(api: Api, path: str) -> str:
    # A well-formed value for every path parameter: the refusal must come from the credential.
    return api.url + re.sub(r"\{[^}]+\}", "998901112233", path)


def test_no_operation_that_takes_a_credential_answers_anyone_else(api: Api) -> None:
    """Every operation that declares a credential refuses, with 401 and before reading the
    request: no credential; forged ones; and the other kind of caller (a customer's session
    at a staff operation, the staff key at a customer's)."""
    leaks = []
    operations = _credentialed_operations()
    assert len(operations) > 30 and any(path == "/api/v1/me" for _m, path, _s in operations)
    for method, path, security in operations:
        schemes = {scheme for requirement in security for scheme in requirement}
        other_kind: dict[str, Any] = (
            {"cookies": {"yagona_session": api.session_cookie}} if "staffKey" in schemes else {}
        )
        if "staffKey" not in schemes:
            other_kind = {"headers": {"X-Api-Key": STAFF_KEY}}
        attempts: dict[str, dict[str, Any]] = {
            "no credential": {},
            "forged credentials": {
                "headers": {"X-Api-Key": "forged", "Authorization": "Bearer forged"},
                "cookies": {"yagona_session": "forged"},
            },
            "the other kind of caller": other_kind,
        }
        for attempt, credentials in attempts.items():
            with httpx.Client(timeout=10, cookies=credentials.get("cookies")) as client:
                answer = client.request(
                    method, _url(api, path), headers={"Idempotency-Key": "k", **credentials.get("headers", {})}, json={}
                )
            if answer.status_code != 401:
                leaks.append(f"{method} {path} with {attempt}: {answer.status_code} {answer.text[:120]}")
    assert not leaks, "\n".join(leaks)

"""Privacy over a real socket: the customer's `/account/privacy` (consents, documents, staff
access requests, the access log, disclosures), the console's access requests, SMS codes,
emergency access and disclosures — who may call each — and the documents' re-acceptance gate."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from tests.e2e.server import serving
from tests.factories import lines as line_factory
from tests.factories.identity import PASSWORD, customer
from tests.factories.staff import STAFF_PASSWORD, member, totp_code
from yagona.app import cli
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.identity.schemas import Language
from yagona.kernel.clock import SimulatedClock
from yagona.notify import service as notify
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy

PHONE, OTHER = "998901234567", "998901234568"
PAGE = {"Accept": "text/html", "Accept-Language": "en"}


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "yagona.db"  # the pages over the services, which run on both databases
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def url(app: FastAPI) -> Iterator[str]:
    with serving(app) as found:
        yield found


@pytest.fixture
def ids(app: FastAPI, container: Container) -> dict[str, str]:
    """Two customers (the first with a line), and staff of every role with no access at all."""
    with container.uow() as uow:
        first = customer(uow, app.state.identity, PHONE, language=Language.EN)
        second = customer(uow, app.state.identity, OTHER, language=Language.EN)
        line_factory.connect(uow, PHONE)
        for role in ("agent", "supervisor", "admin"):
            member(uow, app.state.identity, role)
        uow.commit()
    return {"first": first.id, "second": second.id}


_OPENED: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_browsers() -> Iterator[None]:
    yield
    while _OPENED:
        _OPENED.pop().close()


def _browser(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10, headers=PAGE)
    _OPENED.append(client)
    return client


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page carries its form's token"
    return found.group(1)


def _customer(url: str, phone: str) -> httpx.Client:
    client = _browser(url)
    token = _token(client.get("/login"))
    signed = client.post("/login", data={"phone": phone, "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 303, signed.text
    return client


def _staff(url: str, clock: SimulatedClock, role: str) -> httpx.Client:
    client = _browser(url)
    clock.advance_by(timedelta(seconds=30))  # each authenticator code is accepted once
    form = {"login": f"test-{role}", "password": STAFF_PASSWORD, "totp": totp_code(clock.now())}
    answer = client.post("/staff/login", data={**form, "csrf_token": _token(client.get("/staff/login"))})
    assert answer.status_code == 303, answer.text
    return client


def _post(client: httpx.Client, path: str, page: str = "/staff", **form: str | list[str]) -> httpx.Response:
    return client.post(path, data={**form, "csrf_token": _token(client.get(page))})


def _json(output: str) -> dict[str, object]:
    """The command's JSON answer (the app's log lines may share the captured output)."""
    found = re.search(r"^\{$.*?^\}$", output, re.S | re.M)
    assert found, output
    answer: dict[str, object] = json.loads(found.group(0))
    return answer


def _codes(container: Container, phone: str) -> list[str]:
    sealer = notify.sealer_for(container.settings.secret_key.get_secret_value())
    with container.uow() as uow:
        found = notify.outbox(uow, recipient=phone, sealer=sealer, env="test", limit=20)
    return [m.body or "" for m in found if m.template == "notify.text"]


def test_the_privacy_page_is_its_customers_alone(url: str, ids: dict[str, str], container: Container) -> None:
    if anonymous := _browser(url):
        signed_out = anonymous.get("/account/privacy")
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/login?next=/account/privacy"
        forged = anonymous.post("/account/privacy/consents", data={"purpose": "marketing", "given": "yes"})
        assert forged.status_code in {303, 403}
    with container.uow() as uow:  # a member of staff asks the second customer
        asked = privacy.request_access(
            uow, staff_id="staff-x", customer_id=ids["second"], reason="Call about a bill", sections=["profile"]
        )
        uow.commit()
    if first := _customer(url, PHONE):
        page = first.get("/account/privacy")
        assert page.status_code == 200 and "Offers and newsletters" in page.text and "the contract" in page.text
        assert "Call about a bill" not in page.text  # another customer's request is not shown
        taken = _post(first, f"/account/privacy/grants/{asked.grant.id}/approve", "/account/privacy")
        assert taken.status_code == 404  # nor can it be approved by anyone else
        given = _post(first, "/account/privacy/consents", "/account/privacy", purpose="marketing", given="yes")
        assert given.status_code == 303
        assert "History of your consents" in first.get("/account/privacy").text
        unknown = _post(first, "/account/privacy/consents", "/account/privacy", purpose="resale", given="yes")
        assert unknown.status_code == 422 and "No such purpose" in unknown.text
    with container.uow() as uow:
        assert privacy.has_consent(uow, customer_id=ids["first"], purpose="marketing")
        assert privacy.grants_of(uow, customer_id=ids["second"])[0].status == "requested"
        assert [a.code for a in privacy.refused_attempts(uow, customer_id=ids["first"])] == ["unknown_purpose"]


def test_staff_open_a_cabinet_only_with_the_customers_permission_for_its_sections_and_time(
    url: str, ids: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    customer_id = ids["first"]
    agent = _staff(url, clock, "agent")
    found = agent.get("/staff", params={"q": PHONE})
    assert "D• A•" not in found.text and "D••••••" in found.text and "Dilnoza Alimova" not in found.text  # masked
    ask = agent.get(f"/staff/customers/{customer_id}")
    assert ask.status_code == 200 and "Ask the customer for access" in ask.text and "Dilnoza Alimova" not in ask.text
    closed = _post(agent, f"/staff/customers/{customer_id}", reason="Customer called about the bill")
    assert closed.status_code == 403 and "Dilnoza Alimova" not in closed.text
    no_reason = _post(agent, f"/staff/privacy/access/{customer_id}", reason=" ", sections=["profile"], minutes="30")
    assert no_reason.status_code == 422 and "Say why" in no_reason.text
    asked = _post(
        agent, f"/staff/privacy/access/{customer_id}", reason="Customer called about the bill",
        sections=["profile", "lines"], minutes="30",
    )  # fmt: skip
    assert asked.status_code == 303
    if owner := _customer(url, PHONE):
        page = owner.get("/account/privacy")
        assert "Customer called about the bill" in page.text and "Test Agent" in page.text
        grant_id = re.search(r"/account/privacy/grants/([0-9a-f-]{36})/approve", page.text)
        assert grant_id
        assert (
            _post(owner, f"/account/privacy/grants/{grant_id.group(1)}/approve", "/account/privacy").status_code == 303
        )
        opened = _post(agent, f"/staff/customers/{customer_id}", reason="Customer called about the bill")
        assert opened.status_code == 200 and "Dilnoza Alimova" in opened.text and "Access granted until" in opened.text
        assert 'id="lines-title"' in opened.text and 'id="wallets-title"' not in opened.text  # only what was granted
        frozen = _post(agent, f"/staff/customers/{customer_id}/wallets/{PHONE}/freeze", reason="Suspicious payments")
        assert frozen.status_code == 403  # the wallets were not granted (and an agent may not)
        points = _post(agent, f"/staff/customers/{customer_id}/points", reason="Customer asks about points")
        assert points.status_code == 403 and "has not given permission" in points.text
        log = owner.get("/account/privacy")
        assert "Opened your cabinet" in log.text and log.text.count("Customer called about the bill") >= 2
        assert "approved in the portal until" in log.text  # where she said yes
    clock.advance_by(timedelta(minutes=31))
    agent = _staff(url, clock, "agent")
    expired = _post(agent, f"/staff/customers/{customer_id}", reason="Customer called about the bill")
    assert expired.status_code == 403
    with container.uow() as uow:
        attempts = privacy.refused_attempts(uow, customer_id=customer_id)
    assert [(a.action, a.code) for a in attempts] == [("access.request", "reason_required")]


def test_the_customer_approves_by_reading_the_sms_code_to_the_member(
    url: str, ids: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    customer_id = ids["first"]
    agent = _staff(url, clock, "agent")
    asked = _post(
        agent, f"/staff/privacy/access/{customer_id}", reason="Customer on the line", sections=["profile"],
        minutes="15", sms="yes",
    )  # fmt: skip
    assert asked.status_code == 303
    sms = _codes(container, PHONE)[0]
    code = re.findall(r"\d{6}", sms)[0]
    page = agent.get(f"/staff/customers/{customer_id}")
    grant_id = re.search(r"/staff/privacy/grants/([0-9a-f-]{36})/code", page.text)
    assert grant_id and "waiting for the customer" in page.text
    wrong = _post(agent, f"/staff/privacy/grants/{grant_id.group(1)}/code", code="000000x")
    assert wrong.status_code == 422 and "The code is wrong" in wrong.text
    supervisor = _staff(url, clock, "supervisor")  # another member cannot use the agent's request
    assert _post(supervisor, f"/staff/privacy/grants/{grant_id.group(1)}/code", code=code).status_code == 404
    right = _post(agent, f"/staff/privacy/grants/{grant_id.group(1)}/code", code=code)
    assert right.status_code == 303 and right.headers["location"] == f"/staff/customers/{customer_id}"
    opened = _post(agent, f"/staff/customers/{customer_id}", reason="Customer on the line")
    assert opened.status_code == 200 and "Dilnoza Alimova" in opened.text


def test_emergency_access_needs_a_supervisor_and_is_shown_to_the_customer(
    url: str, ids: dict[str, str], clock: SimulatedClock
) -> None:
    customer_id = ids["first"]
    agent = _staff(url, clock, "agent")
    refused = _post(agent, f"/staff/privacy/emergency/{customer_id}", basis="fraud", reason="Stolen phone used")
    assert refused.status_code == 403
    supervisor = _staff(url, clock, "supervisor")
    assert "Emergency access" in supervisor.get(f"/staff/customers/{customer_id}").text
    no_reason = _post(supervisor, f"/staff/privacy/emergency/{customer_id}", basis="fraud", reason="")
    assert no_reason.status_code == 422
    opened = _post(supervisor, f"/staff/privacy/emergency/{customer_id}", basis="fraud", reason="Stolen phone used")
    assert opened.status_code == 303
    shown = _post(supervisor, f"/staff/customers/{customer_id}", reason="Stolen phone used")
    assert shown.status_code == 200 and "emergency access" in shown.text
    if owner := _customer(url, PHONE):
        page = owner.get("/account/privacy")
        assert "Emergency: fraud" in page.text and "Stolen phone used" in page.text


def test_disclosures_are_recorded_by_supervisors_and_the_customer_sees_those_the_law_allows(
    url: str, ids: dict[str, str], clock: SimulatedClock, settings: Settings
) -> None:
    if anonymous := _browser(url):
        signed_out = anonymous.get("/staff/privacy/disclosures")
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/staff/login"
    agent = _staff(url, clock, "agent")
    assert agent.get("/staff/privacy/disclosures").status_code == 403
    assert _post(agent, "/staff/privacy/disclosures", customer_id=ids["first"], body="X").status_code == 403
    supervisor = _staff(url, clock, "supervisor")
    form = {"customer_id": ids["first"], "legal_basis": "Tax Code, art. 12", "reference": "No 17-05"}
    incomplete = _post(supervisor, "/staff/privacy/disclosures", **form, body="Tax committee", given="")
    assert incomplete.status_code == 422
    told = _post(supervisor, "/staff/privacy/disclosures", **form, body="Tax committee", given="October receipts")
    assert told.status_code == 200 and "The disclosure is recorded." in told.text
    secret = _post(supervisor, "/staff/privacy/disclosures", **form, body="Investigator", given="Usage", secret="yes")
    assert "Investigator" in secret.text  # the auditors see every disclosure
    by_cli = CliRunner().invoke(
        cli.app,
        ["--database-url", settings.database.url, "privacy", "disclosure", "record", "--customer", ids["first"],
         "--body", "Customs committee", "--basis", "Customs Code, art. 3", "--reference", "No 44",
         "--given", "Wallet owner's name", "--by", "staff-cli", "--secret"],
    )  # fmt: skip
    assert by_cli.exit_code == 0 and _json(by_cli.output)["secret"] is True, by_cli.output
    assert "Customs committee" in supervisor.get("/staff/privacy/disclosures").text
    if owner := _customer(url, PHONE):
        page = owner.get("/account/privacy")
        assert "Tax committee" in page.text and "Investigator" not in page.text and "Customs" not in page.text
    if other := _customer(url, OTHER):
        assert "Tax committee" not in other.get("/account/privacy").text


def test_a_new_version_needing_acceptance_blocks_the_cabinet_until_accepted(
    url: str, ids: dict[str, str], settings: Settings, container: Container
) -> None:
    text = Path(__file__).parent / "privacy-2026-12.txt"
    text.write_text("1. Your data are yours.\n\n2. We ask before we look.", encoding="utf-8")
    try:
        published = CliRunner().invoke(
            cli.app,
            ["--database-url", settings.database.url, "privacy", "document", "publish", "privacy",
             "--version", "2026-12", "--file", str(text), "--needs-acceptance"],
        )  # fmt: skip
    finally:
        text.unlink()
    assert published.exit_code == 0, published.output
    assert _json(published.output)["customers_told"] == 2
    assert any("2026-12" in body for body in _codes(container, PHONE))
    if owner := _customer(url, PHONE):
        blocked = owner.get("/account/profile")
        assert blocked.status_code == 303
        assert blocked.headers["location"] == "/account/privacy/accept?next=/account/profile"
        shown = owner.get(blocked.headers["location"])
        assert "We ask before we look." in shown.text and "2026-12" in shown.text
        accepted = _post(owner, "/account/privacy/accept", "/account/privacy", next="/account/profile")
        assert accepted.status_code == 303 and accepted.headers["location"] == "/account/profile"
        assert owner.get("/account/profile").status_code == 200
        assert re.search(r"Privacy agreement</td><td>2026-12</td>", owner.get("/account/privacy").text)
    if other := _customer(url, OTHER):  # the other customer is still asked
        assert other.get("/").headers["location"] == "/account/privacy/accept?next=/"

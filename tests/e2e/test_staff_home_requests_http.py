"""The console's pending home-internet requests over a real socket (both databases): who may
see and move them, the reason and the CSRF token each move needs, the refusal of a request
whose customer OneID has not verified (nothing changes), and the access log that keeps every
view and move; the 360 shows the customer's home accounts and says its codes in words."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories import home as home_factory
from tests.factories.staff import csrf_token, member, post_form, sign_in_console
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.home import service as home
from yagona.kernel.clock import SimulatedClock
from yagona.platform.bus import EventBus
from yagona.platform.settings import Settings
from yagona.platform.uow import unit_of_work_factory
from yagona.privacy import service as privacy

WAITING, VERIFIED = "998901234567", "998907654321"  # a customer OneID has not checked, one it has
PAGE = {"Accept": "text/html", "Accept-Language": "en"}


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with serving(app) as url, httpx.Client(base_url=url, timeout=10, headers=PAGE) as client:
        yield client


@pytest.fixture
def contracts(app: FastAPI, container: Container, settings: Settings, clock: SimulatedClock) -> dict[str, str]:
    """Two pending requests, and staff of every role. The second customer passed OneID while
    home's consumer of that event was down (a bus with no subscriber): their request still waits."""
    with container.uow() as uow:
        found = {phone: home_factory.request(uow, app.state.identity, phone) for phone in (WAITING, VERIFIED)}
        for role in ("agent", "supervisor", "admin"):
            member(uow, app.state.identity, role, access_to=[holder.id for holder, _account in found.values()])
        uow.commit()
    missed = unit_of_work_factory(
        container.engine, clock=clock, bus=EventBus(), limits=settings.limits, publishes_externally=False
    )
    home_factory.verify(missed, app.state.identity, found[VERIFIED][0].id, "31203901230012")
    return {phone: account.contract for phone, (_holder, account) in found.items()}


def _states(container: Container, contracts: dict[str, str]) -> dict[str, str]:
    with container.uow() as uow:
        return {phone: home.state(uow, contract=c).state for phone, c in contracts.items()}


def _log(container: Container) -> list[tuple[str, str | None, str]]:
    with container.uow() as uow:
        return [(r.action, r.subject, r.reason) for r in privacy.access_log(uow)]


def test_nobody_signed_out_sees_or_moves_the_requests(
    client: httpx.Client, contracts: dict[str, str], container: Container
) -> None:
    answer = client.get("/staff/home-requests")
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login"
    token = csrf_token(client.get("/staff/login"))
    path = f"/staff/home-requests/{contracts[VERIFIED]}/activate"
    posted = client.post(path, data={"reason": "No session here", "csrf_token": token})
    assert posted.status_code == 303 and posted.headers["location"] == "/staff/login"
    assert _states(container, contracts)[VERIFIED] == "pending_identity" and _log(container) == []


def test_an_agent_sees_the_queue_but_may_not_move_a_request(
    client: httpx.Client, contracts: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-agent", clock=clock)
    queue = client.get("/staff/home-requests")
    text = queue.text
    assert queue.status_code == 200 and queue.headers["cache-control"] == "no-store"
    for contract in contracts.values():
        assert f"Contract {contract}" in text
    assert home_factory.ADDRESS in text and "Dilnoza Alimova" in text
    assert "Not yet: waiting for the customer" in text and "Passed: the request may be activated" in text
    assert "Activating or closing a request needs a supervisor." in text and "Activate the request" not in text
    refused = post_form(client, f"/staff/home-requests/{contracts[VERIFIED]}/activate", reason="Customer asked again")
    assert refused.status_code == 403 and "may not do this" in refused.text
    assert _states(container, contracts) == {WAITING: "pending_identity", VERIFIED: "pending_identity"}
    assert _log(container) == []
    # The search finds a customer by a home contract too (and nothing by a contract nobody has).
    found = client.get("/staff", params={"q": contracts[VERIFIED]})
    assert found.status_code == 200 and found.text.count('href="/staff/customers/') == 1
    nobody = client.get("/staff", params={"q": "19999999"})
    assert 'href="/staff/customers/' not in nobody.text


def test_a_supervisor_activates_a_verified_customers_request_with_a_reason(
    client: httpx.Client, contracts: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-supervisor", clock=clock)
    path = f"/staff/home-requests/{contracts[VERIFIED]}/activate"
    no_reason = post_form(client, path, reason=" ")
    assert no_reason.status_code == 422 and "reason" in no_reason.text.lower()
    no_token = client.post(path, data={"reason": "Checked the OneID result"})
    assert no_token.status_code == 403
    assert _states(container, contracts)[VERIFIED] == "pending_identity" and _log(container) == []

    done = post_form(client, path, reason="Checked the OneID result")
    assert done.status_code == 200 and "The request is activated" in done.text
    assert f"Contract {contracts[VERIFIED]}" not in done.text  # it left the queue
    # Verified, but nothing paid in yet: the first period waits for the money (no debt).
    assert _states(container, contracts) == {WAITING: "pending_identity", VERIFIED: "suspended"}
    running = post_form(client, f"/staff/home-requests/{contracts[VERIFIED]}/close", reason="Not a request any more")
    assert running.status_code == 409 and "no longer waiting" in running.text  # a running contract is not closed here
    assert _states(container, contracts)[VERIFIED] == "suspended"
    assert _log(container) == [("home.activate", contracts[VERIFIED], "Checked the OneID result")]


def test_an_unverified_customers_request_is_refused_in_words_and_nothing_changes(
    client: httpx.Client, contracts: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-supervisor", clock=clock)
    path = f"/staff/home-requests/{contracts[WAITING]}/activate"
    refused = post_form(client, path, reason="The customer insists")
    assert refused.status_code == 409
    assert "The customer has not passed the OneID check yet" in refused.text
    russian = client.post(
        path,
        data={"reason": "The customer insists", "csrf_token": csrf_token(client.get("/staff"))},
        headers={"Accept-Language": "ru"},
    )
    assert russian.status_code == 409 and "Клиент ещё не прошёл проверку OneID" in russian.text
    assert _states(container, contracts)[WAITING] == "pending_identity" and _log(container) == []


def test_a_supervisor_closes_a_request_and_every_view_and_move_is_logged(
    client: httpx.Client, contracts: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-supervisor", clock=clock)
    closed = post_form(client, f"/staff/home-requests/{contracts[WAITING]}/close", reason="No cable in that building")
    assert closed.status_code == 200 and "The request is closed." in closed.text
    assert _states(container, contracts)[WAITING] == "closed"
    again = post_form(client, f"/staff/home-requests/{contracts[WAITING]}/close", reason="Closing it twice")
    assert again.status_code == 409  # the domain's refusal, nothing written
    with container.uow() as uow:
        holder = home.state(uow, contract=contracts[WAITING]).customer_id
    opened = post_form(client, f"/staff/customers/{holder}", reason="Tell the customer why")
    assert opened.status_code == 200
    text = opened.text.replace("\u00a0", " ")
    assert f"Contract {contracts[WAITING]}" in text and home_factory.ADDRESS in text and "Closed" in text
    assert "Home 100 (demo)" in text and "149,000 so&#39;m" in text  # the plan and its next fee
    assert "Basic: the phone is proven" in text  # the verification level in words
    assert "Registered" in text and "customer_registered" not in text  # the audit's kinds in words
    assert "Home internet request closed" in text  # the access log's actions in words
    assert _log(container) == [
        ("view", None, "Tell the customer why"),
        ("home.close", contracts[WAITING], "No cable in that building"),
    ]
    log = client.get("/staff/access-log")
    assert "Opened the customer" in log.text and "Home internet request closed" in log.text
    assert client.get(f"/staff/home-requests/{contracts[WAITING]}/close").headers["location"] == "/staff/home-requests"
    assert client.get("/staff/home-requests/99999999/close").status_code == 303
    assert post_form(client, "/staff/home-requests/19999999/close", reason="No such contract").status_code == 404

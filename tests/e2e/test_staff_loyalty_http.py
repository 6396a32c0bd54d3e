"""A customer's bonus points in the staff console over a real socket: opened from the 360 with
a reason (logged), a supervisor's adjustment with a reason (through the ledger, in the history
and the access log, once however often the form is sent), an agent who sees but may not
adjust, a missing reason or number refused in the member's language — nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.server import serving
from tests.factories import lines as line_factory
from tests.factories.identity import customer
from tests.factories.staff import csrf_token, member, post_form, sign_in_console
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.loyalty import service as loyalty
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy

PHONE = "998901234567"
PAGE = {"Accept": "text/html", "Accept-Language": "en"}
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[httpx.Client]:
    with serving(app) as url, httpx.Client(base_url=url, timeout=10, headers=PAGE) as client:
        yield client


@pytest.fixture
def customer_id(app: FastAPI, container: Container) -> str:
    """A customer whose line's first fee earned 40 points, and staff of every role."""
    with container.uow() as uow:
        found = customer(uow, app.state.identity, PHONE)
        line_factory.connect(uow, PHONE, deposit_som=100_000)
        for role in ("agent", "supervisor", "admin"):
            member(uow, app.state.identity, role, access_to=[found.id])
        uow.commit()
    return found.id


def _points(container: Container) -> tuple[int, list[tuple[str, int]]]:
    with container.uow() as uow:
        history = [(e.kind, e.points) for e in loyalty.history(uow, phone=PHONE)]
        return loyalty.state(uow, phone=PHONE).points, history


def _log(container: Container) -> list[tuple[str, str | None, str]]:
    with container.uow() as uow:
        return [(r.action, r.subject, r.reason) for r in privacy.access_log(uow)]


def _request_id(page: httpx.Response) -> str:
    found = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert found, "the adjustment form carries its request id"
    return found.group(1)


def test_a_supervisor_adjusts_points_with_a_reason_once_however_often_the_form_is_sent(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-supervisor", clock=clock)
    opened = post_form(client, f"/staff/customers/{customer_id}", reason="Customer called about points")
    assert 'action="/staff/customers/' + customer_id + '/points"' in opened.text  # reachable from the 360
    shown = post_form(client, f"/staff/customers/{customer_id}/points", reason="Customer asks about points")
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert 'data-testid="points">40<' in shown.text and "Bronze" in shown.text
    assert "Silver from" in shown.text and "more spent in 90 days" in shown.text  # what the next level needs
    assert "Earned" in shown.text and "Adjust the points" in shown.text
    form = {"points": "25", "reason": "Goodwill: network outage", "request_id": _request_id(shown)}
    done = post_form(client, f"/staff/customers/{customer_id}/points/adjust", **form)
    assert done.status_code == 200 and "The points are adjusted." in done.text
    assert 'data-testid="points">65<' in done.text and "Goodwill: network outage" in done.text
    again = post_form(client, f"/staff/customers/{customer_id}/points/adjust", **form)  # a double submit
    assert again.status_code == 200 and "already made" in again.text and 'data-testid="points">65<' in again.text
    assert _points(container) == (65, [("adjust", 25), ("earn", 40)])
    taken = post_form(
        client,
        f"/staff/customers/{customer_id}/points/adjust",
        points="-5",
        reason="Duplicate goodwill",
        request_id=_request_id(done),
    )
    assert taken.status_code == 200 and _points(container)[0] == 60
    assert _log(container) == [
        ("loyalty.adjust", PHONE, "Duplicate goodwill"),
        ("loyalty.adjust", PHONE, "Goodwill: network outage"),
        ("loyalty.view", PHONE, "Customer asks about points"),
        ("view", None, "Customer called about points"),
    ]


def test_an_agent_sees_the_points_but_may_not_adjust_them(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-agent", clock=clock)
    shown = post_form(client, f"/staff/customers/{customer_id}/points", reason="Customer asks about points")
    assert shown.status_code == 200 and 'data-testid="points">40<' in shown.text
    assert "Adjusting points needs a supervisor." in shown.text and 'name="request_id"' not in shown.text
    refused = post_form(
        client, f"/staff/customers/{customer_id}/points/adjust", points="500", reason="Just because", request_id="x1"
    )
    assert refused.status_code == 403 and "may not do this" in refused.text
    assert _points(container) == (40, [("earn", 40)])
    assert _log(container) == [("loyalty.view", PHONE, "Customer asks about points")]


def test_no_reason_or_no_number_is_refused_in_words_and_nothing_is_written(
    client: httpx.Client, customer_id: str, clock: SimulatedClock, container: Container
) -> None:
    sign_in_console(client, login="test-admin", clock=clock)
    unseen = post_form(client, f"/staff/customers/{customer_id}/points", reason=" ")
    assert unseen.status_code == 422 and "at least 5 characters" in unseen.text
    assert 'data-testid="points"' not in unseen.text  # no points without a reason
    path = f"/staff/customers/{customer_id}/points/adjust"
    no_reason = post_form(client, path, points="25", reason="", request_id="r1")
    assert no_reason.status_code == 422 and "at least 5 characters" in no_reason.text
    no_token = client.post(path, data={"points": "25", "reason": "Goodwill: outage", "request_id": "r2"})
    assert no_token.status_code == 403
    for points in ("0", "ten", "-999999999"):
        bad = post_form(client, path, points=points, reason="Goodwill: outage", request_id="r3")
        assert bad.status_code == 422 and "a whole number, not zero" in bad.text, points
    too_many = post_form(client, path, points="-41", reason="Taking them back", request_id="r4")
    assert too_many.status_code == 409 and "Not enough points" in too_many.text
    in_russian = client.post(
        path,
        data={"points": "25", "reason": "", "request_id": "r5", "csrf_token": csrf_token(client.get("/staff"))},
        headers={"Accept-Language": "ru"},
    )
    assert in_russian.status_code == 422 and "Укажите причину" in in_russian.text
    assert _points(container) == (40, [("earn", 40)])
    assert _log(container) == []

"""Tickets over a real socket: the customer's own (`/api/v1/me/tickets`, `/account/requests`)
and the console's queue and ticket page (`/staff/tickets`). Who may call: signed out (401, to
/login), a token without the scope `tickets` (403), another customer's ticket (404, as a missing
one; its file too), a refused attachment (422, saying the limit), an agent outside the claims
queue (not listed, 404), an agent reassigning to someone else (403), a supervisor (sees the
claims and the SLA list, reassigns); an internal note never reaches the customer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.e2e.test_lines_me_http import Site
from tests.factories.identity import context, customer
from tests.factories.staff import csrf_token, member, post_form
from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.crm import service as crm
from yagona.identity.service import staff
from yagona.kernel.clock import SimulatedClock, SystemClock
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
DILNOZA, BOBUR = "998901234567", "998901112233"
ME = "/api/v1/me/tickets"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    clock = SimulatedClock(SystemClock().now())  # tokens are checked against the real time
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            for phone in (DILNOZA, BOBUR):
                customer(uow, app.state.identity, phone)
            member(uow, app.state.identity, "agent")
            member(uow, app.state.identity, "agent", login="test-agent-2")
            member(uow, app.state.identity, "supervisor")
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["code"]
    return code


def test_a_customer_opens_reads_and_writes_on_their_own_tickets_only(site: Site) -> None:
    anonymous = site.client()
    assert _problem(anonymous.get(ME), 401) == "unauthenticated"
    assert _problem(anonymous.post(ME, json={"name": "x", "description": "y"}), 401) == "unauthenticated"
    answer = anonymous.get("/account/requests")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/account/requests"

    dilnoza = site.signed_in_by_sms(DILNOZA)
    assert _problem(site.bearer(dilnoza, "openid mobile").get(ME), 403) == "insufficient_scope"
    created = dilnoza.post(
        ME, json={"name": "Charged twice", "description": "For the March fee", "ticket_type": "claim"}
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert (ticket["status"], ticket["ticket_type"], ticket["channel"]) == ("open", "claim", "portal")
    assert ticket["expected_resolution_date"].endswith("+05:00")
    assert _problem(dilnoza.post(ME, json={"name": "x", "description": "y", "ticket_type": "gossip"}), 422) == (
        "invalid_request"
    )
    assert _problem(dilnoza.post(ME, json={"name": "x", "description": "y", "priority": "urgent"}), 422) == (
        "invalid_request"
    )  # a customer does not set the priority: an unknown field
    written = dilnoza.post(f"{ME}/{ticket['id']}/notes", json={"text": "The receipt is in my wallet"})
    assert written.status_code == 201
    assert [n["text"] for n in written.json()["notes"]] == ["For the March fee", "The receipt is in my wallet"]
    assert [t["id"] for t in dilnoza.get(ME).json()["items"]] == [ticket["id"]]

    bobur = site.signed_in_by_sms(BOBUR)
    assert bobur.get(ME).json()["items"] == []
    assert _problem(bobur.get(f"{ME}/{ticket['id']}"), 404) == "request_not_found"
    assert _problem(bobur.post(f"{ME}/{ticket['id']}/notes", json={"text": "mine now"}), 404) == "request_not_found"

    # The portal form, with a picture; a refused file says the limit; a file is its owner's only.
    page = dilnoza.get("/account/requests", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Charged twice" in page.text and "Texnik muammo" in page.text  # in her language
    form = {"category": "technical", "subject": "No signal", "text": "At home since Monday", "service": "mobile"}
    refused = dilnoza.post(
        "/account/requests", data={**form, "csrf_token": csrf_token(page)},
        files={"file": ("photo.png", b"MZ\x90\x00 not a picture", "image/png")}, headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert refused.status_code == 422 and "800 KB" in refused.text
    sent = dilnoza.post(
        "/account/requests",
        data={**form, "csrf_token": csrf_token(page)},
        files={"file": ("signal.png", PNG, "image/png")},
    )
    assert sent.status_code == 303
    path = sent.headers["location"]
    mine = dilnoza.get(path, headers={"Accept-Language": "en"})
    assert "No signal" in mine.text and "At home since Monday" in mine.text and "signal.png" in mine.text
    file_path = re.search(r'href="(/account/requests/[^"]+/files/[^"]+)"', mine.text)
    assert file_path
    downloaded = dilnoza.get(file_path.group(1))
    assert (
        downloaded.content == PNG and downloaded.headers["content-disposition"] == 'attachment; filename="signal.png"'
    )
    assert bobur.get(path).status_code == 404
    assert bobur.get(file_path.group(1)).status_code == 404
    with site.container.uow() as uow:
        assert len(crm.tickets(uow)) == 2  # the refused form wrote nothing


def test_agents_work_their_queues_and_supervisors_see_breaches_and_reassign(site: Site) -> None:
    dilnoza = site.signed_in_by_sms(DILNOZA)
    question = dilnoza.post(ME, json={"name": "Roaming in Kazakhstan", "description": "Does it work?"}).json()
    claim = dilnoza.post(ME, json={"name": "A written claim", "description": "Refund", "ticket_type": "claim"}).json()
    assert dilnoza.get("/staff/tickets").headers["location"] == "/staff/login"  # a customer is no member of staff

    agent = site.console("test-agent")
    queue = agent.get("/staff/tickets")
    assert "Roaming in Kazakhstan" in queue.text and "A written claim" not in queue.text  # claims: members only
    assert agent.get(f"/staff/tickets/{claim['id']}").status_code == 404
    assert "SLA warnings and breaches" not in queue.text
    here = f"/staff/tickets/{question['id']}"
    assert agent.get(here).status_code == 200
    assert post_form(agent, f"{here}/note", page=here, text="Check the roaming partner list").status_code == 303
    assert post_form(agent, f"{here}/reply", page=here, text="Yes, with Beeline KZ").status_code == 303
    assert "The reply is sent." in agent.get(here).text
    assert post_form(agent, f"{here}/priority", page=here, priority="high").status_code == 303
    with site.container.uow() as uow:
        staff_ids = {m.login: m.id for m in staff.list_staff(uow)}
    refused = post_form(agent, f"{here}/assign", page=here, agent=staff_ids["test-agent-2"])
    assert refused.status_code == 403  # an agent does not hand tickets to others
    worked = agent.get(here)
    assert "Check the roaming partner list" in worked.text and "Yes, with Beeline KZ" in worked.text

    with site.container.uow() as uow:
        dilnoza_id = crm.ticket(uow, ticket_id=question["id"]).customer_id
    on_call = post_form(
        agent, "/staff/tickets/new", page="/staff", customer_id=dilnoza_id, category="billing", priority="high",
        subject="Called about a fee", text="The fee came twice",
    )  # fmt: skip
    assert on_call.status_code == 303 and "The ticket is opened." in agent.get(on_call.headers["location"]).text
    called = [t for t in dilnoza.get(ME).json()["items"] if t["name"] == "Called about a fee"]
    assert [(t["channel"], t["priority"], t["ticket_type"]) for t in called] == [("staff", "high", "billing")]
    not_staff = post_form(
        dilnoza, "/staff/tickets/new", page="/account/requests", customer_id=dilnoza_id, subject="x", text="y"
    )
    assert not_staff.status_code == 303 and not_staff.headers["location"] == "/staff/login"

    detail = dilnoza.get(f"{ME}/{question['id']}").json()
    assert [n["text"] for n in detail["notes"]] == ["Does it work?", "Yes, with Beeline KZ"]  # never the note
    assert detail["status"] == "in_progress" and detail["first_response_date"]

    supervisor = site.console("test-supervisor")
    everything = supervisor.get("/staff/tickets")
    assert "A written claim" in everything.text and "SLA warnings and breaches" in everything.text
    moved = post_form(supervisor, f"{here}/assign", page=here, queue="billing", agent=staff_ids["test-agent-2"])
    assert moved.status_code == 303
    billing = supervisor.get("/staff/tickets?queue=billing")
    assert "Roaming in Kazakhstan" in billing.text and "Test Agent" in billing.text
    resolved = post_form(supervisor, f"{here}/status", page=here, status="resolved")
    assert resolved.status_code == 303
    assert dilnoza.get(f"{ME}/{question['id']}").json()["status"] == "resolved"
    with site.container.uow() as uow:
        customer_id = crm.ticket(uow, ticket_id=question["id"]).customer_id
        actions = [r.action for r in privacy.access_log(uow, customer_id=customer_id)]
    assert {"ticket.view", "ticket.note", "ticket.reply", "ticket.priority", "ticket.assign", "ticket.status"} <= set(
        actions
    )

"""The timeline over a real socket: the customer's own history (`/account/history` and
`/api/v1/me/interactions`), newest first, a channel and a page at a time, never another
customer's; the console's call note, timeline and queue of contact requests, each in the access
log. Refusals: signed out (to /login, 401), a token without the scope `history` (403), the staff
key (not a customer, 401), a customer at the console (to its sign-in), a timeline opened without
a reason (422), an empty note (422), a request closed twice (409) — nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine

from tests.e2e.server import serving
from tests.e2e.test_lines_me_http import STAFF, Site
from tests.factories.identity import context, customer
from tests.factories.staff import member, post_form
from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.crm import service as crm
from yagona.kernel.clock import SimulatedClock, SystemClock
from yagona.platform.settings import Settings
from yagona.privacy import service as privacy

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no locking to prove
DILNOZA, BOBUR = "998901234567", "998901112233"
ME = "/api/v1/me/interactions"


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[Site]:
    clock = SimulatedClock(SystemClock().now())  # tokens are checked against the real time
    container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
    app = create_app(settings, container=container)
    with serving(app) as url:
        app.state.identity = context(settings, issuer=url)
        site = Site(url, container, app.state)
        with container.uow() as uow:
            ids = [customer(uow, app.state.identity, phone).id for phone in (DILNOZA, BOBUR)]
            member(uow, app.state.identity, "agent", access_to=ids)
            uow.commit()
        try:
            yield site
        finally:
            for client in site.opened:
                client.close()


def _ids(site: Site) -> tuple[str, str]:
    from yagona.identity import service as identity

    with site.container.uow() as uow:
        found = [identity.find_customer_by_phone(uow, phone=p) for p in (DILNOZA, BOBUR)]
    assert found[0] and found[1]
    return found[0].id, found[1].id


def _record(site: Site, customer_id: str, summary: str, *, channel: str = "ussd", times: int = 1) -> None:
    clock = site.container.clock
    assert isinstance(clock, SimulatedClock)
    with site.container.uow() as uow:
        for i in range(times):
            clock.advance_by(timedelta(seconds=1))  # one instant each: newest first is then by time, not by id
            text = f"{summary} {i + 1}" if times > 1 else summary
            crm.record_interaction(uow, customer_id=customer_id, channel=channel, direction="in", summary=text)
            clock = site.container.clock
            assert isinstance(clock, SimulatedClock)
            clock.advance_by(timedelta(milliseconds=10))  # entries of one instant have no order to assert
        uow.commit()


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["code"]
    return code


def test_a_customer_reads_only_their_own_history_a_channel_and_a_page_at_a_time(site: Site) -> None:
    dilnoza_id, bobur_id = _ids(site)
    anonymous = site.client()
    answer = anonymous.get("/account/history")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/account/history"
    assert _problem(anonymous.get(ME), 401) == "unauthenticated"
    assert _problem(site.staff().get(ME), 401) == "unauthenticated"  # the staff key is not a customer

    _record(site, bobur_id, "Bobur's balance")
    _record(site, dilnoza_id, "*100# balance", times=25)
    dilnoza = site.signed_in_by_sms(DILNOZA)

    page = dilnoza.get("/account/history", headers={"Accept-Language": "uz"})
    assert page.status_code == 200
    assert "Portalga kirdi (SMS kod; yangi qurilma)" in page.text  # her sign-in, in her language
    assert "Bobur" not in page.text
    ussd = dilnoza.get("/account/history?channel=ussd")
    assert ussd.text.count("*100# balance") == 20 and "*100# balance 25" in ussd.text
    assert 'href="/account/history?page=2&amp;channel=ussd"' in ussd.text and "Portalga kirdi" not in ussd.text
    older = dilnoza.get("/account/history?channel=ussd&page=2")
    assert older.text.count("*100# balance") == 5 and "*100# balance 1<" in older.text
    assert dilnoza.get("/account/history?channel=fax").status_code == 200  # an unknown filter: every channel

    first = dilnoza.get(ME, params={"channel": "ussd"}).json()
    assert (len(first["items"]), first["has_next"], first["page"]) == (20, True, 1)
    assert first["items"][0]["summary"] == "*100# balance 25" and first["items"][0]["direction"] == "in"
    assert first["items"][0]["occurred_at"].endswith("+05:00")
    second = dilnoza.get(ME, params={"channel": "ussd", "page": 2}).json()
    assert (len(second["items"]), second["has_next"]) == (5, False)
    everything = dilnoza.get(ME, params={"per_page": 100}).json()["items"]
    assert {e["channel"] for e in everything} >= {"ussd", "portal"}
    assert all("Bobur" not in e["summary"] for e in everything)
    assert _problem(dilnoza.get(ME, params={"channel": "fax"}), 422) == "invalid_request"
    # A token without the scope `history` reads nothing.
    assert _problem(site.bearer(dilnoza, "openid mobile").get(ME), 403) == "insufficient_scope"
    # Bobur sees his own only.
    bobur = site.signed_in_by_sms(BOBUR)
    assert [e["summary"] for e in bobur.get(ME, params={"channel": "ussd"}).json()["items"]] == ["Bobur's balance"]


def test_an_agent_notes_a_call_reads_the_timeline_and_closes_a_request(site: Site) -> None:
    dilnoza_id, _ = _ids(site)
    with site.container.uow() as uow:
        request_id = crm.open_request(
            uow, customer_id=dilnoza_id, channel="telegram", summary="Talk to a person", body="My internet is slow"
        )
        uow.commit()
    # A customer's session is no key to the console.
    dilnoza = site.signed_in_by_sms(DILNOZA)
    for path in ("/staff/requests", f"/staff/customers/{dilnoza_id}/timeline"):
        refused = dilnoza.post(path) if path.endswith("timeline") else dilnoza.get(path)
        assert refused.status_code in {303, 403}, path
    assert dilnoza.get("/staff/requests").headers["location"] == "/staff/login"

    console = site.console("test-agent")
    moved = console.get("/staff/requests")  # the contact requests' queue is the tickets' queue now
    assert moved.status_code == 303 and moved.headers["location"] == "/staff/tickets"
    queue = console.get("/staff/tickets")
    assert "Talk to a person" in queue.text and "Dilnoza Alimova" in queue.text
    assert f'href="/staff/tickets/{request_id}"' in queue.text

    opened = post_form(console, f"/staff/customers/{dilnoza_id}", reason="customer called about internet")
    assert opened.status_code == 200 and "Latest contacts" in opened.text and "Talk to a person" in opened.text

    empty = post_form(console, f"/staff/customers/{dilnoza_id}/notes", text="   ", direction="in")
    assert empty.status_code == 422
    noted = post_form(
        console, f"/staff/customers/{dilnoza_id}/notes", text="Card 8600 1234 5678 9012, slow", direction="in"
    )
    assert noted.status_code == 200 and "The call note is recorded." in noted.text
    assert "Card ************9012, slow" in noted.text and "8600 1234" not in noted.text

    no_reason = post_form(console, f"/staff/customers/{dilnoza_id}/timeline", channel="staff")
    assert no_reason.status_code == 422
    staff_only = post_form(
        console, f"/staff/customers/{dilnoza_id}/timeline", channel="staff", reason="checking the call"
    )
    assert staff_only.status_code == 200 and "Card ************9012" in staff_only.text
    assert "Talk to a person" not in staff_only.text  # a telegram contact, filtered out

    closed = post_form(console, f"/staff/requests/{request_id}/close", note="Called back: the router restarted")
    assert closed.status_code == 303 and closed.headers["location"] == "/staff/tickets"
    after = console.get("/staff/tickets")
    assert "The request is closed." in after.text and "Talk to a person" not in after.text
    again = post_form(console, f"/staff/requests/{request_id}/close", note="Once more")
    assert again.status_code == 409
    assert post_form(console, "/staff/requests/no-such-request/close", note="Whatever").status_code == 404

    with site.container.uow() as uow:
        [done] = crm.contact_requests(uow, customer_id=dilnoza_id, status=None)
        assert (done.status, done.close_note) == ("closed", "Called back: the router restarted")
        actions = [r.action for r in privacy.access_log(uow, customer_id=dilnoza_id)]
    assert actions == ["request.close", "timeline.view", "note.add", "view"]
    # The customer sees the agent's answer in her history (staff, to her).
    mine = dilnoza.get(ME, params={"channel": "staff"}).json()["items"]
    assert [(e["summary"], e["direction"]) for e in mine] == [
        ("Called back: the router restarted", "out"),
        ("Card ************9012, slow", "in"),
    ]
    assert STAFF  # the staff key header exists for machines; the console uses its own sign-in

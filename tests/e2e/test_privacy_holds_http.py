"""Legal holds in the staff console over a real socket (issue 16): `/staff/privacy/holds` is for
supervisors and admins (signed out: the staff sign-in; an agent: 403), its forms need the CSRF
token, placing and releasing are audited; the 360 shows the badge; and a hold placed here stops
the customer's own erasure (`legal_hold`) until it is released."""

from __future__ import annotations

import httpx

from tests.e2e.test_privacy_http import (
    PHONE,
    _browser,
    _close_browsers,
    _customer,
    _post,
    _staff,
    app,
    database_url,
    ids,
    url,
)
from yagona.app.bootstrap import Container
from yagona.kernel.clock import SimulatedClock
from yagona.privacy import service as privacy

__all__ = ["_close_browsers", "app", "database_url", "ids", "url"]  # the fixtures, shared
HOLDS = "/staff/privacy/holds"
ERASURE = "/api/v1/me/personal-data/erasure"


def _place(client: httpx.Client, customer_id: str, **form: str) -> httpx.Response:
    fields = {"customer_id": customer_id, "reason": "Court order: keep the records", "reference": "No 12/2026"}
    return _post(client, HOLDS, HOLDS, **{**fields, **form})


def test_only_supervisors_and_admins_open_the_holds(url: str, ids: dict[str, str], clock: SimulatedClock) -> None:
    anonymous = _browser(url)
    for answer in (anonymous.get(HOLDS), anonymous.post(HOLDS, data={"customer_id": ids["first"]})):
        assert answer.status_code in {303, 403}, answer.text
    signed_out = anonymous.get(HOLDS)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/staff/login"
    agent = _staff(url, clock, "agent")
    assert agent.get(HOLDS).status_code == 403
    assert 'href="/staff/privacy/holds"' not in agent.get("/staff").text  # not in an agent's menu
    assert _post(agent, HOLDS, customer_id=ids["first"], reason="Court order 1", reference="No 1").status_code == 403
    admin = _staff(url, clock, "admin")
    assert admin.get(HOLDS).status_code == 200
    assert 'href="/staff/privacy/holds"' in admin.get("/staff").text  # in the console's menu
    forged = admin.post(HOLDS, data={"customer_id": ids["first"], "reason": "Court order 1", "reference": "No 1"})
    assert forged.status_code == 403  # no CSRF token
    assert "No active legal hold." in admin.get(HOLDS).text  # the forged form placed nothing


def test_a_hold_placed_in_the_console_stops_erasure_until_released(
    url: str, ids: dict[str, str], clock: SimulatedClock, container: Container
) -> None:
    customer_id = ids["first"]
    supervisor = _staff(url, clock, "supervisor")
    incomplete = _place(supervisor, customer_id, reference="")
    assert incomplete.status_code == 422 and "document reference" in incomplete.text
    no_reason = _place(supervisor, customer_id, reason="")
    assert no_reason.status_code == 422
    unknown = _place(supervisor, "no-such-customer")
    assert unknown.status_code == 404
    with container.uow() as uow:
        assert privacy.holds(uow) == []  # the refusals wrote nothing
    placed = _place(supervisor, customer_id)
    assert placed.status_code == 303, placed.text
    page = supervisor.get(HOLDS)
    assert "The legal hold is placed" in page.text and "No 12/2026" in page.text and customer_id in page.text

    owner = _customer(url, PHONE)
    refused = owner.post(ERASURE, json={"confirm": True})
    assert refused.status_code == 409 and refused.json()["code"] == "legal_hold", refused.text
    assert 'action="/account/data/erase"' not in owner.get("/account/data").text

    opened = _post(supervisor, f"/staff/privacy/emergency/{customer_id}", basis="legal_order", reason="Court order")
    assert opened.status_code == 303
    shown = _post(supervisor, f"/staff/customers/{customer_id}", reason="Court order check")
    assert shown.status_code == 200 and 'class="badge badge-hold"' in shown.text and "No 12/2026" in shown.text
    russian = supervisor.get(HOLDS, headers={"Accept-Language": "ru"})
    assert "Юридические удержания" in russian.text

    with container.uow() as uow:
        (hold,) = privacy.holds(uow, customer_id=customer_id)
        actions = [r.action for r in privacy.access_log(uow, customer_id=customer_id)]
    assert "hold.place" in actions
    assert _post(supervisor, f"{HOLDS}/{hold.id}/release", HOLDS, reason="").status_code == 422
    released = _post(supervisor, f"{HOLDS}/{hold.id}/release", HOLDS, reason="The court lifted the order")
    assert released.status_code == 303
    assert "The legal hold is released." in supervisor.get(HOLDS).text
    again = _post(supervisor, f"{HOLDS}/{hold.id}/release", HOLDS, reason="The court lifted the order")
    assert again.status_code == 404
    with container.uow() as uow:
        (done,) = privacy.holds(uow, customer_id=customer_id, active_only=False)
        actions = [r.action for r in privacy.access_log(uow, customer_id=customer_id)]
    assert done.released_by is not None and done.release_reason == "The court lifted the order"
    assert "hold.release" in actions
    assert "badge-hold" not in _post(supervisor, f"/staff/customers/{customer_id}", reason="Court order check").text
    assert owner.post(ERASURE, json={"confirm": True}).status_code == 200  # released: erasure proceeds

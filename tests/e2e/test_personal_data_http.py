"""The customer's own data over a real socket (issue 16, part 3): `/api/v1/me/personal-data`,
its zip export and erasure, and the portal's `/account/data` (see, correct, download, erase).
Only the customer's own session opens them: no credential, the staff key, a forged cookie,
another customer, a bearer token — each refused."""

from __future__ import annotations

import io
import json
import re
import zipfile

import httpx

from tests.e2e.test_lines_me_http import BOBUR, DILNOZA, Site, site
from yagona.identity import service as identity
from yagona.ledger import service as ledger
from yagona.privacy import service as privacy

__all__ = ["site"]  # the fixture, shared with the lines test
API = "/api/v1/me/personal-data"


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the page has a CSRF-checked form"
    return found.group(1)


def _data_json(answer: httpx.Response) -> dict[str, object]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as zipped:
        assert "identity.profile.csv" in zipped.namelist() and "lines.lines.csv" in zipped.namelist()
        loaded: dict[str, object] = json.loads(zipped.read("data.json"))
        return loaded


def test_a_customer_sees_downloads_and_corrects_their_data(site: Site) -> None:
    me = site.signed_in_by_sms(DILNOZA)
    answer = me.get(API)
    assert answer.status_code == 200, answer.text
    sections = {s["key"]: s["rows"] for s in answer.json()["sections"]}
    assert sections["identity.profile"][0]["name"] == "Dilnoza Alimova"
    assert "password_hash" not in sections["identity.profile"][0]  # secrets are never shown
    assert DILNOZA in {row["msisdn"] for row in sections["lines.lines"]}
    assert sections["identity.sessions"]  # this very session
    exported = _data_json(me.get(f"{API}/export"))
    assert DILNOZA in json.dumps(exported) and BOBUR not in json.dumps(exported)

    page = me.get("/account/data")
    assert page.status_code == 200 and "Dilnoza Alimova" in page.text and DILNOZA in page.text
    assert 'href="/account/data/export"' in page.text
    _data_json(me.get("/account/data/export"))
    fixed = me.post(
        "/account/data/profile",
        data={"name": "Dilnoza  Karimova", "email": "dilnoza@example.uz", "csrf_token": _token(page)},
        follow_redirects=False,
    )
    assert fixed.status_code == 303, fixed.text
    page = me.get("/account/data")
    assert "Dilnoza Karimova" in page.text and "dilnoza@example.uz" in page.text
    refused = me.post("/account/data/profile", data={"name": "X", "email": "not-an-email", "csrf_token": _token(page)})
    assert refused.status_code == 422
    with site.container.uow() as uow:
        customer = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert customer is not None and customer.name == "Dilnoza Karimova"  # the bad form changed nothing


def test_nobody_else_gets_in(site: Site) -> None:
    for client in (site.client(), site.staff(), site.client(cookies={"yagona_session": "forged"})):
        for method, path in (("GET", API), ("GET", f"{API}/export"), ("POST", f"{API}/erasure")):
            answer = client.request(method, path, json={"confirm": True} if method == "POST" else None)
            assert answer.status_code == 401, (path, answer.text)
        assert client.get("/account/data", follow_redirects=False).headers["location"] == "/login?next=/account/data"
    token = site.bearer(site.signed_in_by_sms(DILNOZA), "openid mobile")
    for method, path in (("GET", API), ("GET", f"{API}/export"), ("POST", f"{API}/erasure")):
        answer = token.request(method, path, json={"confirm": True} if method == "POST" else None)
        assert answer.status_code == 403 and answer.json()["code"] == "insufficient_scope", answer.text
    bobur = site.signed_in_by_sms(BOBUR).get(API).json()
    assert DILNOZA not in json.dumps(bobur) and BOBUR in json.dumps(bobur)


def test_erasure_on_request_is_refused_under_a_legal_hold_then_done(site: Site) -> None:
    me = site.signed_in_by_sms(DILNOZA)
    with site.container.uow() as uow:
        customer = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert customer is not None
        hold = privacy.place_hold(uow, customer_id=customer.id, reason="court order 12/2026", placed_by="cli")
        uow.commit()
    held = me.post(f"{API}/erasure", json={"confirm": True})
    assert held.status_code == 409 and held.json()["code"] == "legal_hold", held.text
    page = me.get("/account/data")
    assert 'action="/account/data/erase"' not in page.text  # the page says why instead
    forged = me.post("/account/data/erase", data={"confirm": "yes"})  # no CSRF token: refused
    assert forged.status_code == 403
    with site.container.uow() as uow:
        privacy.release_hold(uow, hold_id=hold.id, released_by="cli")
        uow.commit()
    assert me.post(f"{API}/erasure", json={"confirm": False}).status_code == 422
    unticked = me.post("/account/data/erase", data={"csrf_token": _token(me.get("/account/data"))})
    assert unticked.status_code == 422 and "Hech narsa o\u2018chirilmadi" in unticked.text  # uz: nothing was erased
    done = me.post(f"{API}/erasure", json={"confirm": True})
    assert done.status_code == 200, done.text
    assert done.json()["rows"]["identity"] > 0
    assert me.get(API).status_code == 401  # signed out everywhere
    with site.container.uow() as uow:
        assert identity.find_customer_by_phone(uow, phone=DILNOZA) is None
        assert ledger.verify(uow).ok

"""The sealed PINFL (issue 16, part 8) over a real socket: the customer's own `/account/data`
page and its zip still show their PINFL in clear, never its keyed lookup hash."""

from __future__ import annotations

import io
import json
import zipfile

from tests.e2e.test_lines_me_http import DILNOZA, Site, site
from tests.factories import home as home_factory
from yagona.identity import service as identity

__all__ = ["site"]  # the fixture, shared with the lines test
PINFL = "31505901234567"


def test_the_export_shows_the_customers_own_pinfl(site: Site) -> None:
    me = site.signed_in_by_sms(DILNOZA)
    with site.container.uow() as uow:
        customer = identity.find_customer_by_phone(uow, phone=DILNOZA)
        assert customer is not None
    home_factory.verify(site.container.uow, home_factory.ctx(site.container.settings), customer.id, PINFL)
    assert PINFL in me.get("/account/data").text
    answer = me.get("/account/data/export")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as zipped:
        data = json.loads(zipped.read("data.json"))
        assert PINFL in zipped.read("identity.profile.csv").decode()
    (profile,) = data["sections"]["identity.profile"]
    assert profile["pinfl"] == PINFL and "pinfl_lookup" not in profile
    assert "$f$" not in json.dumps(data)  # nothing sealed leaks into the export

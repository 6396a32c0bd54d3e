"""The CRM's timeline and contact requests on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.crm.errors import EmptyTextError, UnknownChannelError
from yagona.kernel.clock import SimulatedClock

CUSTOMER, OTHER = "c-1", "c-2"


def test_the_timeline_is_newest_first_per_customer_and_filters_by_channel(
    container: Container, clock: SimulatedClock
) -> None:
    with container.uow() as uow:
        crm.record_interaction(uow, customer_id=CUSTOMER, channel="ussd", direction="in", summary="*100# balance")
        clock.advance_by(timedelta(minutes=5))
        crm.record_interaction(
            uow, customer_id=CUSTOMER, channel="sms", direction="out", summary="Top-up 8600123456789012 received"
        )
        crm.record_interaction(uow, customer_id=OTHER, channel="sms", direction="out", summary="not yours")
        uow.commit()
    with container.uow() as uow:
        entries = crm.timeline(uow, customer_id=CUSTOMER)
        assert [(e.channel, e.direction, e.summary) for e in entries] == [
            ("sms", "out", "Top-up ************9012 received"),
            ("ussd", "in", "*100# balance"),
        ]
        assert [e.channel for e in crm.timeline(uow, customer_id=CUSTOMER, channel="ussd")] == ["ussd"]


def test_a_contact_request_is_queued_and_is_on_the_timeline(container: Container) -> None:
    with container.uow() as uow:
        request_id = crm.open_request(
            uow, customer_id=CUSTOMER, channel="telegram", summary="Talk to a person", body="My internet is slow"
        )
        uow.commit()
    with container.uow() as uow:
        [queued] = crm.contact_requests(uow)
        assert (queued.id, queued.status, queued.body) == (request_id, "open", "My internet is slow")
        [entry] = crm.timeline(uow, customer_id=CUSTOMER)
        assert (entry.subject_kind, entry.subject_id, entry.direction) == ("contact_request", request_id, "in")
        assert crm.contact_requests(uow, customer_id=OTHER) == []


def test_refusals_write_nothing(container: Container) -> None:
    with container.uow() as uow:
        with pytest.raises(UnknownChannelError):
            crm.record_interaction(uow, customer_id=CUSTOMER, channel="fax", direction="in", summary="hello")
        with pytest.raises(EmptyTextError):
            crm.open_request(uow, customer_id=CUSTOMER, channel="portal", summary="  ", body="x")
        uow.commit()
    with container.uow() as uow:
        assert crm.timeline(uow, customer_id=CUSTOMER) == []
        assert crm.contact_requests(uow, status=None) == []

"""Tickets and their SLAs on SQLite and PostgreSQL: opened from a channel with an attachment,
worked in queues (an agent outside a queue is refused, a supervisor reassigns), answered
through the channel they came from (the portal's thread, an SMS), notes kept from the
customer, duplicates merged, SLA warnings and breaches recorded by the due jobs on the business
calendar (the test clock starts on Sunday 15 March 2026: Eid on Friday 20 and Navruz on Monday
23 are days off), `crm.ticket_opened` / `crm.ticket_resolved` published; refusals write nothing."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories.identity import context, customer
from tests.factories.staff import member
from yagona.app.bootstrap import Container
from yagona.crm import service as crm
from yagona.crm.errors import (
    AttachmentRefusedError,
    NotInQueueError,
    RequestClosedError,
    RequestNotFoundError,
    TicketInvalidError,
    TicketMergeError,
)
from yagona.crm.schemas import NewAttachment
from yagona.kernel.clock import SimulatedClock
from yagona.notify import service as notify
from yagona.platform.bus import EventEnvelope

TASHKENT = ZoneInfo("Asia/Tashkent")
PDF = NewAttachment(filename="../../receipt.pdf", data=b"%PDF-1.4\n% a receipt\n")
PHONE, OTHER_PHONE = "998901234567", "998901112233"


def local(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(TASHKENT).strftime("%a %d %b %H:%M")


@pytest.fixture
def people(container: Container) -> dict[str, str]:
    ctx = context(container.settings)
    with container.uow() as uow:
        found = {
            "dilnoza": customer(uow, ctx, PHONE).id,
            "bobur": customer(uow, ctx, OTHER_PHONE).id,
            "agent": member(uow, ctx, "agent").staff.id,
            "agent2": member(uow, ctx, "agent", login="test-agent-2").staff.id,
            "supervisor": member(uow, ctx, "supervisor").staff.id,
        }
        uow.commit()
    return found


def _events(container: Container) -> list[EventEnvelope]:
    seen: list[EventEnvelope] = []
    for name in ("crm.ticket_opened", "crm.ticket_resolved", "crm.ticket_replied"):
        container.bus.subscribe(name, f"test-{name}", seen.append)
    return seen


def test_a_portal_ticket_s_life_on_the_business_calendar(
    container: Container, clock: SimulatedClock, people: dict[str, str]
) -> None:
    events = _events(container)
    dilnoza, agent = people["dilnoza"], people["agent"]
    with container.uow() as uow:  # Sunday 15 March 14:00: the clocks start on Monday at 09:00
        ticket_id = crm.open_request(
            uow, customer_id=dilnoza, channel="portal", summary="Internet drops every evening",
            body="Since Friday the line drops at 21:00", category="technical", priority="high", service="mobile",
            attachments=[PDF],
        )  # fmt: skip
        uow.commit()
    with container.uow() as uow:
        t = crm.ticket(uow, ticket_id=ticket_id, customer_id=dilnoza)
        assert (t.status, t.queue, t.category, t.priority, t.service) == (
            "open", "technical", "technical", "high", "mobile"
        )  # fmt: skip
        # 4 working hours to answer, 8 to resolve (technical, high): Monday 13:00 and 17:00.
        assert (local(t.first_response_due), local(t.resolution_due)) == ("Mon 16 Mar 13:00", "Mon 16 Mar 17:00")
        [first] = crm.thread(uow, ticket_id=ticket_id, customer_id=dilnoza)
        assert first.kind == "customer" and first.body == "Since Friday the line drops at 21:00"
        [pdf] = first.attachments
        assert (pdf.filename, pdf.content_type, pdf.size) == ("receipt.pdf", "application/pdf", len(PDF.data))
        _, data = crm.attachment(uow, ticket_id=ticket_id, attachment_id=pdf.id, customer_id=dilnoza)
        assert data == PDF.data
        with pytest.raises(RequestNotFoundError):  # Bobur cannot read Dilnoza's ticket
            crm.ticket(uow, ticket_id=ticket_id, customer_id=people["bobur"])
        with pytest.raises(RequestNotFoundError):
            crm.attachment(uow, ticket_id=ticket_id, attachment_id=pdf.id, customer_id=people["bobur"])
        assert crm.timeline(uow, customer_id=dilnoza)[0].subject_id == ticket_id  # on top of her timeline
    assert [(e.name, e.payload["category"], e.payload["channel"]) for e in events] == [
        ("crm.ticket_opened", "technical", "portal")
    ]

    clock.advance_to(datetime(2026, 3, 16, 10, 0, tzinfo=TASHKENT))
    with container.uow() as uow:
        crm.add_note(uow, ticket_id=ticket_id, staff_id=agent, role="agent", body="Check the cell at Chilonzor")
        crm.reply(uow, ticket_id=ticket_id, staff_id=agent, role="agent", body="We are checking the cell tower")
        uow.commit()
    with container.uow() as uow:
        t = crm.ticket(uow, ticket_id=ticket_id)
        assert (t.status, t.assigned_to, local(t.first_response_at)) == ("in_progress", agent, "Mon 16 Mar 10:00")
        assert [m.kind for m in crm.thread(uow, ticket_id=ticket_id)] == ["customer", "note", "reply"]
        mine = crm.thread(uow, ticket_id=ticket_id, customer_id=dilnoza)
        assert [m.body for m in mine] == ["Since Friday the line drops at 21:00", "We are checking the cell tower"]
        assert notify.outbox(uow, recipient=PHONE, sealer=notify.sealer_for("x"), env="test") == []  # portal: no SMS
        crm.set_status(uow, ticket_id=ticket_id, staff_id=agent, role="agent", status="waiting_customer")
        uow.commit()
    with container.uow() as uow:  # the customer writes back: worked again
        crm.customer_reply(uow, ticket_id=ticket_id, customer_id=dilnoza, body="Still drops")
        assert crm.ticket(uow, ticket_id=ticket_id).status == "in_progress"
        resolved = crm.set_status(uow, ticket_id=ticket_id, staff_id=agent, role="agent", status="resolved")
        uow.commit()
    assert resolved.status == "resolved" and resolved.risk == "ok"
    [done] = [e for e in events if e.name == "crm.ticket_resolved"]
    assert done.payload == {
        "ticket_id": ticket_id, "customer_id": dilnoza, "channel": "portal", "category": "technical",
        "priority": "high", "status": "resolved", "resolved_by": agent, "within_sla": True, "queue": "technical",
    }  # fmt: skip
    with container.uow() as uow:  # closing a resolved ticket publishes nothing more
        crm.set_status(uow, ticket_id=ticket_id, staff_id=agent, role="agent", status="closed")
        uow.commit()
        with pytest.raises(RequestClosedError):
            crm.customer_reply(uow, ticket_id=ticket_id, customer_id=dilnoza, body="one more")
    assert [e.name for e in events].count("crm.ticket_resolved") == 1
    # The due jobs find the clocks stopped: nothing recorded.
    clock.advance_by(timedelta(days=10))
    container.jobs.run_due()
    with container.uow() as uow:
        assert crm.sla_warnings(uow) == []


def test_a_reply_to_a_telegram_ticket_goes_by_sms_in_the_customer_s_language(
    container: Container, people: dict[str, str]
) -> None:
    events = _events(container)
    with container.uow() as uow:
        ticket_id = crm.open_request(
            uow, customer_id=people["dilnoza"], channel="telegram", summary="Telegram: asked to talk to a person",
            body="Balance is wrong",
        )  # fmt: skip
        crm.reply(uow, ticket_id=ticket_id, staff_id=people["agent"], role="agent", body="Refunded 5 000 so'm")
        uow.commit()
    sealer = notify.sealer_for(container.settings.secret_key.get_secret_value())
    with container.uow() as uow:
        [sms] = notify.outbox(uow, recipient=PHONE, sealer=sealer, env="test")
        assert sms.body == f"Yagona ({crm.ticket_number(ticket_id)}): Refunded 5 000 so'm"
        [reply] = [m for m in crm.thread(uow, ticket_id=ticket_id) if m.kind == "reply"]
        assert reply.channel == "sms"
        entries = crm.timeline(uow, customer_id=people["dilnoza"], channel="sms")
        assert [e.summary for e in entries] == [f"SMS: a reply on the request {crm.ticket_number(ticket_id)}"]
    [replied] = [e for e in events if e.name == "crm.ticket_replied"]
    assert replied.payload == {
        "ticket_id": ticket_id, "number": crm.ticket_number(ticket_id), "customer_id": people["dilnoza"],
        "channel": "telegram", "via": "sms", "text": "Refunded 5 000 so'm",
    }  # fmt: skip


def test_the_due_jobs_warn_at_eighty_percent_and_record_the_breach(
    container: Container, clock: SimulatedClock, people: dict[str, str]
) -> None:
    with container.uow() as uow:
        late = crm.open_request(uow, customer_id=people["dilnoza"], channel="ussd", summary="Call me", body="Call back")
        answered = crm.open_request(uow, customer_id=people["bobur"], channel="portal", summary="Q", body="A question")
        uow.commit()
    # question/normal: 8 working hours to answer from Monday 09:00 → due 17:00, warned at 15:24.
    with container.uow() as uow:
        assert local(crm.ticket(uow, ticket_id=late).first_response_due) == "Mon 16 Mar 17:00"
    clock.advance_to(datetime(2026, 3, 16, 12, 0, tzinfo=TASHKENT))
    with container.uow() as uow:
        crm.reply(uow, ticket_id=answered, staff_id=people["agent"], role="agent", body="Here is the answer")
        uow.commit()
    clock.advance_to(datetime(2026, 3, 16, 15, 24, tzinfo=TASHKENT))
    container.jobs.run_due()
    with container.uow() as uow:
        assert [(w.ticket_id, w.kind, w.level) for w in crm.sla_warnings(uow)] == [(late, "first_response", "warning")]
        assert crm.ticket(uow, ticket_id=late).risk == "at_risk"
        assert [t.id for t in crm.tickets(uow, risk="at_risk")] == [late]
    clock.advance_to(datetime(2026, 3, 16, 17, 1, tzinfo=TASHKENT))
    container.jobs.run_due()
    container.jobs.run_due()  # run twice: recorded once
    with container.uow() as uow:
        found = [(w.ticket_id, w.kind, w.level) for w in crm.sla_warnings(uow)]
        assert found == [(late, "first_response", "breach"), (late, "first_response", "warning")]
        assert [t.id for t in crm.tickets(uow, risk="breached")] == [late]
        # Resolution (40 working hours): Eid (Fri 20) and Navruz observed (Mon 23) are skipped.
        assert local(crm.ticket(uow, ticket_id=late).resolution_due) == "Tue 24 Mar 13:00"


def test_queues_roles_and_reassignment(container: Container, people: dict[str, str]) -> None:
    agent, agent2, supervisor = people["agent"], people["agent2"], people["supervisor"]
    with container.uow() as uow:
        claim = crm.open_request(
            uow, customer_id=people["dilnoza"], channel="portal", summary="A written claim", body="I was charged twice",
            category="claim",
        )  # fmt: skip
        uow.commit()
    with container.uow() as uow:
        t = crm.ticket(uow, ticket_id=claim)
        assert t.queue == "claims" and local(t.resolution_due) == "Tue 14 Apr 14:00"  # 30 calendar days
        with pytest.raises(NotInQueueError):  # the claims queue is its members' only
            crm.add_note(uow, ticket_id=claim, staff_id=agent, role="agent", body="looking")
        assert crm.add_queue_member(uow, queue="claims", staff_id=agent) is True
        crm.add_note(uow, ticket_id=claim, staff_id=agent, role="agent", body="looking")
        taken = crm.assign(uow, ticket_id=claim, staff_id=agent, role="agent", agent=agent)
        assert taken.assigned_to == agent
        with pytest.raises(NotInQueueError):  # an agent does not hand tickets to others
            crm.assign(uow, ticket_id=claim, staff_id=agent, role="agent", agent=agent2)
        with pytest.raises(NotInQueueError):
            crm.assign(uow, ticket_id=claim, staff_id=agent, role="agent", queue="billing")
        moved = crm.assign(uow, ticket_id=claim, staff_id=supervisor, role="supervisor", queue="billing", agent=agent2)
        assert (moved.queue, moved.assigned_to) == ("billing", agent2)
        with pytest.raises(TicketInvalidError):
            crm.assign(uow, ticket_id=claim, staff_id=supervisor, role="supervisor", agent="nobody")
        assert crm.staff_queues(uow, staff_id=agent2) == ["billing", "general", "technical"]
        assert [x.id for x in crm.tickets(uow, queues=crm.staff_queues(uow, staff_id=agent2))] == [claim]
        assert [x.id for x in crm.tickets(uow, queue="claims")] == []
        uow.commit()


def test_a_duplicate_merges_into_the_survivor(container: Container, people: dict[str, str]) -> None:
    events = _events(container)
    dilnoza, agent = people["dilnoza"], people["agent"]
    with container.uow() as uow:
        first = crm.open_request(uow, customer_id=dilnoza, channel="telegram", summary="Slow", body="Slow internet")
        second = crm.open_request(uow, customer_id=dilnoza, channel="ussd", summary="Call me", body="Still slow")
        bobur = crm.open_request(uow, customer_id=people["bobur"], channel="ussd", summary="Call me", body="Hi")
        uow.commit()
    with container.uow() as uow:
        with pytest.raises(TicketMergeError):
            crm.merge(uow, ticket_id=second, into=bobur, staff_id=agent, role="agent")
        with pytest.raises(TicketMergeError):
            crm.merge(uow, ticket_id=second, into=second, staff_id=agent, role="agent")
        merged = crm.merge(uow, ticket_id=second, into=first, staff_id=agent, role="agent")
        uow.commit()
    assert (merged.status, merged.merged_into) == ("closed", first)
    with container.uow() as uow:
        bodies = [m.body for m in crm.thread(uow, ticket_id=first, customer_id=dilnoza)]
        assert bodies == ["Slow internet", "Still slow"]
        assert crm.ticket(uow, ticket_id=first).status == "open"
    assert "crm.ticket_resolved" not in [e.name for e in events]  # a merged duplicate was not resolved


def test_an_operator_day_off_moves_the_due_dates(
    container: Container, clock: SimulatedClock, people: dict[str, str]
) -> None:
    with container.uow() as uow:
        assert crm.add_day_off(uow, day=date(2026, 3, 16), reason="Office moved") is True
        assert crm.add_day_off(uow, day=date(2026, 3, 16), reason="again") is False
        ticket_id = crm.open_request(uow, customer_id=people["dilnoza"], channel="sms", summary="Hi", body="Hello")
        uow.commit()
    with container.uow() as uow:
        assert local(crm.ticket(uow, ticket_id=ticket_id).first_response_due) == "Tue 17 Mar 17:00"
        days = dict(crm.days_off(uow, year=2026))
        assert days[date(2026, 3, 16)] == "Office moved" and days[date(2026, 3, 21)] == "Nowruz"


def test_refusals_write_nothing(container: Container, people: dict[str, str]) -> None:
    dilnoza = people["dilnoza"]
    exe = NewAttachment(filename="photo.png", data=b"MZ\x90\x00 not a picture")
    big = NewAttachment(filename="scan.pdf", data=b"%PDF-" + b"0" * (800 * 1024))
    with container.uow() as uow:
        for kwargs, error in (
            ({"customer_id": " "}, TicketInvalidError),
            ({"category": "gossip"}, TicketInvalidError),
            ({"priority": "asap"}, TicketInvalidError),
            ({"attachments": [exe]}, AttachmentRefusedError),
            ({"attachments": [big]}, AttachmentRefusedError),
        ):
            fields = {"customer_id": dilnoza, "channel": "portal", "summary": "S", "body": "B", **kwargs}
            with pytest.raises(error) as refused:
                crm.open_request(uow, **fields)  # type: ignore[arg-type]
            if error is AttachmentRefusedError:
                assert refused.value.details["limit_kb"] == 800
        uow.commit()
    with container.uow() as uow:
        assert crm.tickets(uow) == [] and crm.timeline(uow, customer_id=dilnoza, channel="portal")[0].subject_id is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the CLI opens its own engine
def test_the_operator_sets_days_off_and_queue_members_from_the_command_line(
    container: Container, database_url: str, people: dict[str, str]
) -> None:
    from typer.testing import CliRunner

    from yagona.app import cli

    env = {"YAGONA_ENV": "test", "YAGONA_DATABASE__URL": database_url}
    runner = CliRunner()
    added = runner.invoke(cli.app, ["crm", "calendar", "day-off", "add", "2026-12-30", "--reason", "Year end"], env=env)
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout) == {"day": "2026-12-30", "added": True}
    listed = json.loads(runner.invoke(cli.app, ["crm", "calendar", "day-off", "list", "2026"], env=env).stdout)
    assert {"day": "2026-12-30", "name": "Year end"} in listed and {
        "day": "2026-09-01",
        "name": "Independence Day",
    } in listed
    assert runner.invoke(cli.app, ["crm", "calendar", "day-off", "add", "30.12.2026"], env=env).exit_code == 2
    member_added = runner.invoke(cli.app, ["crm", "queue", "add-member", "claims", "test-agent"], env=env)
    assert member_added.exit_code == 0, member_added.output
    unknown = runner.invoke(cli.app, ["crm", "queue", "add-member", "gossip", "test-agent"], env=env)
    assert unknown.exit_code == 1 and "invalid_request" in unknown.stderr
    with container.uow() as uow:
        assert "claims" in crm.staff_queues(uow, staff_id=people["agent"])


def test_a_new_priority_moves_the_clocks_and_the_old_jobs_record_nothing(
    container: Container, clock: SimulatedClock, people: dict[str, str]
) -> None:
    with container.uow() as uow:
        ticket_id = crm.open_request(uow, customer_id=people["dilnoza"], channel="sms", summary="Hi", body="No data")
        moved = crm.set_priority(uow, ticket_id=ticket_id, staff_id=people["agent"], role="agent", priority="urgent")
        uow.commit()
    assert (local(moved.first_response_due), local(moved.resolution_due)) == ("Mon 16 Mar 10:00", "Mon 16 Mar 17:00")
    clock.advance_to(datetime(2026, 3, 16, 15, 30, tzinfo=TASHKENT))  # past the old warning (15:24), not its due
    container.jobs.run_due()
    with container.uow() as uow:
        found = {(w.kind, w.level) for w in crm.sla_warnings(uow)}  # recorded in the same instant: no order
        assert found == {("resolution", "warning"), ("first_response", "breach"), ("first_response", "warning")}
        with pytest.raises(TicketInvalidError):
            crm.set_priority(uow, ticket_id=ticket_id, staff_id=people["agent"], role="agent", priority="asap")

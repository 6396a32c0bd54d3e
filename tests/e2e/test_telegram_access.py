"""The customer decides a member of staff's access request in the linked Telegram chat (privacy
agreement 4), over real sockets: the request asked in the console reaches the chat with Approve
and Deny buttons; Approve opens the sections to the member, Deny refuses; a press from another
chat or customer, altered data, a second press and a lapsed request change nothing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.e2e.telegram_api import Call
from tests.e2e.test_telegram import HOOK, SECRET, Bot, _console, _dilnoza, _person, bot
from tests.factories import staff as staff_factory
from tests.factories.staff import csrf_token
from yagona.privacy import service as privacy

__all__ = ["bot"]  # the fixture, shared with the bot's tests
_QUERIES = itertools.count(1)
_OPENED: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_consoles() -> Iterator[None]:
    yield
    while _OPENED:
        _OPENED.pop().close()


def _member(bot: Bot, login: str) -> tuple[str, httpx.Client]:
    with bot.container.uow() as uow:
        created = staff_factory.member(uow, bot.app.state.identity, "agent", login=login)
        uow.commit()
    console = _console(bot.url, login)
    _OPENED.append(console)
    return created.staff.id, console


def _ask(console: httpx.Client, customer_id: str, reason: str = "The caller asks about roaming") -> None:
    page = console.get(f"/staff/customers/{customer_id}")
    form = {"reason": reason, "sections": ["profile", "lines"], "minutes": "30", "csrf_token": csrf_token(page)}
    asked = console.post(f"/staff/privacy/access/{customer_id}", data=form)
    assert asked.status_code == 303, asked.text


def _request_message(bot: Bot, chat: int) -> Call:
    [sent] = [c for c in bot.api.sent(chat) if c.keyboard.get("inline_keyboard")]
    return sent


def _buttons(call: Call) -> dict[str, str]:
    [row] = call.keyboard["inline_keyboard"]
    return {button["text"]: button["callback_data"] for button in row}


def _press(bot: Bot, chat: int, data: str, *, message_id: int = 1, user: int | None = None) -> list[Call]:
    """Post a press of an inline button as Telegram does; the Bot API calls it caused."""
    before = len(bot.api.calls)
    sender = {"id": user or chat, "is_bot": False, "first_name": "Dilnoza", "language_code": "en"}
    message = {"message_id": message_id, "date": 1_764_000_000, "chat": {"id": chat, "type": "private"}, "text": "…"}
    query = {"id": f"q{next(_QUERIES)}", "from": sender, "chat_instance": "ci", "data": data, "message": message}
    update: dict[str, Any] = {"update_id": next(bot.updates), "callback_query": query}
    answer = httpx.post(bot.url + HOOK, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=20)
    assert answer.status_code == 200, answer.text
    return bot.api.calls[before:]


def _edited(calls: list[Call]) -> list[str]:
    return [str(c.params["text"]) for c in calls if c.method == "editMessageText"]


def _status(bot: Bot, customer_id: str) -> str:
    with bot.container.uow() as uow:
        [grant] = privacy.grants_of(uow, customer_id=customer_id)
    return grant.status


def test_the_request_reaches_the_chat_and_approve_opens_the_sections(bot: Bot) -> None:
    phone, chat, stranger = _person(61)
    customer_id = _dilnoza(bot, phone, line=True, wallet=False)
    bot.link(chat, phone)
    staff_id, console = _member(bot, "tg-access-1")
    bot.api.clear()
    _ask(console, customer_id)
    request = _request_message(bot, chat)
    assert "Test Agent, a member of staff, asks to see your cabinet." in request.params["text"]
    assert (
        "The caller asks about roaming" in request.params["text"]
        and "profile and sessions, lines" in request.params["text"]
    )
    buttons = _buttons(request)
    assert set(buttons) == {"✅ Approve", "❌ Deny"} and all(len(d.encode()) <= 64 for d in buttons.values())
    with bot.container.uow() as uow:
        assert privacy.active_grant(uow, staff_id=staff_id, customer_id=customer_id, section="lines") is None

    # another chat (a stranger's, or the data copied there) changes nothing and is told nothing
    other_phone = f"99891{61:07d}"
    _dilnoza(bot, other_phone, line=False, wallet=False)
    bot.link(stranger, other_phone)  # linked, but to another customer
    for pressed in (
        _press(bot, stranger, buttons["✅ Approve"]),
        _press(bot, chat, buttons["✅ Approve"], user=stranger),
    ):
        assert _edited(pressed) == [] and not [c for c in pressed if c.method == "sendMessage"]
    forged = buttons["✅ Approve"][:-1] + ("0" if buttons["✅ Approve"][-1] != "0" else "1")
    assert _edited(_press(bot, chat, forged)) == []
    assert _status(bot, customer_id) == "requested"

    pressed = _press(bot, chat, buttons["✅ Approve"])
    assert _edited(pressed) == [
        "Approved: the member of staff sees only these sections for 30 min. You may end it on the portal at any time."
    ]
    assert [c.params.get("text") for c in pressed if c.method == "answerCallbackQuery"] != []
    with bot.container.uow() as uow:
        [grant] = privacy.grants_of(uow, customer_id=customer_id)
    assert grant.status == "approved" and grant.approved_via == "telegram"
    page = console.get(f"/staff/customers/{customer_id}")
    opened = console.post(
        f"/staff/customers/{customer_id}",
        data={"reason": "The caller asks about roaming", "csrf_token": csrf_token(page)},
    )
    assert opened.status_code == 200 and "Lines" in opened.text  # the member sees the granted section

    again = _press(bot, chat, buttons["❌ Deny"])  # a second press: said so, nothing changes
    assert _edited(again) == ["This request was already decided: nothing changed."]
    assert _status(bot, customer_id) == "approved"


def test_deny_refuses_and_a_lapsed_request_says_so(bot: Bot) -> None:
    phone, chat, _ = _person(62)
    customer_id = _dilnoza(bot, phone, line=True, wallet=False)
    bot.link(chat, phone)
    _, console = _member(bot, "tg-access-2")
    bot.api.clear()
    _ask(console, customer_id)
    buttons = _buttons(_request_message(bot, chat))
    assert _edited(_press(bot, chat, buttons["❌ Deny"])) == ["Refused: the member of staff will not see your cabinet."]
    assert _status(bot, customer_id) == "denied"
    assert _edited(_press(bot, chat, buttons["✅ Approve"])) == ["This request was already decided: nothing changed."]
    assert _status(bot, customer_id) == "denied"

    bot.api.clear()
    _ask(console, customer_id, reason="The caller asks about the bill")
    buttons = _buttons(_request_message(bot, chat))
    with bot.container.uow() as uow:  # a day and more without an answer
        uow.session.execute(
            text("UPDATE privacy_access_grant SET requested_at = '2020-01-01 00:00:00' WHERE status = 'requested'")
        )
        uow.commit()
    lapsed = _press(bot, chat, buttons["✅ Approve"])
    assert _edited(lapsed) == ["This request has lapsed (unanswered for 24 hours): nothing changed."]
    with bot.container.uow() as uow:
        statuses = sorted(g.status for g in privacy.grants_of(uow, customer_id=customer_id))
    assert statuses == ["denied", "lapsed"]


def test_a_customer_without_a_linked_chat_gets_nothing_in_the_bot(bot: Bot) -> None:
    phone, chat, _ = _person(63)
    customer_id = _dilnoza(bot, phone, line=False, wallet=False)
    _, console = _member(bot, "tg-access-3")
    bot.api.clear()
    _ask(console, customer_id)
    assert bot.api.sent() == []
    assert _status(bot, customer_id) == "requested"  # it waits in the portal as before
    assert chat  # the chat never linked

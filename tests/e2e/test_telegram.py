"""The Telegram bot over real sockets: updates posted to our webhook as Telegram posts them,
the replies taken by a stand-in of the Bot API (tests/e2e/telegram_api.py) that the bot reaches
by its base-URL setting. The link to One ID (own contact → SMS code from the dev outbox), its
refusals, every command's answer, the call-centre request, and who may post to the webhook."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from typer.testing import CliRunner

from tests.e2e.server import serving
from tests.e2e.telegram_api import TOKEN, FakeBotApi, fake_bot_api
from tests.factories import staff as staff_factory
from tests.factories import wallet as wallets
from tests.factories.identity import customer, last_code
from tests.factories.lines import connect
from yagona.app.api import create_app
from yagona.app.bootstrap import Container, bootstrap
from yagona.catalog import service as catalog
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.identity.schemas import Language
from yagona.kernel.clock import SystemClock
from yagona.kernel.money import Money
from yagona.kernel.phone import display_msisdn
from yagona.lines import service as lines
from yagona.notify import service as notify_service
from yagona.platform.db import make_engine
from yagona.platform.settings import Settings
from yagona.wallet import service as wallet_service

SECRET = "test-webhook-secret-0123456789"
HOOK = "/api/v1/telegram/webhook"


def _person(n: int) -> tuple[str, int, int]:
    """Each test's own phone, chat, and a stranger's chat (one server serves the module)."""
    return f"99890{n:07d}", 5_550_000 + 10 * n, 5_550_001 + 10 * n


@dataclass
class Bot:
    url: str
    api: FakeBotApi
    app: FastAPI
    container: Container
    updates: Iterator[int]

    def post(self, chat: int, *, text: str | None = None, contact: dict[str, Any] | None = None,
             language: str = "en", secret: str | None = SECRET) -> httpx.Response:  # fmt: skip
        message: dict[str, Any] = {
            "message_id": next(self.updates),
            "date": 1_764_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "Dilnoza"},
            "from": {"id": chat, "is_bot": False, "first_name": "Dilnoza", "language_code": language},
        }
        if text is not None:
            message["text"] = text
        if contact is not None:
            message["contact"] = contact
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        update = {"update_id": next(self.updates), "message": message}
        return httpx.post(self.url + HOOK, json=update, headers=headers, timeout=20)

    def say(self, chat: int, text: str | None = None, **kwargs: Any) -> list[str]:
        """Post a message; the bot's replies to it."""
        before = len(self.api.texts(chat))
        answer = self.post(chat, text=text, **kwargs)
        assert answer.status_code == 200, answer.text
        return self.api.texts(chat)[before:]

    def code(self, phone: str) -> str:
        with self.container.uow() as uow:
            return last_code(uow, self.app.state.identity, phone)

    def link(self, chat: int, phone: str) -> list[str]:
        self.say(chat, contact={"phone_number": f"+{phone}", "first_name": "Dilnoza", "user_id": chat})
        return self.say(chat, self.code(phone))


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Bot]:
    """One server and one Bot API stand-in for the module (each test has its own chats and phones)."""
    database = tmp_path_factory.mktemp("telegram") / "yagona.db"
    shutil.copy(sqlite_template, database)
    settings = Settings(env="test", database={"url": f"sqlite:///{database}"})  # type: ignore[arg-type]
    engine = make_engine(settings.database.url, pool_size=10)
    container = bootstrap(settings, clock=SystemClock(), engine=engine, configure_logs=False)
    with fake_bot_api() as api, pytest.MonkeyPatch.context() as env:
        env.setenv("YAGONA_TELEGRAM_BOT_TOKEN", TOKEN)
        env.setenv("YAGONA_TELEGRAM_WEBHOOK_SECRET", SECRET)
        env.setenv("YAGONA_TELEGRAM_API_URL", api.url)
        app = create_app(settings, container=container)
        with serving(app) as url:
            yield Bot(url, api, app, container, itertools.count(1000))
    engine.dispose()


def _dilnoza(bot: Bot, phone: str, *, line: bool = True, wallet: bool = True) -> str:
    with bot.container.uow() as uow:
        found = customer(uow, bot.app.state.identity, phone, password=None, language=Language.EN)
        if line:
            connect(uow, msisdn=phone, plan="lider-start", deposit_som=50_000)
        if wallet:
            wallets.register(uow, phone, customer_id=found.id)
            wallets.top_up(uow, phone, wallets.som(120_000))
        uow.commit()
        return found.id


def _digits(texts: list[str]) -> bool:
    return any(re.search(r"\d{3}", t) for t in texts)


def test_a_chat_links_to_one_id_by_its_own_contact_and_the_sms_code(bot: Bot) -> None:
    phone, chat, _ = _person(1)
    customer_id = _dilnoza(bot, phone)
    [prompt] = bot.say(chat, "/start")
    assert "link this chat to your One ID" in prompt
    keyboard = bot.api.sent(chat)[-1].keyboard["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    [sent] = bot.say(chat, contact={"phone_number": phone, "first_name": "Dilnoza", "user_id": chat})
    assert sent == f"We sent a code by SMS to +998 90 *** ** {phone[-2:]}. Type it here."
    code = bot.code(phone)
    [linked] = bot.say(chat, code)
    assert linked == "This chat is linked to One ID: Dilnoza Alimova. Choose what to see."
    assert "💰 Balance" in str(bot.api.sent(chat)[-1].keyboard["keyboard"])
    # One ID sees a device signed in by the SMS code; the timeline, the chat, never the code
    with bot.container.uow() as uow:
        sessions = identity.list_sessions(uow, customer_id=customer_id)
        timeline = crm.timeline(uow, customer_id=customer_id, channel="telegram")
    assert [s.device for s in sessions] == ["Telegram bot"]
    assert [(t.direction, t.summary) for t in reversed(timeline)] == [
        ("in", "Telegram: linked the chat to One ID by the SMS code"),
        ("out", "Telegram: the chat is linked; the menu was shown"),
    ]
    assert all(code not in t.summary for t in timeline)
    # a retried update (the same update_id) is answered once
    update = {
        "update_id": 900_000,
        "message": {"message_id": 1, "date": 1, "chat": {"id": chat, "type": "private"},
                    "from": {"id": chat, "is_bot": False, "first_name": "D"}, "text": "/balance"},
    }  # fmt: skip
    for _ in range(2):
        assert httpx.post(bot.url + HOOK, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).is_success
    assert len([t for t in bot.api.texts(chat) if "so'm" in t]) == 1


def test_someone_elses_contact_is_refused_and_no_code_is_sent(bot: Bot) -> None:
    phone, chat, stranger = _person(2)
    _dilnoza(bot, phone, line=False, wallet=False)
    contact = {"phone_number": phone, "first_name": "Dilnoza", "user_id": chat}  # Dilnoza's own contact
    [refused] = bot.say(stranger, contact=contact)
    assert refused.startswith("Share your own contact")
    assert bot.api.sent(stranger)[-1].keyboard["keyboard"][0][0]["request_contact"] is True
    # nothing went to Dilnoza's phone; the stranger's chat still answers only with the prompt
    with bot.container.uow() as uow, pytest.raises(AssertionError, match="a code was sent"):
        last_code(uow, bot.app.state.identity, phone)
    [prompt] = bot.say(stranger, "123456")
    assert "link this chat to your One ID" in prompt


def test_a_wrong_code_is_refused_and_the_right_one_still_links(bot: Bot) -> None:
    phone, chat, _ = _person(3)
    _dilnoza(bot, phone, line=False, wallet=False)
    bot.say(chat, contact={"phone_number": phone, "first_name": "Dilnoza", "user_id": chat}, language="ru")
    code = bot.code(phone)
    wrong = "000000" if code != "000000" else "111111"
    [refused] = bot.say(chat, wrong, language="ru")
    assert refused == "Неверный номер телефона, код или пароль. Напишите код из SMS или /cancel.", refused
    [hint] = bot.say(chat, "hello", language="ru")
    assert hint == "Напишите код из SMS или /cancel."
    [linked] = bot.say(chat, code)
    assert linked.startswith("This chat is linked to One ID")


def test_wrong_codes_past_one_ids_limit_lock_the_phone(bot: Bot) -> None:
    phone, chat, _ = _person(9)
    _dilnoza(bot, phone, line=False, wallet=False)
    bot.say(chat, contact={"phone_number": phone, "first_name": "Dilnoza", "user_id": chat})
    code = bot.code(phone)
    wrong = "000000" if code != "000000" else "111111"
    answers = [bot.say(chat, wrong)[0] for _ in range(6)]
    assert answers[0].startswith("The code is wrong or has expired.")
    assert answers[-1].startswith("Too many attempts; try again later."), answers[-1]
    [locked] = bot.say(chat, code)  # even the right code, while the phone is locked
    assert locked.startswith("Too many attempts")


def test_an_unlinked_chat_gets_only_the_link_prompt_never_data(bot: Bot) -> None:
    phone, chat, stranger = _person(4)
    _dilnoza(bot, phone)
    bot.link(chat, phone)  # the owner's chat is linked; the stranger's is not
    for said in ("/balance", "💰 Balance", "/wallet", "/person", "998901234567", "/unlink"):
        [answer] = bot.say(stranger, said)
        assert "link this chat to your One ID" in answer
        assert "so'm" not in answer and "Dilnoza" not in answer
    assert not _digits(bot.api.texts(stranger))


def test_each_command_answers_from_the_customers_services(bot: Bot) -> None:
    phone, chat, _ = _person(5)
    customer_id = _dilnoza(bot, phone)
    with bot.container.uow() as uow:
        crm.record_interaction(uow, customer_id=customer_id, channel="sms", direction="out",
                               summary="Reminder: the monthly fee is due tomorrow", subject_kind="reminder",
                               subject_id="line-fee-due")  # fmt: skip
        uow.commit()
    bot.link(chat, phone)
    [balance] = bot.say(chat, "/balance")
    assert balance.startswith(f"{display_msisdn(phone)} — Lider Start: ") and "so'm" in balance, balance
    [bundles] = bot.say(chat, "📦 Bundles")
    assert bundles.startswith(f"{display_msisdn(phone)} — Lider Start, left:") and "internet, MB" in bundles, bundles
    [wallet] = bot.say(chat, "/wallet")
    assert wallet == f"Wallet {display_msisdn(phone)} (Light): 120 000.00 so'm, available: 120 000.00 so'm"
    [payments] = bot.say(chat, "🧾 Payments")
    assert payments.startswith(f"Wallet {display_msisdn(phone)} — recent operations:\n")
    assert "· top-up · +120 000.00 so'm ·" in payments, payments
    [reminders] = bot.say(chat, "/reminders")
    assert reminders.startswith("Our latest reminders:\n") and "SMS · Reminder: the monthly fee is due" in reminders
    [ask] = bot.say(chat, "/language")
    assert ask == "Choose a language."
    [chosen] = bot.say(chat, "🇷🇺 Русский")
    assert chosen == "Язык: русский."
    [rubalance] = bot.say(chat, "💰 Баланс")
    assert "сум" in rubalance
    with bot.container.uow() as uow:
        assert identity.get_customer(uow, customer_id=customer_id).language == "ru"
        timeline = crm.timeline(uow, customer_id=customer_id, channel="telegram", limit=100)
    assert ("in", "Telegram: asked for balance") in [(t.direction, t.summary) for t in timeline]
    assert len([t for t in timeline if t.direction == "out"]) == len(bot.api.texts(chat)) - 1  # but "we sent a code"


def test_talk_to_a_person_opens_a_request_for_the_call_centre(bot: Bot) -> None:
    phone, chat, _ = _person(6)
    customer_id = _dilnoza(bot, phone, line=False, wallet=False)
    bot.link(chat, phone)
    [ask] = bot.say(chat, "👤 Talk to a person")
    assert ask.startswith("Write your question in one message")
    [opened] = bot.say(chat, "My internet is slow since Monday, please call me")
    assert opened.startswith("Your request ") and "is with the call-centre" in opened
    with bot.container.uow() as uow:
        [request] = crm.contact_requests(uow, customer_id=customer_id)
    assert (request.channel, request.status) == ("telegram", "open")
    assert request.body == "My internet is slow since Monday, please call me"
    assert request.id[-8:].upper() in opened
    [after] = bot.say(chat, "thanks")  # the next message is not a second request
    assert after.startswith("I did not understand")


def _bot_ticket_replied(bot: Bot, n: int, words: str, reply: str, *, blocked: bool = False) -> tuple[str, list[str]]:
    """A linked customer asks a person in the bot (optionally then blocks the bot); an agent
    replies. Returns the reply's channels in the ticket's thread and the SMS her phone got."""
    phone, chat, _ = _person(n)
    customer_id = _dilnoza(bot, phone, line=False, wallet=False)
    bot.link(chat, phone)
    bot.say(chat, "👤 Talk to a person")
    bot.say(chat, words)
    with bot.container.uow() as uow:
        [request] = crm.contact_requests(uow, customer_id=customer_id)
        agent = staff_factory.member(uow, bot.app.state.identity, "agent", login=f"bot-agent-{n}")
        uow.commit()
    if blocked:
        bot.api.blocked.add(chat)
    bot.api.clear()
    with bot.container.uow() as uow:
        crm.reply(uow, ticket_id=request.id, staff_id=agent.staff.id, role="agent", body=reply)
        uow.commit()
    assert bot.api.texts(chat) == [f"Yagona ({crm.ticket_number(request.id)}): {reply}"]  # tried in the chat
    with bot.container.uow() as uow:
        thread = crm.thread(uow, ticket_id=request.id)
        sealer = notify_service.sealer_for(bot.container.settings.secret_key.get_secret_value())
        texts = [m.body for m in notify_service.outbox(uow, recipient=phone, sealer=sealer, env="test")]
    [channel] = [m.channel or "" for m in thread if m.kind == "reply"]
    return channel, texts


def test_a_reply_to_a_ticket_from_the_bot_goes_back_to_the_chat_not_by_sms(bot: Bot) -> None:
    channel, texts = _bot_ticket_replied(bot, 21, "Roaming does not work in Almaty", "Switch roaming on: *5#")
    assert channel == "telegram"
    assert not any("Switch roaming on" in t for t in texts)  # not also by SMS


def test_a_reply_the_bot_cannot_deliver_goes_by_sms_and_the_thread_says_so(bot: Bot) -> None:
    """The customer blocked the bot after asking: the Bot API answers 403, so the reply is not
    lost in a log line — it goes to her phone by SMS and the ticket's thread shows SMS."""
    channel, texts = _bot_ticket_replied(
        bot, 23, "My balance went down without calls", "A daily fee: see *100#", blocked=True
    )
    assert channel == "sms"
    assert any(t.endswith("): A daily fee: see *100#") and t.startswith("Yagona (") for t in texts), texts


def test_unlinking_or_ending_the_session_in_one_id_returns_the_chat_to_the_prompt(bot: Bot) -> None:
    phone, chat, _ = _person(7)
    customer_id = _dilnoza(bot, phone, line=True, wallet=False)
    bot.link(chat, phone)
    [unlinked] = bot.say(chat, "/unlink")
    assert unlinked == "This chat is no longer linked to your One ID."
    with bot.container.uow() as uow:
        assert identity.list_sessions(uow, customer_id=customer_id) == []
    assert "link this chat" in bot.say(chat, "/balance")[0]
    bot.link(chat, phone)
    with bot.container.uow() as uow:
        [session] = identity.list_sessions(uow, customer_id=customer_id)
        identity.revoke_session(uow, customer_id=customer_id, session_id=session.id)  # signed out in the portal
        uow.commit()
    [ended] = bot.say(chat, "/balance")
    assert ended.startswith("The link to One ID has ended") and "so'm" not in ended


def test_only_telegram_with_the_secret_may_post_updates(bot: Bot) -> None:
    phone, chat, _ = _person(8)
    _dilnoza(bot, phone)
    for secret in (None, "", "wrong-secret-0123456789", SECRET + "x"):
        answer = bot.post(chat, text="/start", secret=secret)
        assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated", answer.text
    not_json = httpx.post(bot.url + HOOK, content=b"{", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert not_json.status_code == 422
    assert bot.api.texts(chat) == []
    with bot.container.uow() as uow:
        assert (
            uow.session.execute(text("SELECT count(*) FROM telegram_chat WHERE chat_id = :c"), {"c": chat}).scalar_one()
            == 0
        )


def test_without_a_token_the_bot_is_off(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YAGONA_TELEGRAM_BOT_TOKEN", raising=False)
    shutil.copy(sqlite_template, tmp_path / "off.db")
    settings = Settings(env="test", database={"url": f"sqlite:///{tmp_path / 'off.db'}"})  # type: ignore[arg-type]
    container = bootstrap(settings, clock=SystemClock(), configure_logs=False)
    with serving(create_app(settings, container=container)) as url:
        answer = httpx.post(url + HOOK, json={"update_id": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    container.engine.dispose()
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_set_webhook_registers_the_url_and_the_secret(bot: Bot) -> None:
    from yagona.app.cli import app as cli

    url = "https://yagona.example" + HOOK
    result = CliRunner().invoke(cli, ["telegram", "set-webhook", url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"webhook set: {url}"
    assert "TEST-token" not in result.output  # the bot's token is in the Bot API's URLs: never logged
    [call] = [c for c in bot.api.calls if c.method == "setWebhook"]
    assert call.params["url"] == url and call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message"]
    refused = CliRunner().invoke(cli, ["telegram", "set-webhook", "https://yagona.example/elsewhere"])
    assert refused.exit_code == 2


def test_change_plan_shows_the_quote_and_switches_on_confirm(bot: Bot) -> None:
    phone, chat, _ = _person(11)
    customer_id = _dilnoza(bot, phone, wallet=False)
    bot.link(chat, phone)
    [choose] = bot.say(chat, "🔁 Change plan")
    assert choose.startswith(f"{display_msisdn(phone)}: your plan is Lider Start. Which plan"), choose
    rows = choose.splitlines()[1:]
    assert rows and all(re.match(r"\d\. .+ — .+ so'm a month$", row) for row in rows), rows
    target = rows[0].split(". ", 1)[1].split(" — ")[0]
    [hint] = bot.say(chat, "99")
    assert hint == "Type the number of a plan in the list, or /cancel."
    # the switching rule refuses (the balance is short), in the customer's words; nothing changes
    [refused] = bot.say(chat, "1")
    assert refused.startswith(f"Switching to {target} needs ") and "on the balance" in refused, refused
    with bot.container.uow() as uow:
        assert lines.state(uow, msisdn=phone).plan == "lider-start"
        lines.top_up(uow, msisdn=phone, amount=Money.of_som(100_000), idempotency_key=f"tg-test-{phone}")
        uow.commit()
    [again] = bot.say(chat, "1")  # the refusal ended the command: a number is not a choice now
    assert again.startswith("I did not understand")
    bot.say(chat, "/switch")
    [quote] = bot.say(chat, "1")
    assert quote.startswith(f"Switch to {target}: ") and "is charged from the balance now" in quote, quote
    assert quote.endswith("Confirm?")
    [done] = bot.say(chat, "✅ Confirm")
    assert done == f"{display_msisdn(phone)}: the plan is now {target}."
    with bot.container.uow() as uow:
        plan = catalog.get_plan(lines.state(uow, msisdn=phone).plan)
        timeline = crm.timeline(uow, customer_id=customer_id, channel="telegram", limit=100)
    assert plan.name == target
    summaries = [t.summary for t in timeline]
    assert "Telegram: confirmed the switch" in summaries
    assert f"Telegram: the plan was switched to {plan.id}" in summaries


def test_pay_the_line_from_the_wallet_with_the_pin_which_is_deleted(bot: Bot) -> None:
    phone, chat, _ = _person(12)
    customer_id = _dilnoza(bot, phone)
    bot.link(chat, phone)
    with bot.container.uow() as uow:
        before_line = lines.state(uow, msisdn=phone).balance_tiyin
    [ask] = bot.say(chat, "📲 Pay my line from the wallet")
    assert ask.startswith(f"How much do you pay to the line {display_msisdn(phone)}")
    [again] = bot.say(chat, "a lot")
    assert again.startswith("Type the amount in so'm as a number")
    [quote] = bot.say(chat, "10 000")
    assert quote.startswith(f"To the line {display_msisdn(phone)}: 10 000.00 so'm, commission "), quote
    assert "Type the wallet's PIN" in quote
    pin_update = next(bot.updates) + 1  # the PIN message's id: post() takes the next two numbers
    [paid] = bot.say(chat, wallets.PIN)
    assert paid.startswith(f"10 000.00 so'm paid to the line {display_msisdn(phone)} from the wallet. Receipt ")
    assert pin_update in bot.api.deleted(chat)
    with bot.container.uow() as uow:
        assert lines.state(uow, msisdn=phone).balance_tiyin == before_line + 1_000_000
        assert wallet_service.get(uow, phone=phone).balance <= wallets.som(110_000)
        timeline = crm.timeline(uow, customer_id=customer_id, channel="telegram", limit=100)
    assert "Telegram: typed the wallet PIN (deleted from the chat)" in [t.summary for t in timeline]
    assert all(wallets.PIN not in t.summary for t in timeline)


def test_a_wrong_pin_is_refused_nothing_moves_and_it_is_deleted(bot: Bot) -> None:
    phone, chat, _ = _person(13)
    customer_id = _dilnoza(bot, phone)
    bot.link(chat, phone)
    with bot.container.uow() as uow:
        before = (lines.state(uow, msisdn=phone).balance_tiyin, wallet_service.get(uow, phone=phone).balance)
    bot.say(chat, "/pay")
    bot.say(chat, "5000")
    wrong = "13579" if wallets.PIN != "13579" else "97531"
    pin_update = next(bot.updates) + 1
    [refused] = bot.say(chat, wrong)
    assert refused == "Wrong PIN.", refused
    assert pin_update in bot.api.deleted(chat)
    with bot.container.uow() as uow:
        after = (lines.state(uow, msisdn=phone).balance_tiyin, wallet_service.get(uow, phone=phone).balance)
        failures = uow.session.execute(
            text("SELECT pin_failures FROM wallet_account WHERE phone = :p"), {"p": phone}
        ).scalar_one()
        timeline = crm.timeline(uow, customer_id=customer_id, channel="telegram", limit=100)
    assert after == before
    assert failures == 1  # the wallet counted the attempt toward its lockout
    assert "Telegram: typed the wallet PIN (deleted from the chat)" in [t.summary for t in timeline]
    assert all(wrong not in t.summary for t in timeline)
    [after_refusal] = bot.say(chat, wallets.PIN)  # the refusal ended the payment: a PIN now pays nothing
    assert after_refusal.startswith("I did not understand")


def test_a_customer_with_two_lines_chooses_the_line_and_the_chat_remembers_it(bot: Bot) -> None:
    phone, chat, _ = _person(14)
    second = f"99891{14:07d}"
    customer_id = _dilnoza(bot, phone)
    with bot.container.uow() as uow:  # a second line of ours, linked to the same One ID
        connect(uow, msisdn=second, plan="lider-start", deposit_som=50_000)
        identity.link_service(uow, customer_id=customer_id, kind="mobile", reference=second)
        uow.commit()
        before = lines.state(uow, msisdn=second).balance_tiyin
    bot.link(chat, phone)
    [balance] = bot.say(chat, "/balance")  # reading commands show every line
    assert display_msisdn(phone) in balance and display_msisdn(second) in balance
    [choose] = bot.say(chat, "📲 Pay my line from the wallet")
    assert choose.splitlines() == ["Which line? Type its number:", f"1. {display_msisdn(phone)}",
                                   f"2. {display_msisdn(second)}"]  # fmt: skip
    buttons = [[b["text"] for b in row] for row in bot.api.sent(chat)[-1].keyboard["keyboard"]]
    assert buttons == [["1", "2"], ["/cancel"]]  # buttons to tap
    [hint] = bot.say(chat, "3")
    assert hint == "Type the number of a line in the list, or /cancel."
    [ask] = bot.say(chat, "2")  # chosen: the payment goes on for that line
    assert ask.startswith(f"How much do you pay to the line {display_msisdn(second)}"), ask
    bot.say(chat, "10000")
    [paid] = bot.say(chat, wallets.PIN)
    assert paid.startswith(f"10 000.00 so'm paid to the line {display_msisdn(second)} from the wallet."), paid
    [switch] = bot.say(chat, "/switch")  # remembered for the chat: no question this time
    assert switch.startswith(f"{display_msisdn(second)}: your plan is Lider Start."), switch
    [again] = bot.say(chat, "/line")
    assert again.startswith("Which line?")
    [chosen] = bot.say(chat, "1")
    assert chosen == f"Change plan and pay now act on the line {display_msisdn(phone)}. To choose another: /line."
    [ask_again] = bot.say(chat, "/pay")
    assert ask_again.startswith(f"How much do you pay to the line {display_msisdn(phone)}"), ask_again
    with bot.container.uow() as uow:
        assert lines.state(uow, msisdn=second).balance_tiyin == before + 1_000_000
        assert lines.state(uow, msisdn=phone).balance_tiyin == 1_000_000  # 50 000 - 40 000 first fee: untouched
        summaries = [t.summary for t in crm.timeline(uow, customer_id=customer_id, channel="telegram", limit=100)]
    assert "Telegram: chose a line" in summaries and "Telegram: 2 line(s) to choose from were shown" in summaries


def test_the_reminders_command_shows_reminders_not_sign_in_codes(bot: Bot) -> None:
    from yagona.notify import service as notify
    from yagona.notify.schemas import Channel
    from yagona.notify.schemas import Language as Lang
    from yagona.reminders.models import ReminderLog
    from yagona.reminders.repository import add

    phone, chat, _ = _person(15)
    customer_id = _dilnoza(bot, phone)
    bot.link(chat, phone)  # the sign-in code went by SMS: on the timeline, not a reminder
    sealer = notify.sealer_for(bot.container.settings.secret_key.get_secret_value())
    with bot.container.uow() as uow:  # the code's SMS on the timeline, as crm's handler words it (the worker)
        [code] = notify.outbox(uow, recipient=phone, sealer=sealer, env="test", limit=5)
        crm.note_message(uow, customer_id=customer_id, channel="sms", message_id=code.id,
                         summary="SMS: sign-in code")  # fmt: skip
        uow.commit()
    [none] = bot.say(chat, "/reminders")
    assert none == "We sent you no reminders lately."
    with bot.container.uow() as uow:  # a reminder the engine sent: its message, its log entry
        message_id = notify.queue(uow, channel=Channel.SMS, recipient=phone, template="notify.text", language=Lang.EN,
                                  params={"text": "the monthly fee is due tomorrow"}, sealer=sealer)  # fmt: skip
        add(uow.session, ReminderLog(customer_id=customer_id, rule="line-fee-due", subject=f"line:{phone}",
                                     status="sent", reason=None, channel="sms", message_id=message_id,
                                     at=uow.clock.now()))  # fmt: skip
        crm.note_message(uow, customer_id=customer_id, channel="sms", message_id=message_id,
                         summary="Reminder: the monthly fee is due tomorrow", reword=True)  # fmt: skip
        uow.commit()
        sms = [t.summary for t in crm.timeline(uow, customer_id=customer_id, channel="sms", limit=10)]
    assert len(sms) == 2  # the code and the reminder
    [shown] = bot.say(chat, "/reminders")
    assert shown.startswith("Our latest reminders:\n") and "SMS · Reminder: the monthly fee is due tomorrow" in shown
    assert len(shown.splitlines()) == 2, shown  # the header and the reminder: no sign-in code


def _console(url: str, login: str) -> httpx.Client:
    """A member of staff signed in to the console (password + authenticator, real time)."""
    console = httpx.Client(base_url=url, timeout=20, headers={"Accept": "text/html", "Accept-Language": "en"})
    staff_factory.sign_in_console(console, login=login, clock=SystemClock())
    return console


def test_a_complaint_in_the_bot_is_answered_in_the_bot_and_its_csat_reaches_the_supervisor(bot: Bot) -> None:
    """Issue 14's end to end: a complaint in the bot → an agent sees it beside the customer's
    timeline → answers with a prepared reply, in the customer's language, in the bot → resolves
    it → a CSAT survey follows → its answer shows on the supervisor's view of the queues."""
    phone, chat, _ = _person(22)
    customer_id = _dilnoza(bot, phone, line=False, wallet=False)
    bot.link(chat, phone)
    bot.say(chat, "👤 Talk to a person")
    bot.say(chat, "Roaming does not work in Tashkent airport, I fly tonight")
    with bot.container.uow() as uow:
        [request] = crm.contact_requests(uow, customer_id=customer_id)
        staff_factory.member(uow, bot.app.state.identity, "agent", login="e2e-agent", access_to=[customer_id])
        staff_factory.member(uow, bot.app.state.identity, "supervisor", login="e2e-boss")
        uow.commit()
    agent = _console(bot.url, "e2e-agent")
    queue = agent.get("/staff/tickets")
    assert f"/staff/tickets/{request.id}" in queue.text  # in the agent's queue
    page = agent.get(f"/staff/tickets/{request.id}")
    assert page.status_code == 200 and 'id="timeline-title"' in page.text  # the timeline beside: she allowed it
    assert "Ask the customer for access" not in page.text
    bot.api.clear()
    sent = agent.post(
        f"/staff/tickets/{request.id}/reply",
        data={"canned": "roaming_on", "csrf_token": staff_factory.csrf_token(page)},
    )
    assert sent.status_code == 303
    number = crm.ticket_number(request.id)
    assert bot.api.texts(chat) == [
        f"Yagona ({number}): To switch roaming on, dial *5# and confirm. Abroad, choose the network by hand."
    ]
    page = agent.get(f"/staff/tickets/{request.id}")
    resolved = agent.post(
        f"/staff/tickets/{request.id}/status", data={"status": "resolved", "csrf_token": staff_factory.csrf_token(page)}
    )
    assert resolved.status_code == 303
    with bot.container.uow() as uow:
        [survey] = crm.surveys_of(uow, customer_id=customer_id)
        ticket = crm.ticket(uow, ticket_id=request.id)
    assert (survey.kind, survey.trigger, ticket.status) == ("csat", "ticket_resolved", "resolved")
    assert ticket.first_response_at is not None and ticket.first_response_due is not None
    assert ticket.first_response_at <= ticket.first_response_due  # answered within its SLA
    with httpx.Client(base_url=bot.url, timeout=20, headers={"Accept": "text/html"}) as her:
        link = f"/feedback/{crm.survey_token(survey.id)}"
        answered = her.post(link, data={"score": "5", "csrf_token": staff_factory.csrf_token(her.get(link))})
        assert answered.status_code in (200, 303), answered.text[:300]
    boss = _console(bot.url, "e2e-boss")
    view = boss.get("/staff/tickets")
    assert re.search(r'data-testid="dashboard-csat">100 % \(1\)<', view.text), view.text[-2000:]
    # The supervisor has no grant from her: the ticket, but not her timeline; an agent has no supervisor's view.
    unseen = boss.get(f"/staff/tickets/{request.id}")
    assert "Ask the customer for access" in unseen.text and 'id="timeline-title"' not in unseen.text
    assert 'data-testid="supervisor-dashboard"' not in agent.get("/staff/tickets").text
    for console in (agent, boss):
        console.close()

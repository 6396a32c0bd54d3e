"""A linked chat's commands: each reads the domains' public services for the customer One ID
says the chat is, and words the answer. Buttons and slash commands in uz, ru and en."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from telegram import ReplyKeyboardMarkup

from yagona.app.telegram import assistant, flows
from yagona.app.telegram.answer import BUTTONS, Answer, menu_keyboard
from yagona.app.telegram.models import TelegramChat
from yagona.app.telegram.repository import LINKED, PERSON
from yagona.app.telegram.texts import LANGUAGE_NAMES, LANGUAGES, has, phone, say, som
from yagona.catalog import service as catalog
from yagona.crm import service as crm
from yagona.crm.schemas import InteractionChannel
from yagona.identity import service as identity
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import NotFoundError
from yagona.lines import service as lines
from yagona.lines.schemas import LineState
from yagona.platform.auth import Principal
from yagona.platform.uow import UnitOfWork
from yagona.reminders import service as reminders
from yagona.wallet import service as wallets
from yagona.wallet.schemas import OperationKind, Receipt, WalletRead

SLASH = (*BUTTONS, "line", "unlink", "help", "start", "cancel")
RECENT = 5  # operations and reminders shown
TIMELINE_LOOK = 50  # messages looked through for the last reminders


def language_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[LANGUAGE_NAMES[code] for code in LANGUAGES]], resize_keyboard=True)


def command_of(text: str | None) -> tuple[str | None, str]:
    """`/balance@yagona_bot`, a button of any language, a language's name → (command, argument)."""
    if not text:
        return None, ""
    if text.startswith("/"):
        head, _, rest = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return (name if name in SLASH else None), rest.strip()
    for code, name in LANGUAGE_NAMES.items():
        if text == name:
            return "language", code
    for name in BUTTONS:
        if any(text == say(f"button_{name}", language) for language in LANGUAGES):
            return name, ""
    return None, text


def answer(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str | None) -> Answer:  # noqa: PLR0911
    language = principal.language
    command, argument = command_of(text)
    if command is None and chat.state == PERSON and text:
        return _open_request(uow, chat, principal, text)
    if command is None and chat.state in flows.FLOWS and text:
        return flows.step(uow, chat, principal, text)
    if command is None and chat.state == LINKED and text and assistant.wants(text):
        return assistant.reply(uow, principal, text)  # free text: the help assistant (crm)
    chat.state, chat.pending = (PERSON if command == "person" else LINKED), None
    starts: dict[str, Callable[[UnitOfWork, TelegramChat, Principal], Answer]] = {  # two-step (flows.py)
        "switch": flows.start_switch,
        "pay": flows.start_pay,
        "line": flows.pick_line,
    }
    if command in starts:
        return starts[command](uow, chat, principal)
    reads = {
        "balance": _balance,
        "bundles": _bundles,
        "wallet": _wallet,
        "payments": _payments,
        "reminders": _reminders,
    }
    if command in reads:
        return reads[command](uow, principal, language)
    if command == "language":
        return _language(uow, principal, argument)
    said = {  # command: (text, summary in, summary out)
        "person": ("person_ask", "wants to talk to a person", "asked for the question"),
        "unlink": ("unlinked", "asked to unlink the chat", "the chat is unlinked from One ID"),
        "cancel": ("cancelled", "cancelled", "cancelled"),
        "help": ("menu", "asked for help", "the menu was shown"),
        "start": ("menu", "started the bot", "the menu was shown"),
    }
    key, summary_in, summary_out = said.get(
        command or "", ("unknown", "a message the bot did not act on", "the menu was shown")
    )
    keyboard = None if command == "person" else _menu(language)
    return Answer(
        say(key, language), language, f"Telegram: {summary_out}", f"Telegram: {summary_in}", keyboard,
        unlink=command == "unlink",
    )  # fmt: skip


def _menu(language: str) -> ReplyKeyboardMarkup:
    return menu_keyboard(language)


def _lines(uow: UnitOfWork, principal: Principal) -> list[LineState]:
    numbers = sorted({*principal.lines, *principal.phones})
    return [lines.state(uow, msisdn=number) for number in numbers if lines.exists(uow, number)]


def _plan_name(plan_id: str) -> str:
    try:
        return catalog.get_plan(plan_id).name
    except NotFoundError:
        return plan_id


def _day(instant: datetime) -> str:
    return instant.astimezone(TASHKENT).strftime("%d.%m.%Y")


def _minute(instant: datetime) -> str:
    return instant.astimezone(TASHKENT).strftime("%d.%m.%Y %H:%M")


def _balance(uow: UnitOfWork, principal: Principal, language: str) -> Answer:
    found = _lines(uow, principal)
    rows: list[str] = []
    for line in found:
        state = say("blocked", language) if line.status != "active" else ""
        rows.append(
            say("balance_line", language, phone=phone(line.msisdn), plan=_plan_name(line.plan),
                balance=som(line.balance_tiyin, language), state=state)
        )  # fmt: skip
        if line.next_charge_at is not None and line.next_charge_tiyin:
            rows.append(
                say(
                    "next_charge",
                    language,
                    date=_day(line.next_charge_at),
                    amount=som(line.next_charge_tiyin, language),
                )
            )
    text = "\n".join(rows) if rows else say("no_lines", language)
    return _answered(text, language, "balance", f"Telegram: sent the balance of {len(found)} line(s)")


def _bundles(uow: UnitOfWork, principal: Principal, language: str) -> Answer:
    found = _lines(uow, principal)
    rows: list[str] = []
    for line in found:
        rows.append(say("bundles_header", language, phone=phone(line.msisdn), plan=_plan_name(line.plan)))
        left = [(key, amount) for key, amount in line.bundles.items() if amount]
        rows.extend(
            f"  {say(f'bundle_{key}', language) if has(f'bundle_{key}') else key}: {_amount(amount)}"
            for key, amount in left
        )
        if not left:
            rows.append(say("no_bundles", language))
    text = "\n".join(rows) if rows else say("no_lines", language)
    return _answered(text, language, "bundles", f"Telegram: sent what is left of the bundles of {len(found)} line(s)")


def _amount(amount: float) -> str:
    """`1024`, `1.5`: what is left, as a person reads it."""
    return str(amount) if isinstance(amount, int) else f"{amount:.2f}".rstrip("0").rstrip(".")


def _wallets(uow: UnitOfWork, principal: Principal) -> list[WalletRead]:
    return wallets.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)


def _wallet(uow: UnitOfWork, principal: Principal, language: str) -> Answer:
    found = _wallets(uow, principal)
    rows = [
        say("wallet_line", language, phone=phone(w.phone), tier=say(f"tier_{w.tier.value}", language),
            balance=som(w.balance, language), available=som(w.available, language))
        for w in found
    ]  # fmt: skip
    text = "\n".join(rows) if rows else say("no_wallet", language)
    return _answered(text, language, "wallet", f"Telegram: sent the balance of {len(found)} wallet(s)")


def _payments(uow: UnitOfWork, principal: Principal, language: str) -> Answer:
    found = _wallets(uow, principal)
    rows: list[str] = []
    for w in found:
        rows.append(say("payments_header", language, phone=phone(w.phone)))
        items = wallets.receipts(uow, phone=w.phone, limit=RECENT).items
        rows.extend(_operation(r, w.phone, language) for r in items)
        if not items:
            rows.append(say("no_payments", language))
    text = "\n".join(rows) if rows else say("no_wallet", language)
    return _answered(text, language, "payments", f"Telegram: sent the recent operations of {len(found)} wallet(s)")


def _operation(r: Receipt, own: str, language: str) -> str:
    incoming = r.payee == f"wallet {own}"
    if r.kind in (OperationKind.TOPUP_CARD, OperationKind.TOPUP_PROMO, OperationKind.TOPUP_PAYMENT):
        kind = "topup"
    elif r.kind in (OperationKind.TRANSFER, OperationKind.PAYMENT):
        kind = r.kind.value
    else:
        kind = "other"
    amount = ("+" if incoming else "\u2212") + som(r.amount if incoming else r.total, language)
    counterpart = r.payer if incoming else r.payee
    if counterpart.startswith("wallet ") and len(counterpart) == 19:
        counterpart = phone(counterpart[7:])
    return say(
        "payment_row", language, date=_minute(r.created_at), kind=say(f"kind_{kind}", language),
        amount=amount, counterpart=counterpart,
    )  # fmt: skip


def _reminders(uow: UnitOfWork, principal: Principal, language: str) -> Answer:
    """The reminders that reached the customer lately by SMS and push, as their CRM timeline
    has them — not every message (a sign-in code, a receipt): those the reminder engine sent."""
    ours = set(reminders.sent_messages(uow, customer_id=principal.customer_id, limit=TIMELINE_LOOK))
    sent = [
        entry
        for channel in (InteractionChannel.SMS, InteractionChannel.PUSH)
        for entry in crm.timeline(uow, customer_id=principal.customer_id, channel=channel, limit=TIMELINE_LOOK)
        if entry.direction == "out"
        and (entry.subject_kind == "reminder" or (entry.subject_kind == "message" and entry.subject_id in ours))
    ]
    sent.sort(key=lambda entry: entry.occurred_at, reverse=True)
    rows = [
        say("reminder_row", language, date=_minute(e.occurred_at), channel=say(f"channel_{e.channel.value}", language),
            summary=e.summary)
        for e in sent[:RECENT]
    ]  # fmt: skip
    text = "\n".join([say("reminders_header", language), *rows]) if rows else say("no_reminders", language)
    return _answered(text, language, "reminders", f"Telegram: sent {len(rows)} recent reminder(s)")


def _language(uow: UnitOfWork, principal: Principal, argument: str) -> Answer:
    chosen = argument.lower()
    if chosen not in LANGUAGES:
        language = principal.language
        return Answer(
            say("language_ask", language), language, "Telegram: the languages were shown",
            "Telegram: asked to change the language", language_keyboard(),
        )  # fmt: skip
    identity.set_language(uow, customer_id=principal.customer_id, language=chosen)
    return _answered(say("language_set", chosen), chosen, "language", f"Telegram: the language is now {chosen}")


def _open_request(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    """The customer's message goes to the call-centre as a request (crm records it as the
    incoming interaction); the bot confirms."""
    language = principal.language
    request_id = crm.open_request(
        uow,
        customer_id=principal.customer_id,
        channel="telegram",
        summary="Telegram: asked to talk to a person",
        body=text,
    )
    chat.state = LINKED
    number = request_id[-8:].upper()
    return Answer(
        say("person_opened", language, number=number), language,
        f"Telegram: the request {number} is with the call-centre", None, _menu(language),
    )  # fmt: skip


def _answered(text: str, language: str, command: str, summary_out: str) -> Answer:
    return Answer(text, language, summary_out, f"Telegram: asked for {command}", _menu(language))

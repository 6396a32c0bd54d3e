"""One update in, the replies out: the link to One ID, then the linked chat's commands.

An unlinked chat gets the link prompt and nothing else. Linking: the customer shares their
own contact (a contact whose `user_id` is not the sender's is refused), One ID sends an SMS
code to that phone (`identity.request_otp`, with its limits), the customer types it and One ID
signs the chat in as a device (`identity.verify_otp`: its attempt limits, its second factor).
The chat keeps that One ID session, sealed; each update asks One ID who it is, so a session
ended in the portal (or expired) unlinks the chat."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from yagona.app.telegram import commands, flows, repository
from yagona.app.telegram.answer import menu_keyboard
from yagona.app.telegram.models import TelegramChat
from yagona.app.telegram.repository import CODE, LINKED, PERSON
from yagona.app.telegram.texts import language_of, masked, say
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.identity.errors import RegistrationRequiredError, TotpRequiredError
from yagona.identity.schemas import DeviceInfo, OtpPurpose
from yagona.kernel.errors import YagonaError
from yagona.kernel.phone import parse_msisdn
from yagona.platform.auth import Principal
from yagona.platform.i18n import localize
from yagona.platform.sealing import Sealer, SealError
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory

DEVICE_LABEL = "Telegram bot"


@dataclass(frozen=True)
class Incoming:
    """What the bot reads of an update: a private message's text or shared contact."""

    update_id: int
    message_id: int
    chat_id: int
    chat_type: str
    user_id: int
    language_code: str | None
    text: str | None
    contact_phone: str | None = None
    contact_user_id: int | None = None

    @classmethod
    def of(cls, update: Update) -> Incoming | None:
        message = update.message
        if message is None or message.from_user is None:
            return None  # edits, callbacks, channel posts: nothing to answer
        contact = message.contact
        return cls(
            update_id=update.update_id,
            message_id=message.message_id,
            chat_id=message.chat.id,
            chat_type=message.chat.type,
            user_id=message.from_user.id,
            language_code=message.from_user.language_code,
            text=(message.text or "").strip()[:4096] or None,
            contact_phone=contact.phone_number if contact else None,
            contact_user_id=contact.user_id if contact else None,
        )


@dataclass(frozen=True)
class Reply:
    chat_id: int
    text: str
    keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
    delete_message_id: int | None = None  # the customer's message to delete first (it held a PIN)


@dataclass(frozen=True)
class BotContext:
    identity: identity.IdentityContext
    sessions: Sealer  # seals the One ID session token each linked chat keeps


def context(*, identity_ctx: identity.IdentityContext, secret_key: str) -> BotContext:
    return BotContext(identity=identity_ctx, sessions=Sealer(secret_key, "telegram-session"))


def link_keyboard(language: str) -> ReplyKeyboardMarkup:
    button = KeyboardButton(say("share_button", language), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def process(uows: UnitOfWorkFactory, ctx: BotContext, update: Update) -> list[Reply]:
    """Answer one update. A refusal of a domain (a wrong code, a limit) is said in the chat's
    language; the records it leaves (attempt counters) are committed, nothing else of it."""
    incoming = Incoming.of(update)
    if incoming is None:
        return []
    if incoming.chat_type != "private":
        return [Reply(incoming.chat_id, say("private_only", language_of(incoming.language_code)))]
    try:
        with uows() as uow:
            replies = _converse(uow, ctx, incoming)
            uow.commit()
            return replies
    except YagonaError as error:
        with uows() as uow:
            replies = _refused(uow, ctx, incoming, error)
            uow.commit()
            return replies


def _converse(uow: UnitOfWork, ctx: BotContext, m: Incoming) -> list[Reply]:
    chat = _chat(uow, m)
    if chat is None:
        return []  # Telegram sent this update again: it was answered
    if chat.state in (LINKED, PERSON, *flows.FLOWS):
        principal = _principal(uow, ctx, chat)
        if principal is None:
            delete = m.message_id if chat.state == flows.PAY_PIN else None  # a PIN, even now
            repository.reset(chat)
            language = language_of(m.language_code)
            return [Reply(m.chat_id, say("link_ended", language), link_keyboard(language), delete)]
        return _linked(uow, ctx, chat, principal, m)
    return _unlinked(uow, ctx, chat, m)


def _unlinked(uow: UnitOfWork, ctx: BotContext, chat: TelegramChat, m: Incoming) -> list[Reply]:
    """The link prompt, the shared contact, the code: nothing else reaches an unlinked chat."""
    language = language_of(m.language_code)
    if m.contact_phone is not None:
        return _contact(uow, ctx, chat, m, language)
    if chat.state == CODE and m.text and m.text.split("@", 1)[0] == "/cancel":
        repository.reset(chat)
        return [Reply(m.chat_id, say("cancelled", language), link_keyboard(language))]
    if chat.state == CODE and m.text and not m.text.startswith("/"):
        return _code(uow, ctx, chat, m, language)
    return [Reply(m.chat_id, say("link_prompt", language), link_keyboard(language))]


def _chat(uow: UnitOfWork, m: Incoming) -> TelegramChat | None:
    chat = repository.chat_for_update(uow.session, m.chat_id)
    if chat is None:
        chat = repository.open_chat(uow.session, chat_id=m.chat_id, user_id=m.user_id, now=uow.clock.now())
    if m.update_id <= chat.last_update_id:
        return None
    chat.last_update_id = m.update_id
    chat.updated_at = uow.clock.now()
    return chat


def _principal(uow: UnitOfWork, ctx: BotContext, chat: TelegramChat) -> Principal | None:
    if chat.session_sealed is None:
        return None
    try:
        token = ctx.sessions.open(chat.session_sealed).decode()
    except SealError:  # the secret key was rotated: the chat links again
        return None
    principal = identity.resolve_principal(uow, session_token=token, bearer_token=None)
    if principal is None or principal.customer_id != chat.customer_id:
        return None
    return principal


def _contact(uow: UnitOfWork, ctx: BotContext, chat: TelegramChat, m: Incoming, language: str) -> list[Reply]:
    if m.contact_user_id != m.user_id:
        return [Reply(m.chat_id, say("not_your_contact", language), link_keyboard(language))]
    phone = parse_msisdn(m.contact_phone or "", field="phone")
    # The Telegram user stands in for the client address of the per-address limit.
    identity.request_otp(uow, ctx=ctx.identity, phone=phone, purpose=OtpPurpose.LOGIN, client_ip=f"tg:{m.user_id}")
    repository.reset(chat)
    chat.state, chat.phone, chat.user_id = CODE, phone, m.user_id
    return [Reply(m.chat_id, say("code_sent", language, phone=masked(phone)), ReplyKeyboardRemove())]


def _code(uow: UnitOfWork, ctx: BotContext, chat: TelegramChat, m: Incoming, language: str) -> list[Reply]:
    parts = (m.text or "").split()
    if not 1 <= len(parts) <= 2 or not all(part.isdigit() and len(part) <= 10 for part in parts):
        return [Reply(m.chat_id, say("code_hint", language))]
    assert chat.phone is not None, "a chat waiting for a code knows where it went"
    signed = identity.verify_otp(
        uow,
        ctx=ctx.identity,
        phone=chat.phone,
        code=parts[0],
        totp=parts[1] if len(parts) == 2 else None,
        device=DeviceInfo(device_id=f"telegram:{chat.chat_id}", user_agent=DEVICE_LABEL),
    )
    customer = identity.get_customer(uow, customer_id=signed.session.customer_id)
    chat.state, chat.customer_id, chat.session_id = LINKED, customer.id, signed.session.id
    chat.session_sealed = ctx.sessions.seal(signed.token.get_secret_value().encode())
    chat.linked_at = uow.clock.now()
    language = customer.language
    _record(uow, chat, "in", "Telegram: linked the chat to One ID by the SMS code")
    text = say("linked", language, name=customer.name)
    _record(uow, chat, "out", "Telegram: the chat is linked; the menu was shown")
    return [Reply(m.chat_id, text, menu_keyboard(language))]


def _linked(uow: UnitOfWork, ctx: BotContext, chat: TelegramChat, principal: Principal, m: Incoming) -> list[Reply]:
    answer = commands.answer(uow, chat, principal, m.text)
    if answer.summary_in is not None:
        _record(uow, chat, "in", answer.summary_in)
    _record(uow, chat, "out", answer.summary_out)
    if answer.unlink:
        if chat.session_id is not None:
            identity.revoke_session(uow, customer_id=principal.customer_id, session_id=chat.session_id)
        repository.reset(chat)
        return [Reply(m.chat_id, answer.text, link_keyboard(answer.language))]
    return [Reply(m.chat_id, answer.text, answer.keyboard, m.message_id if answer.delete else None)]


def _refused(uow: UnitOfWork, ctx: BotContext, m: Incoming, error: YagonaError) -> list[Reply]:
    """The refusal, said in the chat. Its own records were committed by the unit of work."""
    chat = _chat(uow, m) or repository.chat_for_update(uow.session, m.chat_id)
    language = language_of(m.language_code)
    if chat is None:
        return [Reply(m.chat_id, _sentence(localize(error, language)))]
    keyboard: ReplyKeyboardMarkup | None = None
    # A refused step of a two-step command ends it; a PIN's message goes from the chat all the same.
    delete = m.message_id if chat.state == flows.PAY_PIN else None
    in_flow = chat.state in flows.FLOWS
    if in_flow:
        chat.state, chat.pending = LINKED, None
    if isinstance(error, RegistrationRequiredError):
        text = say("no_customer", language, phone=masked(chat.phone or ""))
        repository.reset(chat)
        keyboard = link_keyboard(language)
    elif isinstance(error, TotpRequiredError):
        text = say("totp_needed", language)
    elif chat.state == CODE:
        text = _sentence(localize(error, language)) + " " + say("code_hint", language)
    else:
        if chat.state in (LINKED, PERSON) and _principal(uow, ctx, chat) is not None:
            language = identity.get_customer(uow, customer_id=chat.customer_id or "").language
            said = "typed the wallet PIN (deleted from the chat)" if delete else "a message the bot could not act on"
            _record(uow, chat, "in", f"Telegram: {said}")
            _record(uow, chat, "out", f"Telegram: refused ({error.code})")
            keyboard = menu_keyboard(language) if in_flow else None
        text = _sentence(localize(error, language))
    return [Reply(m.chat_id, text, keyboard, delete)]


def _record(uow: UnitOfWork, chat: TelegramChat, direction: str, summary: str) -> None:
    if chat.customer_id is None:
        return
    crm.record_interaction(
        uow,
        customer_id=chat.customer_id,
        channel="telegram",
        direction=direction,
        summary=summary,
        subject_kind="telegram_chat",
        subject_id=str(chat.chat_id),
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text

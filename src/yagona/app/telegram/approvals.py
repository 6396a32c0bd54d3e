"""The customer approves (or refuses) a member of staff's access request in the linked bot chat
(privacy agreement 4; docs/privacy.md). The portal and the SMS code stay; this is a third way.

When privacy publishes `privacy.access_requested`, every chat linked to that customer gets the
request (who asks, why, which sections, for how long) with two inline buttons, Approve and
Deny. A button's callback data is `g<a|d>:<grant id>:<tag>`: the tag is a keyed hash
(HMAC-SHA-256 under a key derived from YAGONA_SECRET_KEY, 96 bits) of the action, the grant,
the chat and the customer the chat is linked to. So a press counts only from the chat the
request was sent to, while it is still linked (its One ID session alive) to the customer the
request is for; anything else (another chat, a chat relinked to someone else, altered data)
changes nothing and is told nothing. The decision is privacy's own (`approve(…, via="telegram")`,
`deny`): a second press, an expired request or one decided in the portal are said so and
change nothing."""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from yagona.app.telegram import flows, repository
from yagona.app.telegram.client import bot_client, run_to_end
from yagona.app.telegram.conversation import BotContext
from yagona.app.telegram.models import TelegramChat
from yagona.app.telegram.settings import TelegramSettings
from yagona.app.telegram.texts import say
from yagona.identity import service as identity
from yagona.identity.service import staff as staff_service
from yagona.platform.bus import EventBus, EventEnvelope
from yagona.platform.sealing import Pepper, SealError
from yagona.platform.uow import UnitOfWork, UnitOfWorkFactory
from yagona.privacy import service as privacy
from yagona.privacy.errors import GrantNotFoundError, GrantNotPendingError

log = structlog.get_logger(__name__)
EVENT = "privacy.access_requested"
PREFIX = "g"
ACTIONS = {"a": "approve", "d": "deny"}
TAG_CHARS = 24  # hex: `ga:` + 36 + `:` + 24 = 64 bytes, Telegram's limit for callback data
_LINKED = (repository.LINKED, repository.PERSON, *flows.FLOWS)


class Callbacks:
    """Signs and checks the buttons' callback data."""

    def __init__(self, *, secret_key: str) -> None:
        self._pepper = Pepper(secret_key, "telegram-access-callback")

    def data(self, action: str, grant_id: str, chat_id: int, customer_id: str) -> str:
        return f"{PREFIX}{action}:{grant_id}:{self._tag(action, grant_id, chat_id, customer_id)}"

    def _tag(self, action: str, grant_id: str, chat_id: int, customer_id: str) -> str:
        return self._pepper.digest(action, grant_id, str(chat_id), customer_id)[:TAG_CHARS]

    def valid(self, action: str, grant_id: str, tag: str, chat_id: int, customer_id: str) -> bool:
        wanted = self._tag(action, grant_id, chat_id, customer_id)
        return len(tag) == TAG_CHARS and hmac.compare_digest(wanted, tag)


# --- the request reaches the chat ----------------------------------------------------------


def install(bus: EventBus, uows: UnitOfWorkFactory, settings: TelegramSettings, *, secret_key: str) -> None:
    """Send every new access request to the customer's linked chats."""
    with contextlib.suppress(ValueError):  # a second app on the same container: wired already
        bus.subscribe(EVENT, "telegram.access_requests", forward(uows, settings, Callbacks(secret_key=secret_key)))


@dataclass(frozen=True)
class Outgoing:
    chat_id: int
    text: str
    keyboard: InlineKeyboardMarkup


def requests_for(uow: UnitOfWork, callbacks: Callbacks, *, customer_id: str, grant_id: str) -> list[Outgoing]:
    """The message each linked chat of the customer gets for this request (none: no chat)."""
    chats = [c for c in repository.chats_of(uow.session, customer_id) if c.state in _LINKED]
    if not chats:
        return []
    grant = privacy.grant_of(uow, customer_id=customer_id, grant_id=grant_id)
    if grant.status != "requested":
        return []  # decided already (an SMS code read out at once): nothing to ask
    language = identity.get_customer(uow, customer_id=customer_id).language.value
    member = staff_service.staff_names(uow).get(grant.staff_id, "—")
    sections = ", ".join(say(f"section_{s}", language) for s in grant.sections)
    text = say("access_request", language, name=member, reason=grant.reason, sections=sections, minutes=grant.minutes)
    out = []
    for chat in chats:
        buttons = [
            InlineKeyboardButton(
                say(f"access_{name}", language), callback_data=callbacks.data(code, grant.id, chat.chat_id, customer_id)
            )
            for code, name in ACTIONS.items()
        ]
        out.append(Outgoing(chat.chat_id, text, InlineKeyboardMarkup([buttons])))
    return out


def forward(
    uows: UnitOfWorkFactory, settings: TelegramSettings, callbacks: Callbacks
) -> Callable[[EventEnvelope], None]:
    def handle(envelope: EventEnvelope) -> None:
        payload = envelope.payload
        with uows() as uow:
            messages = requests_for(
                uow, callbacks, customer_id=str(payload["customer_id"]), grant_id=str(payload["grant_id"])
            )
        if messages:
            run_to_end(_send(settings, messages))

    return handle


async def _send(settings: TelegramSettings, messages: list[Outgoing]) -> None:
    bot, request = bot_client(settings)
    try:
        for message in messages:
            await bot.send_message(chat_id=message.chat_id, text=message.text, reply_markup=message.keyboard)
    except TelegramError as error:  # the request still waits in the portal
        log.warning("telegram_access_request_failed", error=type(error).__name__)
    finally:
        await request.shutdown()


# --- a button pressed -------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """What the bot answers a press: the toast, and (a decision or a stale request) the words
    that replace the request's message, without its buttons."""

    query_id: str
    toast: str | None
    chat_id: int | None = None
    message_id: int | None = None
    text: str | None = None


def ours(update: Update) -> bool:
    """A press of one of these buttons (other callbacks are not this module's)."""
    query = update.callback_query
    return query is not None and (query.data or "")[:2] in {f"{PREFIX}{a}" for a in ACTIONS}


def decide(uows: UnitOfWorkFactory, ctx: BotContext, callbacks: Callbacks, update: Update) -> Decided:
    query = update.callback_query
    assert query is not None
    action, _, rest = (query.data or "").partition(":")
    grant_id, _, tag = rest.partition(":")
    message = query.message
    if message is None or query.from_user is None:
        return Decided(query.id, None)
    chat_id = message.chat.id
    with uows() as uow:
        chat = repository.chat_for_update(uow.session, chat_id)
        customer_id = _linked_customer(uow, ctx, chat, query.from_user.id)
        if customer_id is None or not callbacks.valid(action[1:], grant_id, tag, chat_id, customer_id):
            log.info("telegram_access_callback_refused", chat_linked=customer_id is not None)
            return Decided(query.id, None)  # another chat, another customer, altered: nothing
        language = identity.get_customer(uow, customer_id=customer_id).language.value
        try:
            if ACTIONS[action[1:]] == "approve":
                grant = privacy.approve(uow, customer_id=customer_id, grant_id=grant_id, via="telegram")
                words = say("access_approved", language, minutes=grant.minutes)
            else:
                privacy.deny(uow, customer_id=customer_id, grant_id=grant_id)
                words = say("access_denied", language)
        except GrantNotPendingError:
            uow.rollback()
            status = privacy.grant_of(uow, customer_id=customer_id, grant_id=grant_id).status
            words = say("access_lapsed" if status == "lapsed" else "access_already_decided", language)
        except GrantNotFoundError:
            return Decided(query.id, None)
        uow.commit()
    return Decided(query.id, words, chat_id, message.message_id, words)


def _linked_customer(uow: UnitOfWork, ctx: BotContext, chat: TelegramChat | None, user_id: int) -> str | None:
    """The customer the chat speaks for now: linked, its One ID session alive, the presser its user."""
    if chat is None or chat.state not in _LINKED or chat.customer_id is None or chat.user_id != user_id:
        return None
    if chat.session_sealed is None:
        return None
    try:
        token = ctx.sessions.open(chat.session_sealed).decode()
    except SealError:
        return None
    principal = identity.resolve_principal(uow, session_token=token, bearer_token=None)
    if principal is None or principal.customer_id != chat.customer_id:
        return None
    return chat.customer_id


async def answer(bot: Bot, decided: Decided) -> None:
    """Stop the button's spinner (with the toast), then put the outcome in place of the request."""
    try:
        await bot.answer_callback_query(callback_query_id=decided.query_id, text=decided.toast)
        if decided.chat_id is not None and decided.message_id is not None and decided.text is not None:
            await bot.edit_message_text(chat_id=decided.chat_id, message_id=decided.message_id, text=decided.text)
    except TelegramError as error:
        log.warning("telegram_access_answer_failed", error=type(error).__name__)

"""Free text in a linked chat that is no command, button or step goes to the help assistant
(`crm.service.ask`, channel `telegram`): an article in the question's language, the
customer's own balance, bundles, next fee, points or wallet, or — on "operator", "odam",
"оператор", or a second unsure answer in a row — a request for the call-centre with the
conversation. An unsure answer starts with the bot's own "I did not understand" and the menu
stays. Digits alone (a PIN typed too late, a stray plan number) never reach the assistant."""

from __future__ import annotations

from yagona.app.telegram.answer import Answer, menu_keyboard
from yagona.app.telegram.texts import say
from yagona.crm import service as crm
from yagona.platform.auth import Principal
from yagona.platform.uow import UnitOfWork

SAID = {  # outcome: what the timeline says the bot answered (never the question's words)
    "article": "the help assistant answered from an article",
    "account": "the help assistant answered from the customer's own services",
    "unsure": "the help assistant was not sure of the answer",
    "handover": "the help assistant handed the conversation to the call-centre",
}


def wants(text: str | None) -> bool:
    """A message in words (not a slash command, not digits alone)."""
    return bool(text) and not (text or "").startswith("/") and any(char.isalpha() for char in text or "")


def reply(uow: UnitOfWork, principal: Principal, text: str) -> Answer:
    found = crm.ask(uow, question=text, channel="telegram", principal=principal, language=principal.language)
    words = found.text
    if found.outcome == "unsure":
        words = f"{say('unknown', found.language)}\n{words}"
    # A hand-over's request is on the timeline already (open_request records it).
    summary_in = None if found.request_id else "Telegram: asked the help assistant a question"
    return Answer(
        words, principal.language, f"Telegram: {SAID[found.outcome]}", summary_in, menu_keyboard(principal.language)
    )

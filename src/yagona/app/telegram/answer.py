"""What the bot answers a linked chat: the text, its timeline summaries, the keyboard."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import ReplyKeyboardMarkup

from yagona.app.telegram.texts import say

BUTTONS = ("balance", "bundles", "wallet", "payments", "switch", "pay", "reminders", "language", "person")


@dataclass(frozen=True)
class Answer:
    text: str
    language: str
    summary_out: str  # for the timeline: what was answered, never a code, a PIN or a card
    summary_in: str | None = None  # None: the domain recorded the incoming message itself
    keyboard: ReplyKeyboardMarkup | None = None
    unlink: bool = False
    delete: bool = False  # the customer's message goes from the chat (it held a PIN)


def menu_keyboard(language: str) -> ReplyKeyboardMarkup:
    b = {name: say(f"button_{name}", language) for name in BUTTONS}
    rows = [
        [b["balance"], b["bundles"]],
        [b["wallet"], b["payments"]],
        [b["switch"], b["pay"]],
        [b["reminders"], b["language"]],
        [b["person"]],
    ]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)

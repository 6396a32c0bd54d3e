"""The two-step commands of a linked chat, through the domains' public services only:

- change plan: the open plans the line may switch to (numbered), the switching rule's quote
  (`lines.quote_switch`: what it charges now, the balance, the next fee), confirm → switched
  (`lines.switch_plan`); a refusal is the domain's, translated.
- pay the line from the wallet: the amount, the wallet's quote with its commission
  (`wallet.quote_payment`), the PIN → `wallet.pay`. The PIN's message is deleted from the chat
  (Bot API `deleteMessage`) and goes nowhere but to the wallet: not into `pending`, a log or
  a summary. A wrong PIN is the wallet's refusal (its attempt counted); nothing moves.

Both act on one line: the customer's only one, else the one chosen in this chat (`/line`, or
asked the first time: numbered, the choice kept in `telegram_chat.line`).

The chat's `state` says which step waits, `pending` what it waits on (the line, the plans, the
amount, the lines to choose from)."""

from __future__ import annotations

from telegram import ReplyKeyboardMarkup

from yagona.app.telegram.answer import Answer, menu_keyboard
from yagona.app.telegram.models import TelegramChat
from yagona.app.telegram.repository import LINKED
from yagona.app.telegram.texts import LANGUAGES, phone, say, som
from yagona.catalog import service as catalog
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.platform.auth import Principal
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallets

SWITCH, SWITCH_OK, PAY_AMOUNT, PAY_PIN, PICK_LINE = "switch", "swconf", "payamt", "paypin", "line"
FLOWS = (SWITCH, SWITCH_OK, PAY_AMOUNT, PAY_PIN, PICK_LINE)
MOBILE_PROVIDER = "mobile"  # the wallet's provider that tops up a line
PLANS_SHOWN = 8
AMOUNT_DIGITS_MAX = 9  # so'm
PIN_DIGITS_MAX = 12


def _own_lines(uow: UnitOfWork, principal: Principal) -> list[str]:
    """The customer's numbers that are lines of ours (One ID's linked lines and phones), sorted."""
    return [n for n in sorted({*principal.lines, *principal.phones}) if lines.exists(uow, n)]


def _line(uow: UnitOfWork, chat: TelegramChat, principal: Principal, then: str) -> str | Answer | None:
    """The line a command acts on: the only one; else the one chosen in this chat (while it is
    still the customer's); else the customer is asked to choose, and `then` follows the choice.
    None: the customer has no line."""
    own = _own_lines(uow, principal)
    if len(own) <= 1:
        return own[0] if own else None
    if chat.line in own:
        return chat.line
    return pick_line(uow, chat, principal, then=then)


def pick_line(uow: UnitOfWork, chat: TelegramChat, principal: Principal, *, then: str = "") -> Answer:
    """The customer's lines, numbered, to choose the one change plan and pay act on (`/line`)."""
    language = principal.language
    own = _own_lines(uow, principal)
    if not own:
        return _done(say("no_lines", language), language, "Telegram: no line to choose", "Telegram: asked for a line")
    chat.state, chat.pending = PICK_LINE, {"lines": own, "then": then}
    rows = [say("line_row", language, n=n, phone=phone(msisdn)) for n, msisdn in enumerate(own, 1)]
    text = "\n".join([say("line_choose", language), *rows])
    numbers = [str(n) for n in range(1, len(own) + 1)]
    keyboard = ReplyKeyboardMarkup([numbers[i : i + 4] for i in range(0, len(numbers), 4)] + [["/cancel"]])
    return Answer(text, language, f"Telegram: {len(own)} line(s) to choose from were shown",
                  "Telegram: asked to choose a line", keyboard)  # fmt: skip


def _line_pick(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    language, pending = principal.language, dict(chat.pending or {})
    own: list[str] = pending["lines"]
    if not text.isdigit() or not 1 <= int(text) <= len(own):
        return Answer(say("line_hint", language), language, "Telegram: asked for a line's number",
                      "Telegram: a line's number the bot did not take")  # fmt: skip
    chat.line, chat.state, chat.pending = own[int(text) - 1], LINKED, None
    then = {SWITCH: start_switch, PAY_AMOUNT: start_pay}.get(pending.get("then", ""))
    if then is not None:
        return then(uow, chat, principal)
    said = say("line_chosen", language, phone=phone(chat.line))
    return _done(said, language, "Telegram: the line was chosen", "Telegram: chose a line")


def _done(text: str, language: str, summary_out: str, summary_in: str | None, *, delete: bool = False) -> Answer:
    return Answer(text, language, summary_out, summary_in, menu_keyboard(language), delete=delete)


def start_switch(uow: UnitOfWork, chat: TelegramChat, principal: Principal) -> Answer:
    language = principal.language
    asked = "Telegram: asked to change the plan"
    msisdn = _line(uow, chat, principal, then=SWITCH)
    if isinstance(msisdn, Answer):
        return msisdn
    if msisdn is None:
        return _done(say("no_lines", language), language, "Telegram: no line to switch", asked)
    current = catalog.get_plan(lines.state(uow, msisdn=msisdn).plan)
    targets = [catalog.get_plan(plan_id) for plan_id in current.switching.to]
    targets = [plan for plan in targets if plan.is_open][:PLANS_SHOWN]
    if not targets:
        text = say("switch_none", language, plan=current.name)
        return _done(text, language, "Telegram: no plan to switch to", asked)
    chat.state, chat.pending = SWITCH, {"line": msisdn, "plans": [plan.id for plan in targets]}
    rows = [
        say("switch_row", language, n=n, plan=plan.name, fee=som(plan.monthly_fee.tiyin, language))
        for n, plan in enumerate(targets, 1)
    ]
    text = "\n".join([say("switch_choose", language, phone=phone(msisdn), plan=current.name), *rows])
    numbers = [str(n) for n in range(1, len(targets) + 1)]
    keyboard = ReplyKeyboardMarkup([numbers[i : i + 4] for i in range(0, len(numbers), 4)] + [["/cancel"]])
    return Answer(text, language, f"Telegram: {len(targets)} plan(s) to switch to were shown", asked, keyboard)


def start_pay(uow: UnitOfWork, chat: TelegramChat, principal: Principal) -> Answer:
    language = principal.language
    asked = "Telegram: asked to pay the line from the wallet"
    msisdn = _line(uow, chat, principal, then=PAY_AMOUNT)
    if isinstance(msisdn, Answer):
        return msisdn
    if msisdn is None:
        return _done(say("no_lines", language), language, "Telegram: no line to pay", asked)
    own = wallets.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)
    if not own:
        return _done(say("no_wallet", language), language, "Telegram: no wallet to pay from", asked)
    wallet = next((w.phone for w in own if w.phone == msisdn), own[0].phone)
    chat.state, chat.pending = PAY_AMOUNT, {"line": msisdn, "wallet": wallet}
    text = say("pay_amount", language, phone=phone(msisdn), wallet=phone(wallet))
    return Answer(text, language, "Telegram: asked for the amount", asked, ReplyKeyboardMarkup([["/cancel"]]))


def step(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    """The customer's answer to the step the chat waits on."""
    steps = {
        SWITCH: _switch_pick, SWITCH_OK: _switch_confirm, PAY_AMOUNT: _pay_amount, PAY_PIN: _pay_pin,
        PICK_LINE: _line_pick,
    }  # fmt: skip
    return steps[chat.state](uow, chat, principal, text)


def _switch_pick(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    language, pending = principal.language, dict(chat.pending or {})
    plans: list[str] = pending["plans"]
    if not text.isdigit() or not 1 <= int(text) <= len(plans):
        return Answer(say("switch_hint", language), language, "Telegram: asked for a plan's number",
                      "Telegram: a plan's number the bot did not take")  # fmt: skip
    plan_id = plans[int(text) - 1]
    quote = lines.quote_switch(uow, msisdn=pending["line"], plan_id=plan_id)
    if quote.refusal is not None:
        raise quote.refusal
    chat.state, chat.pending = SWITCH_OK, {"line": pending["line"], "plan": plan_id}
    said = say(
        "switch_quote", language, plan=catalog.get_plan(plan_id).name, fee=som(quote.fee_tiyin, language),
        balance=som(quote.balance_tiyin, language), next=quote.next_charge_at.astimezone(TASHKENT).strftime("%d.%m.%Y"),
    )  # fmt: skip
    keyboard = ReplyKeyboardMarkup([[say("button_confirm", language)], ["/cancel"]], resize_keyboard=True)
    return Answer(said, language, f"Telegram: the quote to switch to {plan_id} was shown",
                  f"Telegram: chose the plan {plan_id}", keyboard)  # fmt: skip


def _switch_confirm(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    language, pending = principal.language, dict(chat.pending or {})
    chat.state, chat.pending = LINKED, None
    if text not in {"1", *(say("button_confirm", lang) for lang in LANGUAGES)}:
        return _done(say("cancelled", language), language, "Telegram: the plan was not changed",
                     "Telegram: did not confirm the switch")  # fmt: skip
    lines.switch_plan(uow, msisdn=pending["line"], plan_id=pending["plan"])
    said = say("switched", language, phone=phone(pending["line"]), plan=catalog.get_plan(pending["plan"]).name)
    return _done(said, language, f"Telegram: the plan was switched to {pending['plan']}",
                 "Telegram: confirmed the switch")  # fmt: skip


def _pay_amount(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    language, pending = principal.language, dict(chat.pending or {})
    digits = "".join(text.split())
    if not digits.isdigit() or len(digits) > AMOUNT_DIGITS_MAX or int(digits) == 0:
        return Answer(say("pay_amount_hint", language), language, "Telegram: asked for the amount again",
                      "Telegram: an amount the bot did not take")  # fmt: skip
    amount = Money.of_som(int(digits)).tiyin
    quote = wallets.quote_payment(
        uow, phone=pending["wallet"], provider=MOBILE_PROVIDER, account=pending["line"], amount=amount
    )
    chat.state, chat.pending = PAY_PIN, {**pending, "amount": amount}
    said = say(
        "pay_quote", language, phone=phone(pending["line"]), amount=som(quote.amount, language),
        fee=som(quote.commission, language), total=som(quote.total, language),
    )  # fmt: skip
    return Answer(said, language, "Telegram: the wallet's quote was shown; asked for the PIN",
                  f"Telegram: typed the amount {amount} tiyin", ReplyKeyboardMarkup([["/cancel"]]))  # fmt: skip


def _pay_pin(uow: UnitOfWork, chat: TelegramChat, principal: Principal, text: str) -> Answer:
    """The PIN goes to the wallet and nowhere else; its message is deleted from the chat."""
    language, pending = principal.language, dict(chat.pending or {})
    summary_in = "Telegram: typed the wallet PIN (deleted from the chat)"
    if not text.isdigit() or len(text) > PIN_DIGITS_MAX:  # not a PIN: a hint, no attempt counted
        return Answer(say("pin_hint", language), language, "Telegram: asked for the PIN again", summary_in,
                      delete=True)  # fmt: skip
    receipt = wallets.pay(
        uow, phone=pending["wallet"], provider=MOBILE_PROVIDER, account=pending["line"], amount=pending["amount"],
        pin=text, idempotency_key=f"telegram:{chat.chat_id}:{chat.last_update_id}",
    )  # fmt: skip
    chat.state, chat.pending = LINKED, None
    said = say("paid", language, phone=phone(pending["line"]), amount=som(pending["amount"], language),
               receipt=receipt.number)  # fmt: skip
    return _done(said, language, f"Telegram: the line was paid from the wallet (receipt {receipt.number})",
                 summary_in, delete=True)  # fmt: skip

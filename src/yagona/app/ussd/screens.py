"""The screens of the USSD channel: what each one says (`render`, no side effect: a page may
be shown again) and what an answer to it does (`choose`). Every rule is a domain's: a screen
asks `lines`, `wallet`, `loyalty`, `crm` and `identity` through their public services and only
words the answer. Navigation (0, 00, 9, pages, hints) is the engine's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from yagona.app.ussd.texts import LANGUAGE_NAMES, say
from yagona.catalog import service as catalog
from yagona.catalog.schemas import Plan
from yagona.crm import service as crm
from yagona.kernel.clock import TASHKENT
from yagona.kernel.money import Money
from yagona.lines import service as lines
from yagona.lines import ussd as lines_ussd
from yagona.loyalty import service as loyalty
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallet

MENU_CODE = "*111#"  # the self-service menu
SWITCH_PREFIX_CODE = "*110#"  # `*110*NNN#` typed in two steps (a gateway's extended code)
MOBILE_PROVIDER = "mobile"  # the wallet's provider that tops up a line
AMOUNT_DIGITS_MAX = 9
PIN_DIGITS_MAX = 12


@dataclass
class Caller:
    """Who is dialling, in which language, and where an action's idempotency key comes from."""

    uow: UnitOfWork
    msisdn: str
    language: str
    customer_id: str | None
    key: str  # this session and step: a retried step acts once

    def say(self, key: str, **values: object) -> str:
        return say(self.language, key, **values)


@dataclass(frozen=True)
class View:
    """A screen: its lines (text, then numbered choices); `end` closes the session; `typed`
    takes a value rather than a numbered choice; `secret` is a PIN (never shown or kept)."""

    lines: tuple[str, ...]
    end: bool = False
    typed: bool = False
    secret: bool = False


@dataclass(frozen=True)
class Push:
    """Go to a screen below this one."""

    name: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    """An action went through: its answer ends the session; `summary` describes it on the
    customer's timeline (never what was typed)."""

    text: str
    summary: str
    subject_kind: str = "line"
    subject_id: str | None = None
    action: str | None = None  # switch, reload, promo, package, payment, reward, callback


@dataclass(frozen=True)
class Home:
    """Back to the top of the menu (after a language change)."""


Move = Push | Done | Home | None  # None: not an answer this screen takes (the engine hints)
Render = Callable[[Caller, dict[str, str]], View]
Choose = Callable[[Caller, dict[str, str], str], Move]


def _som(tiyin: int) -> str:
    return Money(tiyin).format()


def _numbered(labels: list[str]) -> list[str]:
    return [f"{number} {label}" for number, label in enumerate(labels, start=1)]


def _pick(answer: str, count: int) -> int | None:
    """The 0-based index of a numbered choice, or None."""
    if answer.isdigit() and 1 <= int(answer) <= count and len(answer) <= 2:
        return int(answer) - 1
    return None


# --- where a dialled code starts -------------------------------------------------------------


def start(caller: Caller, code: str) -> Move:
    """The first screen of a dialled code, or the action a code does at once (`*20#`, a
    package). An unknown code is the lines domain's refusal."""
    codes = catalog.get_catalogue().ussd
    if code == MENU_CODE:
        return Push("main")
    if lines_ussd.is_query(code):
        return Push("query", {"code": code})
    if code == codes.reload:
        return Push("reload")
    if code == SWITCH_PREFIX_CODE:
        return Push("switch_code")
    plan = catalog.find_plan_by_switch_code(code)
    if plan is not None:
        return Push("switch", {"plan": plan.id})
    answer = lines_ussd.dial(caller.uow, msisdn=caller.msisdn, code=code, language=caller.language)
    return Done(answer.text, f"USSD {answer.code}: {answer.action}", subject_id=caller.msisdn, action=answer.action)


# --- the codes of the price list ---------------------------------------------------------------


def query_render(caller: Caller, args: dict[str, str]) -> View:
    answer = lines_ussd.query(caller.uow, msisdn=caller.msisdn, code=args["code"], language=caller.language)
    return View((answer.text,), end=True)


def reload_render(caller: Caller, args: dict[str, str]) -> View:
    plan = catalog.get_plan(lines.state(caller.uow, msisdn=caller.msisdn).plan)
    price = plan.reload.price.tiyin if plan.reload is not None else 0
    return View((caller.say("reload_quote", fee=_som(plan.monthly_fee.tiyin + price)), caller.say("confirm")))


def reload_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    if answer != "1":
        return None
    code = catalog.get_catalogue().ussd.reload
    done = lines_ussd.dial(caller.uow, msisdn=caller.msisdn, code=code, language=caller.language)
    return Done(done.text, f"USSD {code}: reload", subject_id=caller.msisdn, action=done.action)


def switch_code_render(caller: Caller, args: dict[str, str]) -> View:
    return View((caller.say("switch_code"),), typed=True)


def switch_code_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    plan = catalog.find_plan_by_switch_code(f"*110*{answer}#") if answer.isdigit() and len(answer) <= 4 else None
    return Push("switch", {"plan": plan.id}) if plan is not None else None


def switch_render(caller: Caller, args: dict[str, str]) -> View:
    """The switching rule's answer before the customer confirms (`lines.quote_switch`); a
    refusal is shown instead of the question."""
    quote = lines.quote_switch(caller.uow, msisdn=caller.msisdn, plan_id=args["plan"])
    if quote.refusal is not None:
        raise quote.refusal
    text = caller.say(
        "switch_quote",
        plan=catalog.get_plan(quote.to_plan).name,
        fee=_som(quote.fee_tiyin),
        balance=_som(quote.balance_tiyin),
        next=quote.next_charge_at.astimezone(TASHKENT).date().strftime("%d.%m.%Y"),
    )
    return View((text, caller.say("confirm")))


def switch_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    if answer != "1":
        return None
    done = lines_ussd.switch(caller.uow, msisdn=caller.msisdn, plan_id=args["plan"], language=caller.language)
    return Done(done.text, f"USSD: plan switched to {args['plan']}", subject_id=caller.msisdn, action=done.action)


# --- *111#: the self-service menu -----------------------------------------------------------

MAIN = ("balance", "plans", "wallet", "points", "language", "callback")


def main_render(caller: Caller, args: dict[str, str]) -> View:
    return View((caller.say("menu"), *_numbered([caller.say(f"menu_{item}") for item in MAIN])))


def main_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    index = _pick(answer, len(MAIN))
    return Push(MAIN[index]) if index is not None else None


def balance_render(caller: Caller, args: dict[str, str]) -> View:
    return View(lines_ussd.summary(lines.state(caller.uow, msisdn=caller.msisdn), caller.language))


def _targets(caller: Caller) -> tuple[Plan, list[Plan]]:
    current = catalog.get_plan(lines.state(caller.uow, msisdn=caller.msisdn).plan)
    targets = [catalog.get_plan(plan_id) for plan_id in current.switching.to]
    return current, [plan for plan in targets if plan.is_open][:8]


def _fee(caller: Caller, plan: Plan) -> str:
    return _som(plan.monthly_fee.tiyin)


def plans_render(caller: Caller, args: dict[str, str]) -> View:
    current, targets = _targets(caller)
    if not targets:
        return View((caller.say("plans_none", plan=current.name, fee=_fee(caller, current)),))
    head = caller.say("plans", plan=current.name, fee=_fee(caller, current))
    return View((head, *_numbered([f"{plan.name} {_fee(caller, plan)}" for plan in targets])))


def plans_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    _, targets = _targets(caller)
    index = _pick(answer, len(targets))
    return Push("plan", {"plan": targets[index].id}) if index is not None else None


def _bundles(caller: Caller, plan: Plan) -> str:
    shown = []
    for key, word in (("minutes", "minutes"), ("onnet_minutes", "minutes"), ("sms", "sms"), ("mb", "mb")):
        bundle = plan.bundles.get(key)  # type: ignore[call-overload]
        if bundle is not None:
            amount = caller.say("unlimited") if bundle.unlimited else f"{bundle.amount}"
            shown.append(caller.say(word, n=amount))
    return ", ".join(shown)


def plan_render(caller: Caller, args: dict[str, str]) -> View:
    plan = catalog.get_plan(args["plan"])
    text = caller.say("plan", plan=plan.name, fee=_fee(caller, plan), bundles=_bundles(caller, plan))
    return View((text, *_numbered([caller.say("plan_switch"), caller.say("plan_compare")])))


def plan_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    return {"1": Push("switch", args), "2": Push("compare_pick", args)}.get(answer)


def _others(caller: Caller, plan_id: str) -> list[Plan]:
    current, targets = _targets(caller)
    return [plan for plan in [current, *targets] if plan.id != plan_id]


def compare_pick_render(caller: Caller, args: dict[str, str]) -> View:
    head = caller.say("compare_pick", plan=catalog.get_plan(args["plan"]).name)
    return View((head, *_numbered([plan.name for plan in _others(caller, args["plan"])])))


def compare_pick_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    others = _others(caller, args["plan"])
    index = _pick(answer, len(others))
    return Push("compare", {"plan": args["plan"], "other": others[index].id}) if index is not None else None


def compare_render(caller: Caller, args: dict[str, str]) -> View:
    plans = [catalog.get_plan(args["plan"]), catalog.get_plan(args["other"])]
    lines_ = [
        caller.say("plan", plan=plan.name, fee=_fee(caller, plan), bundles=_bundles(caller, plan)) for plan in plans
    ]
    return View(tuple(lines_))


def wallet_render(caller: Caller, args: dict[str, str]) -> View:
    found = wallet.get(caller.uow, phone=caller.msisdn)
    text = caller.say("wallet", balance=_som(found.balance), tier=found.tier.value.capitalize())
    return View((text, *_numbered([caller.say("wallet_pay")])))


def wallet_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    return Push("wallet_amount") if answer == "1" else None


def wallet_amount_render(caller: Caller, args: dict[str, str]) -> View:
    return View((caller.say("wallet_amount"),), typed=True)


def wallet_amount_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    if not answer.isdigit() or len(answer) > AMOUNT_DIGITS_MAX or int(answer) == 0:
        return None
    return Push("wallet_pin", {"amount": str(Money.of_som(int(answer)).tiyin)})


def wallet_pin_render(caller: Caller, args: dict[str, str]) -> View:
    """The payment priced by the wallet (its commission) before the PIN confirms it."""
    quote = wallet.quote_payment(
        caller.uow, phone=caller.msisdn, provider=MOBILE_PROVIDER, account=caller.msisdn, amount=int(args["amount"])
    )
    text = caller.say("wallet_pin", msisdn=caller.msisdn, amount=_som(quote.amount), fee=_som(quote.commission))
    return View((text,), typed=True, secret=True)


def wallet_pin_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    """The PIN goes to the wallet and nowhere else: not into the session, a log or a summary."""
    if not answer.isdigit() or len(answer) > PIN_DIGITS_MAX:
        return None  # not a PIN: a hint, and no attempt counted
    receipt = wallet.pay(
        caller.uow,
        phone=caller.msisdn,
        provider=MOBILE_PROVIDER,
        account=caller.msisdn,
        amount=int(args["amount"]),
        pin=answer,
        idempotency_key=caller.key,
    )
    text = caller.say("wallet_paid", amount=_som(int(args["amount"])), receipt=receipt.number)
    summary = "USSD: line paid from the wallet"
    return Done(text, summary, subject_kind="wallet_receipt", subject_id=receipt.number, action="payment")


def points_render(caller: Caller, args: dict[str, str]) -> View:
    found = loyalty.state(caller.uow, phone=caller.msisdn)
    text = caller.say("points", points=found.points, tier=found.tier.capitalize())
    return View((text, *_numbered([caller.say("points_redeem")])))


def points_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    return Push("rewards") if answer == "1" else None


def rewards_render(caller: Caller, args: dict[str, str]) -> View:
    rewards = loyalty.rewards(caller.uow)[:8]
    labels = [caller.say("reward", reward=reward.id, points=reward.points) for reward in rewards]
    return View((caller.say("rewards"), *_numbered(labels)))


def rewards_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    rewards = loyalty.rewards(caller.uow)[:8]
    index = _pick(answer, len(rewards))
    return Push("reward", {"reward": rewards[index].id}) if index is not None else None


def reward_render(caller: Caller, args: dict[str, str]) -> View:
    chosen = next(reward for reward in loyalty.rewards(caller.uow) if reward.id == args["reward"])
    return View((caller.say("reward_quote", reward=chosen.id, points=chosen.points), caller.say("confirm")))


def reward_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    if answer != "1":
        return None
    done = loyalty.redeem(caller.uow, phone=caller.msisdn, reward=args["reward"], msisdn=caller.msisdn)
    text = caller.say("reward_done", reward=done.reward, points=done.points)
    return Done(text, f"USSD: reward {done.reward} redeemed", subject_id=caller.msisdn, action="reward")


def language_render(caller: Caller, args: dict[str, str]) -> View:
    return View((caller.say("language"), *_numbered([name for _, name in LANGUAGE_NAMES])))


def language_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    index = _pick(answer, len(LANGUAGE_NAMES))
    if index is None:
        return None
    caller.language = LANGUAGE_NAMES[index][0]
    return Home()


def callback_render(caller: Caller, args: dict[str, str]) -> View:
    """ "Talk to a person": a call-back ticket for the call-centre (crm), for a One ID customer."""
    if caller.customer_id is None:
        return View((caller.say("callback_no_customer"),), end=True)
    return View((caller.say("callback"), caller.say("confirm")))


def callback_choose(caller: Caller, args: dict[str, str], answer: str) -> Move:
    if answer != "1" or caller.customer_id is None:
        return None
    ticket_id = crm.open_request(
        caller.uow,
        customer_id=caller.customer_id,
        channel="ussd",
        summary=caller.say("callback_summary"),
        body=caller.say("callback_summary"),
        category="question",
    )
    text = caller.say("callback_done", number=crm.ticket_number(ticket_id))
    return Done(
        text, "USSD: call-back requested", subject_kind="contact_request", subject_id=ticket_id, action="callback"
    )


def done_render(caller: Caller, args: dict[str, str]) -> View:
    return View((args["text"],), end=True)


def notice_render(caller: Caller, args: dict[str, str]) -> View:
    return View((args["text"],), end=args.get("end") == "1")


def _nothing(caller: Caller, args: dict[str, str], answer: str) -> Move:
    return None


SCREENS: dict[str, tuple[Render, Choose]] = {
    "query": (query_render, _nothing),
    "reload": (reload_render, reload_choose),
    "switch_code": (switch_code_render, switch_code_choose),
    "switch": (switch_render, switch_choose),
    "main": (main_render, main_choose),
    "balance": (balance_render, _nothing),
    "plans": (plans_render, plans_choose),
    "plan": (plan_render, plan_choose),
    "compare_pick": (compare_pick_render, compare_pick_choose),
    "compare": (compare_render, _nothing),
    "wallet": (wallet_render, wallet_choose),
    "wallet_amount": (wallet_amount_render, wallet_amount_choose),
    "wallet_pin": (wallet_pin_render, wallet_pin_choose),
    "points": (points_render, points_choose),
    "rewards": (rewards_render, rewards_choose),
    "reward": (reward_render, reward_choose),
    "language": (language_render, language_choose),
    "callback": (callback_render, callback_choose),
    "done": (done_render, _nothing),
    "notice": (notice_render, _nothing),
}

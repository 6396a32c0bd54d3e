"""The help assistant (issue 14.5): answers a customer's question in uz, ru or en from the
knowledge base (`crm/data/help/<language>.yaml`, articles as data) by offline retrieval
(`crm.retrieval`: BM25 with Uzbek transliteration), answers account questions of a signed-in
customer from the domains' services (balance, bundles left, the next fee, points, the wallet),
and hands the conversation to a person (`open_request`) when asked ("operator", "odam",
"оператор", "a person") or when it was unsure twice in a row.

Channels (the portal's `/help`, the Telegram bot) call `ask`; the conversation of a signed-in
customer is kept per channel in `crm_assistant_turn` (what a person reads on a hand-over); a
signed-out visitor's questions are not kept: the page carries how many answers in a row were
unsure. Plan prices and reward costs are read from the catalogue and the bonus programme at
answer time: the articles hold no price."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import delete, func, select

from yagona.catalog import service as catalog
from yagona.crm import retrieval, rules
from yagona.crm.errors import EmptyTextError, QuestionTooLongError, TooManyQuestionsError
from yagona.crm.models import AssistantTurn
from yagona.crm.service._base import _channel
from yagona.crm.service.requests import open_request
from yagona.kernel.clock import TASHKENT
from yagona.kernel.errors import NotFoundError
from yagona.kernel.ids import new_id
from yagona.lines import service as lines
from yagona.loyalty import service as loyalty
from yagona.platform.principals import Principal
from yagona.platform.uow import UnitOfWork
from yagona.wallet import service as wallets

QUESTION_MAX = 500  # characters: a question, not a letter
# Below this confidence (0..1, `retrieval.Match.confidence`) the assistant says it is unsure;
# chosen on the question set in tests/data/help_questions.yaml (docs/crm.md, "Help assistant").
THRESHOLD = 0.25
CONVERSATION = timedelta(minutes=30)  # turns older than this start a new conversation
TRANSCRIPT_TURNS = 10  # the turns a person gets on a hand-over
RATE_WINDOW = timedelta(minutes=10)
RATE_LIMIT = 30  # questions of one signed-in customer per window, every channel together
# A customer's turns are kept a week (a hand-over copies the conversation into its request;
# the rate limit and the conversation need minutes): older ones go when they ask again.
RETENTION = timedelta(days=7)
INTENTS = ("balance", "bundles", "next_fee", "points", "wallet")
_PIN_LIKE = re.compile(r"(?<![\d*#])\d{4,6}(?![\d#])")  # a PIN typed into a question is not kept


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    ask: tuple[str, ...]
    answer: str
    intent: str | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    articles: Mapping[str, Mapping[str, Article]]  # language → id → article
    phrases: Mapping[str, Mapping[str, str]]  # language → key → words
    reward_names: Mapping[str, Mapping[str, str]]
    retriever: retrieval.Retriever

    def article(self, article_id: str, language: str) -> Article:
        return self.articles[language][article_id]

    def say(self, key: str, language: str, **values: object) -> str:
        return self.phrases[language][key].format(**values)


@dataclass(frozen=True)
class HelpAnswer:
    """What the assistant says, in `language`; `outcome`: `article`, `account` (the customer's
    own figures, with the article), `unsure`, or `handover` (`request_id` when a request was
    opened; none for a signed-out visitor, who is told how to sign in or call)."""

    text: str
    language: str
    outcome: str
    article_id: str | None = None
    title: str | None = None
    confidence: float = 0.0
    request_id: str | None = None


def _load(language: str) -> dict[str, Any]:
    path = resources.files("yagona.crm").joinpath(f"data/help/{language}.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["language"] == language, f"help/{language}.yaml says it is {data['language']}"
    return data


@functools.cache
def knowledge_base() -> KnowledgeBase:
    """The three languages' articles, checked to hold the same ids, phrases and intents."""
    articles: dict[str, dict[str, Article]] = {}
    phrases: dict[str, dict[str, str]] = {}
    rewards: dict[str, dict[str, str]] = {}
    documents: dict[str, list[retrieval.Document]] = {}
    for language in retrieval.LANGUAGES:
        data = _load(language)
        phrases[language] = dict(data["phrases"])
        rewards[language] = dict(data["reward_names"])
        found = [
            Article(a["id"], a["title"], tuple(a.get("ask", ())), a["answer"], a.get("intent"))
            for a in data["articles"]
        ]
        articles[language] = {a.id: a for a in found}
        assert len(articles[language]) == len(found), f"help/{language}.yaml repeats an id"
        documents[language] = [
            retrieval.Document(a.id, " ".join([a.title, a.title, *a.ask, re.sub(r"\{\w+\}", " ", a.answer)]))
            for a in found
        ]
    reference = articles["en"]
    for language in retrieval.LANGUAGES:
        assert articles[language].keys() == reference.keys(), f"help/{language}.yaml: other article ids"
        assert phrases[language].keys() == phrases["en"].keys(), f"help/{language}.yaml: other phrases"
        for article in articles[language].values():
            assert article.intent == reference[article.id].intent, f"{language}/{article.id}: another intent"
            assert article.intent is None or article.intent in INTENTS, f"{article.id}: unknown intent"
    return KnowledgeBase(articles, phrases, rewards, retrieval.Retriever.of(documents))


def match(question: str, *, language: str = "uz") -> tuple[str, retrieval.Match | None]:
    """The question's language and the article it asks about, or None below the threshold
    (what the accuracy run measures: no database, no customer)."""
    detected = retrieval.detect_language(question, language)
    found = knowledge_base().retriever.search(question, language=detected)
    best = found[0] if found and found[0].confidence >= THRESHOLD else None
    return detected, best


def show(uow: UnitOfWork, *, article_id: str, language: str) -> HelpAnswer | None:
    """One article by its id (a topic of `/help`), its prices filled; None for an unknown id."""
    kb = knowledge_base()
    articles = kb.articles.get(language if language in kb.articles else "uz", {})
    if article_id not in articles:
        return None
    article = articles[article_id]
    text = _fill(uow, kb, article.answer, language)
    return _in_script(HelpAnswer(text, language, "article", article.id, article.title, 1.0), cyrillic=False)


def ask(
    uow: UnitOfWork,
    *,
    question: str,
    channel: str,
    principal: Principal | None = None,
    language: str = "uz",
    unsure_before: int = 0,
) -> HelpAnswer:
    """Answer `question` (at most 500 characters) in its own language (`language`, the
    customer's or the page's, when it cannot be told). Signed in (`principal`): account
    questions are answered from the customer's own services, the turn is kept, and a request
    for a person, or a second unsure answer in a row, opens a contact request with the
    conversation. Signed out: `unsure_before` is how many answers in a row were unsure."""
    text = _question(question)
    channel = _channel(channel)
    kb = knowledge_base()
    detected, best = match(text, language=language)
    customer_id = principal.customer_id if principal is not None else None
    if customer_id is not None:
        _check_rate(uow, customer_id)
    if retrieval.asks_for_a_person(text):
        answer = _hand_over(
            uow, kb, principal=principal, channel=channel, text=text, language=detected, why="asked for a person"
        )
    elif best is None:
        streak = _unsure_streak(uow, customer_id, channel) if customer_id is not None else max(0, unsure_before)
        if streak >= 1:
            answer = _hand_over(
                uow,
                kb,
                principal=principal,
                channel=channel,
                text=text,
                language=detected,
                why="could not answer twice",
            )
        else:
            answer = HelpAnswer(kb.say("unsure", detected), detected, "unsure")
    else:
        answer = _answer_article(uow, kb, principal, best, detected)
    if customer_id is not None:
        _keep(uow, customer_id, channel, text, answer)
    return _in_script(answer, cyrillic=detected == "uz" and retrieval.has_cyrillic(text))


def _question(question: str) -> str:
    text = " ".join(question.split())
    if not text:
        raise EmptyTextError("Write the question.", field="question")
    if len(text) > QUESTION_MAX:
        raise QuestionTooLongError(f"a question is at most {QUESTION_MAX} characters", limit=QUESTION_MAX)
    return text


def _check_rate(uow: UnitOfWork, customer_id: str) -> None:
    since = uow.clock.now() - RATE_WINDOW
    asked = uow.session.scalar(
        select(func.count())
        .select_from(AssistantTurn)
        .where(AssistantTurn.customer_id == customer_id, AssistantTurn.asked_at >= since)
    )
    if (asked or 0) >= RATE_LIMIT:
        minutes = int(RATE_WINDOW.total_seconds() // 60)
        raise TooManyQuestionsError("too many questions", limit=RATE_LIMIT, minutes=minutes)


def _conversation(uow: UnitOfWork, customer_id: str, channel: str) -> list[AssistantTurn]:
    """This channel's turns since the last hand-over, within the conversation's window, oldest first."""
    since = uow.clock.now() - CONVERSATION
    rows = uow.session.scalars(
        select(AssistantTurn)
        .where(
            AssistantTurn.customer_id == customer_id,
            AssistantTurn.channel == channel,
            AssistantTurn.asked_at >= since,
        )
        .order_by(AssistantTurn.asked_at.desc(), AssistantTurn.id.desc())
        .limit(TRANSCRIPT_TURNS)
    ).all()
    recent: list[AssistantTurn] = []
    for row in rows:
        if row.outcome == "handover":
            break
        recent.append(row)
    return recent[::-1]


def _unsure_streak(uow: UnitOfWork, customer_id: str, channel: str) -> int:
    streak = 0
    for row in reversed(_conversation(uow, customer_id, channel)):
        if row.outcome != "unsure":
            break
        streak += 1
    return streak


def _kept(text: str) -> str:
    """The question as it is kept: card numbers masked (crm.rules), PIN-like numbers too."""
    cleaned = rules.clean_text(text, max_length=QUESTION_MAX) or ""
    return _PIN_LIKE.sub("****", cleaned)


def _keep(uow: UnitOfWork, customer_id: str, channel: str, text: str, answer: HelpAnswer) -> None:
    uow.session.execute(
        delete(AssistantTurn).where(
            AssistantTurn.customer_id == customer_id, AssistantTurn.asked_at < uow.clock.now() - RETENTION
        )
    )
    uow.session.add(
        AssistantTurn(
            id=new_id(),
            customer_id=customer_id,
            channel=channel,
            language=answer.language,
            question=_kept(text),
            outcome=answer.outcome,
            article_id=answer.article_id,
            confidence_permille=round(answer.confidence * 1000),
            request_id=answer.request_id,
            asked_at=uow.clock.now(),
        )
    )
    uow.session.flush()


def _transcript(turns: list[AssistantTurn], channel: str, question: str, at: datetime) -> str:
    kb = knowledge_base()
    lines_ = [f"Help assistant ({channel}), {at.astimezone(TASHKENT):%d.%m.%Y %H:%M} Tashkent:"]
    for turn in turns:
        if turn.article_id is not None:
            said = f"{turn.outcome}: {kb.article(turn.article_id, 'en').title}"
        else:
            said = "not sure"
        lines_.append(f"Customer: {turn.question}")
        lines_.append(f"Assistant: {said}")
    lines_.append(f"Customer: {_kept(question)}")
    return " | ".join(lines_)  # one line: a request's body is kept with its whitespace folded


def _hand_over(
    uow: UnitOfWork,
    kb: KnowledgeBase,
    *,
    principal: Principal | None,
    channel: str,
    text: str,
    language: str,
    why: str,
) -> HelpAnswer:
    if principal is None:
        key = "handover_signed_out" if why == "asked for a person" else "unsure_again_signed_out"
        return HelpAnswer(kb.say(key, language), language, "handover")
    body = _transcript(_conversation(uow, principal.customer_id, channel), channel, text, uow.clock.now())
    request_id = open_request(
        uow,
        customer_id=principal.customer_id,
        channel=channel,
        summary=f"Help assistant: {why}; the conversation is attached",
        body=body,
    )
    number = request_id[-8:].upper()
    return HelpAnswer(kb.say("handed_over", language, number=number), language, "handover", request_id=request_id)


def _answer_article(
    uow: UnitOfWork, kb: KnowledgeBase, principal: Principal | None, best: retrieval.Match, language: str
) -> HelpAnswer:
    article = kb.article(best.id, language)
    general = _fill(uow, kb, article.answer, language)
    if article.intent is None:
        return HelpAnswer(general, language, "article", article.id, article.title, best.confidence)
    if principal is None:
        text = f"{general}\n{kb.say('sign_in_for_yours', language)}"
        return HelpAnswer(text, language, "article", article.id, article.title, best.confidence)
    own = _account(uow, kb, principal, article.intent, language)
    return HelpAnswer(f"{own}\n{general}", language, "account", article.id, article.title, best.confidence)


# --- what the services say ------------------------------------------------------------------


def _som(tiyin: int, kb: KnowledgeBase, language: str) -> str:
    whole, fraction = divmod(abs(tiyin), 100)
    sign = "-" if tiyin < 0 else ""
    digits = f"{whole:,}".replace(",", " ") + (f".{fraction:02d}" if fraction else "")
    return f"{sign}{digits} {kb.say('currency', language)}"


def _phone(msisdn: str) -> str:
    return f"+{msisdn[:3]} {msisdn[3:5]} {msisdn[5:8]} {msisdn[8:10]} {msisdn[10:]}" if len(msisdn) == 12 else msisdn


def _plan_name(plan_id: str) -> str:
    try:
        return catalog.get_plan(plan_id).name
    except NotFoundError:
        return plan_id


def _amount(value: float) -> str:
    number = int(value) if float(value).is_integer() else round(value, 2)
    return f"{number:,}".replace(",", " ")


def _account(uow: UnitOfWork, kb: KnowledgeBase, principal: Principal, intent: str, language: str) -> str:
    """The customer's own figures for an account question, from the domains' services."""
    say = functools.partial(kb.say, language=language)
    if intent == "points":
        phone = loyalty.member_phone(uow, phones=principal.phones)
        if phone is None:
            return say("points_line", points=0, tier=say("loyalty_tier_bronze"))
        state = loyalty.state(uow, phone=phone)
        tier_key = f"loyalty_tier_{state.tier}"
        tier = say(tier_key) if tier_key in kb.phrases[language] else state.tier
        return say("points_line", points=_amount(state.points), tier=tier)
    if intent == "wallet":
        found = wallets.own_wallets(uow, customer_id=principal.customer_id, phones=principal.phones)
        rows = [
            say("wallet_line", phone=_phone(w.phone), tier=say(f"tier_{w.tier.value}"),
                balance=_som(w.balance, kb, language), available=_som(w.available, kb, language))
            for w in found
        ]  # fmt: skip
        return "\n".join(rows) if rows else say("no_wallet")
    numbers = sorted({*principal.lines, *principal.phones})
    states = [lines.state(uow, msisdn=number) for number in numbers if lines.exists(uow, number)]
    if not states:
        return say("no_lines")
    rows = []
    for line in states:
        named = {"phone": _phone(line.msisdn), "plan": f"`{_plan_name(line.plan)}`"}
        if intent == "balance":
            rows.append(say("balance_line", balance=_som(line.balance_tiyin, kb, language), **named))
            if line.status != "active":
                rows.append(say("blocked"))
        elif intent == "bundles":
            left = [
                f"{say('bundle_' + key) if 'bundle_' + key in kb.phrases[language] else key.replace('_', ' ')} "
                f"{_amount(amount)}"
                for key, amount in line.bundles.items()
                if amount
            ]
            rows.append(say("bundles_line", left=", ".join(left), **named) if left else say("no_bundles", **named))
        elif line.next_charge_at is not None and line.next_charge_tiyin:
            date = line.next_charge_at.astimezone(TASHKENT).strftime("%d.%m.%Y")
            rows.append(say("next_fee_line", amount=_som(line.next_charge_tiyin, kb, language), date=date, **named))
        else:
            rows.append(say("no_next_fee", **named))
    return "\n".join(rows)


def _fill(uow: UnitOfWork, kb: KnowledgeBase, text: str, language: str) -> str:
    """The article's placeholders from the catalogue and the programme in force (a plan's name
    in backticks: a brand is not transliterated)."""
    if "{" not in text:
        return text
    values: dict[str, str] = {}
    if "{plans}" in text:
        values["plans"] = "; ".join(
            f"`{plan.name}` — {_som(plan.monthly_fee.tiyin, kb, language)} {kb.say('month', language)}"
            for plan in catalog.list_plans(include_closed=False)
        )
    if "{switch_codes}" in text:
        values["switch_codes"] = "; ".join(
            f"`{plan.name} {plan.switching.code}`"
            for plan in catalog.list_plans(include_closed=False)
            if plan.switching.code is not None
        )
    if "{rewards}" in text:
        names = kb.reward_names[language]
        values["rewards"] = "; ".join(
            f"{names.get(reward.id, reward.id)} — {reward.points} {kb.say('points_word', language)}"
            for reward in loyalty.rewards(uow)
        )
    return text.format(**values)


def _in_script(answer: HelpAnswer, *, cyrillic: bool) -> HelpAnswer:
    """Uzbek asked in Cyrillic is answered in Cyrillic; `protected` spans lose their backticks."""
    if cyrillic:
        text, title = retrieval.to_cyrillic(answer.text), retrieval.to_cyrillic(answer.title or "") or None
    else:
        text, title = answer.text.replace("`", ""), answer.title
    return HelpAnswer(
        text, answer.language, answer.outcome, answer.article_id, title, answer.confidence, answer.request_id
    )

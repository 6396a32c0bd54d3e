# ruff: noqa: RUF001 - Russian and Cyrillic Uzbek questions on purpose
"""The help assistant in the Telegram bot, over real sockets (the bot's webhook, the Bot API
stand-in of tests/e2e/telegram_api.py): a linked chat's free text is answered from the
knowledge base or the customer's own services, in the language it was asked in; an unsure
answer starts with the bot's "I did not understand"; a second one in a row hands the
conversation to the call-centre; digits alone never reach the assistant; the timeline
describes, never quotes."""

from __future__ import annotations

from tests.e2e.test_telegram import Bot, _dilnoza, _person, bot  # noqa: F401 - `bot` is the module's server
from yagona.crm import service as crm


def test_free_text_in_a_linked_chat_goes_to_the_help_assistant(bot: Bot) -> None:  # noqa: F811
    phone, chat, stranger = _person(41)
    customer_id = _dilnoza(bot, phone, wallet=False)
    bot.link(chat, phone)

    [balance] = bot.say(chat, "what is my balance")
    assert balance.startswith(
        f"+998 90 {phone[5:8]} {phone[8:10]} {phone[10:]} (Lider Start): the balance is 10 000 so'm."
    )
    [payme] = bot.say(chat, "как оплатить через Payme")  # asked in Russian: answered in Russian
    assert payme.startswith("В приложении Payme выберите мобильного оператора")
    assert "🔁 Change plan" in str(bot.api.sent(chat)[-1].keyboard["keyboard"])  # the menu stays, in her language

    [digits] = bot.say(chat, "4321")  # a PIN typed too late is no question
    assert digits.startswith("I did not understand")
    [unsure] = bot.say(chat, "what will the weather be tomorrow")
    assert unsure.startswith("I did not understand.") and 'write "operator"' in unsure
    [handed] = bot.say(chat, "football match results")
    assert handed.startswith("I passed our conversation to the call-centre: request ")

    with bot.container.uow() as uow:
        [request] = crm.contact_requests(uow, customer_id=customer_id)
        timeline = crm.timeline(uow, customer_id=customer_id, channel="telegram", limit=50)
    assert request.channel == "telegram" and request.id[-8:].upper() in handed
    assert request.body.split(" | ")[1:] == [
        "Customer: what is my balance",
        "Assistant: account: Your balance: *100#",
        "Customer: как оплатить через Payme",
        "Assistant: article: Pay with Payme",
        "Customer: what will the weather be tomorrow",
        "Assistant: not sure",
        "Customer: football match results",
    ]
    summaries = [t.summary for t in timeline]
    assert "Telegram: the help assistant answered from the customer's own services" in summaries
    assert "Telegram: the help assistant handed the conversation to the call-centre" in summaries
    assert not any("weather" in s or "Payme" in s or "4321" in s for s in summaries)

    # A chat not linked gets the link prompt, never the assistant.
    [prompt] = bot.say(stranger, "what is my balance")
    assert "link this chat to your One ID" in prompt

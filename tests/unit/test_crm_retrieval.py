# ruff: noqa: RUF001 - Cyrillic and the apostrophes of o' and g' are what these tests are about
"""The help assistant's retrieval, pure: Uzbek transliteration both ways, normalisation,
language detection, BM25 and its confidence, the words that ask for a person."""

from __future__ import annotations

import pytest

from yagona.crm import retrieval
from yagona.crm.retrieval import Document, Index, Retriever


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Тўлов", "To'lov"),
        ("ғалаба", "g'alaba"),
        ("шаҳар", "shahar"),
        ("чой", "choy"),
        ("ёмғир", "yomg'ir"),
        ("Юлдуз", "Yulduz"),
        ("яхши", "yaxshi"),
        ("ер", "yer"),
        ("келди", "keldi"),
        ("ҳамён", "hamyon"),
        ("қанча", "qancha"),
        ("маъно", "ma'no"),
    ],
)
def test_uzbek_transliterates_both_ways(cyrillic: str, latin: str) -> None:
    assert retrieval.to_latin(cyrillic) == latin
    assert retrieval.to_cyrillic(latin) == cyrillic


def test_every_apostrophe_of_o_and_g_is_the_same_letter() -> None:
    for typed in ("o'", "oʻ", "o’", "o‘", "o`"):
        assert retrieval.to_cyrillic(f"t{typed}lov") == "тўлов"
        assert retrieval.fold(f"T{typed}lov", "uz") == "tolov"
    assert retrieval.fold("Тўлов", "uz") == "tolov"  # Cyrillic folds to the same Latin word


def test_protected_spans_are_kept_as_written() -> None:
    assert retrieval.to_cyrillic("`Payme` orqali `*100#` ni tering") == "Payme орқали *100# ни теринг"


def test_words_are_stemmed_and_ussd_codes_are_one_word() -> None:
    assert retrieval.tokens("Balansimni *110*721# orqali", "uz") == ["ussd110", "balan", "orqal"]
    assert retrieval.tokens("Пополнение, пополнить!", "ru") == ["попол", "попол"]
    assert retrieval.tokens("What is my balance?", "en") == ["balan"]
    assert retrieval.tokens("Ёлка", "ru") == retrieval.tokens("елка", "ru")


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("balansim qancha", "en", "uz"),
        ("to'lov qilmoqchiman", "ru", "uz"),
        ("балансим қанча", "ru", "uz"),
        ("тарифни қандай ўзгартираман", "ru", "uz"),
        ("какой у меня баланс", "uz", "ru"),
        ("сколько осталось минут", "en", "ru"),
        ("how much is my balance", "uz", "en"),
        ("what is the wallet limit", "ru", "en"),
        ("*100#", "ru", "ru"),  # nothing to tell by: the customer's language
        ("Payme", "en", "en"),
    ],
)
def test_the_language_of_a_question(text: str, default: str, expected: str) -> None:
    assert retrieval.detect_language(text, default) == expected


def _retriever() -> Retriever:
    return Retriever.of(
        {
            "uz": [Document("topup", "Balansni to'ldirish karta orqali"), Document("pin", "PIN-kodni unutdim")],
            "ru": [Document("topup", "Пополнить баланс картой"), Document("pin", "Забыл PIN-код")],
            "en": [Document("topup", "Top up the balance with a card"), Document("pin", "I forgot my PIN")],
        }
    )


def test_a_cyrillic_uzbek_question_finds_the_latin_article_and_russian_finds_russian() -> None:
    retriever = _retriever()
    [best, *_] = retriever.search("балансни картадан тўлдириш", language="uz")
    assert (best.id, best.language) == ("topup", "uz")
    [best, *_] = retriever.search("как пополнить баланс картой", language="ru")
    assert (best.id, best.language) == ("topup", "ru")
    [best, *_] = retriever.search("pin kodni unutdim", language="uz")
    assert (best.id, best.language) == ("pin", "uz")


def test_confidence_is_high_for_a_full_match_low_for_unknown_words() -> None:
    index = Index.of("en", [Document("topup", "top up the balance with a card"), Document("pin", "forgot my PIN")])
    [full] = index.search("top up balance card")[:1]
    assert full.id == "topup" and full.confidence > 0.3  # every word once: about 1 / (k1 + 1)
    [weak] = index.search("card football weather tomorrow restaurant")[:1]
    assert weak.confidence < 0.25 < full.confidence  # below the assistant's threshold
    assert index.search("football") == []  # nothing matched: nothing found


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("operator", True),
        ("Operator bilan gaplashmoqchiman", True),
        ("odam kerak", True),
        ("оператор", True),
        ("соедините с человеком", True),
        ("I want to talk to a person", True),
        ("mobile operator code", True),  # "operator" is enough: the cost is a question to a person
        ("what is my balance", False),
        ("personal data", False),
    ],
)
def test_the_words_that_ask_for_a_person(text: str, person: bool) -> None:
    assert retrieval.asks_for_a_person(text) is person

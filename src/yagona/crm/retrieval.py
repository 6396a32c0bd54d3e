# ruff: noqa: RUF001, RUF002, RUF003 - Cyrillic and the apostrophes of o‘ and g‘ are what this module is about
"""The help assistant's retrieval, pure: Uzbek transliteration both ways, normalisation,
language detection and BM25 over the knowledge base's articles (no I/O, no framework).

Uzbek is written in Latin (o‘, g‘, sh, ch) and in Cyrillic (ў, ғ, ш, ч): the Uzbek index is
kept in folded Latin and every Uzbek query is transliterated to it, so "балансимни қандай
тўлдираман" finds the article written as "balansni qanday to'ldiraman". Russian is matched as
Russian (ё → е), English as English. Words are cut to a stem of five letters: crude, but it
joins "tarif", "tarifim", "tariflar" and "пополнить", "пополнение" without a dictionary.

BM25 (Robertson, k1 = 1.5, b = 0.75) scores an article for a query; the confidence is that
score over a bound no article reaches for the same query words (each word's idf × (k1 + 1)),
with words no article knows counted at half the mean idf: 0 nothing matched; an article of
average length holding every word once scores 1 / (k1 + 1) = 0.4. Below the caller's
threshold the assistant says it is unsure."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

LANGUAGES = ("uz", "ru", "en")
K1 = 1.5
B = 0.75
STEM = 5  # letters kept of a word
UNKNOWN_WEIGHT = 0.5  # a word no article knows weighs half the mean idf in the best score

APOSTROPHES = "'ʻʼ’‘`´"  # o‘ g‘ typed every way a keyboard allows
_APOS = re.compile(f"[{APOSTROPHES}]")

# Uzbek Cyrillic → Latin (the 1995 alphabet). `е` is `ye` at a word's start or after a vowel.
_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g'", "д": "d", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "о": "o", "ў": "o'",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ҳ": "h", "ц": "s",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "'", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_VOWELS_CYR = set("аеёиоуўэюяъь")
# Latin → Cyrillic: digraphs first.
_LAT_DIGRAPHS = {"o'": "ў", "g'": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я", "ye": "е"}
_LAT_TO_CYR = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с",
    "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", "'": "ъ", "c": "с", "w": "в",
}  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z]")
_USSD = re.compile(r"\*(\d+)(?:\*\d*)*#?")
_WORD = re.compile(r"[a-z\u0430-\u044f\u0451\u045e\u0493\u049b\u04b3]+|\d+")
_PROTECTED = re.compile(r"`([^`]*)`")


def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


def _by_length(*lines: str) -> tuple[str, ...]:
    return tuple(sorted(" ".join(lines).split(), key=len, reverse=True))


STOPWORDS: Mapping[str, frozenset[str]] = {
    "en": _words(
        "a an the is are am was be do does did i me my mine you your we our it its to of for in on at by and "
        "or with what how can could would should will there this that which when where who please have has "
        "get want need about from"
    ),
    "ru": _words(
        "а и в во на с со к ко по для из за от до о об у я мне меня мой моя моё мои мою ты вы вам ваш это как "
        "что где когда ли ли можно ли бы же не ни да нет есть мне нужно хочу пожалуйста какой какая какие "
        "каком чтобы или ещё еще ваш ваши ваша"
    ),
    "uz": _words(
        "va yoki bilan uchun men meni mening menga sen siz sizning bu shu u qanday qanaqa qilib nima nimaga "
        "kerak iltimos ham da ni mi bormi edi ekan qayerda qachon eng qaysi boladi mumkin"
    ),
}

# Words that tell a language apart (folded): a question's language is the one with most hits.
_MARKERS: Mapping[str, frozenset[str]] = {
    "uz": _words(
        "qanday qancha nima nega qachon qayerda qilib qilish qilsam kerak mening menga menda bormi uchun "
        "bilan yoki iltimos salom rahmat balansim tarifim hamyon hamyonim tolov toldirish ulash ozgartirish "
        "paket paketim qoldi qolgan ballar ballarim necha nechta qayer sorov ishlamayapti oldim bering ayting"
    ),
    "ru": _words(
        "как какой какая какие сколько что где когда почему можно мне меня мой моя мои у меня пожалуйста "
        "здравствуйте спасибо баланс тариф пополнить пополнение кошелек осталось перейти сменить подключить "
        "узнать нужно хочу"
    ),
    "en": _words(
        "how what where when why which can could do does is are my me i the a an to of please hello thanks "
        "balance plan top up wallet left change switch much many for with from your in on at and or today "
        "tomorrow this that code price results exchange rate want get have has will"
    ),
}


def _case(source: str, target: str) -> str:
    return target[:1].upper() + target[1:] if source.isupper() else target


def to_latin(text: str) -> str:
    """Uzbek Cyrillic as Uzbek Latin (`Тўлов` → `To'lov`); other characters stay."""
    out: list[str] = []
    previous = ""
    for char in text:
        lower = char.lower()
        if lower == "е":
            latin = "ye" if (not previous.isalpha() or previous.lower() in _VOWELS_CYR) else "e"
        elif lower in _CYR_TO_LAT:
            latin = _CYR_TO_LAT[lower]
        else:
            out.append(char)
            previous = char
            continue
        out.append(_case(char, latin) if char != lower else latin)
        previous = char
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Uzbek Latin as Uzbek Cyrillic (`To'lov` → `Тўлов`). Spans in backticks (`Payme`,
    `*100#`, an address) are kept as written, without the backticks; so are digits."""
    parts: list[str] = []
    last = 0
    for found in _PROTECTED.finditer(text):
        parts.append(_word_to_cyrillic(text[last : found.start()]))
        parts.append(found.group(1))
        last = found.end()
    parts.append(_word_to_cyrillic(text[last:]))
    return "".join(parts)


def _word_to_cyrillic(text: str) -> str:
    text = _APOS.sub("'", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        lower_pair = pair.lower()
        if len(pair) == 2 and lower_pair in _LAT_DIGRAPHS:
            cyr = _LAT_DIGRAPHS[lower_pair]
            out.append(cyr.upper() if pair[0].isupper() else cyr)
            i += 2
            continue
        char = text[i]
        lower = char.lower()
        at_start = i == 0 or not text[i - 1].isalpha()
        if lower == "e" and at_start:
            cyr = "э"
        elif lower == "'" and (at_start or i + 1 >= len(text) or not text[i - 1].isalpha()):
            cyr = char  # a quote, not the hard sign
        else:
            cyr = _LAT_TO_CYR.get(lower, char)
        out.append(cyr.upper() if char.isupper() and cyr != char else cyr)
        i += 1
    return "".join(out)


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def is_uzbek_cyrillic(text: str) -> bool:
    """Cyrillic with a letter Russian lacks (ў қ ғ ҳ), or more Uzbek words than Russian ones."""
    if re.search("[ўқғҳЎҚҒҲ]", text):
        return True
    return has_cyrillic(text) and _votes(text)["uz"] > _votes(text)["ru"]


def fold(text: str, language: str) -> str:
    """The text as its language's index keeps it: lower case; Uzbek in Latin without the
    apostrophes of o‘ and g‘; Russian with ё as е."""
    text = text.lower()
    if language == "uz":
        return _APOS.sub("", to_latin(text))
    if language == "ru":
        text = text.replace("ё", "е").translate(str.maketrans("ўқғҳ", "укгх"))
    return _APOS.sub("", text)


# Endings cut before the stem (longest first, a stem keeps three letters): Uzbek's plural,
# possessive and case suffixes, Russian's case and verb endings. A stemmer in twenty lines.
_SUFFIXES: Mapping[str, tuple[str, ...]] = {
    "uz": _by_length(
        "iladi ilgan ilsin lar lari larim laringiz larni larda lardan larga ning ni ga ka qa da dan ta im "
        "imni imga imda ingiz ingizni miz imiz si sini ini i m ish ishni moqchiman yapti yapman mayapti "
        "mayapman ladi lanadi adi aman man sam sa di gan ganda madi mi chi cha"
    ),
    "ru": _by_length(
        "ами ями ого его ому ему ыми ими ой ей ий ый ая яя ое ее ые ие ов ев ам ям ах ях ом ем ую юю ть ться "
        "ешь ет ют ит ят ишь ил ила или ило а я ы и о е у ю ь"
    ),
    "en": ("ing", "ed", "es", "s"),
}


def stem(word: str, language: str) -> str:
    """The word without one ending of its language, cut to five letters."""
    for suffix in _SUFFIXES.get(language, ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM]


def tokens(text: str, language: str) -> list[str]:
    """The words BM25 counts: USSD codes as one word each (`*110*721#` → `ussd110`), numbers,
    and stems of the words that are not stopwords."""
    found = [f"ussd{code}" for code in _USSD.findall(text)]
    stop = STOPWORDS.get(language, frozenset())
    for word in _WORD.findall(fold(_USSD.sub(" ", text), language)):
        if word in stop:
            continue
        found.append(word if word.isdigit() else stem(word, language))
    return found


_UZ_ENDING = re.compile(r"(lar|lari|larni|ning|dan|ga|ni|mi|imni|imga|da|im|ingiz|moqchiman|yapti|dimi|sam|siz)$")
_UZ_ENDING_CYRILLIC = re.compile(r"(lar|lari|larni|ning|imni|dim|ingiz|moqchiman|yapti|dimi)$")


def _votes(text: str) -> Counter[str]:
    """Hits of each language's marker words; Uzbek also counts its endings (-lar, -ning,
    -dan, …), a `q` without `u`, and an o‘ or g‘."""
    votes: Counter[str] = Counter()
    latin_words = _WORD.findall(fold(text, "uz"))
    raw_words = set(_WORD.findall(fold(text, "ru")))
    ending = _UZ_ENDING_CYRILLIC if has_cyrillic(text) else _UZ_ENDING
    votes["uz"] = len(set(latin_words) & _MARKERS["uz"])
    votes["uz"] += sum(1 for w in latin_words if len(w) >= 5 and ending.search(w))
    if not has_cyrillic(text):
        votes["uz"] += sum(1 for w in latin_words if re.search("q(?!u)", w))
        votes["uz"] += 2 if re.search(f"[oOgG][{APOSTROPHES}]", text) else 0
    votes["ru"] = len(raw_words & _MARKERS["ru"])
    votes["en"] = len(raw_words & _MARKERS["en"])
    return votes


def detect_language(text: str, default: str = "uz") -> str:
    """uz, ru or en: Uzbek-only Cyrillic letters or an o‘/g‘ say Uzbek; otherwise the script
    and the marker words; a tie is the default (the customer's or the page's language)."""
    default = default if default in LANGUAGES else "uz"
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic == 0 and latin == 0:
        return default
    votes = _votes(text)
    if cyrillic >= latin:
        if re.search("[ўқғҳЎҚҒҲ]", text) or votes["uz"] > votes["ru"]:
            return "uz"
        return "ru"
    best = max(("uz", "en"), key=lambda language: (votes[language], language == default))
    if votes[best] == 0:
        return default if default in ("uz", "en") else "uz"
    return best


@dataclass(frozen=True)
class Document:
    """What the index holds of an article: its id and its text (title, phrasings, body)."""

    id: str
    text: str


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    confidence: float  # 0..1: the score over the best the query's words could reach
    language: str  # the index it came from


@dataclass
class Index:
    """BM25 over one language's documents."""

    language: str
    ids: list[str] = field(default_factory=list)
    frequencies: list[Counter[str]] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    document_frequency: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, language: str, documents: Iterable[Document]) -> Index:
        index = cls(language)
        for document in documents:
            words = tokens(document.text, language)
            counted = Counter(words)
            index.ids.append(document.id)
            index.frequencies.append(counted)
            index.lengths.append(len(words))
            index.document_frequency.update(counted.keys())
        return index

    @property
    def average_length(self) -> float:
        return sum(self.lengths) / len(self.lengths) if self.lengths else 1.0

    def idf(self, word: str) -> float:
        n = len(self.ids)
        df = self.document_frequency.get(word, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, *, limit: int = 3) -> list[Match]:
        words = tokens(query, self.language)
        if not words or not self.ids:
            return []
        known = [w for w in words if w in self.document_frequency]
        mean_idf = sum(self.idf(w) for w in self.document_frequency) / len(self.document_frequency)
        best = sum(self.idf(w) for w in known) + UNKNOWN_WEIGHT * mean_idf * (len(words) - len(known))
        best *= K1 + 1  # no score reaches it: tf × (k1 + 1) / (tf + k1 × norm) < k1 + 1
        average = self.average_length
        scored: list[tuple[float, str]] = []
        for doc_id, counted, length in zip(self.ids, self.frequencies, self.lengths, strict=True):
            score = 0.0
            for word in known:
                tf = counted.get(word, 0)
                if tf:
                    score += self.idf(word) * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
            if score > 0:
                scored.append((score, doc_id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [
            Match(doc_id, round(score, 4), round(min(1.0, score / best), 4) if best else 0.0, self.language)
            for score, doc_id in scored[:limit]
        ]


@dataclass(frozen=True)
class Retriever:
    """One index per language over the same article ids; a question is searched in every
    index (a Russian question may be asked of an Uzbek customer) and the most confident match
    wins, ties to the question's own language."""

    indexes: Mapping[str, Index]

    @classmethod
    def of(cls, documents: Mapping[str, Sequence[Document]]) -> Retriever:
        return cls({language: Index.of(language, docs) for language, docs in documents.items()})

    def search(self, question: str, *, language: str) -> list[Match]:
        found: list[Match] = []
        for index in self.indexes.values():
            found.extend(index.search(question))
        found.sort(key=lambda m: (-m.confidence, m.language != language, m.id))
        seen: set[str] = set()
        unique: list[Match] = []
        for match in found:
            if match.id not in seen:
                seen.add(match.id)
                unique.append(match)
        return unique


HANDOVER_WORDS = frozenset(
    {"operator", "odam", "person", "human", "agent", "mutaxassis", "xodim", "specialist",
     "оператор", "человек", "человеком", "живой", "специалист", "агент", "сотрудник"}
)  # fmt: skip


def asks_for_a_person(question: str) -> bool:
    """ "operator", "odam", "оператор", "a person": the customer wants a person, not an article."""
    words = set(_WORD.findall(fold(question, "uz"))) | set(_WORD.findall(fold(question, "ru")))
    return bool(words & HANDOVER_WORDS) or "jonli" in words


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"

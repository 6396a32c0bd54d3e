"""Prepared replies for tickets (issue 14.6: "canned replies per language"), as data in
`crm/data/canned_replies.yaml`: a title per language for the agent, a text per language for
the customer. Checked when first read: every reply has all three languages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LANGUAGES = ("uz", "ru", "en")
_FILE = Path(__file__).resolve().parent.parent / "data" / "canned_replies.yaml"


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: dict[str, str]
    text: dict[str, str]


@cache
def _replies() -> tuple[CannedReply, ...]:
    loaded = yaml.safe_load(_FILE.read_text(encoding="utf-8")) or {}
    replies = []
    for item in loaded.get("replies", []):
        reply = CannedReply(str(item["id"]), dict(item["title"]), dict(item["text"]))
        missing = [lang for lang in LANGUAGES if not reply.title.get(lang) or not reply.text.get(lang)]
        if missing:
            raise ValueError(f"canned reply {reply.id}: no title or text in {', '.join(missing)}")
        replies.append(reply)
    return tuple(replies)


def canned_replies(language: str) -> list[tuple[str, str]]:
    """(id, title in `language`) of every prepared reply, for the agent's list."""
    lang = language if language in LANGUAGES else "en"
    return [(reply.id, reply.title[lang]) for reply in _replies()]


def canned_text(reply_id: str, language: str) -> str | None:
    """The prepared reply's text in the customer's `language`; None for an unknown id."""
    lang = language if language in LANGUAGES else "uz"
    return next((reply.text[lang] for reply in _replies() if reply.id == reply_id), None)

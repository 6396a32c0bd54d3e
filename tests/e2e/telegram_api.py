"""A stand-in for Telegram's Bot API over HTTP, for tests: `POST /bot<token>/<method>` with
form or JSON parameters, answered as Telegram answers (`{"ok": true, "result": ...}`); every
call is recorded. A wrong token gets Telegram's 401."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.e2e.server import serving

TOKEN = "123456789:TEST-token-of-the-yagona-bot"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Yagona", "username": "yagona_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def keyboard(self) -> dict[str, Any]:
        markup: dict[str, Any] = self.params.get("reply_markup") or {}
        return markup


@dataclass
class FakeBotApi:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    blocked: set[int] = field(default_factory=set)  # chats whose person blocked the bot

    def sent(self, chat_id: int | None = None) -> list[Call]:
        with self.lock:
            return [
                c
                for c in self.calls
                if c.method == "sendMessage" and (chat_id is None or int(c.params["chat_id"]) == chat_id)
            ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(c.params["text"]) for c in self.sent(chat_id)]

    def deleted(self, chat_id: int) -> list[int]:
        """The ids of the chat's messages the bot deleted (deleteMessage)."""
        with self.lock:
            return [
                int(c.params["message_id"])
                for c in self.calls
                if c.method == "deleteMessage" and int(c.params["chat_id"]) == chat_id
            ]

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()


def _params(raw: dict[str, Any]) -> dict[str, Any]:
    """python-telegram-bot sends objects (reply_markup) as JSON strings inside a form."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in "{[":
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params


@contextmanager
def fake_bot_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi()
    app = FastAPI()
    counter = iter(range(1, 1_000_000))

    @app.post("/bot{token}/{method}")
    async def method(token: str, method: str, request: Request) -> JSONResponse:
        if token != TOKEN:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        if request.headers.get("content-type", "").startswith("application/json"):
            raw = await request.json()
        else:
            raw = dict(await request.form())
        params = _params(raw)
        with api.lock:
            api.calls.append(Call(method, params))
        result: Any = True
        if method == "getMe":
            result = BOT_USER
        elif method == "sendMessage" and int(params["chat_id"]) in api.blocked:
            forbidden = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return JSONResponse(forbidden, status_code=403)
        elif method == "sendMessage":
            chat = {"id": int(params["chat_id"]), "type": "private"}
            result = {"message_id": next(counter), "date": 1_764_000_000, "chat": chat, "text": params["text"]}
        return JSONResponse({"ok": True, "result": result})

    with serving(app) as url:
        api.url = url
        yield api

"""The protocols' own error answers (each protocol has its codes; none is a problem+json)."""

from __future__ import annotations

from typing import Any


class PaymeError(Exception):
    """A Payme JSON-RPC error: `code`, a message in ru/uz/en, optional `data`."""

    def __init__(self, code: int, message: dict[str, str], data: Any = None) -> None:
        super().__init__(f"payme {code}")
        self.code = code
        self.message = message
        self.data = data


class ClickError(Exception):
    """A Click SHOP API error: `error` 0…-9 and its note."""

    def __init__(self, error: int, note: str) -> None:
        super().__init__(f"click {error}: {note}")
        self.error = error
        self.note = note

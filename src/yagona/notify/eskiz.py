"""The client of Eskiz (notify.eskiz.uz), a widely used Uzbek SMS aggregator; its protocol is
in docs/notify.md with its source.

- `POST {base}/api/auth/login` (form: email, password) → 200 `{"message": "token_generated",
  "data": {"token": "…"}, "token_type": "bearer"}`; the token lives 30 days.
- `POST {base}/api/message/sms/send` (Bearer; form: mobile_phone, message, from, callback_url)
  → 200 `{"id": "<uuid>", "message": "Waiting for SMS provider", "status": "waiting"}`. The id
  is the `request_id` of the delivery receipt Eskiz later POSTs to `callback_url`.
- A 401 means the token expired: we log in again and send once more.

Any other 4xx refuses this message for good (a bad or blacklisted number); 5xx, 429, no
answer within the timeout or a body that is not this protocol: the gateway is unavailable
and the message is tried again later."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yagona.notify.errors import GatewayRejectedError, GatewayUnavailableError

if TYPE_CHECKING:
    import httpx

LOGIN_PATH, SEND_PATH = "/api/auth/login", "/api/message/sms/send"

# Delivery receipts: the message's status (NEW, STORED, ACCEPTED, PARTDELIVERED, DELIVERED,
# REJECTED) or a part's (DELIVRD, UNDELIV, UNDELIVERABLE, EXPIRED, REJECTD, DELETED,
# UNKNOWN, ENROUTE). Final ones only; the rest leave the message as it is ("sent").
DELIVERED = frozenset({"DELIVRD", "DELIVERED"})
FAILED = frozenset({"UNDELIV", "UNDELIVERABLE", "EXPIRED", "REJECTD", "REJECTED", "DELETED"})


def receipt_outcome(status: str) -> str | None:
    """ "delivered", "failed", or None for a status that is not final."""
    status = status.strip().upper()
    if status in DELIVERED:
        return "delivered"
    if status in FAILED:
        return "failed"
    return None


class _Token(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = Field(min_length=1, max_length=4000)


class _Login(BaseModel):
    model_config = ConfigDict(extra="ignore")
    data: _Token


class _Sent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=64)


@dataclass
class EskizGateway:
    """Eskiz at `base_url` with the account's credentials and approved sender name."""

    base_url: str
    email: str
    password: str
    sender: str
    timeout_s: float
    _token: str | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # One client for the process, made on first use: its connections (and TLS) are reused.
    _client: httpx.Client | None = field(default=None, repr=False)

    def send_sms(self, *, recipient: str, text: str, callback_url: str | None) -> str | None:
        form = {"mobile_phone": recipient, "message": text, "from": self.sender}
        if callback_url:
            form["callback_url"] = callback_url
        response = self._post(SEND_PATH, form, self._current_token())
        if response.status_code == 401:  # the token expired: a new one, and once more
            response = self._post(SEND_PATH, form, self._login())
        if response.status_code == 200:
            sent: _Sent = self._parse(_Sent, response)
            return sent.id
        if response.status_code in (401, 429) or response.status_code >= 500:
            raise GatewayUnavailableError(f"eskiz answered {response.status_code}")
        raise GatewayRejectedError(f"eskiz refused the message ({response.status_code})")

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx  # noqa: PLC0415 - HTTP's library when a request is made, not on every start (`simulate`)

                self._client = httpx.Client()
            return self._client

    def _current_token(self) -> str:
        with self._lock:
            token = self._token
        return token or self._login()

    def _login(self) -> str:
        response = self._post(LOGIN_PATH, {"email": self.email, "password": self.password}, None)
        if response.status_code != 200:
            raise GatewayUnavailableError(f"eskiz refused the login ({response.status_code}): check the credentials")
        login: _Login = self._parse(_Login, response)
        token = login.data.token
        with self._lock:
            self._token = token
        return token

    def _post(self, path: str, form: dict[str, str], token: str | None) -> httpx.Response:
        import httpx  # noqa: PLC0415 - as in _http

        # multipart/form-data, as Eskiz documents its forms (fields without file names).
        files: Any = [(name, (None, value)) for name, value in form.items()]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return self._http().post(
                self.base_url.rstrip("/") + path, files=files, headers=headers, timeout=self.timeout_s
            )
        except httpx.HTTPError as error:  # late, refused, reset: the gateway did not answer
            raise GatewayUnavailableError(f"eskiz did not answer: {type(error).__name__}") from error

    @staticmethod
    def _parse(model: type[_Sent] | type[_Login], response: httpx.Response) -> Any:
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            raise GatewayUnavailableError("eskiz answered something that is not its protocol") from error

"""The national OneID (e-government identity provider) — a client, and a simulator.

OneID is not standard OAuth 2: one endpoint answers everything. The browser is sent
there with `response_type=one_code`; the code comes back with our `state`; the server
exchanges it with `grant_type=one_authorization_code` (client credentials as
parameters), reads the person with `grant_type=one_access_token_identify` (`pin` is
the 14-digit PINFL, `valid` the string "true"/"false", `ret_cd` "0" on success), and
ends the OneID session with `grant_type=one_log_out`.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from yagona.identity.errors import OneIdError
from yagona.identity.schemas import OneIdProfile
from yagona.identity.settings import IdentitySettings

if TYPE_CHECKING:
    import httpx


class OneIdClient:
    def __init__(self, settings: IdentitySettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self._settings = settings
        self._transport = transport

    def authorize_url(self, state: str) -> str:
        s = self._settings
        query = {
            "response_type": "one_code",
            "client_id": s.oneid_client_id,
            "redirect_uri": s.oneid_redirect_uri,
            "scope": s.oneid_scope,
            "state": state,
        }
        return f"{s.oneid_endpoint}?{urlencode(query)}"

    def exchange(self, code: str) -> str:
        """The OneID access token for `code`."""
        answer = self._post(
            {"grant_type": "one_authorization_code", "code": code, "redirect_uri": self._settings.oneid_redirect_uri}
        )
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise OneIdError("OneID gave no access token for the code")
        return token

    def identify(self, access_token: str) -> OneIdProfile:
        answer = self._post(
            {
                "grant_type": "one_access_token_identify",
                "access_token": access_token,
                "scope": self._settings.oneid_scope,
            }
        )
        if str(answer.get("ret_cd", "")) != "0":
            raise OneIdError("OneID refused to identify the person")
        try:
            return OneIdProfile(
                pin=str(answer["pin"]),
                full_name=str(answer.get("full_name") or ""),
                sur_name=answer.get("sur_name"),
                first_name=answer.get("first_name"),
                mid_name=answer.get("mid_name"),
                birth_date=_date(answer.get("birth_date")),
                passport=answer.get("pport_no"),
                valid=str(answer.get("valid", "false")).lower() == "true",
            )
        except (KeyError, ValueError) as error:
            raise OneIdError("OneID answered with an unexpected identity") from error

    def logout(self, access_token: str) -> None:
        self._post({"grant_type": "one_log_out", "access_token": access_token, "scope": self._settings.oneid_scope})

    def _post(self, params: dict[str, str]) -> dict[str, Any]:
        import httpx  # noqa: PLC0415 - HTTP's library when a request is made, not on every start (`simulate`)

        s = self._settings
        form = {**params, "client_id": s.oneid_client_id, "client_secret": s.oneid_client_secret.get_secret_value()}
        try:
            with httpx.Client(timeout=s.oneid_timeout_s, transport=self._transport) as http:
                response = http.post(s.oneid_endpoint, data=form)
        except httpx.HTTPError as error:
            raise OneIdError(f"OneID is unreachable: {type(error).__name__}") from error
        if response.status_code != 200:
            raise OneIdError(f"OneID answered {response.status_code}")
        body = response.json()
        if not isinstance(body, dict):
            raise OneIdError("OneID answered with something other than an object")
        return body


def _date(value: Any) -> date | None:
    if not value:
        return None
    text = str(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return date.fromisoformat(text[:10])


# --- the simulator -----------------------------------------------------------------------

SIMULATED_PEOPLE: dict[str, dict[str, str]] = {
    "31203901230012": {
        "pin": "31203901230012",
        "full_name": "ALIMOVA DILNOZA RUSTAMOVNA",
        "sur_name": "ALIMOVA",
        "first_name": "DILNOZA",
        "mid_name": "RUSTAMOVNA",
        "birth_date": "1990-03-12",
        "pport_no": "AA1234567",
        "valid": "true",
    },
    "41507850450021": {
        "pin": "41507850450021",
        "full_name": "KARIMOV BOBUR ANVAROVICH",
        "sur_name": "KARIMOV",
        "first_name": "BOBUR",
        "mid_name": "ANVAROVICH",
        "birth_date": "1985-07-15",
        "pport_no": "AB7654321",
        "valid": "false",
    },
}


@dataclass
class _Grant:
    pin: str
    redirect_uri: str


class OneIdSimulator:
    """A stand-in for the national provider, for development and tests. It approves at
    once (the person is chosen with `sim_pin`) and speaks the same one-endpoint protocol."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """(302, {"location": …}) back to the redirect URI, or (400, error)."""
        if query.get("response_type") != "one_code" or query.get("client_id") != self._client_id:
            return 400, {"error": "invalid_request"}
        pin = query.get("sim_pin", "31203901230012")
        if pin not in SIMULATED_PEOPLE or not query.get("redirect_uri"):
            return 400, {"error": "invalid_request"}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(pin, query["redirect_uri"])
        separator = "&" if "?" in query["redirect_uri"] else "?"
        location = f"{query['redirect_uri']}{separator}{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"location": location}

    def token(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:  # noqa: PLR0911 - one endpoint, many answers
        if params.get("client_id") != self._client_id or not secrets.compare_digest(
            params.get("client_secret", ""), self._client_secret
        ):
            return 401, {"error": "invalid_client"}
        grant_type = params.get("grant_type")
        with self._lock:
            if grant_type == "one_authorization_code":
                grant = self._codes.pop(params.get("code", ""), None)
                if grant is None or grant.redirect_uri != params.get("redirect_uri"):
                    return 400, {"error": "invalid_grant"}
                token = secrets.token_urlsafe(24)
                self._tokens[token] = grant.pin
                return 200, {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "scope": params.get("scope", ""),
                }
            if grant_type == "one_access_token_identify":
                pin = self._tokens.get(params.get("access_token", ""))
                if pin is None:
                    return 200, {"ret_cd": "1", "error": "invalid_token"}
                return 200, {**SIMULATED_PEOPLE[pin], "ret_cd": "0", "user_type": "I", "sess_id": "sim"}
            if grant_type == "one_log_out":
                self._tokens.pop(params.get("access_token", ""), None)
                return 200, {"ret_cd": "0"}
        return 400, {"error": "unsupported_grant_type"}

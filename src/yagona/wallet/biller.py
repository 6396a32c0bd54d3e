"""The utilities' biller (docs/wallet.md, "Billers"): the client of its small JSON-over-HTTP
protocol, and the simulator that speaks it in dev and test.

The protocol (the billers' own is not public; this is ours, for their adapters):

- `POST {base}/v1/accounts/check` `{"provider", "account"}` → 200 `{"holder", "amount_due"}`
  (tiyin), or 404 `{"error": "unknown_account"}`;
- `POST {base}/v1/payments` `{"provider", "account", "amount", "reference"}` → 200
  `{"confirmation"}`, or 404 as above. The same `reference` confirms once (a retry answers
  the same confirmation).

Anything else — another status, a body that is not this, no answer within the timeout — is
"the biller is unavailable": the wallet then refuses and writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yagona.wallet import rules
from yagona.wallet.errors import BillerAccountNotFoundError, BillerUnavailableError
from yagona.wallet.schemas import BillerAccount

CHECK_PATH, PAY_PATH = "/v1/accounts/check", "/v1/payments"
_Body = TypeVar("_Body", bound=BaseModel)


class _Checked(BaseModel):
    model_config = ConfigDict(extra="ignore")
    holder: str = Field(min_length=1, max_length=120)
    amount_due: int = Field(ge=0)


class _Confirmed(BaseModel):
    model_config = ConfigDict(extra="ignore")
    confirmation: str = Field(pattern=r"^[A-Za-z0-9-]{1,40}$")


def _unknown(provider: str, account: str) -> BillerAccountNotFoundError:
    return BillerAccountNotFoundError(
        f"the {provider} biller knows no account {account}", field="account", provider=provider
    )


@dataclass(frozen=True)
class HttpBiller:
    """A biller reached at `base_url`, waiting at most `timeout_s` for each answer."""

    base_url: str
    timeout_s: float

    def check_account(self, *, provider: str, account: str) -> BillerAccount:
        body = self._post(CHECK_PATH, {"provider": provider, "account": account}, provider, account)
        checked = self._parse(_Checked, body)
        return BillerAccount(
            provider=provider,
            account=account,
            holder_masked=rules.mask_holder(checked.holder),
            amount_due_tiyin=checked.amount_due,
        )

    def confirm_payment(self, *, provider: str, account: str, amount: int, reference: str) -> str:
        payload = {"provider": provider, "account": account, "amount": amount, "reference": reference}
        return self._parse(_Confirmed, self._post(PAY_PATH, payload, provider, account)).confirmation

    def _post(self, path: str, payload: dict[str, Any], provider: str, account: str) -> Any:
        import httpx  # noqa: PLC0415 - HTTP's library when a request is made, not on every start (`simulate`)

        try:
            response = httpx.post(self.base_url.rstrip("/") + path, json=payload, timeout=self.timeout_s)
        except httpx.HTTPError as error:  # late, refused, reset: the biller did not answer
            raise BillerUnavailableError(f"the {provider} biller did not answer: {type(error).__name__}") from error
        if response.status_code == 404:
            raise _unknown(provider, account)
        if response.status_code != 200:
            raise BillerUnavailableError(f"the {provider} biller answered {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise BillerUnavailableError(f"the {provider} biller answered no JSON") from error

    @staticmethod
    def _parse(model: type[_Body], body: Any) -> _Body:
        try:
            return model.model_validate(body)
        except ValidationError as error:
            raise BillerUnavailableError("the biller answered something that is not its protocol") from error


# --- the simulator (dev and test only) ---------------------------------------------------------

# Its test accounts, by how the account number ends (any provider, in the provider's format).
UNKNOWN_SUFFIX, LATE_SUFFIX, DOWN_SUFFIX = "0404", "0408", "0503"
_HOLDERS = (
    "Aziza Karimova", "Bobur Rahimov", "Dilnoza Yusupova", "Jasur Tursunov",
    "Malika Saidova", "Otabek Aliyev", "Sevara Nazarova", "Timur Ergashev",
)  # fmt: skip


@dataclass(frozen=True)
class SimulatedAnswer:
    status: int
    body: dict[str, Any]
    late: bool = False  # the biller answers only after the client stopped waiting


def simulated_answer(path: str, payload: dict[str, Any]) -> SimulatedAnswer:
    """What the simulated biller answers to `payload` on `path`: an account ending in 0404 is
    unknown, in 0408 answers late, in 0503 finds the biller down; any other is held by a
    name and owes an amount, both derived from the account (the same every time)."""
    account = str(payload.get("account", ""))
    if path not in (CHECK_PATH, PAY_PATH) or not account:
        return SimulatedAnswer(400, {"error": "bad_request"})
    if account.endswith(DOWN_SUFFIX):
        return SimulatedAnswer(503, {"error": "down"})
    if account.endswith(UNKNOWN_SUFFIX):
        return SimulatedAnswer(404, {"error": "unknown_account"})
    late = account.endswith(LATE_SUFFIX)
    digest = hashlib.sha256(f"{payload.get('provider')}:{account}".encode()).digest()
    if path == CHECK_PATH:
        holder = _HOLDERS[digest[0] % len(_HOLDERS)]
        due = (int.from_bytes(digest[1:3]) % 2_000 + 100) * 100 * 100  # 10 000 to 209 900 so'm
        return SimulatedAnswer(200, {"holder": holder, "amount_due": due}, late)
    reference = str(payload.get("reference", ""))
    confirmation = "B" + hashlib.sha256(reference.encode()).hexdigest()[:12].upper()
    return SimulatedAnswer(200, {"confirmation": confirmation}, late)


@dataclass(frozen=True)
class InProcessBiller:
    """The simulator's answers without the network: dev and test when no biller URL is set
    (in-process tests). A late answer is what a client with a timeout sees: unavailable."""

    def check_account(self, *, provider: str, account: str) -> BillerAccount:
        checked = HttpBiller._parse(_Checked, self._answer(CHECK_PATH, provider, account, {}))
        return BillerAccount(
            provider=provider,
            account=account,
            holder_masked=rules.mask_holder(checked.holder),
            amount_due_tiyin=checked.amount_due,
        )

    def confirm_payment(self, *, provider: str, account: str, amount: int, reference: str) -> str:
        body = self._answer(PAY_PATH, provider, account, {"amount": amount, "reference": reference})
        return HttpBiller._parse(_Confirmed, body).confirmation

    @staticmethod
    def _answer(path: str, provider: str, account: str, extra: dict[str, Any]) -> dict[str, Any]:
        answer = simulated_answer(path, {"provider": provider, "account": account, **extra})
        if answer.status == 404:
            raise _unknown(provider, account)
        if answer.status != 200 or answer.late:
            raise BillerUnavailableError(f"the {provider} biller (simulated) did not answer in time")
        return answer.body

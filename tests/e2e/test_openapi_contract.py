"""The API convention (docs/api.md), held against the OpenAPI document of the real app.

`contract_offenders(document)` walks every operation — its parameters, request body and
answers, through every `$ref` — and lists each place that breaks the convention:

- money: a numeric property named like money (amount, balance, fee, price, total, commission,
  limit, deposit…) without `x-unit: UZS` (`yagona.platform.api.Som`); a quantity that is not
  money names its own unit (`x-unit: MB`); tiyin only in the documented exceptions below
  (protocols that define their own unit);
- case: a JSON property not in snake_case outside `/tmf-api/` (camelCase only there);
- time: a timestamp (`format: date-time`, or a name ending in `_at`) answered without the
  Tashkent example of `yagona.platform.api.Timestamp` (`2026-03-15T09:30:00+05:00`);
- security: an operation that declares no `security` (an explicit `[]` declares "anonymous");
- bodies: a request body object that allows additional properties (`ApiModel` forbids them);
- msisdn: a phone/MSISDN path parameter without a pattern that refuses `abc`;
- untyped: a JSON answer declared as `dict[str, Any]`, which hides its fields from all of the above.

Every offender is printed at once. The self-test plants one offender of each kind in a
throwaway app and sees each caught; docs/security.md's table must name every operation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi import Path as PathParam
from pydantic import BaseModel

from yagona.app.api import create_app
from yagona.app.bootstrap import bootstrap
from yagona.app.openapi import install_openapi
from yagona.kernel.phone import MSISDN_PATTERN
from yagona.platform.api import ApiModel, ApiRead, Som, SomPositive, Timestamp
from yagona.platform.auth import Principal, require_customer, require_staff
from yagona.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECURITY_DOC = ROOT / "docs" / "security.md"

MONEY_WORDS = {
    "amount", "balance", "fee", "fees", "price", "total", "commission", "limit", "deposit", "charged",
    "cost", "debt", "payout", "refund", "available", "tax", "sum", "paid",
}  # fmt: skip
TASHKENT_EXAMPLE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00$")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CAMEL = re.compile(r"^@?[a-z][a-zA-Z0-9]*$")
# Documents whose shape a protocol defines (OIDC discovery, JWKS, token answers): not ours to type.
PROTOCOL_DOCUMENTS = ("/.well-known/", "/oauth/")
PHONE_PARAM = re.compile(r"(msisdn|phone)", re.IGNORECASE)

# Money in another unit, where a protocol defines its own: (path prefix, property) → why.
# A number named like money that is not money (a bundle's minutes) names its own unit
# (`x-unit: MB`); money in minor units is allowed only where a protocol defines it.
MINOR_UNITS = {"tiyin", "minor"}
MONEY_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("/api/v1/payments/payme", "amount"): "Payme's merchant API: amounts in tiyin, as its protocol defines",
}


@dataclass(frozen=True)
class Offender:
    kind: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.what}"


def contract_offenders(document: dict[str, Any]) -> list[Offender]:
    walker = _Walker(document)
    for path, item in sorted(document.get("paths", {}).items()):
        for method, operation in sorted(item.items()):
            if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                continue
            walker.operation(path, method.upper(), operation, declared=document.get("security") is not None)
    return sorted(set(walker.found), key=lambda o: (o.kind, o.where, o.what))


class _Walker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.found: list[Offender] = []

    def resolve(self, schema: Any) -> dict[str, Any]:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 20:
            node: Any = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema, seen = node, seen + 1
        return schema if isinstance(schema, dict) else {}

    def operation(self, path: str, method: str, operation: dict[str, Any], *, declared: bool) -> None:
        where = f"{method} {path}"
        tmf = path.startswith("/tmf-api/")
        if "security" not in operation and not declared:
            self.found.append(Offender("security", where, "no security requirement declared (use [] for anonymous)"))
        for declared_parameter in operation.get("parameters", []):
            parameter = self.resolve(declared_parameter)
            name = str(parameter.get("name", ""))
            if parameter.get("in") == "path" and PHONE_PARAM.search(name):
                pattern = self.resolve(parameter.get("schema", {})).get("pattern")
                if not pattern or re.search(pattern, "abc") or not re.search(pattern, "998901234567"):
                    self.found.append(Offender("msisdn", where, f"path parameter {name!r} has no MSISDN pattern"))
            if parameter.get("in") == "query" and not tmf and not SNAKE.match(name):
                self.found.append(Offender("case", where, f"query parameter {name!r} is not snake_case"))
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            if "json" in media:
                self.schema(content.get("schema", {}), where=f"{where} body", path=path, answer=False, seen=set())
        for status, answer in operation.get("responses", {}).items():
            for media, content in self.resolve(answer).get("content", {}).items():
                ours = "json" in media and status.startswith("2") and not path.startswith(PROTOCOL_DOCUMENTS)
                if ours and self.untyped(content.get("schema", {})):
                    self.found.append(Offender("untyped", where, f"the {status} answer has no schema to check"))
                if "json" in media:
                    self.schema(
                        content.get("schema", {}), where=f"{where} → {status}", path=path, answer=True, seen=set()
                    )

    def schema(self, schema: Any, *, where: str, path: str, answer: bool, seen: set[str]) -> None:
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if ref:
            if ref in seen:
                return
            seen = {*seen, ref}
            # A schema used by several operations is reported once, by its name, not once per operation.
            where = f"schema {ref.rsplit('/', 1)[-1]}" + (" (under /tmf-api/)" if path.startswith("/tmf-api/") else "")
        node = self.resolve(schema)
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, []):
                self.schema(branch, where=where, path=path, answer=answer, seen=seen)
        if "items" in node:
            self.schema(node["items"], where=where, path=path, answer=answer, seen=seen)
        if isinstance(node.get("additionalProperties"), dict):
            self.schema(node["additionalProperties"], where=where, path=path, answer=answer, seen=seen)
        properties: dict[str, Any] = node.get("properties", {})
        if not answer and properties and node.get("additionalProperties") is not False:
            self.found.append(Offender("body", where, "the request body object allows additional properties"))
        for name, sub in properties.items():
            self.property(name, sub, where=where, path=path, answer=answer)
            self.schema(sub, where=f"{where}.{name}", path=path, answer=answer, seen=seen)

    def property(self, name: str, schema: Any, *, where: str, path: str, answer: bool) -> None:
        tmf = path.startswith("/tmf-api/")
        if not (SNAKE.match(name) or (tmf and CAMEL.match(name))):
            self.found.append(Offender("case", where, f"property {name!r} is not snake_case"))
        branches = self.branches(schema)
        numeric = [b for b in branches if b.get("type") in {"number", "integer"}]
        if numeric and _is_money_name(name):
            units = {b.get("x-unit") for b in numeric}
            excepted = any(path == exempt and prop == name for exempt, prop in MONEY_EXCEPTIONS)
            if None in units:
                self.found.append(Offender("money", where, f"property {name!r} holds money without x-unit: UZS"))
            elif units & MINOR_UNITS and not excepted:
                self.found.append(Offender("money", where, f"property {name!r} is in {units & MINOR_UNITS}, not so'm"))
        strings = [b for b in branches if b.get("type") == "string" or b.get("format") == "date-time"]
        timestamp = any(b.get("format") == "date-time" for b in branches) or bool(re.search(r"(_at|At)$", name))
        if timestamp and not any(b.get("format") == "date-time" for b in strings):
            self.found.append(Offender("time", where, f"timestamp {name!r} is not format: date-time"))
        elif timestamp and answer:
            examples = [e for b in strings for e in b.get("examples", [])]
            if not any(isinstance(e, str) and TASHKENT_EXAMPLE.match(e) for e in examples):
                self.found.append(
                    Offender("time", where, f"timestamp {name!r} lacks the Tashkent form (api.Timestamp)")
                )

    def untyped(self, schema: Any) -> bool:
        """`dict[str, Any]`: an object (or a list of them) whose fields nobody declared."""
        node = self.resolve(schema)
        if node.get("type") == "array":
            return self.untyped(node.get("items", {}))
        free = node.get("additionalProperties", True) is True
        return (
            not node.get("properties")
            and free
            and not node.get("anyOf")
            and not node.get("oneOf")
            and (node.get("type") in (None, "object"))
        )

    def branches(self, schema: Any) -> list[dict[str, Any]]:
        node = self.resolve(schema)
        alternatives = [*node.get("anyOf", []), *node.get("oneOf", [])]
        if not alternatives:
            return [node]
        return [b for alternative in alternatives for b in self.branches(alternative)]


def _is_money_name(name: str) -> bool:
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().strip("@").split("_")
    return any(word in MONEY_WORDS for word in words)


# --- the real app ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    database = tmp_path_factory.mktemp("openapi") / "yagona.db"
    settings = Settings(env="test", database={"url": f"sqlite:///{database}"}, staff_api_key="k")  # type: ignore[arg-type]
    app = create_app(settings, container=bootstrap(settings, configure_logs=False))
    schema: dict[str, Any] = app.openapi()
    app.state.container.engine.dispose()
    return schema


def test_the_api_keeps_its_convention(document: dict[str, Any]) -> None:
    offenders = contract_offenders(document)
    kinds = sorted({o.kind for o in offenders})
    assert not offenders, f"{len(offenders)} offenders of the API convention ({', '.join(kinds)}):\n" + "\n".join(
        map(str, offenders)
    )


def test_every_operation_declares_its_refusals_as_problems(document: dict[str, Any]) -> None:
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")) and not answer.get("content"):
                    missing.append(f"{method.upper()} {path} → {status}: no content")
            if operation.get("security") and {} not in operation["security"] and "401" not in operation["responses"]:
                missing.append(f"{method.upper()} {path}: takes a credential, documents no 401")
    assert not missing, "\n".join(missing)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code", "detail"}
    assert {"errors", "details"} <= set(problem["properties"])


def test_the_security_schemes_are_declared(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["staffKey"] == {**schemes["staffKey"], "type": "apiKey", "in": "header", "name": "X-Api-Key"}
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie", "name": "yagona_session"}
    assert schemes["bearer"]["type"] == "http" and schemes["bearer"]["scheme"] == "bearer"
    for scope in ("mobile", "mobile:manage", "wallet", "wallet:pay"):
        assert f"`{scope}`" in schemes["bearer"]["description"]
    assert document["paths"]["/health"]["get"]["security"] == []


# --- docs/security.md stays current -------------------------------------------------------

ROW = re.compile(r"^\|\s*`?(GET|POST|PUT|PATCH|DELETE)`?\s*\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|")


def security_table() -> dict[tuple[str, str], tuple[str, str]]:
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    for line in SECURITY_DOC.read_text(encoding="utf-8").splitlines():
        if found := ROW.match(line.strip()):
            rows[(found[1], found[2])] = (found[3].strip(), found[4].strip())
    return rows


def test_docs_security_names_every_operation(document: dict[str, Any]) -> None:
    table = security_table()
    operations = {(m.upper(), p): op.get("security") for p, item in document["paths"].items() for m, op in item.items()}
    missing = sorted(set(operations) - set(table))
    stale = sorted(set(table) - set(operations))
    assert not missing, "operations missing from docs/security.md's table (rows to complete):\n" + "\n".join(
        f"| {m} | `{p}` | {_who(operations[(m, p)])} | TODO |" for m, p in missing
    )
    assert not stale, "rows of docs/security.md that name no operation any more:\n" + "\n".join(
        f"{m} {p}" for m, p in stale
    )


def _who(security: list[dict[str, list[str]]] | None) -> str:
    if security is None:
        return "undeclared"
    alternatives = [
        " and ".join(WORDS.get(s, s) + (f" with {', '.join(f'`{x}`' for x in scopes)}" if scopes else "")
                     for s, scopes in r.items()) or "anonymous"
        for r in security
    ]  # fmt: skip
    return " or ".join(alternatives) or "anonymous"


WORDS = {"staffKey": "staff key", "session": "session", "bearer": "bearer", "oauthClient": "OAuth client"}


def test_docs_security_says_who_as_the_openapi_does(document: dict[str, Any]) -> None:
    """The table's "who may call" names each scheme of the operation's security (and
    "anonymous" where anyone may): the prose cannot drift from what the server enforces."""
    table = security_table()
    wrong = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            row = table.get((method.upper(), path))
            if row is None:
                continue  # test_docs_security_names_every_operation says so
            security = operation.get("security")
            words = {"undeclared"} if security is None else {WORDS.get(s, s) for r in security for s in r}
            if security is not None and (security == [] or {} in security):
                words.add("anonymous")
            missing = {word for word in words if word.lower() not in row[0].lower()}
            if missing:
                wrong.append(f"{method.upper()} {path}: 'who may call' should name {sorted(missing)}")
    assert not wrong, "\n".join(wrong)


def test_the_tests_docs_security_names_exist() -> None:
    wrong = []
    for (method, path), (_who, proof) in security_table().items():
        for ref in re.findall(r"`([^`]+::[^`]+)`", proof):
            file, _, name = ref.partition("::")
            source = ROOT / file
            if not source.exists() or not re.search(rf"def {re.escape(name)}\b", source.read_text(encoding="utf-8")):
                wrong.append(f"{method} {path}: {ref} does not exist")
        if not re.search(r"`[^`]+::[^`]+`|TODO|public", proof):
            wrong.append(f"{method} {path}: names no test (write TODO when none exists yet, public when anonymous)")
    assert not wrong, "\n".join(wrong)


# --- the contract catches each kind --------------------------------------------------------


class GoodBody(ApiModel):
    amount: SomPositive
    note: str


class GoodAnswer(ApiRead):
    balance: Som
    created_at: Timestamp
    msisdn: str


class LooseBody(BaseModel):  # no extra="forbid"
    amount: Som


class BadAnswer(BaseModel):
    balance: int  # money without its unit
    createdAt: Timestamp  # camelCase outside /tmf-api/  # noqa: N815
    paid_at: str  # a timestamp that is not one


class TmfAnswer(BaseModel):
    correlatorId: str  # noqa: N815
    paymentDate: Timestamp  # noqa: N815


def planted_app() -> FastAPI:
    app = FastAPI()
    good = APIRouter(dependencies=[Depends(require_staff)])

    @good.post("/api/v1/good/{msisdn}")
    def good_route(
        msisdn: Annotated[str, PathParam(pattern=MSISDN_PATTERN)], body: GoodBody
    ) -> GoodAnswer:  # pragma: no cover - never called
        raise NotImplementedError

    @app.get("/api/v1/mine")
    def customer_route(
        principal: Annotated[Principal, Depends(require_customer("wallet"))],
    ) -> GoodAnswer:  # pragma: no cover
        raise NotImplementedError

    @app.get("/api/v1/open", openapi_extra={"security": []}, responses={429: {"description": "too many tries"}})
    def anonymous_route() -> GoodAnswer:  # pragma: no cover
        raise NotImplementedError

    @app.get("/tmf-api/x/v4/payment", openapi_extra={"security": []})
    def tmf_route() -> TmfAnswer:  # pragma: no cover
        raise NotImplementedError

    @app.post("/api/v1/bad/{phone}")
    def bad_route(phone: str, body: LooseBody) -> BadAnswer:  # pragma: no cover
        raise NotImplementedError

    @app.get("/api/v1/bad/{phone}/free", openapi_extra={"security": []})
    def untyped_route(phone: Annotated[str, PathParam(pattern=MSISDN_PATTERN)]) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    app.include_router(good)
    install_openapi(app)
    return app


def test_the_contract_catches_each_kind_of_offender() -> None:
    offenders = contract_offenders(planted_app().openapi())
    by_kind: dict[str, list[str]] = {}
    for offender in offenders:
        by_kind.setdefault(offender.kind, []).append(str(offender))
    # every offender is the planted route's: the good, the customer's, the TMF one are clean
    planted = ("/api/v1/bad/{phone}", "BadAnswer", "LooseBody")
    assert all(any(p in str(o) for p in planted) for o in offenders), "\n".join(map(str, offenders))
    assert set(by_kind) == {"security", "msisdn", "body", "money", "case", "time", "untyped"}, by_kind
    assert any("'balance'" in o for o in by_kind["money"])
    assert any("'createdAt'" in o for o in by_kind["case"])
    assert any("'paid_at'" in o for o in by_kind["time"])


def test_the_generated_document_describes_auth_and_refusals() -> None:
    paths = planted_app().openapi()["paths"]
    good = paths["/api/v1/good/{msisdn}"]["post"]
    assert good["security"] == [{"staffKey": []}]
    assert {"401", "404", "413", "422"} <= set(good["responses"]) and "403" not in good["responses"]
    assert good["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    mine = paths["/api/v1/mine"]["get"]
    assert mine["security"] == [{"session": []}, {"bearer": ["wallet"]}]
    assert {"401", "403", "404"} <= set(mine["responses"])
    opened = paths["/api/v1/open"]["get"]
    assert opened["security"] == [] and "401" not in opened["responses"]
    # a route's own refusal keeps its words and is answered as a problem
    assert opened["responses"]["429"] == {
        "description": "too many tries",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    assert "security" not in paths["/api/v1/bad/{phone}"]["post"]


def test_the_contract_walks_nested_and_optional_schemas() -> None:
    document = {
        "paths": {
            "/api/v1/x": {
                "get": {
                    "security": [],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Outer"},
                                    }
                                }
                            }
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Outer": {
                    "properties": {"inner": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]}}
                },
                "Inner": {
                    "properties": {
                        "monthly_limit": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                        "self": {"$ref": "#/components/schemas/Outer"},
                    }
                },
            }
        },
    }
    assert [o.what for o in contract_offenders(document)] == [
        "property 'monthly_limit' holds money without x-unit: UZS"
    ]


def test_a_quantity_names_its_unit_and_tiyin_only_where_a_protocol_speaks_it() -> None:
    def answer(path: str, properties: dict[str, Any]) -> dict[str, Any]:
        schema = {"type": "object", "properties": properties}
        return {
            path: {"get": {"security": [], "responses": {"200": {"content": {"application/json": {"schema": schema}}}}}}
        }

    document = {
        "paths": {
            **answer("/api/v1/bundles", {"amount": {"type": "integer", "x-unit": "MB"}}),
            **answer("/api/v1/fees", {"fee": {"type": "integer", "x-unit": "tiyin"}}),
            **answer("/api/v1/payments/payme", {"amount": {"type": "integer", "x-unit": "tiyin"}}),
            **answer("/api/v1/payments/paymentsx", {"amount": {"type": "integer", "x-unit": "tiyin"}}),
        }
    }
    assert [(o.where, o.what) for o in contract_offenders(document)] == [
        ("GET /api/v1/fees → 200", "property 'fee' is in {'tiyin'}, not so'm"),
        ("GET /api/v1/payments/paymentsx → 200", "property 'amount' is in {'tiyin'}, not so'm"),
    ]

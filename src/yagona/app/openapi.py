"""The OpenAPI document describes what the server does (issue 8, section 3).

FastAPI's own document is the starting point; `install_openapi(app)` replaces `app.openapi` with one
that, for every operation:

- declares who may call it (`security`), derived from the route's dependencies:
  `require_staff` → `staffKey`; `require_customer(*scopes)` → `session` or `bearer` with those
  scopes; any other FastAPI security scheme (One ID's cabinet: `Security(APIKeyCookie(...))`)
  as FastAPI declares it; a dependency named in `DEPENDENCY_SECURITY`. A route that anyone may call says so
  explicitly: `security: []` (see "anonymous" below). An operation that declares nothing is
  left without `security`, and the contract test (tests/e2e/test_openapi_contract.py) fails on it.
- documents every refusal it can answer, as `application/problem+json` with the shared
  `Problem` schema: 401 (any credential), 403 (customer routes: scope, not yours), 404 (a path
  parameter names a resource), 409 (`Idempotency-Key`: `idempotency_conflict`), 400 and 413 (a
  body: unreadable, over the size limit), 422 (a body or parameters to validate). A route adds its own with
  FastAPI's `responses={429: {"description": "..."}}`: the problem content is filled in.
  A customer route (`require_customer`) also documents 404: its resource is the caller's own
  (`/api/v1/me/wallet`), which may not exist yet.

How a route says it is anonymous (no credential at all): either
`@router.get(..., openapi_extra={"security": []})` on the route (preferred: it stays with the
route), or an entry in `ANONYMOUS` below (for protocol endpoints whose security is the
protocol's own: OIDC discovery, the token endpoint's client authentication…). A route that
takes an optional credential lists both: `[{}, {"session": []}]`.
"""

from __future__ import annotations

import inspect
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from yagona.platform.auth import CUSTOMER_SCOPES, SESSION_COOKIE, require_staff

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
OAUTH_ERROR_REF = {"$ref": "#/components/schemas/OAuthError"}

Requirement = list[dict[str, list[str]]]

STAFF: Requirement = [{"staffKey": []}]
SESSION: Requirement = [{"session": []}]
NOBODY: Requirement = []  # anyone, no credential
MAYBE_SESSION: Requirement = [{}, {"session": []}]  # anyone; a signed-in browser is recognised

# Anonymous and protocol-secured operations, by (METHOD, path). Prefer the route-level
# `openapi_extra={"security": []}`; this registry is for routes whose security the protocol defines.
ANONYMOUS: dict[tuple[str, str], Requirement] = {
    ("GET", "/health"): NOBODY,
    ("GET", "/ready"): NOBODY,
    ("GET", "/api/v1/catalog/plans"): NOBODY,
    ("GET", "/api/v1/catalog/plans/{plan_id}"): NOBODY,
    ("GET", "/tmf-api/productCatalogManagement/v4/productOffering"): NOBODY,
    ("GET", "/tmf-api/productCatalogManagement/v4/productOffering/{plan_id}"): NOBODY,
    # Signing in: the credential is in the body (phone + SMS code, or password).
    ("POST", "/api/v1/auth/otp"): NOBODY,
    ("POST", "/api/v1/auth/otp/verify"): NOBODY,
    ("POST", "/api/v1/auth/password"): NOBODY,
    # National OneID: starts signed in or not; the callback is bound by its `state`.
    ("GET", "/api/v1/auth/oneid/start"): MAYBE_SESSION,
    ("GET", "/api/v1/auth/oneid/callback"): MAYBE_SESSION,
    # The OpenID provider (RFC 6749, OIDC Core): discovery and keys are public; the
    # authorisation endpoint signs the browser in when it has no session; the token,
    # revocation and introspection endpoints authenticate the client (HTTP Basic, or the
    # form's client_id/client_secret; a public client by PKCE alone).
    ("GET", "/.well-known/openid-configuration"): NOBODY,
    ("GET", "/.well-known/jwks.json"): NOBODY,
    ("GET", "/authorize"): MAYBE_SESSION,
    ("POST", "/authorize"): SESSION,
    ("POST", "/oauth/token"): [{"oauthClient": []}, {}],
    ("POST", "/oauth/revoke"): [{"oauthClient": []}, {}],
    ("POST", "/oauth/introspect"): [{"oauthClient": []}, {}],
    ("GET", "/oauth/userinfo"): [{"bearer": ["openid"]}],
    ("POST", "/oauth/userinfo"): [{"bearer": ["openid"]}],
    ("GET", "/oauth/logout"): MAYBE_SESSION,
    ("POST", "/oauth/logout"): MAYBE_SESSION,
}

# Dependencies that authenticate without a FastAPI security scheme of their own, by their
# qualified name (a name, not an import: the document must not break when a domain renames).
# (One ID's cabinet dependency declares its cookie with `Security(...)` itself, so none today.)
DEPENDENCY_SECURITY: dict[str, Requirement] = {}

# Protocol answers that are not problem details: the OAuth 2 / OIDC endpoints answer as
# their RFCs say (`{"error": ..., "error_description": ...}`), and redirect browsers.
_OAUTH_ERROR = {"content": {"application/json": {"schema": OAUTH_ERROR_REF}}}
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
_REDIRECT = {"description": "a redirect (`Location`)", "headers": {"Location": {"schema": {"type": "string"}}}}
PROTOCOL_RESPONSES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("GET", "/authorize"): {
        "200": {"description": "the consent page (third-party clients)", **_HTML},
        "302": _REDIRECT,
        "400": {"description": "an invalid client or redirect URI: no redirect", **_OAUTH_ERROR},
    },
    ("POST", "/authorize"): {
        "302": _REDIRECT,
        "400": {"description": "an invalid client or redirect URI: no redirect", **_OAUTH_ERROR},
    },
    ("POST", "/oauth/token"): {
        "400": {"description": "invalid_request, invalid_grant, unsupported_grant_type…", **_OAUTH_ERROR},
        "401": {"description": "invalid_client", **_OAUTH_ERROR},
    },
    ("POST", "/oauth/revoke"): {
        "400": {"description": "invalid_request", **_OAUTH_ERROR},
        "401": {"description": "invalid_client", **_OAUTH_ERROR},
    },
    ("POST", "/oauth/introspect"): {
        "400": {"description": "invalid_request", **_OAUTH_ERROR},
        "401": {"description": "invalid_client", **_OAUTH_ERROR},
    },
    ("GET", "/oauth/userinfo"): {"401": {"description": "invalid_token", **_OAUTH_ERROR}},
    ("POST", "/oauth/userinfo"): {"401": {"description": "invalid_token", **_OAUTH_ERROR}},
    ("GET", "/oauth/logout"): {
        "200": {"description": "signed out", **_HTML},
        "302": _REDIRECT,
        "400": {"description": "an invalid logout request", **_OAUTH_ERROR},
    },
    ("POST", "/oauth/logout"): {
        "200": {"description": "signed out", **_HTML},
        "302": _REDIRECT,
        "400": {"description": "an invalid logout request", **_OAUTH_ERROR},
    },
    ("GET", "/api/v1/auth/oneid/start"): {"302": {**_REDIRECT, "description": "to the national OneID"}},
}

REASONS = {
    400: "the body cannot be read: not JSON, not UTF-8 (`http_error`); or another refusal",
    401: "no credential, or a dead one (`unauthenticated`)",
    403: "the credential may not do this: a missing scope (`insufficient_scope`), not your own (`forbidden`)",
    404: "the resource named in the path does not exist (`not_found`)",
    409: "the `Idempotency-Key` was used with another request (`idempotency_conflict`), or the state forbids it",
    413: "the request body is over the size limit (`too_large`)",
    422: "the request is not valid (`invalid_request`): `errors[]` names each field",
    429: "too many attempts: wait and try again",
    503: "unavailable: a dependency does not answer (`unavailable`)",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details, with Yagona's stable `code`.",
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": ["https://yagona.uz/problems/not_found"]},
        "title": {"type": "string", "examples": ["not found"]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "examples": ["not_found"]},
        "detail": {"type": "string", "description": "in the caller's language (`Accept-Language`: uz, ru, en)"},
        "errors": {
            "type": "array",
            "description": "each invalid field of a 422",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "details": {"type": "object", "description": "the refusal's named details (`limit`, `field`…)"},
    },
}

OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "title": "OAuthError",
    "description": "An OAuth 2 error answer (RFC 6749 5.2): the protocol's shape, not a problem.",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}

SECURITY_SCHEMES: dict[str, Any] = {
    "staffKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "staff / machine key"},
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "One ID session cookie (set by sign-in); a session holds every customer scope",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "One ID (OIDC) access token, from /authorize and /oauth/token (code + PKCE). "
        "An operation's requirement lists the scopes the token must carry: "
        + "; ".join(f"`{scope}`: {text}" for scope, text in CUSTOMER_SCOPES.items()),
    },
    "oauthClient": {
        "type": "http",
        "scheme": "basic",
        "description": "an OIDC client's id and secret (client_secret_basic); or client_secret_post in the form",
    },
}


def install_openapi(app: FastAPI) -> None:
    """Replace the app's OpenAPI generation with `build` (computed once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    if "Problem" in schemas:  # a domain schema of that name: keep it, under another name
        _rename_schema(document, "Problem", "DomainProblem")
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["OAuthError"] = OAUTH_ERROR_SCHEMA
    components["securitySchemes"] = {**components.get("securitySchemes", {}), **SECURITY_SCHEMES}
    # FastAPI keeps included routers as branches: walk their effective routes (with the
    # router's prefix, dependencies and responses applied), as its own generation does.
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in sorted(route.methods or ()):
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                describe(operation, route, method)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f'"#/components/schemas/{unused}"' not in _text(document, skip=unused):
            del schemas[unused]
    return document


def describe(operation: dict[str, Any], route: RouteContext, method: str) -> None:
    """Fill in one operation's security and refusals from its route."""
    key = (method.upper(), str(route.path_format))
    security = security_of(route, key)
    if security is not None:
        operation["security"] = security
    else:  # a FastAPI security scheme we don't derive (e.g. `Security(APIKeyCookie(...))`): as FastAPI says
        security = operation.get("security")
    responses: dict[str, Any] = operation.setdefault("responses", {})
    protocol = PROTOCOL_RESPONSES.get(key, {})
    responses.update(json.loads(json.dumps(protocol)))  # a copy: each operation its own
    if any(s.startswith(("2", "3")) for s in protocol) and "200" not in protocol:
        responses.pop("200", None)  # FastAPI's default 200 for a route that only redirects
    for refusal in sorted(refusals(operation, route, security)):
        _problem(responses, str(refusal))
    for status, answer in list(responses.items()):
        if status.startswith(("4", "5")) and not answer.get("content"):
            _problem(responses, status)  # a route's own `responses=` entry without content


def security_of(route: RouteContext, key: tuple[str, str]) -> Requirement | None:
    extra = route.openapi_extra or {}
    if "security" in extra:
        declared: Requirement = extra["security"]
        return declared
    if key in ANONYMOUS:
        return ANONYMOUS[key]
    alternatives: list[Requirement] = []
    for call in _calls(route.dependant):
        if call is require_staff:
            alternatives.append(STAFF)
        elif (scopes := _customer_scopes(call)) is not None:
            alternatives.append([{"session": []}, {"bearer": sorted(scopes)}])
        elif (name := f"{getattr(call, '__module__', '')}.{getattr(call, '__qualname__', '')}") in DEPENDENCY_SECURITY:
            alternatives.append(DEPENDENCY_SECURITY[name])
    if not alternatives:
        return None
    # Each dependency must pass: a requirement of every combination of their alternatives.
    combined: Requirement = []
    for choice in itertools.product(*alternatives):
        merged: dict[str, list[str]] = {}
        for requirement in choice:
            for scheme, needed in requirement.items():
                merged[scheme] = sorted({*merged.get(scheme, []), *needed})
        if merged not in combined:
            combined.append(merged)
    return combined


def refusals(operation: dict[str, Any], route: RouteContext, security: Requirement | None) -> set[int]:
    statuses: set[int] = set()
    parameters = [p for p in operation.get("parameters", []) if isinstance(p, dict)]
    has_body = "requestBody" in operation
    if security and {} not in security:
        statuses.add(401)
    if any(_customer_scopes(call) is not None for call in _calls(route.dependant)):
        statuses.add(403)  # a token without the scope; a line or wallet that is not yours
        statuses.add(404)  # the customer's own resource that does not exist (no wallet opened yet)
    if has_body or parameters:
        statuses.add(422)
    if has_body:
        statuses.update((400, 413))  # 400: a body that is not JSON at all (not UTF-8, cut short)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if any(p.get("in") == "header" and str(p.get("name", "")).lower() == "idempotency-key" for p in parameters):
        statuses.add(409)
    return statuses


def _problem(responses: dict[str, Any], status: str) -> None:
    answer = responses.setdefault(status, {})
    code = int(status) if status.isdigit() else 0
    answer.setdefault("description", REASONS.get(code, "a refusal"))
    content = answer.get("content") or {}
    if status == "422" or not content:  # FastAPI's 422 names its own schema: ours is a problem
        answer["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _customer_scopes(call: Callable[..., Any]) -> tuple[str, ...] | None:
    """The scopes of a `require_customer(*scopes)` dependency, or None for any other."""
    if getattr(call, "__qualname__", "") != "require_customer.<locals>.customer":
        return None
    scopes: tuple[str, ...] = inspect.getclosurevars(call).nonlocals.get("scopes", ())
    return scopes


def _rename_schema(document: dict[str, Any], old: str, new: str) -> None:
    schemas = document["components"]["schemas"]
    schemas[new] = schemas.pop(old)
    _replace_refs(document, f"#/components/schemas/{old}", f"#/components/schemas/{new}")


def _replace_refs(node: Any, old: str, new: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and value == old:
                node[key] = new
            else:
                _replace_refs(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _replace_refs(item, old, new)


def _text(document: dict[str, Any], *, skip: str) -> str:
    schemas = {k: v for k, v in document["components"]["schemas"].items() if k != skip}
    return json.dumps({**document, "components": {**document["components"], "schemas": schemas}})

"""Where the sign-in page may send a browser afterwards: the OIDC round trip and this site's
own pages — never another site, however the address is dressed up."""

from __future__ import annotations

import pytest

from yagona.identity.web import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/account/security",
        "/lines/998901234567/plan?plan=lider-start",
        "/authorize?response_type=code&client_id=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=x",
        "/wallet/pay?provider=mobile&account=998901234567&amount=5000",
    ],
)
def test_the_oidc_round_trip_and_own_pages_pass(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example/path",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",  # browsers drop tabs and newlines: this would be //evil.example
        "/\n/evil.example",
        "/\r\n/evil.example",
        " /evil",
        "/ /evil",
        "/\x00/evil",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "account/security",
        "",
        "/" + "a" * 2048,
        "/path\\..\\..\\evil",
        "https:/evil.example",
        "/\u2028/evil",
    ],
)
def test_anything_else_goes_home(target: str) -> None:
    assert safe_next(target) == "/"

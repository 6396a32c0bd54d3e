"""The authenticator's QR code: an SVG the strict CSP lets through (no style, no script)."""

from __future__ import annotations

from urllib.parse import unquote

from yagona.identity.web.security import qr_code

URI = "otpauth://totp/Yagona%20One%20ID:998901234567?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Yagona%20One%20ID"


def test_the_qr_code_is_an_svg_image_without_style_or_script() -> None:
    data_uri, side = qr_code(URI)
    assert data_uri.startswith("data:image/svg+xml")
    svg = unquote(data_uri.split(",", 1)[1])
    assert svg.startswith("<svg") and "<path" in svg and f"width='{side}'" in svg.replace('"', "'")
    lowered = svg.lower()
    assert "style" not in lowered and "<script" not in lowered and "href" not in lowered
    assert 150 <= side <= 360  # fits a 360 px screen with the card's padding

"""Static files under content-hashed URLs: `css/app.css` is served as
`/static/css/app.3f2a9c1d0b7e.css` with `Cache-Control: public, max-age=31536000, immutable`,
so a browser never asks twice and a change of content is a change of URL. Files are read
once at start, hashed, and kept with their gzip and brotli forms (they are small)."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli
from starlette.responses import Response

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json", "image/svg+xml")
MAX_ASSET_BYTES = 2 * 1024 * 1024  # a shell asset above this is a mistake, not a feature
DIGEST_CHARS = 12


@dataclass(frozen=True)
class Asset:
    name: str  # as templates ask for it: css/app.css
    url: str  # /static/css/app.<digest>.css
    media_type: str
    body: bytes
    gzip: bytes | None
    brotli: bytes | None
    digest: str


def _media_type(path: Path) -> str:
    if path.suffix == ".js":
        return "text/javascript; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def accepted_encoding(accept_encoding: str) -> str | None:
    """`br`, `gzip` or None: what the client accepts (q > 0), brotli first."""
    accepted: set[str] = set()
    for part in accept_encoding.lower().split(",")[:20]:
        token, _, params = part.strip().partition(";")
        if params.strip() in {"q=0", "q=0.0", "q=0.00", "q=0.000"}:
            continue
        accepted.add(token.strip())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "*" in accepted:
        return "gzip"
    return None


class StaticAssets:
    """Every file under `directory`, by logical name and by hashed URL."""

    def __init__(self, directory: Path, *, prefix: str = "/static") -> None:
        self.prefix = prefix.rstrip("/")
        self._by_name: dict[str, Asset] = {}
        self._by_path: dict[str, Asset] = {}
        for path in sorted(directory.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            body = path.read_bytes()
            assert len(body) <= MAX_ASSET_BYTES, f"{path} is too large for a shell asset"
            name = path.relative_to(directory).as_posix()
            digest = hashlib.sha256(body).hexdigest()[:DIGEST_CHARS]
            stem, dot, suffix = name.rpartition(".")
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
            media_type = _media_type(path)
            compressible = media_type.startswith(COMPRESSIBLE)
            asset = Asset(
                name=name,
                url=f"{self.prefix}/{hashed}",
                media_type=media_type,
                body=body,
                gzip=gzip.compress(body, compresslevel=9, mtime=0) if compressible else None,
                brotli=brotli.compress(body, quality=11) if compressible else None,
                digest=digest,
            )
            self._by_name[name] = asset
            self._by_path[hashed] = asset

    def url(self, name: str) -> str:
        """The hashed URL of `name` (a template's `static('css/app.css')`); a typo fails loudly."""
        try:
            return self._by_name[name].url
        except KeyError:
            raise LookupError(f"no static asset {name!r}") from None

    def all(self) -> list[Asset]:
        return list(self._by_name.values())

    def version(self) -> str:
        """One digest of every asset: changes when any of them does."""
        joined = "".join(f"{a.name}:{a.digest};" for a in self._by_name.values())
        return hashlib.sha256(joined.encode()).hexdigest()[:DIGEST_CHARS]

    def response(self, hashed_path: str, accept_encoding: str) -> Response | None:
        """The asset at `hashed_path` (under the prefix), compressed when the client accepts it."""
        asset = self._by_path.get(hashed_path)
        if asset is None:
            return None
        headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{asset.digest}"'}
        body = asset.body
        if asset.gzip is not None:
            headers["Vary"] = "Accept-Encoding"
            encoding = accepted_encoding(accept_encoding)
            if encoding == "br" and asset.brotli is not None:
                body, headers["Content-Encoding"] = asset.brotli, "br"
            elif encoding == "gzip":
                body, headers["Content-Encoding"] = asset.gzip, "gzip"
        return Response(body, media_type=asset.media_type, headers=headers)

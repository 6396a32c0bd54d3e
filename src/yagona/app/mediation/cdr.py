"""CDR files in CSV, and the usage record as it travels on JetStream.

Columns (a header row names them, in any order): `id`, `msisdn`, `type` (voice, incoming,
sms, data) required; `to`, `from`, `seconds`, `mb`, `tasix`, `vpn`, `ip`, `host` as the
record's type needs them — the fields of `lines.schemas.UsageRecord`. An empty cell is
an absent field; `tasix`/`vpn` are true/false (1/0, yes/no).
"""

from __future__ import annotations

import csv
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from yagona.kernel.errors import YagonaError
from yagona.lines import service as lines
from yagona.lines.schemas import UsageRecord

COLUMNS = ("id", "msisdn", "type", "to", "from", "seconds", "mb", "tasix", "vpn", "ip", "host")
REQUIRED = ("id", "msisdn", "type")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


@dataclass(frozen=True, slots=True)
class Row:
    """A CSV row that is a valid usage record: what goes on the wire, and its record."""

    line: int
    record: UsageRecord
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int
    reason: str


class HeaderError(ValueError):
    """The file's header names an unknown column or lacks a required one."""


def read(path: Path) -> Iterator[Row | Refusal]:
    with path.open(newline="", encoding="utf-8") as file:
        yield from parse(file)


def parse(file: TextIO) -> Iterator[Row | Refusal]:
    """Each data row as a record or its refusal, with its line number in the file (header = 1)."""
    reader = csv.DictReader(file)
    header = reader.fieldnames or []
    if unknown := [name for name in header if name not in COLUMNS]:
        raise HeaderError(f"unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}")
    if missing := [name for name in REQUIRED if name not in header]:
        raise HeaderError(f"the header lacks {', '.join(missing)}")
    for cells in reader:
        number = reader.line_num
        try:
            fields = _fields(cells)
            yield Row(number, lines.parse_record(fields), fields)
        except (ValueError, YagonaError) as error:
            field = getattr(error, "details", {}).get("field")
            yield Refusal(number, f"{field}: {error}" if field else str(error))


def _fields(cells: dict[str | Any, str | Any]) -> dict[str, Any]:
    if None in cells:
        raise ValueError("more cells than columns")
    fields: dict[str, Any] = {}
    for name, raw in cells.items():
        if raw is None:
            raise ValueError("fewer cells than columns")
        value = raw.strip()
        if not value:
            continue
        if name == "seconds":
            if not value.isdigit():
                raise ValueError(f"seconds: {value!r} is not a whole number of seconds")
            fields[name] = int(value)
        elif name == "mb":
            try:
                fields[name] = Decimal(value)
            except InvalidOperation:
                raise ValueError(f"mb: {value!r} is not a number") from None
            if not fields[name].is_finite():
                raise ValueError(f"mb: {value!r} is not a number")
        elif name in ("tasix", "vpn"):
            if value.lower() not in _TRUE | _FALSE:
                raise ValueError(f"{name}: {value!r} is not true or false")
            fields[name] = value.lower() in _TRUE
        else:
            fields[name] = value
    return fields


def shard_of(msisdn: str, shards: int) -> int:
    """Stable across processes and versions (not Python's salted hash)."""
    return zlib.crc32(msisdn.encode()) % shards


def subject_of(prefix: str, record: UsageRecord, shards: int) -> str:
    return f"{prefix}.{shard_of(record.msisdn, shards)}"


def encode(fields: dict[str, Any]) -> bytes:
    """The record's fields as JSON; `mb` a JSON number (a 6-place decimal survives a float's repr)."""
    return json.dumps({k: float(v) if isinstance(v, Decimal) else v for k, v in fields.items()}).encode()


def decode(data: bytes) -> UsageRecord:
    """A record from the wire; a body that is not one raises (the worker refuses it)."""
    try:
        fields = json.loads(data, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(fields, dict):
        raise ValueError("not a JSON object")
    return lines.parse_record(fields)

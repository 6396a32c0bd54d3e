"""CDR files in CSV: what a row becomes, and what is refused with its line number."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from yagona.app.mediation import cdr

HEADER = "id,msisdn,type,to,from,seconds,mb,tasix,vpn,ip,host\n"


def _parse(text: str) -> list[cdr.Row | cdr.Refusal]:
    return list(cdr.parse(io.StringIO(text)))


def test_each_row_becomes_the_usage_record_it_describes() -> None:
    rows = _parse(
        HEADER + "r1,+998 90 123 45 67,voice,998931234567,,61,,,,,\n"
        "r2,998901234567,data,,,,3.125,true,no,,\n"
        "r3,998901234567,incoming,,998931112233,30,,,,,\n"
    )
    assert all(isinstance(row, cdr.Row) for row in rows)
    voice, data, incoming = (row.record for row in rows if isinstance(row, cdr.Row))
    assert (voice.msisdn, voice.type, voice.to, voice.seconds) == ("998901234567", "voice", "998931234567", 61)
    assert (data.mb, data.tasix, data.vpn) == (Decimal("3.125"), True, False)
    assert incoming.caller == "998931112233"


def test_bad_rows_are_refused_with_their_line_and_reason_and_the_rest_go_ahead() -> None:
    rows = _parse(
        HEADER + "r1,998901234567,fax,998931234567,,61,,,,,\n"
        "r2,998901234567,voice,998931234567,,sixty,,,,,\n"
        "r3,998901234567,sms,998931234567,,,,,,,\n"
        "r4,12345,sms,998931234567,,,,,,,\n"
        "r5,998901234567,voice,998931234567,,,,,,,\n"
        "r6,998901234567,data,,,,lots,,,,\n"
    )
    refused = {row.line: row.reason for row in rows if isinstance(row, cdr.Refusal)}
    assert sorted(refused) == [2, 3, 5, 6, 7]
    assert "type" in refused[2]
    assert "seconds" in refused[3]
    assert "Uzbek mobile number" in refused[5]
    assert "needs seconds" in refused[6]
    assert "mb" in refused[7]
    assert [row.record.id for row in rows if isinstance(row, cdr.Row)] == ["r3"]


def test_a_header_with_an_unknown_or_missing_column_refuses_the_file() -> None:
    with pytest.raises(cdr.HeaderError, match="duration"):
        _parse("id,msisdn,type,duration\n")
    with pytest.raises(cdr.HeaderError, match="msisdn"):
        _parse("id,type,to\n")


def test_a_line_always_lands_on_the_same_shard() -> None:
    assert cdr.shard_of("998901234567", 16) == 10  # CRC-32: the same in every process and release
    shards = {cdr.shard_of(f"99890{i:07d}", 8) for i in range(200)}
    assert shards == set(range(8))


def test_a_record_crosses_the_wire_unchanged() -> None:
    [row] = _parse(HEADER + "r1,998901234567,data,,,,1048575.123456,,true,10.0.0.1,my.gov.uz\n")
    assert isinstance(row, cdr.Row)
    assert cdr.decode(cdr.encode(row.fields)) == row.record
    with pytest.raises(ValueError, match="JSON"):
        cdr.decode(b"\xff not json")

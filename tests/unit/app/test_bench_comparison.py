"""The side-by-side table: each figure is the median over the rounds, the ratio the median
of the rounds' own ratios, and every round's ratio is printed beside it."""

from __future__ import annotations

from yagona.app.bench import sidebyside
from yagona.app.bench.comparison import Round, Row, median_figures, table
from yagona.app.bench.peer import SHAPES, Figures
from yagona.ledger.errors import InsufficientFundsError


def _figures(per_second: float, p50: float, app: float | None = None) -> Figures:
    return Figures(
        transfers=int(per_second * 10), seconds=10.0, per_second=per_second, p50_ms=p50, p99_ms=p50 * 3,
        server_cpu_us=500.0, client_cpu_us=100.0, app_cpu_us=app,
    )  # fmt: skip


def test_the_row_shows_medians_and_every_rounds_ratio() -> None:
    rounds = [
        Round(_figures(2_000, 3.0), _figures(5_000, 1.0, app=80), 4.0),  # 2.5x
        Round(_figures(2_500, 2.0), _figures(4_000, 2.0, app=90), 4.0),  # 1.6x
        Round(_figures(1_000, 6.0), _figures(2_100, 4.0, app=70), 3.0),  # 2.1x
    ]
    row = Row(SHAPES[0], rounds)

    assert row.ratio == 2.1  # the middle round's ratio, not 4 000 / 2 000
    assert row.peer.per_second == 2_000 and row.yagona.per_second == 4_000
    assert row.yagona.p50_ms == 2.0 and row.yagona.app_cpu_us == 80
    assert row.peer.transfers == 55_000 and row.peer.seconds == 30.0
    assert row.group_mean == 4.0
    [_, _, line] = table([row])
    assert "| 2,000 | 3.00 | 9.00 | 4,000 | 2.00 | 6.00 | 4.0 | **2.10x** (2.50, 1.60, 2.10) |" in line


def test_a_peer_round_without_app_cpu_keeps_none() -> None:
    assert median_figures([_figures(1_000, 1.0), _figures(3_000, 2.0)]).app_cpu_us is None


def test_the_pipe_carries_a_request_and_its_answer() -> None:
    wire = ("sbs:a:1:7", [("customer:c1", "operator:revenue", 500), ("customer:c2", "operator:revenue", 7)])
    key, transfers = sidebyside.decode(sidebyside.encode(wire))

    assert key == "sbs:a:1:7"
    assert [(t.debit, t.credit, t.amount, t.reason) for t in transfers] == [
        ("customer:c1", "operator:revenue", 500, "payment"),
        ("customer:c2", "operator:revenue", 7, "payment"),
    ]
    assert sidebyside.encode_answer([]) == b"ok 0"
    assert sidebyside.encode_answer(InsufficientFundsError("no", account="a", short_by=1)) == b"insufficient_funds"

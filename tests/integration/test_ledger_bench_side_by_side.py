"""The side-by-side benchmark's Yagona half runs end to end: client processes, the server
process and its poster, and the checks it makes itself (every request posted, the ledger
verified, as many transfers as the clients were told). No figure is asserted."""

from __future__ import annotations

import pytest

from tests.services import scratch_postgres_database
from yagona.app.bench import sidebyside
from yagona.app.bench.peer import Shape
from yagona.platform.settings import GroupCommitSettings

pytestmark = pytest.mark.postgres


LOOP, THREADS = sidebyside.Server.LOOP, sidebyside.Server.THREADS
TWO_AT_ONCE = GroupCommitSettings(max_size=2, concurrent_groups=2)  # groups of 2, two running at once


@pytest.mark.parametrize(
    ("workers", "server", "gathering"),
    [(1, LOOP, GroupCommitSettings()), (2, LOOP, GroupCommitSettings()), (1, LOOP, TWO_AT_ONCE),
     (1, THREADS, GroupCommitSettings())],
)  # fmt: skip
def test_the_yagona_side_posts_every_request_and_verifies(
    workers: int, server: sidebyside.Server, gathering: GroupCommitSettings
) -> None:
    shape = Shape("t", "test", clients=4, per_request=2, hot=True)
    setup = sidebyside.Setup(gathering, workers=workers, pre_ping=True, server=server)
    with scratch_postgres_database() as url:
        figures, group_mean = sidebyside.run(url, shape, 1.0, setup)
    assert figures.transfers > 0 and figures.transfers % 2 == 0
    assert group_mean >= 1
    assert figures.app_cpu_us is not None and 0 < figures.app_cpu_us < figures.client_cpu_us

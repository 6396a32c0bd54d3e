"""`yagona bench analytics`: the synthetic operator generated through the real services
(customer-days a minute), its outbox exported to the Parquet store (rows/s), the dashboard's
queries over it (p50 of a whole dashboard), and the churn model trained on it (seconds)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from yagona.analytics import service as analytics
from yagona.analytics.settings import AnalyticsSettings
from yagona.app.bootstrap import bootstrap
from yagona.app.population import runner
from yagona.app.sandbox.template import migrated_sqlite
from yagona.kernel.clock import TASHKENT, SimulatedClock
from yagona.platform.db import make_engine
from yagona.platform.logging import configure_logging
from yagona.platform.settings import Settings

START = datetime(2026, 9, 1, tzinfo=TASHKENT)


@dataclass(frozen=True, slots=True)
class Figures:
    customers: int
    days: int
    population_s: float
    population_cpu_s: float  # this process's CPU time (the machine is shared: wall time is noisy)
    records: int
    export_rows: int
    export_s: float
    dashboard_p50_ms: float
    dashboard_runs: int
    churn_s: float
    roc_auc: float
    test_rows: int

    @property
    def customer_days_per_minute(self) -> float:
        return self.customers * self.days / self.population_s * 60

    @property
    def customer_days_per_cpu_minute(self) -> float:
        return self.customers * self.days / self.population_cpu_s * 60 if self.population_cpu_s else 0.0

    @property
    def export_rows_per_s(self) -> float:
        return self.export_rows / self.export_s if self.export_s else 0.0


def run(*, customers: int, days: int, seed: int, runs: int = 5, progress: Callable[[int], None]) -> Figures:
    configure_logging(level="WARNING")  # the figures, not a line per due job
    with tempfile.TemporaryDirectory(prefix="yagona_bench_analytics_") as scratch:
        folder = Path(scratch)
        migrated_sqlite(folder / "operator.db")
        url = f"sqlite:///{folder / 'operator.db'}"
        engine = make_engine(url)
        try:
            clock = SimulatedClock(START)
            settings = Settings(env="test", database={"url": url}, bus={"defer": True})
            container = bootstrap(settings, clock=clock, engine=engine, configure_logs=False)
            analytics.configure(AnalyticsSettings(directory=folder / "store"))
            started, cpu = time.perf_counter(), time.process_time()
            report = runner.generate(container, clock, customers=customers, days=days, seed=seed, progress=progress)
            population_s, population_cpu_s = time.perf_counter() - started, time.process_time() - cpu
            started, rows = time.perf_counter(), 0
            while True:
                with container.uow() as uow:
                    batch = analytics.export_batch(uow)
                    uow.commit()
                rows += batch.written
                if batch.done:
                    break
            export_s = time.perf_counter() - started
            end = (START + timedelta(days=days - 1)).date()
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                analytics.dashboard(start=START.date(), end=end)
                timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            horizon = min(30, max(3, days // 4))
            trained = analytics.train_from_store(horizon_days=horizon, step_days=7)
            churn_s = time.perf_counter() - started
        finally:
            engine.dispose()
    return Figures(
        customers=customers, days=days, population_s=population_s, population_cpu_s=population_cpu_s,
        records=report.records, export_rows=rows,
        export_s=export_s, dashboard_p50_ms=statistics.median(timings), dashboard_runs=runs, churn_s=churn_s,
        roc_auc=trained.evaluation.roc_auc, test_rows=trained.evaluation.test_rows,
    )  # fmt: skip

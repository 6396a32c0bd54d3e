"""Benchmarks: `yagona bench …`. Never part of the test run; figures go to docs/benchmarks.md."""

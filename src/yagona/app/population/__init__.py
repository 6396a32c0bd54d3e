"""The synthetic operator (`yagona demo population`): personas drawn from a seed, driven
through the real services on the simulated clock (docs/analytics.md)."""

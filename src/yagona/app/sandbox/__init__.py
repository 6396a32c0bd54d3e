"""`yagona simulate`: replay a scenario against the real platform on a simulated clock.

The contract is ../shared/docs/scenario-format.md; this package parses a scenario
(`scenario.py`), maps each verb onto the same services the API, the portal and USSD
use (`verbs.py`), and runs it on a fresh store (`runner.py`).
"""

"""Use cases of the reminder engine. Callers pass their unit of work; nothing here commits.

- `catalogue`: the rule file, validated on load
- `triggers`: what each trigger reads from the lower domains' services
- `engine`: arm a check on an event, run it when due, send / hold / skip within the limits
- `preferences`: the customer's channel order, opt-outs and marketing consent
"""

from yagona.reminders.service.catalogue import load, rule, rules
from yagona.reminders.service.engine import CHECK, check, configure, on_event, render
from yagona.reminders.service.preferences import CHANNELS, preferences, sent_messages, set_preferences
from yagona.reminders.service.triggers import TRIGGERS

__all__ = [
    "CHANNELS",
    "CHECK",
    "TRIGGERS",
    "check",
    "configure",
    "load",
    "on_event",
    "preferences",
    "render",
    "rule",
    "rules",
    "sent_messages",
    "set_preferences",
]

"""Notify: the outbox of SMS and e-mail messages, templates per language, delivery adapters."""

"""Refusals of the reminder engine."""

from __future__ import annotations

from yagona.kernel.errors import InvalidRequestError, YagonaError

__all__ = ["InvalidRequestError", "RuleFileError", "UnknownRuleError"]


class RuleFileError(YagonaError):
    """The rule file is not valid (an unknown trigger, fact or placeholder): refused at load."""

    code = "invalid_rule_file"
    http_status = 500


class UnknownRuleError(InvalidRequestError):
    code = "unknown_reminder"

"""Yagona: a telecom operator's unified digital customer ecosystem."""

__version__ = "0.1.0"

"""Mediation: usage records from the network's CDR files through JetStream to the rating
workers (docs/mediation.md). A channel adapter of the composition root: the rating itself
is `lines.service.rate_usages`."""

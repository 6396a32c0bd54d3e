"""ledger: ledger_post_group gathers the group's account codes once, as an array

The same signature, rules and answers as 20261205_ledger_post_early, which it replaces. Its
two statements that read the group's accounts (the transfers' INSERT and the balances' lock)
each expanded the postings' JSON again to find the codes; the planner takes each
`jsonb_array_elements` as 100 rows, so it planned 20 000 codes to de-duplicate and
hash-joined every account to them — building two hash tables a group, and scanning
`ledger_account` twice. The codes are now gathered once into an array and both statements
look the accounts up by `code = ANY(codes)` (the unique index).

Revision ID: 20261206_ledger_post_codes
Revises: 20261205_ledger_post_early
Create Date: 2026-12-06
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "20261206_ledger_post_codes"
down_revision: str | Sequence[str] | None = "20261205_ledger_post_early"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The codes' subquery as 20261205 wrote it (twice), and what replaces it.
_CODES_EXPANDED = """a.code IN (SELECT s.code
                         FROM jsonb_array_elements(p_postings) AS p(x),
                              jsonb_array_elements(p.x->'t') AS t(x),
                              LATERAL (VALUES (t.x->>'d'), (t.x->>'c')) AS s(code))"""
_CODES_ONCE = "a.code = ANY(v_codes)"
_DECLARED = "    v_seqs jsonb;\n"
_DECLARED_WITH_CODES = """    v_seqs jsonb;
    v_codes text[];  -- the accounts the group names, each once
"""
_STEP_2 = """    -- 2. The transfers of every claimed posting"""
_CODES_THEN_STEP_2 = """    SELECT array_agg(DISTINCT s.code) INTO v_codes
    FROM jsonb_array_elements(p_postings) AS p(x),
         jsonb_array_elements(p.x->'t') AS t(x),
         LATERAL (VALUES (t.x->>'d'), (t.x->>'c')) AS s(code);

    -- 2. The transfers of every claimed posting"""


def _function() -> str:
    previous: str = _previous().FUNCTION
    if previous.count(_CODES_EXPANDED) != 2 or _DECLARED not in previous or _STEP_2 not in previous:
        raise RuntimeError("20261205's function is not the text this revision rewrites")
    return (
        previous.replace(_CODES_EXPANDED, _CODES_ONCE)
        .replace(_DECLARED, _DECLARED_WITH_CODES)
        .replace(_STEP_2, _CODES_THEN_STEP_2)
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_previous().FUNCTION)


def _previous() -> ModuleType:
    # The function as 20261205_ledger_post_early made it (a revision is not importable by name).
    path = Path(__file__).with_name("20261205_ledger_post_early.py")
    spec = importlib.util.spec_from_file_location("_ledger_post_early", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

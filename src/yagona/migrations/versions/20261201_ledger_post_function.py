"""ledger: a posting in one round trip on PostgreSQL — ledger_post_group(now, salt, postings)

One call posts a group of independent postings (each one transfer or a linked batch):
it claims every idempotency key (in key order), locks every balance row the group
touches (in account, shard order), then takes the postings in turn: a posting whose key
was taken answers "replay" or "idempotency_conflict"; otherwise the rules of
`ledger.rules` (unit, not negative, ceiling — after each transfer, in order) decide, and
a refused posting writes nothing (its claim is deleted) while the others are written.
The Python rules remain the specification: tests run the same postings through both.

Input `postings`: [{"b": batch id, "k": key, "h": request hash,
"t": [{"i": transfer id, "d": debit code, "c": credit code, "a": amount,
"p": pending, "r": reason, "m": metadata}]}]. A sharded account takes shard
(salt + account id) % shards for the whole group. Output, one per posting:
{"seqs": {transfer id: [seq, unit]}} | {"replay": true} | {"refused": code, ...}.
SQLite has no server-side functions: it keeps the Python path.

Revision ID: 20261201_ledger_post_function
Revises: 20261130_wallet_biller_confirm
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261201_ledger_post_function"  # alembic_version holds 32 characters
down_revision: str | Sequence[str] | None = "20261130_wallet_biller_confirm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION ledger_post_group(p_now timestamptz, p_salt bigint, p_postings jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_posting jsonb;
    v_index int;
    v_claimed boolean[] := '{}';
    v_id text;
    v_hash text;
    v_codes text[];
    v_missing jsonb;
    v_refusal jsonb;
    v_seqs jsonb;
    v_results jsonb := '[]'::jsonb;
BEGIN
    -- 1. Claim every key, in key order: two groups sharing keys queue instead of deadlocking.
    FOR v_index, v_posting IN
        SELECT e.o::int, e.p FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS e(p, o)
        ORDER BY e.p->>'k' COLLATE "C"
    LOOP
        v_id := NULL;
        INSERT INTO ledger_batch (id, idempotency_key, request_hash, created_at)
        VALUES (v_posting->>'b', v_posting->>'k', v_posting->>'h', p_now)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id INTO v_id;
        v_claimed[v_index] := v_id IS NOT NULL;
    END LOOP;

    -- 2. Lock every balance row the group touches, in (account, shard) order.
    SELECT array_agg(DISTINCT s.code) INTO v_codes
    FROM jsonb_array_elements(p_postings) AS p(x),
         jsonb_array_elements(p.x->'t') AS t(x),
         LATERAL (VALUES (t.x->>'d'), (t.x->>'c')) AS s(code);
    PERFORM 1
    FROM ledger_balance b
    JOIN ledger_account a ON a.id = b.account_id AND b.shard = (p_salt + a.id) % a.shards
    WHERE a.code = ANY(v_codes)
    ORDER BY b.account_id, b.shard
    FOR UPDATE OF b;

    -- 3. Each posting in turn, with the totals its predecessors left.
    FOR v_index, v_posting IN
        SELECT e.o::int, e.p FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS e(p, o) ORDER BY e.o
    LOOP
        IF NOT v_claimed[v_index] THEN
            SELECT request_hash INTO v_hash FROM ledger_batch WHERE idempotency_key = v_posting->>'k';
            v_results := v_results || jsonb_build_array(CASE WHEN v_hash = v_posting->>'h'
                THEN '{"replay": true}'::jsonb ELSE '{"refused": "idempotency_conflict"}'::jsonb END);
            CONTINUE;
        END IF;

        SELECT jsonb_agg(DISTINCT s.code ORDER BY s.code) INTO v_missing
        FROM (
            SELECT s.code COLLATE "C" AS code
            FROM jsonb_array_elements(v_posting->'t') AS t(x),
                 LATERAL (VALUES (t.x->>'d'), (t.x->>'c')) AS s(code)
            WHERE NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.code = s.code)
        ) AS s;
        IF v_missing IS NOT NULL THEN
            DELETE FROM ledger_batch WHERE id = v_posting->>'b';
            v_results := v_results || jsonb_build_array(
                jsonb_build_object('refused', 'not_found', 'accounts', v_missing));
            CONTINUE;
        END IF;

        -- The rules after every transfer, in order: the first broken one refuses the posting.
        WITH t AS (
            SELECT e.o, e.x->>'d' AS d, e.x->>'c' AS c, (e.x->>'a')::bigint AS amount,
                   (e.x->>'p')::boolean AS pending
            FROM jsonb_array_elements(v_posting->'t') WITH ORDINALITY AS e(x, o)
        ), tj AS (
            SELECT t.*, da.unit AS du, ca.unit AS cu,
                   da.id AS did, (p_salt + da.id) % da.shards AS ds, da.allow_negative AS dneg,
                   ca.id AS cid, (p_salt + ca.id) % ca.shards AS cs, ca.upper_limit AS clim
            FROM t
            JOIN ledger_account da ON da.code = t.d
            JOIN ledger_account ca ON ca.code = t.c
        ), sides AS (
            SELECT o, 1 AS phase, did AS aid, ds AS shard, d AS code, dneg AS neg, NULL::bigint AS lim,
                   CASE WHEN pending THEN 0 ELSE amount END AS dp, 0::bigint AS cp,
                   CASE WHEN pending THEN amount ELSE 0 END AS dh, 0::bigint AS ch
            FROM tj
            UNION ALL
            SELECT o, 2, cid, cs, c, true, clim,
                   0, CASE WHEN pending THEN 0 ELSE amount END,
                   0, CASE WHEN pending THEN amount ELSE 0 END
            FROM tj
        ), running AS (
            SELECT s.o, s.phase, s.code, s.neg, s.lim,
                   b.debits_posted + sum(s.dp) OVER w AS dp, b.credits_posted + sum(s.cp) OVER w AS cp,
                   b.debits_pending + sum(s.dh) OVER w AS dh, b.credits_pending + sum(s.ch) OVER w AS ch
            FROM sides s
            JOIN ledger_balance b ON b.account_id = s.aid AND b.shard = s.shard
            WINDOW w AS (PARTITION BY s.aid, s.shard ORDER BY s.o, s.phase ROWS UNBOUNDED PRECEDING)
        ), problems AS (
            SELECT o, 0 AS phase, jsonb_build_object('refused', 'unit_mismatch',
                   'message', format('%s holds %s, %s holds %s', d, du, c, cu)) AS refusal
            FROM tj WHERE du <> cu
            UNION ALL
            SELECT o, phase, jsonb_build_object('refused', 'insufficient_funds', 'account', code,
                   'short_by', dp + dh - cp)
            FROM running WHERE phase = 1 AND NOT neg AND cp - dp - dh < 0
            UNION ALL
            SELECT o, phase, jsonb_build_object('refused', 'limit_exceeded', 'account', code,
                   'over_by', cp + ch - dp - lim)
            FROM running WHERE phase = 2 AND lim IS NOT NULL AND cp + ch - dp > lim
        )
        SELECT refusal INTO v_refusal FROM problems ORDER BY o, phase LIMIT 1;
        IF v_refusal IS NOT NULL THEN
            DELETE FROM ledger_batch WHERE id = v_posting->>'b';
            v_results := v_results || jsonb_build_array(v_refusal);
            CONTINUE;
        END IF;

        -- 4. Accepted: the totals, then the transfers (seq in the order given).
        WITH t AS (
            SELECT e.o, e.x, (e.x->>'a')::bigint AS amount, (e.x->>'p')::boolean AS pending,
                   da.id AS did, (p_salt + da.id) % da.shards AS ds, da.unit AS unit,
                   ca.id AS cid, (p_salt + ca.id) % ca.shards AS cs
            FROM jsonb_array_elements(v_posting->'t') WITH ORDINALITY AS e(x, o)
            JOIN ledger_account da ON da.code = e.x->>'d'
            JOIN ledger_account ca ON ca.code = e.x->>'c'
        ), deltas AS (
            SELECT aid, shard, sum(dp) AS dp, sum(cp) AS cp, sum(dh) AS dh, sum(ch) AS ch
            FROM (
                SELECT did AS aid, ds AS shard,
                       CASE WHEN pending THEN 0 ELSE amount END AS dp, 0 AS cp,
                       CASE WHEN pending THEN amount ELSE 0 END AS dh, 0 AS ch
                FROM t
                UNION ALL
                SELECT cid, cs, 0, CASE WHEN pending THEN 0 ELSE amount END,
                       0, CASE WHEN pending THEN amount ELSE 0 END
                FROM t
            ) AS sides
            GROUP BY aid, shard
        ), saved AS (
            UPDATE ledger_balance b
            SET debits_posted = b.debits_posted + d.dp, credits_posted = b.credits_posted + d.cp,
                debits_pending = b.debits_pending + d.dh, credits_pending = b.credits_pending + d.ch
            FROM deltas d
            WHERE b.account_id = d.aid AND b.shard = d.shard
        ), inserted AS (
            INSERT INTO ledger_transfer (id, batch_id, debit_account_id, debit_shard, credit_account_id,
                                         credit_shard, amount, unit, kind, reason, pending_id, metadata,
                                         created_at)
            SELECT x->>'i', v_posting->>'b', did, ds, cid, cs, amount, unit,
                   CASE WHEN pending THEN 'pending' ELSE 'posted' END, x->>'r', NULL,
                   (x->'m')::json, p_now
            FROM t ORDER BY o
            RETURNING id, seq, unit
        )
        SELECT jsonb_object_agg(id, jsonb_build_array(seq, unit)) INTO v_seqs FROM inserted;
        v_results := v_results || jsonb_build_array(jsonb_build_object('seqs', v_seqs));
    END LOOP;
    RETURN v_results;
END;
$fn$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_post_group(timestamptz, bigint, jsonb)")

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
Revises: 20261201_notify_gateway
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261201_ledger_post_function"  # alembic_version holds 32 characters
down_revision: str | Sequence[str] | None = "20261201_notify_gateway"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION ledger_apply_postings(
    p_now timestamptz, p_salt bigint, p_postings jsonb, OUT o_refusal jsonb, OUT o_seqs jsonb
)
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- The postings one after the other, in one statement: the rules after every transfer,
    -- in order; the first broken one (an unknown account before any) is the refusal and
    -- nothing is written. Else the totals and the transfers (seq in the order given), and
    -- seqs = {batch id: {transfer id: [seq, unit]}}.
    WITH t AS (
        SELECT p.po, e.o, p.x->>'b' AS batch_id, e.x, e.x->>'d' AS d, e.x->>'c' AS c, (e.x->>'a')::bigint AS amount,
               (e.x->>'p')::boolean AS pending,
               da.id AS did, (p_salt + da.id) % da.shards AS ds, da.unit AS du, da.allow_negative AS dneg,
               ca.id AS cid, (p_salt + ca.id) % ca.shards AS cs, ca.unit AS cu, ca.upper_limit AS clim
        FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS p(x, po)
        CROSS JOIN LATERAL jsonb_array_elements(p.x->'t') WITH ORDINALITY AS e(x, o)
        LEFT JOIN ledger_account da ON da.code = e.x->>'d'
        LEFT JOIN ledger_account ca ON ca.code = e.x->>'c'
    ), missing AS (
        SELECT jsonb_agg(DISTINCT m.code ORDER BY m.code) AS codes
        FROM (SELECT d COLLATE "C" AS code FROM t WHERE did IS NULL
              UNION SELECT c COLLATE "C" FROM t WHERE cid IS NULL) AS m
    ), sides AS (
        SELECT po, o, 1 AS phase, did AS aid, ds AS shard, d AS code, dneg AS neg, NULL::bigint AS lim,
               CASE WHEN pending THEN 0 ELSE amount END AS dp, 0::bigint AS cp,
               CASE WHEN pending THEN amount ELSE 0 END AS dh, 0::bigint AS ch
        FROM t
        UNION ALL
        SELECT po, o, 2, cid, cs, c, true, clim,
               0, CASE WHEN pending THEN 0 ELSE amount END,
               0, CASE WHEN pending THEN amount ELSE 0 END
        FROM t
    ), running AS (
        SELECT s.po, s.o, s.phase, s.code, s.neg, s.lim,
               b.debits_posted + sum(s.dp) OVER w AS dp, b.credits_posted + sum(s.cp) OVER w AS cp,
               b.debits_pending + sum(s.dh) OVER w AS dh, b.credits_pending + sum(s.ch) OVER w AS ch
        FROM sides s
        JOIN ledger_balance b ON b.account_id = s.aid AND b.shard = s.shard
        WINDOW w AS (PARTITION BY s.aid, s.shard ORDER BY s.po, s.o, s.phase ROWS UNBOUNDED PRECEDING)
    ), problems AS (
        SELECT 0 AS po, 0 AS o, 0 AS phase, jsonb_build_object('refused', 'not_found', 'accounts', codes) AS refusal
        FROM missing WHERE codes IS NOT NULL
        UNION ALL
        SELECT po, o, 0, jsonb_build_object('refused', 'unit_mismatch',
               'message', format('%s holds %s, %s holds %s', d, du, c, cu))
        FROM t WHERE du <> cu
        UNION ALL
        SELECT po, o, phase, jsonb_build_object('refused', 'insufficient_funds', 'account', code,
               'short_by', dp + dh - cp)
        FROM running WHERE phase = 1 AND NOT neg AND cp - dp - dh < 0
        UNION ALL
        SELECT po, o, phase, jsonb_build_object('refused', 'limit_exceeded', 'account', code,
               'over_by', cp + ch - dp - lim)
        FROM running WHERE phase = 2 AND lim IS NOT NULL AND cp + ch - dp > lim
    ), first_problem AS (
        SELECT refusal FROM problems ORDER BY po, o, phase LIMIT 1
    ), deltas AS (
        SELECT aid, shard, sum(dp) AS dp, sum(cp) AS cp, sum(dh) AS dh, sum(ch) AS ch
        FROM sides
        WHERE NOT EXISTS (SELECT 1 FROM first_problem)
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
        SELECT x->>'i', batch_id, did, ds, cid, cs, amount, du,
               CASE WHEN pending THEN 'pending' ELSE 'posted' END, x->>'r', NULL,
               (x->'m')::json, p_now
        FROM t
        WHERE NOT EXISTS (SELECT 1 FROM first_problem)
        ORDER BY po, o
        RETURNING batch_id, id, seq, unit
    )
    SELECT (SELECT refusal FROM first_problem),
           (SELECT jsonb_object_agg(batch_id, seqs) FROM (
                SELECT batch_id, jsonb_object_agg(id, jsonb_build_array(seq, unit)) AS seqs
                FROM inserted GROUP BY batch_id) AS per_batch)
    INTO o_refusal, o_seqs;
END;
$fn$;

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
    v_refusal jsonb;
    v_seqs jsonb;
    v_out jsonb[] := '{}';
    v_claimed_postings jsonb := '[]'::jsonb;
    v_claimed_index int[] := '{}';
    v_i int;
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

    -- 3. The keys taken before: a replay, or another request under the same key.
    FOR v_index, v_posting IN
        SELECT e.o::int, e.p FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS e(p, o) ORDER BY e.o
    LOOP
        IF NOT v_claimed[v_index] THEN
            SELECT request_hash INTO v_hash FROM ledger_batch WHERE idempotency_key = v_posting->>'k';
            v_out[v_index] := CASE WHEN v_hash = v_posting->>'h'
                THEN '{"replay": true}'::jsonb ELSE '{"refused": "idempotency_conflict"}'::jsonb END;
            CONTINUE;
        END IF;
        v_claimed_postings := v_claimed_postings || jsonb_build_array(v_posting);
        v_claimed_index := v_claimed_index || v_index;
    END LOOP;

    -- 4. All the claimed postings in one statement; only when one of them is refused,
    --    again one by one, so that the refused one writes nothing and the others are posted.
    IF jsonb_array_length(v_claimed_postings) > 0 THEN
        SELECT a.o_refusal, a.o_seqs INTO v_refusal, v_seqs
        FROM ledger_apply_postings(p_now, p_salt, v_claimed_postings) AS a;
        IF v_refusal IS NULL THEN
            FOR v_i IN 1 .. array_length(v_claimed_index, 1) LOOP
                v_out[v_claimed_index[v_i]] := jsonb_build_object(
                    'seqs', v_seqs->(v_claimed_postings->(v_i - 1)->>'b'));
            END LOOP;
        ELSIF array_length(v_claimed_index, 1) = 1 THEN
            DELETE FROM ledger_batch WHERE id = v_claimed_postings->0->>'b';
            v_out[v_claimed_index[1]] := v_refusal;
        ELSE
            FOR v_i IN 1 .. array_length(v_claimed_index, 1) LOOP
                v_posting := v_claimed_postings->(v_i - 1);
                SELECT a.o_refusal, a.o_seqs INTO v_refusal, v_seqs
                FROM ledger_apply_postings(p_now, p_salt, jsonb_build_array(v_posting)) AS a;
                IF v_refusal IS NULL THEN
                    v_out[v_claimed_index[v_i]] := jsonb_build_object('seqs', v_seqs->(v_posting->>'b'));
                ELSE
                    DELETE FROM ledger_batch WHERE id = v_posting->>'b';
                    v_out[v_claimed_index[v_i]] := v_refusal;
                END IF;
            END LOOP;
        END IF;
    END IF;
    RETURN to_jsonb(v_out);
END;
$fn$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_post_group(timestamptz, bigint, jsonb)")
        op.execute("DROP FUNCTION IF EXISTS ledger_apply_postings(timestamptz, bigint, jsonb)")

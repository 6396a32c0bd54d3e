"""ledger: ledger_post_group writes a group's transfers before it locks the balances

The same signature, rules and answers as 20261204_ledger_post_lean, which it replaces. The
balance rows a group locks are held until its commit, and a second server process's group
touching one of them waits for all of it. Writing the transfers (the heaviest statement: six
indexes and three foreign keys a row) before taking those locks shortens the wait — measured
on this machine, two connections posting groups of four random pairs among 100 accounts:
5 104 → 5 586 transfers/s (median of 8 alternating slices; 4 847 → 5 872 in another run).

1. one INSERT claims every key, in key order (unchanged);
2. one INSERT writes the transfers of every claimed posting, with the accounts' ids, shards
   and units read from `ledger_account` (immutable columns), seq in the order given;
3. one SELECT locks the group's balance rows in (account, shard) order and reads them;
4. the rules over those arrays (unchanged); a refused posting puts the totals back, and its
   transfers are deleted with its claim — it leaves nothing, as before;
5. one UPDATE of the changed totals.

A refused posting now takes seq values it gives back as a gap: seq orders transfers, it never
counted them (a rolled-back transaction left gaps before).

Revision ID: 20261205_ledger_post_early
Revises: 20261204_ledger_post_lean
Create Date: 2026-12-05
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "20261205_ledger_post_early"
down_revision: str | Sequence[str] | None = "20261204_ledger_post_lean"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = r"""CREATE OR REPLACE FUNCTION ledger_post_group(p_now timestamptz, p_salt bigint, p_postings jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_n int := jsonb_array_length(p_postings);
    v_claimed text[];
    v_out jsonb[] := array_fill(NULL::jsonb, ARRAY[v_n]);
    v_ok boolean[] := array_fill(false, ARRAY[v_n]);
    v_any_ok boolean := false;
    v_refused text[] := '{}';
    -- the group's balance rows, one per account (its shard for this group), locked
    v_code text[]; v_id bigint[]; v_shard int[]; v_unit text[]; v_neg boolean[]; v_lim bigint[];
    v_dp bigint[]; v_cp bigint[]; v_dh bigint[]; v_ch bigint[];
    v_dp0 bigint[]; v_cp0 bigint[]; v_dh0 bigint[]; v_ch0 bigint[];
    -- one posting being decided
    v_posting jsonb; v_transfers jsonb; v_t jsonb;
    v_m int; v_i int; v_j int; v_d int; v_c int;
    v_ds int[]; v_cs int[]; v_missing text[];
    v_amount bigint; v_pending boolean;
    v_refusal jsonb;
    v_hash text;
    v_seqs jsonb;
BEGIN
    -- 1. Claim every key, in key order: two groups sharing keys queue instead of deadlocking.
    WITH claimed AS (
        INSERT INTO ledger_batch (id, idempotency_key, request_hash, created_at)
        SELECT e.x->>'b', e.x->>'k', e.x->>'h', p_now
        FROM jsonb_array_elements(p_postings) AS e(x)
        ORDER BY e.x->>'k' COLLATE "C"
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING idempotency_key
    )
    SELECT array_agg(idempotency_key) INTO v_claimed FROM claimed;

    -- 2. The transfers of every claimed posting (of its transfers whose accounts exist), before
    --    any balance row is locked: the locks are then held for the rules, the totals and the
    --    commit only. A posting refused below has its transfers deleted with its claim.
    WITH accounts AS (
        SELECT a.code, a.id, (p_salt + a.id) % a.shards AS shard, a.unit
        FROM ledger_account a
        WHERE a.code IN (SELECT s.code
                         FROM jsonb_array_elements(p_postings) AS p(x),
                              jsonb_array_elements(p.x->'t') AS t(x),
                              LATERAL (VALUES (t.x->>'d'), (t.x->>'c')) AS s(code))
    ), inserted AS (
        INSERT INTO ledger_transfer (id, batch_id, debit_account_id, debit_shard, credit_account_id,
                                     credit_shard, amount, unit, kind, reason, pending_id, metadata,
                                     created_at)
        SELECT e.x->>'i', p.x->>'b', d.id, d.shard, c.id, c.shard, (e.x->>'a')::bigint, d.unit,
               CASE WHEN (e.x->>'p')::boolean THEN 'pending' ELSE 'posted' END, e.x->>'r', NULL,
               (e.x->'m')::json, p_now
        FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS p(x, po)
        CROSS JOIN LATERAL jsonb_array_elements(p.x->'t') WITH ORDINALITY AS e(x, o)
        JOIN accounts d ON d.code = e.x->>'d'
        JOIN accounts c ON c.code = e.x->>'c'
        WHERE (p.x->>'k') = ANY(v_claimed)
        ORDER BY p.po, e.o
        RETURNING batch_id, id, seq, unit
    )
    SELECT jsonb_object_agg(batch_id, seqs) INTO v_seqs FROM (
        SELECT batch_id, jsonb_object_agg(id, jsonb_build_array(seq, unit)) AS seqs
        FROM inserted GROUP BY batch_id) AS per_batch;

    -- 3. Lock every balance row the group touches, in (account, shard) order, and read it.
    WITH locked AS (
        SELECT a.code, a.id, b.shard, a.unit, a.allow_negative, a.upper_limit,
               b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending
        FROM ledger_balance b
        JOIN ledger_account a ON a.id = b.account_id AND b.shard = (p_salt + a.id) % a.shards
        WHERE a.code IN (SELECT s.code
                         FROM jsonb_array_elements(p_postings) AS p(x),
                              jsonb_array_elements(p.x->'t') AS t(x),
                              LATERAL (VALUES (t.x->>'d'), (t.x->>'c')) AS s(code))
        ORDER BY b.account_id, b.shard
        FOR UPDATE OF b
    )
    SELECT array_agg(code), array_agg(id), array_agg(shard), array_agg(unit), array_agg(allow_negative),
           array_agg(upper_limit), array_agg(debits_posted), array_agg(credits_posted),
           array_agg(debits_pending), array_agg(credits_pending)
    INTO v_code, v_id, v_shard, v_unit, v_neg, v_lim, v_dp, v_cp, v_dh, v_ch
    FROM locked;
    v_dp0 := v_dp; v_cp0 := v_cp; v_dh0 := v_dh; v_ch0 := v_ch;

    -- 4. The postings in order. A key taken before is a replay or a conflict; otherwise the
    --    rules of ledger.rules after each transfer, in order; a refused posting changes nothing.
    FOR v_i IN 1 .. v_n LOOP
        v_posting := p_postings->(v_i - 1);
        IF v_claimed IS NULL OR NOT ((v_posting->>'k') = ANY(v_claimed)) THEN
            SELECT request_hash INTO v_hash FROM ledger_batch WHERE idempotency_key = v_posting->>'k';
            v_out[v_i] := CASE WHEN v_hash = v_posting->>'h'
                THEN '{"replay": true}'::jsonb ELSE '{"refused": "idempotency_conflict"}'::jsonb END;
            CONTINUE;
        END IF;
        v_transfers := v_posting->'t';
        v_m := jsonb_array_length(v_transfers);
        v_missing := NULL;
        v_ds := '{}'; v_cs := '{}';
        FOR v_j IN 1 .. v_m LOOP
            v_t := v_transfers->(v_j - 1);
            v_d := array_position(v_code, v_t->>'d');
            v_c := array_position(v_code, v_t->>'c');
            IF v_d IS NULL THEN v_missing := v_missing || (v_t->>'d'); END IF;
            IF v_c IS NULL THEN v_missing := v_missing || (v_t->>'c'); END IF;
            v_ds[v_j] := v_d; v_cs[v_j] := v_c;
        END LOOP;
        v_refusal := NULL;
        IF v_missing IS NOT NULL THEN
            SELECT jsonb_build_object('refused', 'not_found', 'accounts', jsonb_agg(DISTINCT m COLLATE "C" ORDER BY m COLLATE "C"))
            INTO v_refusal FROM unnest(v_missing) AS m;
        ELSE
            FOR v_j IN 1 .. v_m LOOP
                v_t := v_transfers->(v_j - 1);
                v_d := v_ds[v_j]; v_c := v_cs[v_j];
                IF v_unit[v_d] <> v_unit[v_c] THEN
                    v_refusal := jsonb_build_object('refused', 'unit_mismatch', 'message',
                        format('%s holds %s, %s holds %s', v_t->>'d', v_unit[v_d], v_t->>'c', v_unit[v_c]));
                    EXIT;
                END IF;
                v_amount := (v_t->>'a')::bigint;
                v_pending := (v_t->>'p')::boolean;
                IF v_pending THEN v_dh[v_d] := v_dh[v_d] + v_amount; ELSE v_dp[v_d] := v_dp[v_d] + v_amount; END IF;
                IF NOT v_neg[v_d] AND v_cp[v_d] - v_dp[v_d] - v_dh[v_d] < 0 THEN
                    v_refusal := jsonb_build_object('refused', 'insufficient_funds', 'account', v_t->>'d',
                        'short_by', v_dp[v_d] + v_dh[v_d] - v_cp[v_d]);
                    EXIT;
                END IF;
                IF v_pending THEN v_ch[v_c] := v_ch[v_c] + v_amount; ELSE v_cp[v_c] := v_cp[v_c] + v_amount; END IF;
                IF v_lim[v_c] IS NOT NULL AND v_cp[v_c] + v_ch[v_c] - v_dp[v_c] > v_lim[v_c] THEN
                    v_refusal := jsonb_build_object('refused', 'limit_exceeded', 'account', v_t->>'c',
                        'over_by', v_cp[v_c] + v_ch[v_c] - v_dp[v_c] - v_lim[v_c]);
                    EXIT;
                END IF;
            END LOOP;
        END IF;
        IF v_refusal IS NULL THEN
            v_ok[v_i] := true;
            v_any_ok := true;
            v_dp0 := v_dp; v_cp0 := v_cp; v_dh0 := v_dh; v_ch0 := v_ch;  -- the totals so far
        ELSE
            v_out[v_i] := v_refusal;
            v_refused := v_refused || (v_posting->>'b');
            v_dp := v_dp0; v_cp := v_cp0; v_dh := v_dh0; v_ch := v_ch0;  -- back to before it
        END IF;
    END LOOP;

    IF cardinality(v_refused) > 0 THEN
        DELETE FROM ledger_transfer WHERE batch_id = ANY(v_refused);
        DELETE FROM ledger_batch WHERE id = ANY(v_refused);
    END IF;
    IF NOT v_any_ok THEN
        RETURN to_jsonb(v_out);
    END IF;

    -- 5. The totals of the accepted postings.
    UPDATE ledger_balance b
    SET debits_posted = u.dp, credits_posted = u.cp, debits_pending = u.dh, credits_pending = u.ch
    FROM unnest(v_id, v_shard, v_dp, v_cp, v_dh, v_ch) AS u(id, shard, dp, cp, dh, ch)
    WHERE b.account_id = u.id AND b.shard = u.shard
      AND (b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending)
          IS DISTINCT FROM (u.dp, u.cp, u.dh, u.ch);

    FOR v_i IN 1 .. v_n LOOP
        IF v_ok[v_i] THEN
            v_out[v_i] := jsonb_build_object('seqs', v_seqs->(p_postings->(v_i - 1)->>'b'));
        END IF;
    END LOOP;
    RETURN to_jsonb(v_out);
END;
$fn$;

"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_previous().FUNCTION)


def _previous() -> ModuleType:
    # The function as 20261204_ledger_post_lean made it (a revision is not importable by name).
    path = Path(__file__).with_name("20261204_ledger_post_lean.py")
    spec = importlib.util.spec_from_file_location("_ledger_post_lean", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

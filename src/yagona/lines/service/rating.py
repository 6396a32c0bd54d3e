"""Rating: usage records (calls, SMS, data) priced by the rules and charged to the line, in
batches of a few round trips; and a line's usage history with its charges."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from yagona.catalog import service as catalog
from yagona.kernel.errors import InsufficientFundsError, LimitExceededError, YagonaError
from yagona.kernel.fingerprint import request_fingerprint
from yagona.ledger import posting as posting_path
from yagona.ledger import service as ledger
from yagona.ledger.schemas import TransferCreate
from yagona.lines import repository, rules
from yagona.lines.errors import IdempotencyConflictError, InvalidRequestError, LineNotFoundError
from yagona.lines.events import UsageRated
from yagona.lines.repository import rating as group_rounds
from yagona.lines.schemas import UsageKind, UsageRecord, UsageResult
from yagona.lines.service._base import REVENUE, account_of, as_mb, normalised, rating_rules, require_active
from yagona.platform.db import pipelines
from yagona.platform.uow import UnitOfWork

USAGE_PAGE_MAX = 100


def call(uow: UnitOfWork, *, msisdn: str, to: str, seconds: int, record_id: str) -> UsageResult:
    """An outgoing call: per started minute, at most 60 minutes, bundles first."""
    return rate_usage(uow, record=_record(id=record_id, msisdn=msisdn, type="voice", to=to, seconds=seconds))


def incoming_call(uow: UnitOfWork, *, msisdn: str, caller: str, seconds: int, record_id: str) -> UsageResult:
    """Incoming calls are free, never use the bundle, and come through at any balance."""
    return rate_usage(uow, record=_record(id=record_id, msisdn=msisdn, type="incoming", caller=caller, seconds=seconds))


def sms(uow: UnitOfWork, *, msisdn: str, to: str, record_id: str) -> UsageResult:
    return rate_usage(uow, record=_record(id=record_id, msisdn=msisdn, type="sms", to=to))


def data(
    uow: UnitOfWork,
    *,
    msisdn: str,
    mb: Any,
    tasix: bool,
    record_id: str,
    ip: str | None = None,
    host: str | None = None,
    vpn: bool = False,
) -> UsageResult:
    """One data session: TAS-IX traffic uses the TAS-IX bundle first (not through a VPN); free
    state resources cost nothing; per MB pro rata after the bundles."""
    return rate_usage(
        uow, record=_record(id=record_id, msisdn=msisdn, type="data", mb=mb, tasix=tasix, ip=ip, host=host, vpn=vpn)
    )


def parse_record(fields: Mapping[str, Any]) -> UsageRecord:
    """A usage record from a channel's fields; what does not validate is invalid_request,
    in plain words naming the field."""
    try:
        return UsageRecord.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidRequestError(
            str(first["msg"]).removeprefix("Value error, "), field=".".join(map(str, first["loc"])) or "record"
        ) from None


def _record(**fields: Any) -> UsageRecord:
    return parse_record(fields)


def rate_usage(uow: UnitOfWork, *, record: UsageRecord) -> UsageResult:
    """Rate one usage record; a refusal raises (and the caller's unit of work writes nothing)."""
    [outcome] = rate_usages(uow, records=[record])
    if isinstance(outcome, YagonaError):
        raise outcome
    return outcome


def rate_raw(uow: UnitOfWork, *, records: Sequence[Mapping[str, Any]]) -> list[UsageResult | YagonaError]:
    """Rate a batch as a channel received it: a record that does not validate is answered with
    its refusal, the others are rated (one bad record does not reject the batch)."""
    if len(records) > uow.limits.batch_size_max:
        raise InvalidRequestError(
            f"a batch holds at most {uow.limits.batch_size_max} usage records",
            field="records",
            limit=uow.limits.batch_size_max,
        )
    parsed: list[UsageRecord | YagonaError] = []
    for fields in records:
        try:
            parsed.append(parse_record(fields))
        except YagonaError as error:
            parsed.append(error)
    valid = [p for p in parsed if isinstance(p, UsageRecord)]
    rated = iter(rate_usages(uow, records=valid))
    return [p if isinstance(p, YagonaError) else next(rated) for p in parsed]


def rate_usages(
    uow: UnitOfWork, *, records: Sequence[UsageRecord], last: bool = False
) -> list[UsageResult | YagonaError]:
    """Rate a batch of usage records (a CDR file, a bus fetch) with a few round trips in all.

    Each record is rated exactly as alone, in order; a refused record is answered with its
    error and writes nothing, the others go ahead. A record id seen before is a replay: the
    stored result, charged once. `last`: nothing is written in `uow` after these records and
    the caller commits it at once — on PostgreSQL the COMMIT then goes with the group's
    writes (a round trip less); else `uow` is never committed here.
    """
    if len(records) > uow.limits.batch_size_max:
        raise InvalidRequestError(
            f"a batch holds at most {uow.limits.batch_size_max} usage records",
            field="records",
            limit=uow.limits.batch_size_max,
        )
    if pipelines(uow.session):  # two round trips, the COMMIT in the second
        return _rate_on_postgres(uow, records, commit=last)
    now = uow.clock.now()
    batch = _RatingBatch(uow, _read(uow, records, now), now)
    outcomes = batch.rate_all(records)
    batch.write()
    return outcomes


def _read(uow: UnitOfWork, records: Sequence[UsageRecord], now: datetime) -> group_rounds.RatingReads:
    """What a batch reads before it rates, statement by statement (SQLite's path)."""
    session = uow.session
    seen = repository.usage_rows(session, [record.id for record in records])
    lines = repository.lines_for_rating(session, {record.msisdn for record in records})
    bundles = repository.bundles_for_lines(session, [line.id for line in lines.values()], now)
    balances = ledger.posted_balances(uow, codes=[account_of(m) for m in lines])
    return group_rounds.RatingReads(seen, lines, bundles, list(balances.items()))


# A group's charge the ledger refused since the balances it was rated on moved after they
# were read (without the ledger's lock: a concurrent top-up or charge): the group wrote
# nothing, and is rated again on the balances as they are now — at most this many times.
_RATINGS_MAX = 3
_MOVED = (InsufficientFundsError, LimitExceededError)


def _rate_on_postgres(
    uow: UnitOfWork, records: Sequence[UsageRecord], *, commit: bool
) -> list[UsageResult | YagonaError]:
    """PostgreSQL: the reads in one round trip, the rules in Python, then the ledger's
    posting and the group's rows in one statement (with the COMMIT when `commit`)."""
    for attempt in range(1, _RATINGS_MAX + 1):
        now = uow.clock.now()
        codes = sorted({account_of(record.msisdn) for record in records})
        reads = group_rounds.lock_and_read(
            uow.session, [record.id for record in records], {record.msisdn for record in records}, now,
            ledger_sql=posting_path.POSTED_BALANCES_SQL, ledger_params={"codes": codes},
        )  # fmt: skip
        batch = _RatingBatch(uow, reads, now)
        outcomes = batch.rate_all(records)
        refusal = batch.post_and_write(commit=commit)
        if refusal is None:
            return outcomes
        if not isinstance(refusal, _MOVED) or attempt == _RATINGS_MAX:
            raise refusal  # as `ledger.post` raises it on the statement-by-statement path
    raise AssertionError("unreachable")


class _RatingBatch:
    """The state a batch of usage records reads once, rates in memory, and writes once."""

    def __init__(self, uow: UnitOfWork, reads: group_rounds.RatingReads, now: datetime) -> None:
        self.uow, self.now = uow, now
        self.seen: dict[str, Any] = dict(reads.seen)
        self.lines = reads.lines
        self.bundles = reads.bundles
        # the balances of the lines found (a line's missing account: not_found, as ledger.posted_balances)
        self.balances = posting_path.posted_balances_of([account_of(m) for m in self.lines], reads.ledger_rows)
        self.usages: list[dict[str, Any]] = []
        self.events: list[UsageRated] = []
        self.charges: list[TransferCreate] = []
        self.changed: dict[int, int] = {}  # bundle id → what is left

    def rate_all(self, records: Sequence[UsageRecord]) -> list[UsageResult | YagonaError]:
        outcomes: list[UsageResult | YagonaError] = []
        for record in records:
            try:
                outcomes.append(self.rate(record))
            except YagonaError as error:
                outcomes.append(error)
        return outcomes

    def rate(self, record: UsageRecord) -> UsageResult:
        fingerprint = request_fingerprint(record.model_dump(mode="json", exclude={"id"}))
        if record.id in self.seen:  # a repeated record is charged once
            stored = self.seen[record.id]
            if stored.request_hash != fingerprint:
                raise IdempotencyConflictError(f"usage record {record.id} was posted with other details")
            return usage_result(stored, self.balances.get(account_of(record.msisdn), 0))
        line = self.lines.get(record.msisdn)
        if line is None:
            raise LineNotFoundError(f"no line {record.msisdn}", msisdn=record.msisdn)
        if record.type != "incoming":
            require_active(line)
        plan = catalog.get_plan(line.plan_id)
        bundles = self.bundles.get(line.id, [])
        remaining: dict[str, int] = {}
        for bundle in bundles:
            remaining[bundle.key] = remaining.get(bundle.key, 0) + bundle.remaining
        code = account_of(line.msisdn)
        kind, destination, rated = rules.price(
            record,
            plan,
            _look_up(record),
            remaining=remaining,
            available=self.balances[code],
            unit_seconds=rating_rules().call_unit_seconds,
            max_call_seconds=rating_rules().max_call_seconds,
        )
        self.changed.update(repository.take(bundles, rated.from_bundle))
        if rated.charge_tiyin:
            self.balances[code] -= rated.charge_tiyin
            self.charges.append(
                TransferCreate(
                    debit=code,
                    credit=REVENUE,
                    amount=rated.charge_tiyin,
                    reason=f"usage.{kind}",
                    metadata={"record": record.id},
                )
            )
        usage = {
            "record_id": record.id,
            "line_id": line.id,
            "kind": kind,
            "destination": destination,
            "quantity": record.seconds or 1,
            "units": rated.units,
            "from_bundle": rated.bundle_units,
            "charged": rated.charge_tiyin,
            "request_hash": fingerprint,
            "rated_at": self.now,
        }
        self.usages.append(usage)
        self.seen[record.id] = SimpleNamespace(**usage)
        self.events.append(
            UsageRated(
                occurred_at=self.now,
                msisdn=line.msisdn,
                kind=kind,
                units=rated.units,
                charged_tiyin=rated.charge_tiyin,
                destination=destination,
            )
        )
        return usage_result(self.seen[record.id], self.balances[code], cut=rated.cut)

    def write(self) -> None:
        repository.save_remaining(self.uow.session, self.changed)
        repository.insert_usages(self.uow.session, self.usages)
        # The outbox rows in one Core statement, in the order rated (before the ledger's own
        # rows, as before): no ORM object a record to build and flush at commit.
        self.uow.add_events(self.events)
        if self.charges:
            ledger.post(self.uow, transfers=self.charges, idempotency_key=self.key())

    def key(self) -> str:
        """The group's posting's idempotency key: the records it charges, in order."""
        return "lines.usage:" + hashlib.sha256("|".join(u["record_id"] for u in self.usages).encode()).hexdigest()

    def post_and_write(self, *, commit: bool) -> YagonaError | None:
        """PostgreSQL: the group's one posting (all its charges) and, in the same statement,
        its bundles, usage rows and outbox rows — only if the ledger accepted the posting. Its
        refusal (the group wrote nothing), or None."""
        if not (self.usages or self.changed or self.charges):
            return None  # only replays and refusals: nothing to write (the caller's commit ends it)
        checked = posting_path.checked(self.uow, self.charges, self.key()) if self.charges else None
        call = posting_path.GroupCall([checked], self.uow.clock.now()) if checked else None
        rows = [self.uow.event_row(event) for event in self.events]
        answers, written = group_rounds.post_and_insert_usages(
            self.uow.session,
            posting=group_rounds.GroupPosting(call.now, call.salt, call.postings) if call else None,
            remaining=self.changed, usages=self.usages, events=[row for row in rows if row is not None], commit=commit,
        )  # fmt: skip
        if checked is not None and call is not None:
            [outcome] = call.outcomes(answers or [])
            try:
                ledger.answer(self.uow, checked, outcome)
            except YagonaError as refusal:
                return refusal
        if written != len(self.usages):
            raise AssertionError("a group the ledger accepted without its usage rows")
        for event, row in zip(self.events, rows, strict=True):
            if row is not None:  # written: its consumers run after the commit, as add_event's
                self.uow.deliver_after_commit(event)
        return None


def _look_up(record: UsageRecord) -> rules.Looked:
    """What the catalogue says about the record's number, host and server."""
    if record.type == "data":
        return rules.Looked(
            free_host=record.host is not None and catalog.is_free_resource(record.host),
            tasix_server=record.ip is not None and catalog.is_tasix(record.ip),
        )
    number = record.caller if record.type == "incoming" else record.to
    if number is None:
        raise InvalidRequestError("from is required for this usage type", field="from")
    return rules.Looked(destination=catalog.classify_number(number))


def usage_result(usage: Any, balance_tiyin: int, *, cut: bool = False) -> UsageResult:
    """`usage` is a stored row or the values just inserted: the same fields either way."""
    in_mb = usage.kind == "data"
    return UsageResult(
        record_id=usage.record_id,
        kind=usage.kind,
        destination=usage.destination,
        units=as_mb(usage.units) if in_mb else usage.units,
        from_bundle=as_mb(usage.from_bundle) if in_mb else usage.from_bundle,
        charged_tiyin=usage.charged,
        balance_tiyin=balance_tiyin,
        cut=cut,
    )


def usage_history(
    uow: UnitOfWork, *, msisdn: str, kind: UsageKind | None = None, before: int | None = None, limit: int = 50
) -> tuple[list[tuple[int, datetime, UsageResult]], int | None]:
    """A line's rated uses with what each charged, newest first, at most `USAGE_PAGE_MAX` a
    page: (id, rated at, result) rows and the cursor of the next page (None at the end)."""
    if not 1 <= limit <= USAGE_PAGE_MAX:
        raise InvalidRequestError(f"a page holds 1 to {USAGE_PAGE_MAX} uses", field="limit", limit=USAGE_PAGE_MAX)
    line = repository.line(uow.session, normalised(msisdn))
    if line is None:
        raise LineNotFoundError(f"no line {msisdn}", msisdn=msisdn)
    rows = repository.usage_page(uow.session, line.id, kind=kind, before=before, limit=limit + 1)
    page = rows[:limit]
    items = [(row.id, row.rated_at, usage_result(row, 0)) for row in page]
    return items, (page[-1].id if len(rows) > limit else None)

"""The conversation of a USSD session, whoever carries it: the gateway endpoint, the
terminal emulator (`yagona ussd MSISDN`) and the sandbox (`line.ussd`) all come here.

A gateway sends, for every page, the code dialled and everything typed since the start
joined by `*`; the session row remembers how many of those inputs it has answered and where
the phone is (a stack of screens and a page), never the inputs themselves — a PIN passes
through to the wallet and is gone. The same request again (a gateway's retry) gets the same
answer without acting twice. An answer outside the menu shows the same page with a short
hint; `0` goes back (a page, then a screen), `00` to the top of `*111#`, `9` to the next page.
A refusal of a domain is said in the customer's language: inside the menu as a page with a
way back, after a bare code as the session's last word. Nothing here holds a rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from yagona.app.ussd import screens
from yagona.app.ussd.models import UssdLanguage, UssdSession
from yagona.app.ussd.pages import fit, paginate
from yagona.app.ussd.screens import Caller, Done, Home, Move, Push, View
from yagona.app.ussd.texts import LANGUAGES, say
from yagona.crm import service as crm
from yagona.identity import service as identity
from yagona.identity.schemas import CustomerRead
from yagona.kernel.errors import YagonaError
from yagona.kernel.ids import new_id
from yagona.kernel.phone import normalise_msisdn
from yagona.lines import service as lines
from yagona.platform.i18n import localize
from yagona.platform.uow import UnitOfWork

INPUTS_MAX = 60  # inputs in one session; past it the session ends
KEEP_ENDED = timedelta(days=1)  # session rows older than this are removed when a new one starts

Frame = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Reply:
    """What the phone shows; `end` closes the session; `secret`: the next answer is a PIN."""

    text: str
    end: bool
    secret: bool = False

    def wire(self) -> str:
        """The aggregator convention: `CON …` continues, `END …` finishes."""
        return ("END " if self.end else "CON ") + self.text


@dataclass
class Conversation:
    caller: Caller
    stack: list[Frame] = field(default_factory=list)
    page: int = 0
    hint: bool = False
    summary: str | None = None  # the first action's description, for the timeline
    subject: tuple[str, str | None] = ("line", None)

    @property
    def in_menu(self) -> bool:
        return bool(self.stack) and self.stack[0][0] == "main"

    # --- moving ------------------------------------------------------------------------------

    def act(self, work: Callable[[], Move]) -> None:
        """Run a screen's answer (which may write) inside a savepoint: a refusal leaves nothing
        behind but its own security record (a counted wrong PIN: `YagonaError.persist`)."""
        savepoint = self.caller.uow.session.begin_nested()
        try:
            move = work()
        except YagonaError as error:
            if error.persist:
                savepoint.commit()
            else:
                savepoint.rollback()
            self.refuse(error)
            return
        savepoint.commit()
        self.apply(move)

    def apply(self, move: Move) -> None:
        self.page, self.hint = 0, False
        if move is None:
            self.hint = True
        elif isinstance(move, Push):
            self.stack.append((move.name, dict(move.args)))
        elif isinstance(move, Done):
            if self.summary is None:
                self.summary, self.subject = move.summary, (move.subject_kind, move.subject_id)
            self.stack.append(("done", {"text": move.text}))
        elif isinstance(move, Home):
            self.stack = [("main", {})]

    def refuse(self, error: YagonaError) -> None:
        text = localize(error, self.caller.language)
        self.page, self.hint = 0, False
        if self.in_menu:
            self.stack.append(("notice", {"text": text}))
        else:
            self.stack = [("notice", {"text": text, "end": "1"})]

    def answer(self, typed: str) -> None:
        view = self.view()
        self.hint = False
        pages = self.pages(view)
        if typed == "00":
            self.stack, self.page, self.hint = [("main", {})], 0, False
        elif typed == "9" and self.page < len(pages) - 1:
            self.page, self.hint = self.page + 1, False
        elif typed == "0" and self.page > 0:
            self.page, self.hint = self.page - 1, False
        elif typed == "0" and len(self.stack) > 1:
            self.stack.pop()
            self.page, self.hint = 0, False
        elif typed == "0" and not self.in_menu:
            text = say(self.caller.language, "cancelled")
            self.stack, self.page, self.hint = [("notice", {"text": text, "end": "1"})], 0, False
        elif view.end:
            return  # the session is over: a late input changes nothing
        else:
            name, args = self.stack[-1]
            _, choose = screens.SCREENS[name]
            self.act(lambda: choose(self.caller, args, typed))

    # --- showing -----------------------------------------------------------------------------

    def view(self) -> View:
        """The top screen; a screen that cannot be shown (a refused switch, no wallet) gives
        way to the refusal."""
        for _ in range(3):
            name, args = self.stack[-1]
            render, _ = screens.SCREENS[name]
            try:
                return render(self.caller, args)
            except YagonaError as error:
                self.stack.pop()
                self.refuse(error)
        raise AssertionError("a refusal page could not be shown")

    def footer(self, view: View) -> list[str]:
        language = self.caller.language
        if view.end:
            return []
        if len(self.stack) == 1:
            return [] if self.in_menu else [say(language, "cancel")]
        return [say(language, "back"), say(language, "main")]

    def pages(self, view: View) -> list[str]:
        language = self.caller.language
        shown = view.lines
        if self.hint:  # the same page again, a short hint first
            shown = (say(language, "hint_input" if view.typed else "hint"), *shown)
        return paginate(
            shown, footer=self.footer(view), next_label=say(language, "next"), back_label=say(language, "back")
        )

    def reply(self) -> Reply:
        view = self.view()
        pages = self.pages(view)
        self.page = min(self.page, len(pages) - 1)
        return Reply(text=pages[self.page], end=view.end and self.page == len(pages) - 1, secret=view.secret)


# --- the session ------------------------------------------------------------------------------


def language_of(uow: UnitOfWork, msisdn: str, customer: CustomerRead | None) -> str:
    """The One ID profile's language; else what this phone chose in the menu; else Uzbek."""
    if customer is not None:
        return customer.language.value
    kept = uow.session.get(UssdLanguage, msisdn)
    return kept.language if kept is not None else "uz"


def keep_language(uow: UnitOfWork, msisdn: str, customer_id: str | None, language: str) -> None:
    assert language in LANGUAGES
    if customer_id is not None:
        identity.set_language(uow, customer_id=customer_id, language=language)
        return
    kept = uow.session.get(UssdLanguage, msisdn)
    if kept is None:
        uow.session.add(UssdLanguage(msisdn=msisdn, language=language, updated_at=uow.clock.now()))
    else:
        kept.language, kept.updated_at = language, uow.clock.now()


def respond(
    uow: UnitOfWork,
    *,
    gateway: str,
    session_ref: str,
    service_code: str,
    phone: str,
    text: str,
    timeout_s: float,
) -> Reply:
    """One request of a gateway: the page to show. Writes the session (and what an action
    did) in `uow`; the caller commits. Never raises a domain's refusal: it is a page."""
    msisdn = normalise_msisdn(phone)
    if msisdn is None:
        return Reply(say("uz", "no_line"), end=True)
    found = identity.find_customer_by_phone(uow, phone=msisdn)
    customer_id = found.id if found is not None else None
    language = language_of(uow, msisdn, found)
    if not lines.exists(uow, msisdn):
        return Reply(say(language, "no_line"), end=True)
    inputs = text.split("*") if text else []
    code = "".join(service_code.split())
    now = uow.clock.now()
    row, created = _session(uow, gateway=gateway, session_ref=session_ref, msisdn=msisdn, code=code)
    if row.msisdn != msisdn:
        return Reply(say(language, "cancelled"), end=True)  # another phone's session id: not ours to continue
    fresh = created or row.updated_at + timedelta(seconds=timeout_s) < now
    if created:
        new_inputs = inputs
    elif fresh:  # timed out: the phone starts again at the top, whatever it typed before
        row.stack, row.page, row.inputs_seen, row.started_at = [], 0, len(inputs), now
        new_inputs = []
    elif len(inputs) <= row.inputs_seen:
        return _replayed(row.last_reply)  # the same request again: the same answer, nothing done twice
    else:
        new_inputs = inputs[row.inputs_seen :]
    caller = Caller(uow, msisdn, language, customer_id, key=f"ussd:{row.id}:{len(inputs)}")
    talk = Conversation(caller, stack=[(name, dict(args)) for name, args in row.stack], page=row.page)
    if fresh:
        talk.act(lambda: screens.start(caller, code))
    for typed in new_inputs[:INPUTS_MAX]:
        talk.answer(typed.strip())
    reply = talk.reply() if talk.stack else Reply(say(language, "cancelled"), end=True)
    if len(inputs) > INPUTS_MAX:
        reply = Reply(fit(reply.text), end=True)
    if caller.language != language:
        keep_language(uow, msisdn, customer_id, caller.language)
    if customer_id is not None and not row.recorded and (talk.summary is not None or reply.end):
        kind, subject = talk.subject
        crm.record_interaction(
            uow,
            customer_id=customer_id,
            channel="ussd",
            direction="in",
            summary=talk.summary or f"USSD {code}: {talk.stack[-1][0] if talk.stack else 'ended'}",
            subject_kind=kind,
            subject_id=subject or msisdn,
        )
        row.recorded = True
    row.stack = [[name, args] for name, args in talk.stack]
    row.page, row.inputs_seen, row.updated_at = talk.page, len(inputs), now
    row.last_reply = reply.wire()
    return reply


def _locked(uow: UnitOfWork, gateway: str, session_ref: str) -> UssdSession | None:
    return uow.session.scalars(
        select(UssdSession)
        .where(UssdSession.gateway == gateway, UssdSession.session_ref == session_ref)
        .with_for_update()
    ).one_or_none()


def _session(uow: UnitOfWork, *, gateway: str, session_ref: str, msisdn: str, code: str) -> tuple[UssdSession, bool]:
    """The session's row, locked until the caller commits (and whether it is new): a second
    request of the same session at once (a gateway's retry while the first is in flight)
    waits for the first, then finds its answer — one action, one state. Two first requests
    at once: the unique (gateway, sessionId) lets one insert; the other waits for it, is
    refused in a savepoint, and takes the row the first wrote."""
    row = _locked(uow, gateway, session_ref)
    if row is not None:
        return row, False
    now = uow.clock.now()
    uow.session.execute(delete(UssdSession).where(UssdSession.updated_at < now - KEEP_ENDED))
    row = UssdSession(
        id=new_id(), gateway=gateway, session_ref=session_ref, msisdn=msisdn, service_code=code[:20],
        inputs_seen=0, stack=[], page=0, last_reply="", recorded=False, started_at=now, updated_at=now,
    )  # fmt: skip
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
    except IntegrityError:
        other = _locked(uow, gateway, session_ref)
        if other is None:  # pragma: no cover - the row that refused ours is gone again
            raise
        return other, False
    return row, True


def _replayed(wire: str) -> Reply:
    end = wire.startswith("END ")
    return Reply(wire[4:], end=end)


def dial_once(uow: UnitOfWork, *, msisdn: str, code: str, language: str = "uz") -> tuple[str, str | None]:
    """A code dialled and confirmed in one go (the sandbox's `line.ussd`): the same screens and
    actions as a session; a refusal is raised, as the sandbox reports it. Returns the text and
    the action done (None for a query)."""
    caller = Caller(uow, msisdn, language, None, key=f"ussd:{new_id()}")
    move = screens.start(caller, "".join(code.split()))
    if isinstance(move, Push):
        render, choose = screens.SCREENS[move.name]
        view = render(caller, move.args)
        if view.end:
            return view.lines[0], None
        move = choose(caller, move.args, "1")  # the confirmation
    assert isinstance(move, Done), f"{code} needs more than a confirmation"
    return move.text, move.action

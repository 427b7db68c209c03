"""Email exactly once over Graph: each message by its idempotency key, each ``$batch`` item alone.

Graph's ``sendMail`` has no idempotency key of its own, and a failure does not say the mail
did not go: a 5xx or a lost reply can come after Exchange accepted it, and a crash can fall
between the send and our record of it. So every message carries its outbox key (a named
extended property, see ``graph.convert.OUTBOX_KEY_PROPERTY``), the store marks it
``sending`` before each attempt, and before any resend of a message whose outcome is
unclear the sending mailbox is asked whether a copy with that key exists.

Sent Items' lag, and how it is waited for: ``sendMail`` saves the message in the sender's
Drafts before it answers 202, and transport moves it to Sent Items afterwards, seconds or
(under load) minutes later. The lookup asks Drafts, then Sent Items, so a message in
transit is found in one or the other. What cannot be seen at once is a request still being
worked on when its answer was lost (a client timeout, or a crash mid-request): such a send
is given ``unclear_wait`` from its attempt before the lookup may conclude it never went.
A send that got an answer (429, 5xx) has finished on Graph's side, so it is looked up at
once, after any ``Retry-After``.

In a ``$batch`` each item's outcome is recorded alone: the items that went are sent for
good, and each failed one is retried by itself, never with the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.core.errors import RemoteServiceError
from bot.core.mailbox import OutgoingMail
from bot.store.outbox import NOT_SENT, SENDING, SENT, UNCLEAR, Delivery

logger = logging.getLogger(__name__)

ATTEMPTS = 4  # sends of one message per call, the first included
BACKOFF = timedelta(seconds=1)  # before the second attempt, doubled after, unless Retry-After
UNCLEAR_WAIT = timedelta(minutes=2)  # see the module's note on Sent Items' lag
STEP_PREFIX = "email:"  # timeline step ids of the outbox's own lines


class MailGraph(Protocol):
    """The Graph calls delivery needs (``graph.gateway.GraphGateway`` has them)."""

    def send_mail(self, sender_mailbox: str, mail: OutgoingMail) -> Awaitable[None]:
        """Send one message, once."""

    def send_mails(
        self, sender_mailbox: str, mails: Sequence[OutgoingMail]
    ) -> Awaitable[list[int]]:
        """Send several in one ``$batch``; each one's status, in order."""

    def find_sent(self, sender_mailbox: str, key: str, since: datetime) -> Awaitable[bool]:
        """Whether the mailbox holds a message with ``key`` made since ``since``."""


class DeliveryLog(Protocol):
    """Where delivery keeps each message's standing and its log (``OutboxRecords``)."""

    def delivery(self, key: str) -> Delivery | None:
        """Where the message stands, or None if never tried."""

    def begin(self, key: str, *, conference_id: int | None, sender: str, purpose: str) -> Delivery:
        """Mark it ``sending`` before an attempt."""

    def settle(self, key: str, state: str) -> None:
        """Mark it ``sent`` or ``not_sent``."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One email on its way: who it is from, what it is about, and who it is to, in words."""

    conference_id: int | None
    sender: str
    mail: OutgoingMail  # with its key set
    after: Callable[[], object] | None
    recipients: str  # "Mother and Social worker": for the timeline, never an address


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an attempt failed, and what that says about whether the mail went."""

    reason: str  # "Graph answered 503", "no answer from Graph (ReadTimeout)"
    status: int | None = None  # None: none known
    retry_after: timedelta | None = None
    answered: bool = False  # Graph answered, so it has finished with the request

    @property
    def unclear(self) -> bool:
        """Whether the mail may have gone: anything but Graph refusing the request itself."""
        return self.status is None or not (400 <= self.status < 500) or self.status in (408, 429)

    @classmethod
    def of_status(cls, status: int) -> Failure:
        """A ``$batch`` item's failure (0: its answer was missing)."""
        if status == 0:
            return cls("no answer for it in the $batch")
        return cls(f"Graph answered {status}", status, answered=True)

    @classmethod
    def of_error(cls, err: BaseException) -> Failure:
        """A failure from the exception a send raised."""
        if not isinstance(err, RemoteServiceError):
            return cls(type(err).__name__, 400, answered=True)  # ours, before anything went out
        status = getattr(err, "status", None)
        wait = getattr(err, "retry_after", None)
        retry_after = wait if isinstance(wait, timedelta) and wait > timedelta(0) else None
        if isinstance(status, int) and status:
            return cls(f"Graph answered {status}", status, retry_after, answered=True)
        return cls(f"no answer from Graph ({type(err).__name__})", None, retry_after)


# A line for the conference's timeline: (conference id, kind, step id, detail).
Note = Callable[[int, str, str, dict[str, object]], None]
Record = Callable[[Outgoing, str, str], None]  # the outbox's log row: (item, state, detail)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MailDelivery:
    """Sends emails exactly once, checking the mailbox before resending an unclear one."""

    def __init__(
        self,
        graph: MailGraph,
        log: DeliveryLog,
        record: Record,
        note: Note | None = None,
        *,
        unclear_wait: timedelta = UNCLEAR_WAIT,
        backoff: timedelta = BACKOFF,
        attempts: int = ATTEMPTS,
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.graph = graph
        self.log = log
        self.record = record
        self.note = note
        self.unclear_wait = unclear_wait
        self.backoff = backoff
        self.attempts = attempts
        self.clock = clock
        self.sleep = sleep

    async def many(self, items: Sequence[Outgoing]) -> int:
        """Send each item once, fresh ones together per sender; returns how many failed."""
        fresh: list[Outgoing] = []
        alone: list[tuple[Outgoing, Failure | None]] = []
        for item in items:
            known = self.log.delivery(item.mail.key)
            if known is None or known.state == NOT_SENT:
                fresh.append(item)
            else:  # sent already, or perhaps: settled one by one
                alone.append((item, None))
        for sender in dict.fromkeys(i.sender for i in fresh):
            group = [i for i in fresh if i.sender == sender]
            if len(group) == 1:
                alone.append((group[0], None))
                continue
            alone += await self._batch(sender, group)
        failed = 0
        for item, failure in alone:
            try:
                await self.one(item, failure)
            except Exception:  # recorded and on the timeline; the others still go
                failed += 1
        return failed

    async def _batch(
        self, sender: str, group: list[Outgoing]
    ) -> list[tuple[Outgoing, Failure | None]]:
        """One ``$batch``; returns the items to retry alone, each with why it failed."""
        for item in group:
            self._begin(item)
        try:
            statuses = await self.graph.send_mails(sender, [i.mail for i in group])
        except Exception as err:  # the whole $batch: any item may have gone
            failure = Failure.of_error(err)
            failure = replace(failure, reason=f"the $batch failed: {failure.reason}")
            statuses = [0] * len(group)
            failures = [failure] * len(group)
        else:
            failures = [Failure.of_status(s) for s in statuses]
        retry: list[tuple[Outgoing, Failure | None]] = []
        for item, status, failure in zip(group, statuses, failures, strict=True):
            if 200 <= status < 300:
                self._sent(item)
                continue
            self.record(item, "failed", failure.reason)
            self._settle_failure(item, failure)
            if not failure.unclear:
                self._give_up(item, failure)
                continue
            self._retrying(item, failure, 1)
            retry.append((item, failure))
        return retry

    async def one(self, item: Outgoing, failure: Failure | None = None) -> None:
        """Send one item once; raise if it cannot be sent now (recorded for a retry)."""
        key = item.mail.key
        known = self.log.delivery(key)
        if known is not None and known.state == SENT:
            self._done(item)
            return
        if failure is None and known is not None and known.state == SENDING:
            failure = Failure("no answer recorded (confbot stopped mid-send, or Graph was silent)")
        elif failure is None and known is not None and known.state == UNCLEAR:
            failure = Failure("an earlier attempt failed", answered=True)
        attempt = known.attempts if known is not None and failure is not None else 0
        while True:
            if failure is not None and known is not None:
                await self._wait(failure, known, attempt)
                if failure.unclear and await self._found(item, known):
                    return
            known = self._begin(item)
            attempt += 1
            try:
                await self.graph.send_mail(item.sender, item.mail)
            except Exception as err:
                failure = Failure.of_error(err)
                self.record(item, "failed", failure.reason)
                self._settle_failure(item, failure)
                if not failure.unclear or not isinstance(err, RemoteServiceError):
                    self._give_up(item, failure)
                    raise
                if attempt >= self.attempts:
                    self._give_up(item, failure)
                    raise
                self._retrying(item, failure, attempt)
                continue
            self._sent(item, after_attempts=known.attempts)
            return

    async def _wait(self, failure: Failure, known: Delivery, attempt: int) -> None:
        """Wait out Retry-After or the backoff, and, with no answer, the time Graph may take."""
        delay = failure.retry_after or self.backoff * (2 ** max(0, attempt - 1))
        if not failure.answered:
            delay = max(delay, known.last_attempt_at + self.unclear_wait - self.clock())
        if delay > timedelta(0):
            await self.sleep(delay.total_seconds())

    async def _found(self, item: Outgoing, known: Delivery) -> bool:
        """Whether an unclear send went after all: its key is in Drafts or Sent Items."""
        try:
            found = await self.graph.find_sent(item.sender, item.mail.key, known.first_attempt_at)
        except Exception as err:
            failure = Failure.of_error(err)
            self.record(item, "failed", f"could not check Sent Items: {failure.reason}")
            self._give_up(item, Failure(f"could not check Sent Items ({failure.reason})"))
            raise
        if not found:
            return False
        self.log.settle(item.mail.key, SENT)
        self.record(item, "sent", "found in Sent Items")
        self._line(
            item,
            "sent",
            f"Email to {item.recipients} had gone after all (found in Sent Items); not sent again",
            attempts=known.attempts,
        )
        self._done(item)
        return True

    def _settle_failure(self, item: Outgoing, failure: Failure) -> None:
        """Certainly not sent; perhaps sent, as Graph answered; or still ``sending`` (no answer)."""
        if not failure.unclear:
            self.log.settle(item.mail.key, NOT_SENT)
        elif failure.answered:
            self.log.settle(item.mail.key, UNCLEAR)

    def _begin(self, item: Outgoing) -> Delivery:
        return self.log.begin(
            item.mail.key,
            conference_id=item.conference_id,
            sender=item.sender,
            purpose=item.mail.purpose,
        )

    def _sent(self, item: Outgoing, after_attempts: int = 1) -> None:
        self.log.settle(item.mail.key, SENT)
        self.record(item, "sent", "")
        if after_attempts > 1:
            # Closes the failure on the status page: "sent" is a done kind for the same step.
            self._line(
                item,
                "sent",
                f"Email to {item.recipients} sent at attempt {after_attempts}",
                attempts=after_attempts,
            )
        self._done(item)

    @staticmethod
    def _done(item: Outgoing) -> None:
        if item.after is not None:
            item.after()

    def _retrying(self, item: Outgoing, failure: Failure, attempt: int) -> None:
        logger.info(
            "email send failed; retrying",
            extra={"conference_id": item.conference_id, "step_id": item.mail.purpose},
        )
        checked = " after checking Sent Items" if failure.unclear else ""
        words = f"Email to {item.recipients} failed ({failure.reason}); trying again{checked}"
        self._line(
            item,
            "email_retry",
            words,
            attempt=attempt,
            reason=words,
        )

    def _give_up(self, item: Outgoing, failure: Failure) -> None:
        logger.warning(
            "email not sent",
            extra={"conference_id": item.conference_id, "step_id": item.mail.purpose},
        )
        words = f"Email to {item.recipients} not sent: {failure.reason}"
        self._line(item, "failed", words, reason=words)

    def _line(self, item: Outgoing, kind: str, words: str, **detail: object) -> None:
        if self.note is None or item.conference_id is None:
            return
        self.note(
            item.conference_id,
            kind,
            f"{STEP_PREFIX}{item.mail.purpose}",
            {"words": words, "purpose": item.mail.purpose, **detail},
        )

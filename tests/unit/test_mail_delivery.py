"""Exactly-once email: each $batch item alone, and an unclear send looked up before a resend.

A fake Graph that keeps a "mailbox" of what really went, over the real store on SQLite, so
each test counts what a recipient would have received.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conference import ConferenceType
from bot.core.errors import RemoteServiceError
from bot.core.mailbox import OutgoingMail, idempotency_key
from bot.runtime.delivery import MailDelivery, Outgoing
from bot.store.database import Database
from bot.store.outbox import NOT_SENT, SENDING, SENT, UNCLEAR, OutboxRecords
from bot.store.repository import Repository

SENDER = "cp.requests@example.org"
CONFERENCE = 1


class Answered(RemoteServiceError):
    """Graph answered with an error status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Graph answered {status}")
        self.status = status


class Silent(RemoteServiceError):
    """No answer came (a timeout)."""

    status = None


@dataclass
class FakeGraph:
    """Graph as far as delivery needs it; ``plan`` scripts each send's fate by key."""

    went: Counter[str] = field(default_factory=Counter)  # key -> copies that really went
    plan: dict[str, list[str]] = field(default_factory=dict)  # key -> fates, first first
    batches: list[list[str]] = field(default_factory=list)
    singles: list[str] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    lookup_fails: bool = False

    def _fate(self, key: str) -> str:
        fates = self.plan.get(key) or ["ok"]
        return fates.pop(0) if len(fates) > 1 else fates[0]

    def _apply(self, key: str) -> int:
        fate = self._fate(key)
        if fate in ("ok", "lost", "silent-after"):
            self.went[key] += 1
        return {"ok": 202, "lost": 503, "refused": 503, "bad": 400, "silent-after": 0}[fate]

    async def send_mail(self, sender_mailbox: str, mail: OutgoingMail) -> None:
        self.singles.append(mail.key)
        status = self._apply(mail.key)
        if status == 0:
            raise Silent("no answer")
        if status >= 400:
            raise Answered(status)

    async def send_mails(self, sender_mailbox: str, mails: Sequence[OutgoingMail]) -> list[int]:
        self.batches.append([m.key for m in mails])
        return [self._apply(m.key) for m in mails]

    async def find_sent(self, sender_mailbox: str, key: str, since: datetime) -> bool:
        self.lookups.append(key)
        if self.lookup_fails:
            raise Answered(500)
        return self.went[key] > 0


@pytest.fixture
def records(tmp_path: Path) -> Iterator[OutboxRecords]:
    database = Database(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    database.upgrade()
    conference = Repository(database).create_conference(
        playbook="lancashire", conference_type=ConferenceType.ICPC
    )
    assert conference.id == CONFERENCE
    yield OutboxRecords(database)
    database.dispose()


@dataclass
class Harness:
    graph: FakeGraph
    records: OutboxRecords
    delivery: MailDelivery
    logged: list[tuple[str, str, str]]
    lines: list[tuple[int, str, str, dict[str, object]]]
    slept: list[float]
    done: list[str]


@pytest.fixture
def world(records: OutboxRecords) -> Harness:
    graph = FakeGraph()
    logged: list[tuple[str, str, str]] = []
    lines: list[tuple[int, str, str, dict[str, object]]] = []
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    delivery = MailDelivery(
        graph,
        records,
        lambda item, state, detail: logged.append((item.mail.purpose, state, detail)),
        lambda cid, kind, step, detail: lines.append((cid, kind, step, detail)),
        unclear_wait=timedelta(minutes=2),
        sleep=sleep,
    )
    return Harness(graph, records, delivery, logged, lines, slept, [])


def item(world: Harness, purpose: str, to: str = "jo.parent@family.example.net") -> Outgoing:
    key = idempotency_key(CONFERENCE, purpose, (to,))
    mail = OutgoingMail(to=(to,), subject="Letter", html_body="<p>Hello</p>", purpose=purpose)
    mail = OutgoingMail(**{**_fields(mail), "key": key})
    return Outgoing(CONFERENCE, SENDER, mail, lambda: world.done.append(purpose), "Mother")


def _fields(mail: OutgoingMail) -> dict[str, object]:
    return {name: getattr(mail, name) for name in mail.__slots__}


async def test_a_batch_item_refused_is_retried_alone_and_the_others_go_once(
    world: Harness,
) -> None:
    letters = [item(world, f"letter:{n}") for n in range(3)]
    world.graph.plan[letters[1].mail.key] = ["refused", "ok"]
    assert await world.delivery.many(letters) == 0
    assert world.graph.batches == [[i.mail.key for i in letters]]
    assert world.graph.singles == [letters[1].mail.key]  # only the failed one, alone
    assert set(world.graph.went.values()) == {1} and len(world.graph.went) == 3
    assert world.done == ["letter:0", "letter:2", "letter:1"]
    assert world.records.delivery(letters[1].mail.key).state == SENT  # type: ignore[union-attr]


async def test_a_batch_item_whose_answer_was_lost_is_found_and_not_sent_again(
    world: Harness,
) -> None:
    letters = [item(world, f"letter:{n}") for n in range(2)]
    world.graph.plan[letters[0].mail.key] = ["lost"]
    assert await world.delivery.many(letters) == 0
    assert world.graph.lookups == [letters[0].mail.key]
    assert world.graph.singles == []
    assert world.graph.went == Counter({letters[0].mail.key: 1, letters[1].mail.key: 1})
    kinds = [kind for _cid, kind, _step, _detail in world.lines]
    assert kinds == ["email_retry", "sent"]
    assert "Email to Mother had gone after all" in str(world.lines[1][3]["words"])
    assert world.lines[0][2] == "email:letter:0"


async def test_a_send_with_no_answer_waits_for_the_mailbox_before_it_is_looked_up(
    world: Harness,
) -> None:
    letter = item(world, "letter:1")
    world.graph.plan[letter.mail.key] = ["silent-after"]
    await world.delivery.one(letter)
    assert world.graph.went[letter.mail.key] == 1
    assert world.graph.singles == [letter.mail.key]
    assert world.graph.lookups == [letter.mail.key]
    assert world.slept and world.slept[0] > 100  # most of the two minutes


async def test_a_send_cut_short_by_a_crash_is_looked_up_on_the_restart(world: Harness) -> None:
    letter = item(world, "letter:1")
    # The last process marked it sending, sent it, and died before recording the answer.
    world.records.begin(letter.mail.key, conference_id=None, sender=SENDER, purpose="letter:1")
    world.graph.went[letter.mail.key] = 1
    await world.delivery.one(letter)
    assert world.graph.singles == []
    assert world.graph.went[letter.mail.key] == 1
    assert world.done == ["letter:1"]  # its timeline line is written now


async def test_a_send_cut_short_before_it_went_is_sent_after_the_lookup(world: Harness) -> None:
    letter = item(world, "letter:1")
    world.records.begin(letter.mail.key, conference_id=None, sender=SENDER, purpose="letter:1")
    await world.delivery.one(letter)
    assert world.graph.lookups == [letter.mail.key]
    assert world.graph.went[letter.mail.key] == 1


async def test_a_sent_message_is_never_sent_again(world: Harness) -> None:
    letter = item(world, "letter:1")
    await world.delivery.one(letter)
    await world.delivery.one(letter)
    assert await world.delivery.many([letter, item(world, "letter:2")]) == 0
    assert world.graph.went[letter.mail.key] == 1
    assert world.graph.lookups == []


async def test_a_refusal_by_graph_is_not_retried_and_is_on_the_timeline(world: Harness) -> None:
    letter = item(world, "letter:1")
    world.graph.plan[letter.mail.key] = ["bad"]
    with pytest.raises(Answered):
        await world.delivery.one(letter)
    assert world.graph.singles == [letter.mail.key]
    assert world.records.delivery(letter.mail.key).state == NOT_SENT  # type: ignore[union-attr]
    [(_cid, kind, _step, detail)] = world.lines
    assert kind == "failed"
    assert detail["reason"] == "Email to Mother not sent: Graph answered 400"


async def test_an_unclear_send_that_cannot_be_checked_is_not_sent_blind(world: Harness) -> None:
    letter = item(world, "letter:1")
    world.graph.plan[letter.mail.key] = ["lost"]
    world.graph.lookup_fails = True
    with pytest.raises(Answered):
        await world.delivery.one(letter)
    assert world.graph.singles == [letter.mail.key]  # the first try only
    assert world.records.delivery(letter.mail.key).state == UNCLEAR  # type: ignore[union-attr]
    assert world.lines[-1][1] == "failed"


async def test_attempts_run_out_then_the_message_waits_for_a_replay(world: Harness) -> None:
    letter = item(world, "letter:1")
    world.graph.plan[letter.mail.key] = ["refused"]
    with pytest.raises(Answered):
        await world.delivery.one(letter)
    assert len(world.graph.singles) == 4
    assert world.graph.went[letter.mail.key] == 0
    assert world.records.delivery(letter.mail.key).state == UNCLEAR  # type: ignore[union-attr]
    world.graph.plan[letter.mail.key] = ["ok"]
    await world.delivery.one(letter)  # the replay: looked up, absent, sent
    assert world.graph.went[letter.mail.key] == 1
    assert world.lines[-1][1] == "sent"  # closes the failed action


def test_the_key_is_the_same_for_a_retry_and_differs_for_a_new_message() -> None:
    key = idempotency_key(3, "icpc.letters:12", ["Jo.Parent@family.example.net"])
    assert key == idempotency_key(3, "icpc.letters:12", ["jo.parent@family.example.net"])
    assert key != idempotency_key(3, "icpc.letters:12", ["jo.new@family.example.net"])
    assert key != idempotency_key(3, "icpc.letters:12", ["jo.parent@family.example.net"], "2")
    assert key != idempotency_key(4, "icpc.letters:12", ["jo.parent@family.example.net"])
    assert "parent" not in key and SENDING not in key


def test_a_first_attempt_is_recorded_before_it_goes(records: OutboxRecords) -> None:
    first = records.begin("k1", conference_id=None, sender=SENDER, purpose="p")
    again = records.begin("k1", conference_id=None, sender=SENDER, purpose="p")
    assert (first.state, first.attempts, again.attempts) == (SENDING, 1, 2)
    assert again.first_attempt_at == first.first_attempt_at
    assert again.first_attempt_at.tzinfo is UTC or again.first_attempt_at.utcoffset() is not None


def test_two_threshold_notices_to_the_duty_chair_are_two_messages() -> None:
    from bot.runtime.outbox import Outbox

    def notice(request_id: int) -> OutgoingMail:
        return OutgoingMail(
            to=("duty.chair@example.org",),
            subject="Threshold discussion",
            html_body="<p>...</p>",
            purpose="threshold_notice",
            revision=f"request:{request_id}",
        )

    first, second = Outbox._keyed(None, notice(1)), Outbox._keyed(None, notice(2))
    assert first.key and second.key and first.key != second.key
    assert Outbox._keyed(None, notice(1)).key == first.key  # a retry is the same message

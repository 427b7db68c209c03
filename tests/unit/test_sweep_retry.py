"""A failed mailbox sweep is retried within seconds, backing off, and never before Retry-After."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from bot.core.errors import RemoteServiceError
from bot.core.mailbox import DeltaResult, InboundMessage, RequestMailbox
from bot.runtime.backoff import Backoff, is_temporary, retry_after
from bot.runtime.mailbox import SWEEP_RETRY, MailboxSweep
from tests.unit.mailbox_fakes import CP, NOW, FakeClock, FakeGraph, FakeState, message
from tests.unit.test_mailbox_sweep import CP_BOX, WAIT, Handled

SECOND = timedelta(seconds=1)
INTERVAL = timedelta(minutes=2)  # the safety-net round


def no_jitter(**kwargs: timedelta) -> Backoff:
    """The policy with its random draw fixed at 0, so each wait is its nominal length."""
    return Backoff(draw=lambda: 0.0, **kwargs)


class GraphAnswered(RemoteServiceError):
    """Graph answered with ``status`` (and perhaps Retry-After), as graph.errors' errors do."""

    def __init__(self, status: int, wait: timedelta | None = None) -> None:
        super().__init__(f"Graph answered {status}")
        self.status = status
        self.retry_after = wait


class FakeSleep:
    """Stands in for ``asyncio.sleep``: keeps each wait and moves the fake clock by it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[timedelta] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(timedelta(seconds=seconds))
        self.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)


class FailingReads(FakeGraph):
    """A Graph whose next reads fail with the given errors, in turn."""

    def __init__(self, *errors: Exception) -> None:
        super().__init__()
        self.errors = list(errors)

    async def read_inbox_delta(self, mailbox: str, delta_link: str | None) -> DeltaResult:
        if self.errors:
            self.reads.put_nowait((mailbox, delta_link))
            raise self.errors.pop(0)
        return await super().read_inbox_delta(mailbox, delta_link)


def test_waits_double_from_the_first_up_to_the_longest() -> None:
    policy = no_jitter(first=SECOND, longest=30 * SECOND)

    waits = [policy.delay(n) for n in range(1, 9)]

    assert waits == [SECOND * s for s in (1, 2, 4, 8, 16, 30, 30, 30)]


def test_jitter_takes_at_most_its_share_off_each_wait() -> None:
    draws = random.Random(19)
    policy = Backoff(first=SECOND, longest=30 * SECOND, jitter=0.5, draw=draws.random)
    nominal = [SECOND * s for s in (1, 2, 4, 8, 16, 30, 30, 30)]

    for _ in range(50):
        for n, longest in enumerate(nominal, start=1):
            assert longest * 0.5 <= policy.delay(n) <= longest


def test_jitter_spreads_mailboxes_that_failed_together() -> None:
    draws = random.Random(7)
    policy = Backoff(first=SECOND, longest=30 * SECOND, draw=draws.random)

    assert len({policy.delay(3) for _ in range(10)}) == 10


def test_a_retry_after_longer_than_the_backoff_is_waited_out_in_full() -> None:
    policy = no_jitter(first=SECOND, longest=30 * SECOND)

    assert policy.delay(1, retry_after=45 * SECOND) == 45 * SECOND
    assert policy.delay(3, retry_after=SECOND) == 4 * SECOND  # shorter: the backoff stands


def test_a_long_run_of_failures_stays_at_the_longest_wait() -> None:
    policy = no_jitter(first=SECOND, longest=30 * SECOND)

    assert policy.delay(10_000) == 30 * SECOND


@pytest.mark.parametrize(
    ("first", "longest", "jitter"),
    [(timedelta(0), SECOND, 0.5), (2 * SECOND, SECOND, 0.5), (SECOND, SECOND, 1.5)],
)
def test_a_backoff_that_could_spin_or_never_grow_is_refused(
    first: timedelta, longest: timedelta, jitter: float
) -> None:
    with pytest.raises(ValueError):
        Backoff(first=first, longest=longest, jitter=jitter)


@pytest.mark.parametrize(
    ("err", "temporary"),
    [
        (GraphAnswered(429), True),
        (GraphAnswered(503), True),
        (GraphAnswered(500), True),
        (GraphAnswered(408), True),
        (RemoteServiceError("no answer from Graph"), True),
        (GraphAnswered(401), False),
        (GraphAnswered(404), False),
        (GraphAnswered(400), False),
        (RuntimeError("a fault of ours"), False),
    ],
)
def test_only_throttling_outages_and_silence_count_as_temporary(
    err: Exception, temporary: bool
) -> None:
    assert is_temporary(err) is temporary


def test_retry_after_is_read_from_the_error_only_when_graph_sent_one() -> None:
    assert retry_after(GraphAnswered(429, 7 * SECOND)) == 7 * SECOND
    assert retry_after(GraphAnswered(429, timedelta(0))) is None
    assert retry_after(GraphAnswered(503)) is None


def test_the_sweep_retries_within_a_second_at_first_and_every_30_s_at_most() -> None:
    assert SWEEP_RETRY.first <= SECOND
    assert SWEEP_RETRY.longest <= 30 * SECOND < INTERVAL


async def test_a_failed_sweep_is_retried_with_backoff_until_the_mail_is_read() -> None:
    graph = FailingReads(GraphAnswered(503), GraphAnswered(500), RemoteServiceError("timeout"))
    graph.deliver(CP, message(1))
    handle, sleep = Handled(), FakeSleep(graph.clock)
    sweep = MailboxSweep(
        graph, FakeState(), CP_BOX, handle, clock=graph.clock, retry=no_jitter(), sleep=sleep
    )
    task = asyncio.create_task(sweep.run(INTERVAL))
    try:
        msg, _ = await asyncio.wait_for(handle.seen.get(), WAIT)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert msg.id == "msg-1"
    assert sleep.waits == [SECOND, 2 * SECOND, 4 * SECOND]
    assert graph.clock.now - NOW == 7 * SECOND  # read 7 s after the first failure, not 2 min
    assert graph.reads.qsize() == 4
    assert sweep.failures == 0 and sweep.last_error is None


async def test_a_retry_waits_out_graphs_retry_after_even_when_woken() -> None:
    graph = FailingReads(GraphAnswered(429, 12 * SECOND))
    graph.deliver(CP, message(1))
    handle, sleep = Handled(), FakeSleep(graph.clock)
    sweep = MailboxSweep(
        graph, FakeState(), CP_BOX, handle, clock=graph.clock, retry=no_jitter(), sleep=sleep
    )
    sweep.notified()  # a notification already waiting does not cut the wait short
    task = asyncio.create_task(sweep.run(INTERVAL))
    try:
        await asyncio.wait_for(handle.seen.get(), WAIT)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert sleep.waits == [12 * SECOND]


def test_a_retry_is_never_later_than_the_safety_net_unless_graph_asks() -> None:
    graph = FakeGraph()
    sweep = MailboxSweep(graph, FakeState(), CP_BOX, Handled(), retry=no_jitter())
    sweep.failures, sweep._failure = 20, GraphAnswered(503)

    assert sweep.retry_in(10 * SECOND) == 10 * SECOND
    sweep._failure = GraphAnswered(429, 40 * SECOND)
    assert sweep.retry_in(10 * SECOND) == 40 * SECOND


async def test_a_failure_that_would_repeat_waits_for_the_next_round() -> None:
    graph = FakeGraph()
    graph.deliver(CP, message(1))
    sweep = MailboxSweep(graph, FakeState(), CP_BOX, Handled(fail_on="msg-1"), retry=no_jitter())

    assert await sweep.attempt() is None
    assert sweep.retry_in(INTERVAL) is None  # a fault of ours: retrying at once would fail too

    graph.deliver(CP, message(2))
    refused = FailingReads(GraphAnswered(403))
    sweep = MailboxSweep(refused, FakeState(), CP_BOX, Handled(), retry=no_jitter())
    assert await sweep.attempt() is None
    assert sweep.retry_in(INTERVAL) is None


async def test_the_backoff_starts_again_after_a_sweep_succeeds() -> None:
    graph = FailingReads(GraphAnswered(503), GraphAnswered(503))
    sweep = MailboxSweep(graph, FakeState(), CP_BOX, Handled(), retry=no_jitter())

    assert await sweep.attempt() is None and await sweep.attempt() is None
    assert sweep.retry_in(INTERVAL) == 2 * SECOND
    assert await sweep.attempt() == 0
    graph.errors.append(GraphAnswered(503))
    assert await sweep.attempt() is None
    assert sweep.retry_in(INTERVAL) == SECOND


class FlakyHandler(Handled):
    """Fails the first ``times`` attempts at one message with a 503, then handles it."""

    def __init__(self, message_id: str, times: int) -> None:
        super().__init__()
        self.message_id, self.times = message_id, times

    async def __call__(self, msg: InboundMessage, mailbox: RequestMailbox) -> None:
        if msg.id == self.message_id and self.times:
            self.times -= 1
            raise GraphAnswered(503)
        await super().__call__(msg, mailbox)


async def test_a_sweep_that_read_new_mail_before_failing_starts_the_backoff_again() -> None:
    graph = FailingReads(GraphAnswered(503), GraphAnswered(503))
    sweep = MailboxSweep(graph, FakeState(), CP_BOX, FlakyHandler("msg-2", 2), retry=no_jitter())
    assert await sweep.attempt() is None and await sweep.attempt() is None
    assert sweep.retry_in(INTERVAL) == 2 * SECOND

    # The delta link was not saved, so each retry reads both messages again.
    graph.deliver(CP, message(1), message(2))
    assert await sweep.attempt() is None  # msg-1 read for the first time: progress
    assert sweep.retry_in(INTERVAL) == SECOND

    graph.deliver(CP, message(1), message(2))
    assert await sweep.attempt() is None  # only msg-1 again: no progress
    assert sweep.retry_in(INTERVAL) == 2 * SECOND

    graph.deliver(CP, message(1), message(2))
    assert await sweep.attempt() == 2
    assert sweep.failures == 0

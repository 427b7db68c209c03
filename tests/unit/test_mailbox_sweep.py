"""Mailbox sweeps: read by delta, hand each message on with its mailbox, one sweep per mailbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.mailbox import InboundMessage, RequestMailbox
from bot.runtime.mailbox import Mailboxes, MailboxSweep, client_state_for
from tests.unit.mailbox_fakes import CP, LAC, NOW, FakeGraph, FakeState, message

CP_BOX = RequestMailbox(CP, playbook="northmoor")
LAC_BOX = RequestMailbox(LAC, by_type=(("LAC", "northmoor-lac"),))
WAIT = 5.0  # seconds: only ever reached when a test is broken


class Handled:
    """The handler the sweep hands messages to; keeps what it was given, in order."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.seen: asyncio.Queue[tuple[InboundMessage, RequestMailbox]] = asyncio.Queue()
        self.fail_on = fail_on

    async def __call__(self, msg: InboundMessage, mailbox: RequestMailbox) -> None:
        if msg.id == self.fail_on:
            raise RuntimeError("the store is down")
        self.seen.put_nowait((msg, mailbox))

    def all(self) -> list[tuple[str, str]]:
        out = []
        while not self.seen.empty():
            msg, mailbox = self.seen.get_nowait()
            out.append((msg.id, mailbox.address))
        return out


def _mailboxes(graph: FakeGraph, state: FakeState, handle: Handled) -> Mailboxes:
    return Mailboxes(graph, state, (CP_BOX, LAC_BOX), handle, clock=graph.clock)


async def test_sweep_hands_each_message_to_the_handler_with_its_mailbox_in_arrival_order() -> None:
    graph, state, handle = FakeGraph(), FakeState(), Handled()
    graph.deliver(CP, message(2, minutes=5), message(1, minutes=1))
    sweep = MailboxSweep(graph, state, CP_BOX, handle, clock=graph.clock)

    assert await sweep.sweep() == 2

    assert handle.all() == [("msg-1", CP), ("msg-2", CP)]
    assert sweep.last_sweep == NOW


async def test_the_delta_link_is_saved_per_mailbox_and_passed_back_on_the_next_read() -> None:
    graph, state, handle = FakeGraph(), FakeState(), Handled()
    boxes = _mailboxes(graph, state, handle)
    cp, lac = boxes.sweeps

    await cp.sweep()
    cp_link = state[f"delta:{CP}"]
    await lac.sweep()
    await cp.sweep()

    reads = [graph.reads.get_nowait() for _ in range(3)]
    assert reads == [(CP, None), (LAC, None), (CP, cp_link)]
    assert state[f"delta:{LAC}"].startswith(f"https://graph.test/delta/{LAC}/")
    assert state[f"delta:{CP}"] not in (cp_link, state[f"delta:{LAC}"])


async def test_the_delta_link_is_not_saved_when_a_message_cannot_be_handled() -> None:
    graph, state = FakeGraph(), FakeState()
    graph.deliver(CP, message(1))
    sweep = MailboxSweep(graph, state, CP_BOX, Handled(fail_on="msg-1"), clock=graph.clock)

    with pytest.raises(RuntimeError):
        await sweep.sweep()

    assert f"delta:{CP}" not in state  # so the next sweep reads the message again


async def test_a_failed_sweep_shows_in_health_until_the_next_one_succeeds() -> None:
    graph, state, handle = FakeGraph(fail_reads=1), FakeState(), Handled()
    boxes = _mailboxes(graph, state, handle)
    cp = boxes.sweeps[0]

    assert await cp.attempt() is None
    assert boxes.health()[0].last_error == "RemoteServiceError"
    assert boxes.health()[1].last_error is None

    graph.clock.advance(timedelta(minutes=2))
    assert await cp.attempt() == 0
    assert boxes.health()[0].last_error is None
    assert boxes.health()[0].last_sweep == NOW + timedelta(minutes=2)


def test_a_notification_wakes_exactly_the_sweep_whose_client_state_it_carries() -> None:
    graph, state = FakeGraph(), FakeState()
    boxes = _mailboxes(graph, state, Handled())
    cp, lac = boxes.sweeps

    assert boxes.notify(client_state_for(state, LAC)) is True

    assert lac.wake.is_set() and lac.last_notification == NOW
    assert not cp.wake.is_set() and cp.last_notification is None


def test_an_unknown_client_state_wakes_no_sweep() -> None:
    graph, state = FakeGraph(), FakeState()
    boxes = _mailboxes(graph, state, Handled())

    assert boxes.notify("not-our-secret") is False
    assert boxes.notify("") is False
    assert not any(sweep.wake.is_set() for sweep in boxes.sweeps)


def test_client_states_survive_a_restart_so_old_subscriptions_still_route() -> None:
    graph, state = FakeGraph(), FakeState()
    before = _mailboxes(graph, state, Handled())
    lac_state = client_state_for(state, LAC)

    after = _mailboxes(graph, state, Handled())  # a new process over the same store

    assert after.notify(lac_state) and after.sweeps[1].wake.is_set()
    assert before.sweeps[1].address == after.sweeps[1].address


async def test_a_notification_makes_the_running_sweep_read_by_delta_and_hand_on_new_mail() -> None:
    graph, state, handle = FakeGraph(), FakeState(), Handled()
    boxes = _mailboxes(graph, state, handle)
    cp = boxes.sweeps[0]
    task = asyncio.create_task(cp.run(timedelta(hours=1)))  # the safety net never fires here
    try:
        assert await asyncio.wait_for(graph.reads.get(), WAIT) == (CP, None)  # sweep at start
        # The fake's read never suspends, so the sweep has saved its link and gone back to
        # waiting before this test runs again.
        first_link = state[f"delta:{CP}"]
        graph.deliver(CP, message(7))

        assert boxes.notify(client_state_for(state, CP))

        assert await asyncio.wait_for(graph.reads.get(), WAIT) == (CP, first_link)
        msg, mailbox = await asyncio.wait_for(handle.seen.get(), WAIT)
        assert (msg.id, mailbox) == ("msg-7", CP_BOX)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert state[f"delta:{CP}"] != first_link
    assert f"delta:{LAC}" not in state  # the other mailbox was not read


def test_duties_are_a_sweep_and_a_subscription_per_mailbox_named_by_position() -> None:
    graph, state = FakeGraph(), FakeState()
    boxes = _mailboxes(graph, state, Handled())

    duties = boxes.duties(timedelta(minutes=2), "https://confbot.example.org/graph/notifications")

    assert [name for name, _ in duties] == [
        "mailbox-sweep[0]",
        "mail-subscription[0]",
        "mailbox-sweep[1]",
        "mail-subscription[1]",
    ]
    assert all("@" not in name for name, _ in duties)  # task names reach the logs


async def test_health_gives_the_stalest_sweep_and_the_latest_notification() -> None:
    graph, state = FakeGraph(), FakeState()
    boxes = _mailboxes(graph, state, Handled())
    cp, lac = boxes.sweeps

    await cp.sweep()
    assert boxes.last_sweep is None  # the LAC mailbox has not been read yet

    graph.clock.advance(timedelta(minutes=3))
    await lac.sweep()
    boxes.notify(client_state_for(state, LAC))

    assert boxes.last_sweep == NOW
    assert boxes.last_notification == NOW + timedelta(minutes=3)
    assert [h.address for h in boxes.health()] == [CP, LAC]


def test_a_mailbox_is_never_given_two_sweeps() -> None:
    twice = (CP_BOX, RequestMailbox(CP.upper(), playbook="leeds"))
    with pytest.raises(ValueError, match="one sweep"):
        Mailboxes(FakeGraph(), FakeState(), twice, Handled())

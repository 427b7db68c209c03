"""Mail subscriptions: one per mailbox, renewed before they lapse, remade if renewal fails."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime.mailbox import (
    MIN_RENEW_WAIT,
    RENEW_BEFORE,
    SUBSCRIPTION_LIFETIME,
    MailSubscription,
    client_state_for,
)
from tests.unit.mailbox_fakes import CP, LAC, NOW, FakeGraph, FakeState

URL = "https://confbot.example.org/graph/notifications"


def _subscription(graph: FakeGraph, state: FakeState, mailbox: str = CP) -> MailSubscription:
    return MailSubscription(graph, state, mailbox, URL, clock=graph.clock)


async def test_first_ensure_creates_a_subscription_carrying_the_mailboxs_client_state() -> None:
    graph, state = FakeGraph(), FakeState()
    subscription = _subscription(graph, state)

    until = await subscription.ensure()

    assert until == NOW + SUBSCRIPTION_LIFETIME
    [created] = graph.created
    assert created.notification_url == URL and CP in created.resource
    assert created.client_state == client_state_for(state, CP) == subscription.client_state
    assert state[f"subscription:{CP}"] == f"sub-1|{until.isoformat()}"


async def test_subscription_is_left_alone_while_more_than_renew_before_remains() -> None:
    graph, state = FakeGraph(), FakeState()
    subscription = _subscription(graph, state)
    until = await subscription.ensure()
    graph.clock.advance(SUBSCRIPTION_LIFETIME - RENEW_BEFORE - timedelta(minutes=1))

    assert await subscription.ensure() == until
    assert graph.renewed == [] and len(graph.created) == 1


async def test_subscription_within_renew_before_of_expiry_is_renewed_and_keeps_its_id() -> None:
    graph, state = FakeGraph(), FakeState()
    subscription = _subscription(graph, state)
    await subscription.ensure()
    graph.clock.advance(SUBSCRIPTION_LIFETIME - RENEW_BEFORE + timedelta(minutes=1))

    until = await subscription.ensure()

    assert until == graph.clock() + SUBSCRIPTION_LIFETIME
    assert graph.renewed == [("sub-1", until)]
    assert len(graph.created) == 1
    assert state[f"subscription:{CP}"] == f"sub-1|{until.isoformat()}"


async def test_failed_renewal_creates_a_new_subscription_with_the_same_client_state() -> None:
    graph, state = FakeGraph(), FakeState()
    subscription = _subscription(graph, state)
    await subscription.ensure()
    graph.clock.advance(SUBSCRIPTION_LIFETIME - timedelta(hours=1))
    graph.fail_renewals = True

    until = await subscription.ensure()

    assert [sub_id for sub_id, _ in graph.renewed] == ["sub-1"]
    first, second = graph.created
    assert second.client_state == first.client_state
    assert state[f"subscription:{CP}"] == f"sub-2|{until.isoformat()}"


async def test_a_restarted_service_renews_the_stored_subscription_instead_of_adding_one() -> None:
    graph, state = FakeGraph(), FakeState()
    await _subscription(graph, state).ensure()
    graph.clock.advance(SUBSCRIPTION_LIFETIME - RENEW_BEFORE + timedelta(minutes=1))

    restarted = _subscription(graph, state)  # a new process over the same store
    await restarted.ensure()

    assert [sub_id for sub_id, _ in graph.renewed] == ["sub-1"]
    assert len(graph.created) == 1


def test_client_state_is_made_once_per_mailbox_and_kept() -> None:
    state = FakeState()
    first = client_state_for(state, CP)

    assert client_state_for(state, CP) == first
    assert client_state_for(state, LAC) != first
    assert len(first) >= 32  # a secret: it is all that tells Graph's posts from forged ones


def test_renewal_is_checked_again_renew_before_expiry_and_never_in_a_tight_loop() -> None:
    graph, state = FakeGraph(), FakeState()
    subscription = _subscription(graph, state)

    assert subscription.next_check(NOW + SUBSCRIPTION_LIFETIME) == (
        SUBSCRIPTION_LIFETIME - RENEW_BEFORE
    )
    assert subscription.next_check(NOW + timedelta(minutes=5)) == MIN_RENEW_WAIT


async def test_each_mailbox_gets_its_own_subscription_and_client_state() -> None:
    graph, state = FakeGraph(), FakeState()

    await _subscription(graph, state, CP).ensure()
    await _subscription(graph, state, LAC).ensure()

    cp, lac = graph.created
    assert CP in cp.resource and LAC in lac.resource
    assert cp.client_state != lac.client_state
    assert state[f"subscription:{CP}"].startswith("sub-1|")
    assert state[f"subscription:{LAC}"].startswith("sub-2|")

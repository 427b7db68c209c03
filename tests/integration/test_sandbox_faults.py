"""The gateway under injected faults: retries honour Retry-After and never duplicate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from graph.auth import GraphConnection, build_gateway
from graph.errors import Throttled, Unavailable
from graph.gateway import GraphGateway
from graph.sandbox.server import SandboxHandle, start_sandbox
from graph.sandbox.web import SandboxConfig
from tests.contract.test_gateway_contract import conference_meeting

CHAIR_ID = "chair.amberley"


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    """A live sandbox whose own throttling asks for a tiny wait."""
    handle = await start_sandbox(config=SandboxConfig(throttle_retry_after=0.01), fault_seed=7)
    yield handle
    await handle.close()


async def _faults(sandbox: SandboxHandle, **rule: Any) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.url}/_sandbox/faults", json=rule) as r,
    ):
        assert r.status == 200, await r.text()


def _gateway(sandbox: SandboxHandle, max_retries: int) -> GraphGateway:
    return build_gateway(GraphConnection(base_url=sandbox.graph_url, max_retries=max_retries))


def _event_posts(sandbox: SandboxHandle) -> list[dict[str, Any]]:
    return [
        r
        for r in sandbox.sandbox.requests
        if r["method"] == "POST" and r["path"].endswith("/events")
    ]


async def test_throttled_request_is_retried_after_retry_after_and_succeeds(
    sandbox: SandboxHandle,
) -> None:
    await _faults(sandbox, rate=1.0, statuses=[429], retry_after=0.05, limit=2, path="/events$")
    gateway = _gateway(sandbox, max_retries=3)
    try:
        ref = await gateway.create_meeting(conference_meeting())
    finally:
        await gateway.aclose()
    assert ref.join_url
    assert [r["status"] for r in _event_posts(sandbox)] == [429, 429, 201]
    assert gateway.metrics.throttled == 2
    assert gateway.metrics.retries == 2


async def test_persistent_503_surfaces_as_unavailable_with_the_attempt_count(
    sandbox: SandboxHandle,
) -> None:
    await _faults(sandbox, rate=1.0, statuses=[503], retry_after=0, path="/events$")
    gateway = _gateway(sandbox, max_retries=3)
    try:
        with pytest.raises(Unavailable) as caught:
            await gateway.create_meeting(conference_meeting())
    finally:
        await gateway.aclose()
    assert caught.value.attempts == 4  # the first try and three retries
    assert len(_event_posts(sandbox)) == 4
    assert gateway.metrics.failures == 1


async def test_persistent_429_surfaces_as_throttled_with_retry_after(
    sandbox: SandboxHandle,
) -> None:
    await _faults(sandbox, rate=1.0, statuses=[429], retry_after=0.01, path="/events$")
    gateway = _gateway(sandbox, max_retries=1)
    try:
        with pytest.raises(Throttled) as caught:
            await gateway.create_meeting(conference_meeting())
    finally:
        await gateway.aclose()
    assert caught.value.attempts == 2
    assert caught.value.retry_after.total_seconds() == pytest.approx(0.01)


async def test_post_retried_after_a_lost_503_creates_exactly_one_event(
    sandbox: SandboxHandle,
) -> None:
    # The sandbox creates the event, then answers 503: the client never learns it worked.
    await _faults(
        sandbox, rate=1.0, statuses=[503], retry_after=0, limit=1, phase="after", path="/events$"
    )
    gateway = _gateway(sandbox, max_retries=3)
    try:
        ref = await gateway.create_meeting(conference_meeting())
    finally:
        await gateway.aclose()
    assert len(_event_posts(sandbox)) == 2
    assert list(sandbox.state.events[CHAIR_ID]) == [ref.event_id]


@pytest.mark.slow
async def test_two_hundred_meetings_under_twenty_percent_faults_make_exactly_two_hundred_events(
    sandbox: SandboxHandle,
) -> None:
    await _faults(
        sandbox, rate=0.2, statuses=[429, 503], retry_after=0, phase="either", path="/events$"
    )
    gateway = _gateway(sandbox, max_retries=10)
    gate = asyncio.Semaphore(8)  # more than the mailbox's 4, so its own 429s join in

    async def one(number: int) -> str:
        async with gate:
            ref = await gateway.create_meeting(conference_meeting(f"CP-2026-{number:05d}-icpc"))
            return ref.event_id

    try:
        ids = await asyncio.gather(*(one(n) for n in range(200)))
    finally:
        await gateway.aclose()
    assert len(set(ids)) == 200
    assert len(sandbox.state.events[CHAIR_ID]) == 200
    assert gateway.metrics.retries > 0
    assert sandbox.sandbox.faults.injected > 0

"""The Graph webhook: the handshake echoed, notifications routed by clientState, nothing slow."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.core.mailbox import InboundMessage, RequestMailbox
from bot.runtime.mailbox import Mailboxes, client_state_for
from bot.web import graph_webhook
from tests.unit.mailbox_fakes import CP, LAC, FakeGraph, FakeState, message

Client = TestClient[web.Request, web.Application]
WAIT = 5.0  # seconds: only ever reached when a test is broken
CP_BOX = RequestMailbox(CP, playbook="northmoor")
LAC_BOX = RequestMailbox(LAC, by_type=(("LAC", "northmoor-lac"),))


class Recorder:
    """Stands in for Mailboxes.notify: knows one clientState, remembers every call."""

    def __init__(self, known: str = "cp-secret") -> None:
        self.known = known
        self.calls: list[str] = []

    def __call__(self, client_state: str) -> bool:
        self.calls.append(client_state)
        return client_state == self.known


def _app(notify: Callable[[str], bool]) -> web.Application:
    app = web.Application()
    app[graph_webhook.NOTIFY_KEY] = notify
    graph_webhook.add_routes(app)
    return app


@pytest.fixture
async def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def client(recorder: Recorder) -> AsyncIterator[Client]:
    async with TestClient(TestServer(_app(recorder), host="127.0.0.1", port=0)) as test_client:
        yield test_client


def _notification(*client_states: str) -> dict[str, Any]:
    """A changeNotificationCollection as Graph posts it for new mail."""
    return {
        "value": [
            {
                "subscriptionId": f"sub-{n}",
                "clientState": state,
                "changeType": "created",
                "resource": "Users/x/Messages/AAMk",
                "tenantId": "00000000-0000-0000-0000-000000000000",
            }
            for n, state in enumerate(client_states)
        ]
    }


async def test_handshake_echoes_the_validation_token_as_plain_text(
    client: Client, recorder: Recorder
) -> None:
    # Graph URL-encodes the token; the answer must be the decoded token, exactly.
    response = await client.post(f"{graph_webhook.ROUTE}?validationToken=Validation%3A%20Test+1")

    assert response.status == 200
    assert response.content_type == "text/plain"
    assert await response.text() == "Validation: Test 1"
    assert recorder.calls == []


async def test_notification_with_a_known_client_state_is_accepted_and_routed(
    client: Client, recorder: Recorder
) -> None:
    response = await client.post(graph_webhook.ROUTE, json=_notification("cp-secret"))

    assert response.status == 202
    assert recorder.calls == ["cp-secret"]


async def test_notification_with_a_bad_client_state_is_answered_202_but_not_acted_on(
    client: Client, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    # 202, not 4xx: Graph would retry anything else for hours; see the handler's comment.
    response = await client.post(graph_webhook.ROUTE, json=_notification("forged"))

    assert response.status == 202
    assert recorder.calls == ["forged"]  # asked, and told no
    assert "unknown clientState" in caplog.text and "forged" not in caplog.text


async def test_notification_without_a_client_state_wakes_nothing(
    client: Client, recorder: Recorder
) -> None:
    response = await client.post(graph_webhook.ROUTE, json={"value": [{"changeType": "created"}]})

    assert response.status == 202
    assert recorder.calls == []


async def test_a_batch_notifies_each_client_state_once(client: Client, recorder: Recorder) -> None:
    response = await client.post(
        graph_webhook.ROUTE, json=_notification("cp-secret", "cp-secret", "cp-secret")
    )

    assert response.status == 202
    assert recorder.calls == ["cp-secret"]


@pytest.mark.parametrize("body", ["not json", "[]", '{"value": {}}', '{"other": []}'])
async def test_a_body_that_is_not_a_change_notification_is_refused_with_400(
    client: Client, recorder: Recorder, body: str
) -> None:
    response = await client.post(graph_webhook.ROUTE, data=body)

    assert response.status == 400
    assert recorder.calls == []


async def test_a_good_client_state_wakes_exactly_its_mailboxs_sweep() -> None:
    graph, state = FakeGraph(), FakeState()
    boxes = Mailboxes(graph, state, (CP_BOX, LAC_BOX), _ignore, clock=graph.clock)
    app = _app(boxes.notify)
    async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as test_client:
        response = await test_client.post(
            graph_webhook.ROUTE, json=_notification(client_state_for(state, LAC))
        )

    assert response.status == 202
    cp, lac = boxes.sweeps
    assert lac.wake.is_set() and not cp.wake.is_set()


async def test_a_notification_ends_with_the_new_mail_handed_over_with_its_mailbox() -> None:
    graph, state = FakeGraph(), FakeState()
    handled: asyncio.Queue[tuple[str, RequestMailbox]] = asyncio.Queue()

    async def handle(msg: InboundMessage, mailbox: RequestMailbox) -> None:
        handled.put_nowait((msg.id, mailbox))

    boxes = Mailboxes(graph, state, (CP_BOX, LAC_BOX), handle, clock=graph.clock)
    lac = boxes.sweeps[1]
    task = asyncio.create_task(lac.run(timedelta(hours=1)))  # the safety net never fires here
    try:
        assert await asyncio.wait_for(graph.reads.get(), WAIT) == (LAC, None)  # sweep at start
        graph.deliver(LAC, message(3))
        async with TestClient(
            TestServer(_app(boxes.notify), host="127.0.0.1", port=0)
        ) as web_client:
            response = await web_client.post(
                graph_webhook.ROUTE, json=_notification(client_state_for(state, LAC))
            )
        assert response.status == 202

        mailbox, link = await asyncio.wait_for(graph.reads.get(), WAIT)
        assert (mailbox, link is not None) == (LAC, True)  # read by delta, from the saved link
        assert await asyncio.wait_for(handled.get(), WAIT) == ("msg-3", LAC_BOX)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _ignore(msg: InboundMessage, mailbox: RequestMailbox) -> None:
    """A handler for tests that never sweep."""

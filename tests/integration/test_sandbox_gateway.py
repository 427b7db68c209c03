"""Gateway flows that need a stateful tenant: paging, removals, notifications and $batch."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.core.mailbox import OutgoingMail
from graph.auth import GraphConnection, build_gateway
from graph.gateway import GraphGateway
from graph.sandbox.server import SandboxHandle, start_sandbox
from tests.contract.harness import MAILBOX, SOCIAL_WORKER, serve_webhook


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    """A live sandbox on an ephemeral port."""
    handle = await start_sandbox()
    yield handle
    await handle.close()


@pytest.fixture
async def gateway(sandbox: SandboxHandle) -> AsyncIterator[GraphGateway]:
    """The gateway on the sandbox."""
    gw = build_gateway(GraphConnection(base_url=sandbox.graph_url))
    yield gw
    await gw.aclose()


async def _deliver(sandbox: SandboxHandle, subject: str) -> str:
    mail = {"to": MAILBOX, "from": SOCIAL_WORKER, "subject": subject, "body": "x"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.url}/_sandbox/mail", json=mail) as r,
    ):
        ids: list[str] = (await r.json())["ids"]
        return ids[0]


async def test_delta_follows_next_links_until_the_delta_link(
    sandbox: SandboxHandle, gateway: GraphGateway
) -> None:
    for n in range(5):
        await _deliver(sandbox, f"Request {n}")
    gateway.delta_page_size = 2  # sent as Prefer: odata.maxpagesize
    result = await gateway.read_inbox_delta(MAILBOX, None)
    assert sorted(m.subject for m in result.messages) == [f"Request {n}" for n in range(5)]
    pages = [r for r in sandbox.sandbox.requests if "/messages/delta" in r["path"]]
    assert len(pages) == 3


async def test_message_moved_out_of_the_inbox_is_reported_removed(
    sandbox: SandboxHandle, gateway: GraphGateway
) -> None:
    message_id = await _deliver(sandbox, "Request")
    first = await gateway.read_inbox_delta(MAILBOX, None)
    await gateway.mark_processed(MAILBOX, message_id, folder="archive")
    second = await gateway.read_inbox_delta(MAILBOX, first.delta_link)
    assert second.removed_ids == [message_id]
    assert second.messages == []


async def test_subscription_made_by_the_gateway_receives_notifications_with_client_state(
    sandbox: SandboxHandle, gateway: GraphGateway
) -> None:
    async with serve_webhook() as (hook, url):
        sub = await gateway.create_subscription(
            MAILBOX, url, "state-123", datetime.now(UTC) + timedelta(days=3)
        )
        message_id = await _deliver(sandbox, "Request")
        await asyncio.wait_for(hook.arrived.wait(), timeout=5)
        await gateway.delete_subscription(sub.id)
    note = hook.received[0]["value"][0]
    assert note["clientState"] == "state-123"
    assert note["resourceData"]["id"] == message_id


async def test_send_mails_travel_together_in_one_batch(
    sandbox: SandboxHandle, gateway: GraphGateway
) -> None:
    mails = [
        OutgoingMail(to=(SOCIAL_WORKER,), subject=f"Letter {n}", html_body="<p>x</p>")
        for n in range(3)
    ]
    statuses = await gateway.send_mails("mts.admin", mails)
    assert statuses == [202, 202, 202]
    batches = [r for r in sandbox.sandbox.requests if r["path"] == "/v1.0/$batch"]
    assert len(batches) == 1
    inbox = sorted(m["subject"] for m in sandbox.state.messages["sw.okafor"].values())
    assert inbox == ["Letter 0", "Letter 1", "Letter 2"]


async def test_a_mirror_kept_by_delta_always_matches_the_inbox(
    sandbox: SandboxHandle, gateway: GraphGateway
) -> None:
    rng = random.Random(3)
    gateway.delta_page_size = 3
    mirror: dict[str, str] = {}
    link: str | None = None
    for step in range(30):
        inbox = [m for m in sandbox.state.messages["cp.requests"].values()]
        inbox = [m for m in inbox if m["parentFolderId"] == "inbox"]
        action = rng.choice(["deliver", "deliver", "move", "categorise"] if inbox else ["deliver"])
        if action == "deliver":
            await _deliver(sandbox, f"Request {step}")
        elif action == "move":
            await gateway.mark_processed(MAILBOX, rng.choice(inbox)["id"], folder="archive")
        else:
            await gateway.mark_processed(MAILBOX, rng.choice(inbox)["id"])
        result = await gateway.read_inbox_delta(MAILBOX, link)
        link = result.delta_link
        for removed in result.removed_ids:
            mirror.pop(removed, None)
        mirror.update({m.id: m.subject for m in result.messages})
        truth = {
            m["id"]: m["subject"]
            for m in sandbox.state.messages["cp.requests"].values()
            if m["parentFolderId"] == "inbox"
        }
        assert mirror == truth, f"after step {step} ({action})"


async def test_chair_address_resolves_to_the_object_id_teams_knows_them_by(
    gateway: GraphGateway,
) -> None:
    from graph.errors import NotFound

    assert await gateway.user_object_id("rowan.amberley@example.org") == "chair.amberley"
    with pytest.raises(NotFound):
        await gateway.user_object_id("nobody@example.org")


async def test_a_sent_mail_is_found_by_its_outbox_key_in_drafts_or_sent_items(
    sandbox: SandboxHandle, gateway: GraphGateway
) -> None:
    from datetime import UTC, datetime, timedelta

    since = datetime.now(UTC)
    mail = OutgoingMail(
        to=(SOCIAL_WORKER,), subject="Letter", html_body="<p>x</p>", purpose="p", key="k" * 40
    )
    assert not await gateway.find_sent("mts.admin", mail.key, since)
    sandbox.sandbox.config.sent_items_lag = 0.2  # in Drafts first, as on Exchange
    await gateway.send_mail("mts.admin", mail)
    assert await gateway.find_sent("mts.admin", mail.key, since)  # found in Drafts
    await asyncio.sleep(0.3)
    folders = [m["parentFolderId"] for m in sandbox.state.messages["mts.admin"].values()]
    assert folders == ["sentitems"]
    assert await gateway.find_sent("mts.admin", mail.key, since)  # found in Sent Items
    assert not await gateway.find_sent("mts.admin", "other" + mail.key[5:], since)
    # A copy from before the first attempt is an old store's, not this message.
    assert not await gateway.find_sent("mts.admin", mail.key, since + timedelta(hours=1))
    # Only the sender's copy carries the key: the recipient's does not.
    [received] = [m for m in sandbox.state.messages["sw.okafor"].values()]
    assert "singleValueExtendedProperties" not in received

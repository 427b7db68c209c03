"""Fixtures for the gateway contract suite: the same tests against respx and the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import respx
from kiota_abstractions.authentication import AnonymousAuthenticationProvider

from graph.auth import GraphConnection, build_gateway
from graph.gateway import GRAPH_V1, GraphGateway
from graph.sandbox.server import SandboxHandle, start_sandbox
from graph.sandbox.web import SandboxConfig
from tests.contract.harness import Harness, RespxGraph, SandboxGraph, Webhook, serve_webhook
from tests.stores import database_url


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[Webhook, str]]:
    """A notification endpoint on an ephemeral loopback port, and its URL."""
    async with serve_webhook() as served:
        yield served


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    """A live sandbox tenant on an ephemeral port, throttling with a tiny Retry-After."""
    handle = await start_sandbox(config=SandboxConfig(throttle_retry_after=0.01))
    yield handle
    await handle.close()


@pytest.fixture
async def sandbox_gateway(sandbox: SandboxHandle) -> AsyncIterator[GraphGateway]:
    """The real gateway, anonymous, pointed at the sandbox."""
    gateway = build_gateway(GraphConnection(base_url=sandbox.graph_url, max_retries=10))
    yield gateway
    await gateway.aclose()


@pytest.fixture(params=["respx", "sandbox"])
async def graph(
    request: pytest.FixtureRequest, webhook: tuple[Webhook, str]
) -> AsyncIterator[Harness]:
    """Graph, once as documented canned responses and once as the live sandbox."""
    if request.param == "respx":
        with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
            gateway = GraphGateway.create(AnonymousAuthenticationProvider(), base_url=GRAPH_V1)
            yield RespxGraph(router, gateway)
            await gateway.aclose()
        return
    handle = await start_sandbox(config=SandboxConfig(throttle_retry_after=0.01))
    gateway = build_gateway(GraphConnection(base_url=handle.graph_url))
    session = aiohttp.ClientSession()
    try:
        yield SandboxGraph(handle, gateway, session, webhook[1])
    finally:
        await session.close()
        await gateway.aclose()
        await handle.close()


__all__ = ["database_url"]

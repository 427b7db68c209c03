"""The Graph gateway: domain-shaped calls over msgraph-sdk, returning bot.core types."""

from __future__ import annotations

import logging
from typing import Any

from msgraph import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter

from graph.attendance import AttendanceCalls
from graph.batch import BatchCalls
from graph.directory import DirectoryCalls
from graph.drive import DriveCalls
from graph.mail import MailCalls
from graph.metrics import GraphMetrics
from graph.transport import build_http_client, close_http_client

logger = logging.getLogger(__name__)

GRAPH_V1 = "https://graph.microsoft.com/v1.0"


class GraphGateway(AttendanceCalls, MailCalls, DriveCalls, BatchCalls, DirectoryCalls):
    """Everything confbot asks of Microsoft Graph, in the domain's terms."""

    def __init__(self, adapter: Any, metrics: GraphMetrics, credential: Any = None) -> None:
        self._adapter = adapter
        self._client = GraphServiceClient(request_adapter=adapter)
        self._credential = credential  # an azure-identity aio credential, closed with us
        self.metrics = metrics

    @classmethod
    def create(
        cls,
        auth_provider: Any,
        *,
        base_url: str | None = None,
        max_retries: int = 5,
        mailbox_concurrency: int = 4,
        metrics: GraphMetrics | None = None,
        credential: Any = None,
    ) -> GraphGateway:
        """A gateway over a fresh httpx client for ``auth_provider`` and ``base_url``."""
        metrics = metrics if metrics is not None else GraphMetrics()
        http_client = build_http_client(
            metrics, max_retries=max_retries, mailbox_concurrency=mailbox_concurrency
        )
        adapter = GraphRequestAdapter(auth_provider, client=http_client)
        # No trailing slash: msgraph appends paths that start with one.
        adapter.base_url = (base_url or GRAPH_V1).rstrip("/")
        return cls(adapter, metrics, credential)

    @property
    def base_url(self) -> str:
        """Where Graph calls go."""
        return str(self._adapter.base_url)

    async def aclose(self) -> None:
        """Close the HTTP connections and the credential."""
        await close_http_client(self._adapter._http_client)
        if self._credential is not None:
            await self._credential.close()

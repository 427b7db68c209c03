"""The httpx client msgraph-sdk talks through: the stock middleware, plus counting retries."""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.middleware import BaseMiddleware
from kiota_http.middleware.options import RetryHandlerOption
from msgraph_core import GraphClientFactory

from graph.errors import attempts_var
from graph.metrics import GraphMetrics

_NUMBER = re.compile(r"^\s*\d+(\.\d+)?\s*$")
_MAILBOX = re.compile(r"/users/([^/?]+)", re.IGNORECASE)
MAILBOX_CONCURRENCY = 4  # Outlook: 4 concurrent requests per app per mailbox


class MailboxLimiter(BaseMiddleware):  # type: ignore[misc]
    """Keeps at most N requests in flight per mailbox, so we do not throttle ourselves.

    It sits after the retry handler, so a request waiting out ``Retry-After`` does not
    hold a slot.
    """

    def __init__(self, limit: int = MAILBOX_CONCURRENCY) -> None:
        super().__init__()
        self._gates: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(limit)
        )

    async def send(self, request: httpx.Request, transport: Any) -> httpx.Response:
        """Wait for a slot on the request's mailbox, then send."""
        match = _MAILBOX.search(request.url.path)
        if match is None:
            return await super().send(request, transport)  # type: ignore[no-any-return]
        async with self._gates[match.group(1).lower()]:
            return await super().send(request, transport)  # type: ignore[no-any-return]


class CountingRetryHandler(RetryHandler):  # type: ignore[misc]
    """msgraph's retry handler (429/503/504, ``Retry-After``), counting every attempt.

    Two deliberate differences: a ``Retry-After`` of ``0`` or a fraction is honoured as
    given (the stock handler only reads whole seconds and treats 0 as absent, falling
    back to a 3 s base delay), so the sandbox can throttle without slowing tests.
    """

    def __init__(self, metrics: GraphMetrics, options: RetryHandlerOption) -> None:
        super().__init__(options)
        self._metrics = metrics

    async def send(self, request: httpx.Request, transport: Any) -> httpx.Response:
        """Send through the stock retry loop."""
        return await super().send(request, transport)  # type: ignore[no-any-return]

    def get_delay_time(
        self, retry_count: int, response: httpx.Response | None = None, delay: float = 0.0
    ) -> float:
        """Wait exactly what ``Retry-After`` says; back off exponentially without it."""
        # Every answer passes through here once, so this is where attempts are counted.
        if response is not None:
            self._metrics.record_response(response.status_code, retry=retry_count > 0)
            box = attempts_var.get()
            if box is not None:
                box[0] += 1
            value = response.headers.get("retry-after")
            if value is not None:
                if _NUMBER.match(value):
                    return float(value)
                try:
                    when = parsedate_to_datetime(value)
                except (TypeError, ValueError):
                    pass
                else:
                    import datetime as dt

                    return max(0.0, (when - dt.datetime.now(when.tzinfo)).total_seconds())
        return float(self._get_delay_time_exp_backoff(retry_count, delay))


def build_http_client(
    metrics: GraphMetrics,
    *,
    max_retries: int = 5,
    base_delay: float = 0.0,
    mailbox_concurrency: int = MAILBOX_CONCURRENCY,
) -> httpx.AsyncClient:
    """An httpx client with msgraph's default middleware and our counting retry handler."""
    from kiota_http.kiota_client_factory import KiotaClientFactory

    options = RetryHandlerOption(delay=base_delay, max_retries=max_retries)
    middleware = [
        CountingRetryHandler(metrics, options) if isinstance(m, RetryHandler) else m
        for m in KiotaClientFactory.get_default_middleware(None)
    ]
    middleware.append(MailboxLimiter(mailbox_concurrency))
    client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), http2=False)
    return GraphClientFactory.create_with_custom_middleware(  # type: ignore[no-any-return]
        middleware, client=client
    )


async def close_http_client(client: httpx.AsyncClient) -> None:
    """Close ``client`` and the connection pool msgraph's transport wraps.

    msgraph-core's ``AsyncGraphTransport`` does not pass ``aclose`` on to the transport
    it wraps, so ``client.aclose()`` alone leaves pooled sockets open.
    """
    wrapped = getattr(client._transport, "transport", None)
    await client.aclose()
    if isinstance(wrapped, httpx.AsyncBaseTransport):
        await wrapped.aclose()

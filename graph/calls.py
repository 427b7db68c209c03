"""What every group of gateway calls shares: the SDK client and the metrics."""

from __future__ import annotations

from typing import Any

from graph.metrics import GraphMetrics

# Ask Outlook for ids that survive moves between folders, so replays de-duplicate.
IMMUTABLE_IDS = 'IdType="ImmutableId"'


class GatewayCalls:
    """Base for the gateway's call groups; holds the msgraph client."""

    _client: Any  # msgraph.GraphServiceClient; msgraph is untyped to mypy
    _adapter: Any  # msgraph.GraphRequestAdapter
    metrics: GraphMetrics

    def _config(
        self, query: Any = None, *, prefer: tuple[str, ...] = (), once: bool = False
    ) -> Any:
        """A request configuration; ``once``: the SDK must not retry it (see ``ONCE``)."""
        from kiota_abstractions.base_request_configuration import (
            RequestConfiguration,
        )

        config = RequestConfiguration(query_parameters=query)
        for value in prefer:
            config.headers.add("Prefer", value)
        if once:
            config.options = [*(config.options or []), once_option()]
        return config


def once_option() -> Any:
    """The retry option that makes the SDK send a request once, whatever the answer.

    For ``sendMail``: its retry handler resends a POST on 429, 503 and 504, and a 503 can
    come after the message went (a lost reply), so a resend is a second email. The outbox
    retries instead, asking Drafts and Sent Items first.
    """
    from kiota_http.middleware.options import RetryHandlerOption

    return RetryHandlerOption(max_retries=0)

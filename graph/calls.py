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

    def _config(self, query: Any = None, *, prefer: tuple[str, ...] = ()) -> Any:
        from kiota_abstractions.base_request_configuration import (
            RequestConfiguration,
        )

        config = RequestConfiguration(query_parameters=query)
        for value in prefer:
            config.headers.add("Prefer", value)
        return config

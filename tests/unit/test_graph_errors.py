"""The one edge that turns SDK exceptions into the project's Graph errors."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from msgraph.generated.models.o_data_errors.main_error import MainError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from graph.errors import (
    AuthFailed,
    Conflict,
    GraphError,
    NotFound,
    SyncStateExpired,
    Throttled,
    Unavailable,
    graph_call,
    is_temporary,
    translate,
)
from graph.metrics import GraphMetrics


def odata(status: int, code: str = "", headers: dict[str, str] | None = None) -> ODataError:
    """An SDK error as msgraph raises it."""
    err = ODataError(error=MainError(code=code, message="boom"))
    err.response_status_code = status
    err.response_headers = headers or {}
    return err


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "InvalidAuthenticationToken", AuthFailed),
        (403, "ErrorAccessDenied", AuthFailed),
        (404, "ErrorItemNotFound", NotFound),
        (409, "ErrorIrresolvableConflict", Conflict),
        (412, "PreconditionFailed", Conflict),
        (410, "SyncStateNotFound", SyncStateExpired),
        (400, "syncStateNotFound", SyncStateExpired),
        (503, "ServiceUnavailable", Unavailable),
        (504, "GatewayTimeout", Unavailable),
        (500, "InternalServerError", Unavailable),
        (400, "ErrorInvalidRequest", GraphError),
    ],
)
def test_sdk_errors_map_to_the_project_hierarchy(
    status: int, code: str, expected: type[GraphError]
) -> None:
    mapped = translate(odata(status, code))
    assert type(mapped) is expected
    assert mapped is not None and mapped.status in (status, None)


def test_throttled_carries_retry_after_from_the_response() -> None:
    mapped = translate(odata(429, "TooManyRequests", {"Retry-After": "7"}))
    assert isinstance(mapped, Throttled)
    assert mapped.retry_after == timedelta(seconds=7)
    assert is_temporary(mapped)


def test_connection_failure_is_unavailable() -> None:
    assert isinstance(translate(httpx.ConnectError("refused")), Unavailable)


def test_unrelated_exceptions_are_left_alone() -> None:
    assert translate(KeyError("x")) is None


class _Calls:
    def __init__(self) -> None:
        self.metrics = GraphMetrics()

    @graph_call
    async def fails(self) -> None:
        raise odata(404, "ErrorItemNotFound")


async def test_graph_call_raises_from_the_sdk_error_and_counts_the_failure() -> None:
    calls = _Calls()
    with pytest.raises(NotFound) as caught:
        await calls.fails()
    assert isinstance(caught.value.__cause__, ODataError)
    assert calls.metrics.failures == 1

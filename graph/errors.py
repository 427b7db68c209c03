"""The project's own Graph errors, and the one edge that turns SDK exceptions into them."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from bot.core.errors import RemoteServiceError

P = ParamSpec("P")
T = TypeVar("T")

# The retry middleware counts attempts here, so an error can say how many were made.
attempts_var: ContextVar[list[int] | None] = ContextVar("graph_attempts", default=None)


class GraphError(RemoteServiceError):
    """Any failure talking to Microsoft Graph."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class Throttled(GraphError):
    """Graph said 429 and our retries ran out; try again after ``retry_after``."""

    def __init__(self, retry_after: timedelta, *, attempts: int = 1, code: str = "") -> None:
        super().__init__(
            f"Graph throttled the request after {attempts} attempt(s); "
            f"retry after {retry_after.total_seconds():g}s",
            status=429,
            code=code,
        )
        self.retry_after = retry_after
        self.attempts = attempts


class Unavailable(GraphError):
    """Graph stayed unavailable (503/504 or no connection) through every attempt."""

    def __init__(self, attempts: int, *, status: int | None = None, code: str = "") -> None:
        super().__init__(f"Graph unavailable after {attempts} attempt(s)", status=status, code=code)
        self.attempts = attempts


class AuthFailed(GraphError):
    """Graph refused our credentials or our permissions (401/403)."""


class NotFound(GraphError):
    """The thing asked for does not exist (404)."""


class Conflict(GraphError):
    """The change clashes with the current state (409/412)."""


class SyncStateExpired(GraphError):
    """A stored delta link is no longer known to Graph (410 or syncStateNotFound)."""


def _retry_after(headers: dict[str, str] | None) -> timedelta:
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            try:
                return timedelta(seconds=float(value))
            except ValueError:
                break
    return timedelta(0)


def translate(err: BaseException) -> GraphError | None:
    """The project error for an SDK or transport exception, or None if it is not one."""
    import httpx
    from kiota_abstractions.api_error import APIError

    attempts_box = attempts_var.get()
    attempts = attempts_box[0] if attempts_box else 1
    if isinstance(err, APIError):
        status = err.response_status_code or 0
        code = ""
        main = getattr(err, "error", None)
        if main is not None:
            code = getattr(main, "code", "") or ""
        message = f"Graph answered {status} {code}".strip()
        if status == 410 or code.lower() == "syncstatenotfound":
            return SyncStateExpired(message, status=status, code=code)
        if status == 429:
            return Throttled(_retry_after(err.response_headers), attempts=attempts, code=code)
        if status in (503, 504) or status >= 500:
            return Unavailable(attempts, status=status, code=code)
        if status in (401, 403):
            return AuthFailed(message, status=status, code=code)
        if status == 404:
            return NotFound(message, status=status, code=code)
        if status in (409, 412):
            return Conflict(message, status=status, code=code)
        return GraphError(message, status=status, code=code)
    if isinstance(err, httpx.TransportError):
        return Unavailable(attempts, code=type(err).__name__)
    try:
        from azure.core.exceptions import ClientAuthenticationError
    except ImportError:  # pragma: no cover - azure-identity is a dependency
        return None
    if isinstance(err, ClientAuthenticationError):
        return AuthFailed("could not get a token for Graph")
    return None


def graph_call(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a gateway coroutine, turning SDK exceptions into the project's own."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        token = attempts_var.set([0])
        try:
            return await func(*args, **kwargs)
        except GraphError:
            raise
        except Exception as err:
            mapped = translate(err)
            metrics = getattr(args[0], "metrics", None) if args else None
            if metrics is not None:
                metrics.failures += 1
            if mapped is None:
                raise
            raise mapped from err
        finally:
            attempts_var.reset(token)

    return wrapper


def is_temporary(err: BaseException) -> bool:
    """Whether a caller may try the same call again later."""
    return isinstance(err, Throttled | Unavailable)


__all__: list[Any] = [
    "AuthFailed",
    "Conflict",
    "GraphError",
    "NotFound",
    "SyncStateExpired",
    "Throttled",
    "Unavailable",
    "graph_call",
    "is_temporary",
    "translate",
]

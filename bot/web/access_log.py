"""The access log: one line per request, without query strings or headers that carry secrets.

aiohttp's default line holds the whole request line, query string included, and the Referer,
which holds another page's. A sign-in link's code, an Entra callback's authorisation code and
any token a script puts in a URL would all land in the log. This line keeps the method, the
path, the status, the size and the time, and says only that a query string was there.
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

ACCESS_LOGGER = logging.getLogger("aiohttp.access")
REDACTED = "?[redacted]"


def redacted_target(request: BaseRequest) -> str:
    """The request's path, with any query string replaced by a marker."""
    return request.rel_url.path + (REDACTED if request.rel_url.query_string else "")


class RedactedAccessLogger(AbstractAccessLogger):
    """Logs requests without their query strings, Authorization, Cookie or Referer."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Write one line for a finished request."""
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs',
            request.remote or "-",
            request.method,
            redacted_target(request),
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
        )

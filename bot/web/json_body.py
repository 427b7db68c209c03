"""JSON request bodies, bounded: a size and a nesting limit, checked before anything parses them.

Python's ``json`` recurses once per ``[`` or ``{``, so ``[`` × 100,000 raises
``RecursionError`` inside the parser; a body is measured first, without recursion, and
refused with a 400 (413 when too large) that says why. Every route that reads JSON goes
through ``read_json``. The middleware applies the same check to routes whose library parses
the body itself (the Teams SDK at ``/api/messages``) and keeps what it parsed, so the body is
read and parsed once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.web.actions import BadRequest

MAX_JSON_BYTES = 256 * 1024  # far above any form, API call, Graph notification or Teams activity
MAX_JSON_DEPTH = 32  # the deepest body confbot is sent (a Teams card action) is under 10

# Request-scoped: the body the middleware already parsed, for the route to reuse.
_PARSED_KEY: web.RequestKey[object] = web.RequestKey("json_body", object)
_JSON_TYPES = ("application/json",)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BodyRefused(BadRequest):
    """A JSON body refused before or while parsing it; ``status`` is its HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Keep the answer's status beside the message."""
        super().__init__(message)
        self.status = status


def nesting_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply ``text``'s arrays and objects nest, counting no further than ``limit + 1``.

    One pass, no recursion: brackets inside strings are skipped, escapes included.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def parse_bounded(raw: bytes, charset: str | None = None) -> object:
    """The JSON value in ``raw``, or ``BodyRefused`` saying why it cannot be one."""
    if len(raw) > MAX_JSON_BYTES:
        raise _too_large()
    try:
        text = raw.decode(charset or "utf-8")
    except (UnicodeDecodeError, LookupError) as err:
        raise BodyRefused("the body is not JSON: it is not UTF-8 text") from err
    if nesting_depth(text) > MAX_JSON_DEPTH:
        raise BodyRefused(f"the body is not accepted: JSON nested more than {MAX_JSON_DEPTH} deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise BodyRefused(f"the body is not JSON: {err.msg} at character {err.pos}") from err
    except RecursionError as err:  # cannot happen below the depth limit; never a 500 if it does
        raise BodyRefused("the body is not accepted: JSON nested too deeply") from err


async def read_json(request: web.Request, empty: object = None) -> object:
    """The request's JSON body (``empty`` when there is none), bounded; else ``BodyRefused``."""
    if _PARSED_KEY in request:
        return request[_PARSED_KEY]
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise _too_large()
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as err:  # aiohttp's own cap, when chunked
        raise _too_large() from err
    if not raw.strip():
        return empty
    value = parse_bounded(raw, request.charset)
    request[_PARSED_KEY] = value
    return value


@web.middleware
async def json_limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse an oversized or too deeply nested JSON body before any route parses it."""
    if request.body_exists and request.content_type in _JSON_TYPES:
        try:
            await read_json(request)
        except BodyRefused as err:
            return web.json_response({"error": str(err)}, status=err.status)
    return await handler(request)


def _too_large() -> BodyRefused:
    return BodyRefused(f"the body is larger than {MAX_JSON_BYTES // 1024} KB", status=413)

"""Starting to listen: the port bound, or one line naming the setting to change.

A port already in use is the likeliest start-up failure of all (a second copy, another
service on 8080); it must read as advice, never as asyncio's traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from aiohttp import web

from bot.settings_sections import ConfigError

WEB_PORT = "CONFBOT_WEB__PORT"
WEB_HOST = "CONFBOT_WEB__HOST"


def listen_problem(err: OSError, where: tuple[str, int], port_var: str, host_var: str) -> str:
    """One line for a server that cannot listen on ``where``, naming the setting to change."""
    host, port = where
    if err.errno == errno.EADDRINUSE:
        return (
            f"{port_var}: port {port} is already in use on {host}; stop what uses it, "
            f"or set {port_var} to a free port (0 picks one)"
        )
    if err.errno == errno.EACCES:
        return f"{port_var}: not allowed to listen on port {port}; use a port above 1023"
    # asyncio's strerror repeats the address; the system's own words are enough.
    code = err.errno or 0
    reason = (os.strerror(code) if code > 0 else err.strerror) or type(err).__name__
    return f"{host_var}: cannot listen on {host}:{port} ({reason})"


@contextlib.contextmanager
def listening(host: str, port: int, port_var: str, host_var: str | None = None) -> Iterator[None]:
    """Turn the ``OSError`` of a server failing to listen into a ``ConfigError``."""
    try:
        yield
    except OSError as err:
        problem = listen_problem(err, (host, port), port_var, host_var or port_var)
        raise ConfigError(problem) from err


async def start_site(runner: web.AppRunner, host: str, port: int) -> int:
    """Listen on ``host:port`` (0: any free port) and return the port bound."""
    site = web.TCPSite(runner, host, port)
    with listening(host, port, WEB_PORT, WEB_HOST):
        await site.start()
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    return port

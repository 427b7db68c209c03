"""Liveness and readiness probes. Neither ever returns personal data."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.store.database import Database, StoreError
from bot.store.writable import WriteProbe

DATABASE_KEY: web.AppKey[Database] = web.AppKey("database", Database)
# Whether the store takes writes (a full disk does not stop reads); one per app, cached.
WRITE_PROBE_KEY: web.AppKey[WriteProbe] = web.AppKey("write_probe", WriteProbe)


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process is up and serving."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers, its migrations are applied, and it can be written."""
    database = request.app[DATABASE_KEY]
    try:
        current = await asyncio.to_thread(database.is_current)
    except StoreError as err:
        return web.json_response({"status": "unavailable", "database": str(err)}, status=503)
    except Exception as err:  # any driver error means "not ready", never a 500 page
        return web.json_response(
            {"status": "unavailable", "database": type(err).__name__}, status=503
        )
    if not current:
        return web.json_response(
            {"status": "unavailable", "database": "migrations pending"}, status=503
        )
    problem = await asyncio.to_thread(request.app[WRITE_PROBE_KEY].problem)
    if problem is not None:
        return web.json_response({"status": "unavailable", "database": problem}, status=503)
    return web.json_response({"status": "ready", "database": "ok"})


def add_routes(app: web.Application) -> None:
    """Mount the probes (the write probe over the app's database, unless one is given)."""
    if WRITE_PROBE_KEY not in app:
        app[WRITE_PROBE_KEY] = WriteProbe(app[DATABASE_KEY])
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)

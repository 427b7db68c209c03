"""POST /api/messages: where Teams (or the Agents Playground) delivers activities."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import cast

from aiohttp import web
from microsoft_agents.hosting.aiohttp import jwt_authorization_decorator

from bot.teams.agent import TeamsBot

TEAMS_BOT_KEY = web.AppKey("teams_bot", TeamsBot)
# The SDK's JWT check reads the connection settings under this plain string key.
_SDK_CONFIG_KEY = "agent_configuration"


def add_routes(app: web.Application, bot: TeamsBot) -> None:
    """Serve the bot at POST /api/messages; every request's token is checked first."""
    app[TEAMS_BOT_KEY] = bot
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # aiohttp prefers AppKey; the SDK reads a str key
        app[_SDK_CONFIG_KEY] = bot.auth_configuration
    app.router.add_post("/api/messages", messages)


async def _process(request: web.Request) -> web.StreamResponse:
    return await request.app[TEAMS_BOT_KEY].process(request)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The SDK's check answers 401 itself for a missing or bad token (unless anonymous is allowed).
messages = cast(Handler, jwt_authorization_decorator(_process))  # type: ignore[no-untyped-call]

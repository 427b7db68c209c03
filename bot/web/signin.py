"""The sign-in page. Sandbox mode signs in with a one-time link printed at start, like Jupyter.

The link carries a code that works once and for a few minutes (``confbot signin-link``
prints a new one). It is never the admin token: a link ends up in browser history, in
terminals' scrollback and in proxies' logs.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.core.access import SIGN_IN_CODE_LIFETIME, CodeRefusal
from bot.web.auth import access, begin_session
from bot.web.config import CONFIG_KEY, WebConfig

SANDBOX_ADMIN = "sandbox-admin"
CODE_MINUTES = int(SIGN_IN_CODE_LIFETIME.total_seconds() // 60)
_NEW_LINK = "Run <code>confbot signin-link</code> where confbot runs to get a new link."
REFUSALS = {
    CodeRefusal.UNKNOWN: "That sign-in link is not valid.",
    CodeRefusal.USED: f"That sign-in link has already been used. Each link works once. {_NEW_LINK}",
    CodeRefusal.EXPIRED: (
        f"That sign-in link has expired. A link works for {CODE_MINUTES} minutes. {_NEW_LINK}"
    ),
}


def _page(status: int, alert: str, microsoft: bool, sandbox: bool) -> web.Response:
    how = []
    if microsoft:
        how.append("<p><a class='button' href='/signin/microsoft'>Sign in with Microsoft</a></p>")
    if sandbox:
        how.append(
            "<p>Open the sign-in link that confbot printed when it started, "
            "or ask your administrator for one.</p>"
        )
    return web.Response(
        status=status,
        content_type="text/html",
        text=(
            "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Sign in - confbot</title><link rel='stylesheet' href='/static/app.css'>"
            "</head><body><header class='masthead'><span class='brand'>confbot</span></header>"
            "<main id='main'><h1>Sign in</h1>"
            + (f"<p role='alert' class='error'>{alert}</p>" if alert else "")
            + "".join(how)
            + "</main></body></html>"
        ),
    )


async def signin(request: web.Request) -> web.StreamResponse:
    """Exchange a printed one-time code for a session, or offer Microsoft sign-in."""
    settings = request.app.get(CONFIG_KEY) or WebConfig()
    code = request.query.get("code", "")
    sandbox = settings.sandbox_sign_in
    microsoft = settings.oidc is not None
    if not code:
        return _page(200, "", microsoft, sandbox)
    if not sandbox:
        return _page(401, REFUSALS[CodeRefusal.UNKNOWN], microsoft, sandbox)
    outcome = await asyncio.to_thread(access(request).redeem_code, code)
    if isinstance(outcome, CodeRefusal):
        return _page(401, REFUSALS[outcome], microsoft, sandbox)
    response = web.HTTPFound("/")
    await begin_session(response, request, outcome)
    raise response


def add_routes(app: web.Application) -> None:
    """Mount the sign-in route."""
    app.router.add_get("/signin", signin)

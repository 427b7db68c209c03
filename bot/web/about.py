"""The public pages the Teams app manifest links to: privacy and terms of use."""

from __future__ import annotations

from aiohttp import web

from bot.web.status import render


async def privacy(request: web.Request) -> web.Response:
    """How confbot handles personal data, in plain words."""
    return render(request, "privacy.html", None)


async def terms(request: web.Request) -> web.Response:
    """Who may use confbot and for what."""
    return render(request, "terms.html", None)


def add_routes(app: web.Application) -> None:
    """Mount the public pages; they carry no personal data and need no sign-in."""
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)

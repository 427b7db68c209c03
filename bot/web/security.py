"""Who may do what, CSRF tokens and the security headers on every answer."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import NoReturn

from aiohttp import web

from bot.web.auth import (
    COOKIE,
    SIGNER_KEY,
    Identity,
    bearer,
    current_identity,
    is_secure,
    resolve_identity,
)
from bot.web.config import CONFIG_KEY, WebConfig

CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Teams may frame the chair console (a targeted in-meeting notification shows a web page).
TEAMS_FRAME_ANCESTORS = (
    "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class UserRole(StrEnum):
    """The roles a signed-in person can hold."""

    ADMIN = "admin"
    MTS = "mts"  # the admin team that books conferences
    CHAIR = "chair"
    MANAGER = "manager"  # read-only


STAFF = frozenset({UserRole.ADMIN, UserRole.MTS})
VIEWERS = frozenset({UserRole.ADMIN, UserRole.MTS, UserRole.MANAGER})
EVERYONE = frozenset(UserRole)


def config(request: web.Request) -> WebConfig:
    """The web settings, or the defaults when none were wired."""
    return request.app.get(CONFIG_KEY) or WebConfig()


def is_page(request: web.Request) -> bool:
    """Whether the request is for a page (a browser) rather than an API or event stream."""
    if request.path.startswith(("/api/", "/events", "/metrics")):
        return False
    return "text/event-stream" not in request.headers.get("Accept", "")


def _deny(request: web.Request, identity: Identity | None) -> NoReturn:
    if identity is None:
        if is_page(request) and request.method in SAFE_METHODS:
            raise web.HTTPFound("/signin")
        raise web.HTTPUnauthorized(
            text="Sign in first.", headers={"WWW-Authenticate": 'Bearer realm="confbot"'}
        )
    raise web.HTTPForbidden(text="Your role does not allow this.")


def require(request: web.Request, roles: frozenset[UserRole]) -> Identity:
    """The signed-in identity if its role is one of ``roles``; otherwise redirect, 401 or 403."""
    identity = current_identity(request)
    if identity is None or identity.role not in roles:
        _deny(request, identity)
    return identity


def role_of(identity: Identity) -> UserRole:
    """The identity's role as an enum."""
    return UserRole(identity.role)


def csrf_token(request: web.Request) -> str:
    """The CSRF token for this session: an HMAC of the session cookie, so it dies with it."""
    return request.app[SIGNER_KEY].derive("csrf", request.cookies.get(COOKIE, ""))


async def check_csrf(request: web.Request) -> None:
    """Refuse a state-changing request from a cookie session that lacks the session's token."""
    if request.method in SAFE_METHODS or COOKIE not in request.cookies:
        return
    if bearer(request) is not None:
        return  # a script's bearer token cannot be sent by another site's page
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sent = str((await request.post()).get(CSRF_FIELD, ""))
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise web.HTTPForbidden(text="This form has expired. Go back, reload the page and retry.")


def frame_ancestors(request: web.Request) -> str:
    """Teams may frame the chair console; nothing may frame any other page."""
    prefixes = config(request).chair_console_prefixes
    if any(request.path == p or request.path.startswith(p + "/") for p in prefixes):
        return TEAMS_FRAME_ANCESTORS
    return "'none'"


def content_security_policy(request: web.Request) -> str:
    """No inline script, no remote content: everything comes from confbot itself."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors(request)}",
        ]
    )


def _apply_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(request))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if frame_ancestors(request) == "'none'":
        headers.setdefault("X-Frame-Options", "DENY")
    if is_secure(request):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not request.path.startswith("/static/"):
        # Pages and API answers can carry personal data: never keep them in a cache.
        headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Find who is signed in, check CSRF on state changes, and put the security headers on."""
    try:
        if not request.path.startswith("/static/"):  # no store look-up for a stylesheet
            await resolve_identity(request)
        await check_csrf(request)
        response = await handler(request)
    except web.HTTPException as err:
        _apply_headers(request, err)
        raise
    if not response.prepared:
        _apply_headers(request, response)
    return response


def prepare_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Headers for a streamed answer, which must be set before it is prepared."""
    _apply_headers(request, response)

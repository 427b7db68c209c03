"""The JSON API for admins over access: open sessions, revoking them, and per-person API tokens.

A token acts as the person it was made for, with the role it was given, so what a script
does is credited to that person on every timeline. Its secret is shown once, when it is
made; the store keeps only its hash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.core.access import TokenRecord
from bot.web.api import BadRequest, _body, _field, _id, endpoint
from bot.web.auth import Identity, access
from bot.web.security import UserRole

ADMIN = ("admin",)
ROLE_NAMES = ", ".join(role.value for role in UserRole)


def token_json(token: TokenRecord) -> dict[str, Any]:
    """A token's record, never its secret."""
    return {
        "id": token.id,
        "user": token.user,
        "role": token.role,
        "label": token.label,
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "active": token.active,
    }


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value = _field(body, name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{name}' must be text")
    if len(value) > limit:
        raise BadRequest(f"'{name}' must be at most {limit} characters")
    return value.strip()


async def _sessions(request: web.Request, _who: Identity) -> web.StreamResponse:
    """The sessions open now: who, with what role, since and until when (never their ids)."""
    found = await asyncio.to_thread(access(request).sessions)
    return web.json_response(
        [
            {
                "user": s.user,
                "role": s.role,
                "started_at": s.started_at.isoformat(),
                "expires_at": s.expires_at.isoformat(),
            }
            for s in found
        ]
    )


async def _revoke_sessions(request: web.Request, _who: Identity) -> web.StreamResponse:
    """End every session of one person at once: {"user": their sign-in name}."""
    user = _text(await _body(request), "user", 320).lower()
    ended = await asyncio.to_thread(access(request).end_sessions_of, user)
    return web.json_response({"user": user, "ended": ended})


async def _tokens(request: web.Request, _who: Identity) -> web.StreamResponse:
    """Every API token, revoked ones too, without their secrets."""
    found = await asyncio.to_thread(access(request).tokens)
    return web.json_response([token_json(t) for t in found])


async def _create_token(request: web.Request, who: Identity) -> web.StreamResponse:
    """Make a token that acts as someone: {"user", "role", "label"}; its secret is shown once."""
    body = await _body(request)
    user = _text(body, "user", 320).lower()
    role = _text(body, "role", 16).lower()
    if role not in {r.value for r in UserRole}:
        raise BadRequest(f"'role' must be one of {ROLE_NAMES}")
    label = _text(body, "label", 200)
    record, secret = await asyncio.to_thread(
        access(request).create_token, Identity(user, role), label, who.user
    )
    return web.json_response({**token_json(record), "token": secret}, status=201)


async def _revoke_token(request: web.Request, _who: Identity) -> web.StreamResponse:
    """Revoke a token at once; a script using it is refused from its next request."""
    record = await asyncio.to_thread(access(request).revoke_token, _id(request))
    if record is None:
        return web.json_response({"error": "there is no such token"}, status=404)
    return web.json_response(token_json(record))


ROUTES: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
    ("GET", "/api/sessions", endpoint(_sessions, ADMIN)),
    ("POST", "/api/sessions/revoke", endpoint(_revoke_sessions, ADMIN)),
    ("GET", "/api/tokens", endpoint(_tokens, ADMIN)),
    ("POST", "/api/tokens", endpoint(_create_token, ADMIN)),
    ("POST", "/api/tokens/{id}/revoke", endpoint(_revoke_token, ADMIN)),
]


def add_routes(app: web.Application) -> None:
    """Mount the access API."""
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)

"""Who is signed in: server-side sessions behind an opaque cookie, and bearer tokens for scripts.

The cookie carries only a random session id. The store keeps its hash, with who it signs in
and until when, so signing out, or an admin's revocation, ends a session at once on every
replica. A script sends a bearer token: its owner's own API token, or the admin token from
the data folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from aiohttp import web

from bot.core.access import SESSION_LIFETIME, CodeRefusal, SessionRecord, TokenRecord
from bot.core.actions import Actor
from bot.web.config import CONFIG_KEY, WebConfig

COOKIE = "confbot_session"
SESSION_LIFETIME_S = int(SESSION_LIFETIME.total_seconds())
# The name, not the secret, that the timeline gives what the admin token did.
ADMIN_TOKEN_USER = "admin-token"  # noqa: S105

# Who is signed in and with what role (admin | mts | chair | manager): the rules' Actor.
Identity = Actor


class AccessBook(Protocol):
    """The store's sessions, one-time sign-in codes and API tokens (``bot.store.access``)."""

    def start_session(self, actor: Actor) -> str:
        """A new session; its id is returned once, for the cookie."""

    def session(self, session_id: str) -> Actor | None:
        """Who a session signs in, or None when unknown, ended or expired."""

    def end_session(self, session_id: str) -> bool:
        """End one session."""

    def end_sessions_of(self, user: str) -> int:
        """End every session of one person."""

    def sessions(self) -> list[SessionRecord]:
        """The open sessions, without their ids."""

    def redeem_code(self, code: str) -> Actor | CodeRefusal:
        """Use a sign-in code up."""

    def create_token(self, actor: Actor, label: str, created_by: str) -> tuple[TokenRecord, str]:
        """A new API token and its secret, shown once."""

    def token(self, secret: str) -> Actor | None:
        """Whom a token acts for, or None."""

    def revoke_token(self, token_id: int) -> TokenRecord | None:
        """Revoke a token."""

    def tokens(self) -> Sequence[TokenRecord]:
        """Every token, without secrets."""


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """A random secret kept in a file readable by the service account only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    path.touch(mode=0o600)
    path.write_text(value + "\n")
    return value


class SessionSigner:
    """MACs from the session secret, one purpose each: CSRF tokens, the Entra flow cookie."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def derive(self, purpose: str, value: str) -> str:
        """A MAC of ``value`` for one purpose (such as CSRF), unusable for any other."""
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


SIGNER_KEY: web.AppKey[SessionSigner] = web.AppKey("session_signer", SessionSigner)
ADMIN_TOKEN_KEY: web.AppKey[str] = web.AppKey("admin_token", str)
ACCESS_KEY: web.AppKey[AccessBook] = web.AppKey("access_book")
IDENTITY_KEY: web.RequestKey[Identity | None] = web.RequestKey("identity")


def access(request: web.Request) -> AccessBook:
    """The store's access book, as wired by bot.app."""
    book = request.app.get(ACCESS_KEY)
    if book is None:
        raise web.HTTPServiceUnavailable(text="confbot is still starting")
    return book


def bearer(request: web.Request) -> str | None:
    """The bearer token the request carries, if any."""
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


async def resolve_identity(request: web.Request) -> Identity | None:
    """Look up who the request signs in (once; the security middleware calls it first)."""
    if IDENTITY_KEY in request:
        return request[IDENTITY_KEY]
    identity: Identity | None = None
    book = request.app.get(ACCESS_KEY)
    token = bearer(request)
    cookie = request.cookies.get(COOKIE)
    if token is not None:
        if hmac.compare_digest(token.encode(), request.app[ADMIN_TOKEN_KEY].encode()):
            identity = Identity(ADMIN_TOKEN_USER, "admin")
        elif token and book is not None:
            identity = await asyncio.to_thread(book.token, token)
    elif cookie and book is not None:
        identity = await asyncio.to_thread(book.session, cookie)
    request[IDENTITY_KEY] = identity
    return identity


def current_identity(request: web.Request) -> Identity | None:
    """The signed-in identity, as the security middleware found it (None before it ran)."""
    return request.get(IDENTITY_KEY)


def is_secure(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or behind a TLS proxy we know)."""
    settings = request.app.get(CONFIG_KEY) or WebConfig()
    return request.secure or settings.public_url.startswith("https://")


async def begin_session(
    response: web.StreamResponse, request: web.Request, identity: Identity
) -> None:
    """Start a new session and give the browser its id: HttpOnly, SameSite=Lax, Secure on HTTPS.

    The id is always new and any session the browser came with is ended first, so an id
    planted in someone's browser before they sign in (session fixation) never signs in.
    """
    book = access(request)
    old = request.cookies.get(COOKIE)
    if old:
        await asyncio.to_thread(book.end_session, old)
    session_id = await asyncio.to_thread(book.start_session, identity)
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="Lax",
        secure=is_secure(request),
        max_age=SESSION_LIFETIME_S,
        path="/",
    )


async def end_session(response: web.StreamResponse, request: web.Request) -> None:
    """End the browser's session in the store at once, and clear its cookie."""
    cookie = request.cookies.get(COOKIE)
    book = request.app.get(ACCESS_KEY)
    if cookie and book is not None:
        await asyncio.to_thread(book.end_session, cookie)
    response.del_cookie(COOKIE, path="/")

"""Sign-in for the web app. Sandbox mode uses a one-time link printed at start, like Jupyter."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

COOKIE = "confbot_session"
SESSION_LIFETIME_S = 8 * 3600  # a working day


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is signed in and with what role."""

    user: str
    role: str  # admin | mts | chair | manager


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
    """Signs and checks session cookies with HMAC-SHA256."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, identity: Identity, now: float | None = None) -> str:
        """A cookie value for ``identity`` that expires after a working day."""
        expires = int((now or time.time()) + SESSION_LIFETIME_S)
        payload = f"{identity.user}|{identity.role}|{expires}"
        return f"{payload}|{self._mac(payload)}"

    def check(self, value: str, now: float | None = None) -> Identity | None:
        """The identity in a cookie, or None if it is forged, malformed or expired."""
        parts = value.split("|")
        if len(parts) != 4:
            return None
        user, role, expires, mac = parts
        if not hmac.compare_digest(mac, self._mac(f"{user}|{role}|{expires}")):
            return None
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return None
        return Identity(user=user, role=role)


SIGNER_KEY: web.AppKey[SessionSigner] = web.AppKey("session_signer", SessionSigner)
ADMIN_TOKEN_KEY: web.AppKey[str] = web.AppKey("admin_token", str)


def current_identity(request: web.Request) -> Identity | None:
    """The signed-in identity: a session cookie, or the admin bearer token for scripts."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header.removeprefix("Bearer ").strip()
        if hmac.compare_digest(token, request.app[ADMIN_TOKEN_KEY]):
            return Identity(user="admin-token", role="admin")
        return None
    cookie = request.cookies.get(COOKIE)
    return None if cookie is None else request.app[SIGNER_KEY].check(cookie)


async def signin(request: web.Request) -> web.StreamResponse:
    """Exchange the printed sign-in token for a session cookie."""
    token = request.query.get("token", "")
    if token and hmac.compare_digest(token, request.app[ADMIN_TOKEN_KEY]):
        response = web.HTTPFound("/")
        response.set_cookie(
            COOKIE,
            request.app[SIGNER_KEY].issue(Identity(user="sandbox-admin", role="admin")),
            httponly=True,
            samesite="Lax",
            secure=request.secure,
            max_age=SESSION_LIFETIME_S,
        )
        raise response
    return web.Response(
        status=401 if token else 200,
        content_type="text/html",
        text=(
            "<!doctype html><html lang='en'><head><title>Sign in - confbot</title></head>"
            "<body><main><h1>Sign in</h1>"
            + ("<p role='alert'>That sign-in link is not valid.</p>" if token else "")
            + "<p>Open the sign-in link that confbot printed when it started, "
            "or ask your administrator for one.</p></main></body></html>"
        ),
    )


def add_routes(app: web.Application) -> None:
    """Mount the sign-in route."""
    app.router.add_get("/signin", signin)

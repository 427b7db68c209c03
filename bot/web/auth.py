"""Sign-in for the web app. Sandbox mode uses a one-time link printed at start, like Jupyter."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.web.config import CONFIG_KEY, WebConfig

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

    def derive(self, purpose: str, value: str) -> str:
        """A MAC of ``value`` for one purpose (such as CSRF), unusable for any other."""
        return self._mac(f"{purpose}\x00{value}")

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
    """Exchange the printed sign-in token for a session cookie, or offer Microsoft sign-in."""
    settings = request.app.get(CONFIG_KEY) or WebConfig()
    token = request.query.get("token", "")
    sandbox = settings.sandbox_sign_in
    if sandbox and token and hmac.compare_digest(token, request.app[ADMIN_TOKEN_KEY]):
        response = web.HTTPFound("/")
        response.set_cookie(
            COOKIE,
            request.app[SIGNER_KEY].issue(Identity(user="sandbox-admin", role="admin")),
            httponly=True,
            samesite="Lax",
            secure=request.secure or settings.public_url.startswith("https://"),
            max_age=SESSION_LIFETIME_S,
            path="/",
        )
        raise response
    alert = "That sign-in link is not valid." if token else ""
    return _page(401 if token else 200, alert, settings.oidc is not None, sandbox)


def add_routes(app: web.Application) -> None:
    """Mount the sign-in route."""
    app.router.add_get("/signin", signin)

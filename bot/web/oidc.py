"""Sign-in with Microsoft Entra ID: OpenID Connect authorization code flow with PKCE, via msal.

msal makes the PKCE verifier, the state and the nonce, and checks all three on the way back.
Between the two legs the flow lives in a short-lived signed cookie, so any replica can finish
a sign-in another replica started.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from bot.web.auth import SIGNER_KEY, Identity, begin_session, end_session, is_secure
from bot.web.config import OidcConfig
from bot.web.security import UserRole, config

logger = logging.getLogger(__name__)

FLOW_COOKIE = "confbot_signin_flow"
FLOW_LIFETIME_S = 600
CALLBACK_PATH = "/signin/callback"
# If someone holds several roles, the first of these wins. A chair keeps their actions on
# their own conferences rather than becoming a read-only manager.
PRECEDENCE = (UserRole.ADMIN, UserRole.MTS, UserRole.CHAIR, UserRole.MANAGER)
# App role values used when the settings map none: define these in the app registration.
DEFAULT_ROLE_MAP = {
    "Confbot.Admin": "admin",
    "Confbot.MTS": "mts",
    "Confbot.Chair": "chair",
    "Confbot.Manager": "manager",
}


class AuthCodeClient(Protocol):
    """The two msal calls we use (``msal.ConfidentialClientApplication`` has this shape)."""

    def initiate_auth_code_flow(
        self, scopes: list[str], redirect_uri: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Start a flow: gives ``auth_uri`` and the state to keep."""

    def acquire_token_by_auth_code_flow(
        self, auth_code_flow: dict[str, Any], auth_response: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        """Finish a flow: gives ``id_token_claims`` or ``error``."""


ClientFactory = Callable[[OidcConfig], AuthCodeClient]


def msal_client(settings: OidcConfig) -> AuthCodeClient:
    """The real client. Built on first use: msal looks up the tenant over the network."""
    import msal  # type: ignore[import-untyped]

    client: AuthCodeClient = msal.ConfidentialClientApplication(
        settings.client_id,
        client_credential=settings.client_secret,
        authority=settings.authority,
    )
    return client


CLIENT_FACTORY_KEY: web.AppKey[ClientFactory] = web.AppKey("oidc_client_factory")
CLIENT_KEY: web.AppKey[dict[str, AuthCodeClient]] = web.AppKey("oidc_clients", dict)


def role_from_claims(claims: Mapping[str, Any], role_map: Mapping[str, str]) -> UserRole | None:
    """The confbot role for a token's app roles and groups, or None when it has none."""
    mapping = dict(role_map) or DEFAULT_ROLE_MAP
    held: set[UserRole] = set()
    for claim in ("roles", "groups"):
        values = claims.get(claim) or []
        if isinstance(values, Sequence) and not isinstance(values, str):
            for value in values:
                mapped = mapping.get(str(value), "")
                if mapped in {role.value for role in UserRole}:
                    held.add(UserRole(mapped))
    return next((role for role in PRECEDENCE if role in held), None)


def user_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The signed-in person's sign-in name, lower case: it matches a conference's chair."""
    for claim in ("preferred_username", "upn", "email"):
        value = claims.get(claim)
        if isinstance(value, str) and value and "|" not in value:
            return value.strip().lower()
    return None


def _client(request: web.Request, settings: OidcConfig) -> AuthCodeClient:
    clients = request.app[CLIENT_KEY]
    if settings.client_id not in clients:
        factory = request.app.get(CLIENT_FACTORY_KEY, msal_client)
        clients[settings.client_id] = factory(settings)
    return clients[settings.client_id]


def _redirect_uri(request: web.Request) -> str:
    base = config(request).public_url.rstrip("/") or f"{request.scheme}://{request.host}"
    return base + CALLBACK_PATH


def _seal(request: web.Request, flow: Mapping[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(flow).encode()).decode()
    return payload + "." + request.app[SIGNER_KEY].derive("signin-flow", payload)


def _unseal(request: web.Request, value: str) -> dict[str, Any] | None:
    payload, _, mac = value.rpartition(".")
    expected = request.app[SIGNER_KEY].derive("signin-flow", payload)
    if not payload or not hmac.compare_digest(mac, expected):
        return None
    try:
        flow = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return flow if isinstance(flow, dict) else None


def _refuse(message: str, status: int = 403) -> web.Response:
    return web.Response(
        status=status,
        content_type="text/html",
        text=(
            "<!doctype html><html lang='en-GB'><head><title>Sign in - confbot</title>"
            "<link rel='stylesheet' href='/static/app.css'></head><body><main>"
            f"<h1>Sign in</h1><p role='alert'>{message}</p>"
            "<p><a href='/signin'>Try again</a></p></main></body></html>"
        ),
    )


async def start(request: web.Request) -> web.StreamResponse:
    """Send the browser to Microsoft's sign-in page."""
    settings = config(request).oidc
    if settings is None:
        raise web.HTTPNotFound(text="Microsoft sign-in is not set up here.")
    try:
        client = await asyncio.to_thread(_client, request, settings)
        flow = await asyncio.to_thread(
            client.initiate_auth_code_flow, [], redirect_uri=_redirect_uri(request)
        )
    except Exception as err:  # msal looks the tenant up over the network on first use
        logger.warning("cannot start Entra sign-in", extra={"error": type(err).__name__})
        return _refuse("Microsoft sign-in cannot be reached just now. Try again soon.", 503)
    response = web.HTTPFound(str(flow["auth_uri"]))
    response.set_cookie(
        FLOW_COOKIE,
        _seal(request, flow),
        httponly=True,
        samesite="Lax",
        secure=is_secure(request),
        max_age=FLOW_LIFETIME_S,
        path="/signin",
    )
    raise response


async def callback(request: web.Request) -> web.StreamResponse:
    """Finish the flow: check state, nonce and PKCE (msal does), then start a stored session."""
    settings = config(request).oidc
    if settings is None:
        raise web.HTTPNotFound(text="Microsoft sign-in is not set up here.")
    flow = _unseal(request, request.cookies.get(FLOW_COOKIE, ""))
    if flow is None:
        return _refuse("Your sign-in took too long or was started elsewhere.", status=400)
    try:
        client = await asyncio.to_thread(_client, request, settings)
        result = await asyncio.to_thread(
            client.acquire_token_by_auth_code_flow, flow, dict(request.query)
        )
    except ValueError:  # msal: state mismatch, or a response that does not match the flow
        return _refuse("The sign-in answer did not match. Please start again.", status=400)
    claims = result.get("id_token_claims")
    if "error" in result or not isinstance(claims, dict):
        logger.warning("sign-in refused by Entra ID", extra={"error": result.get("error")})
        return _refuse("Microsoft did not sign you in. Please start again.", status=400)
    user = user_from_claims(claims)
    role = role_from_claims(claims, settings.role_map)
    if user is None or role is None:
        return _refuse("Your account has no confbot role. Ask your administrator for one.")
    response = web.HTTPFound("/")
    await begin_session(response, request, Identity(user=user, role=role.value))
    response.del_cookie(FLOW_COOKIE, path="/signin")
    raise response


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session at once (a POST with the CSRF token, so no other site can sign you out)."""
    response = web.HTTPSeeOther("/signin")
    await end_session(response, request)
    raise response


def add_routes(app: web.Application) -> None:
    """Mount the Microsoft sign-in routes and sign-out."""
    app[CLIENT_KEY] = {}
    app.router.add_get("/signin/microsoft", start)
    app.router.add_get(CALLBACK_PATH, callback)
    app.router.add_post("/signout", sign_out)

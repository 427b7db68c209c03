"""Sandbox ``/subscriptions``: the validation handshake, renewal and deletion."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from graph.sandbox.notify import ValidationFailed, resource_target
from graph.sandbox.state import GraphFault
from graph.sandbox.web import graph_json, read_json, sandbox_of

routes = web.RouteTableDef()

MAX_MAIL_SUBSCRIPTION = timedelta(minutes=10080)  # Outlook resources: under 7 days


def _expiry(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise GraphFault(400, "InvalidRequest", "expirationDateTime is not valid.") from err
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    now = datetime.now(UTC)
    if parsed <= now or parsed - now > MAX_MAIL_SUBSCRIPTION + timedelta(minutes=1):
        raise GraphFault(
            400,
            "ExtensionError",
            "Subscription expiration can only be 10070 minutes in the future.",
        )
    return parsed


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


@routes.post("/v1.0/subscriptions")
async def create_subscription(request: web.Request) -> web.Response:
    """Validate the notification URL, then store the subscription."""
    sandbox = sandbox_of(request)
    body = await read_json(request)
    for key in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
        if not body.get(key):
            raise GraphFault(400, "InvalidRequest", f"{key} is required.")
    target = resource_target(str(body["resource"]))
    if target is None:
        raise GraphFault(400, "InvalidRequest", "The resource is not supported here.")
    sandbox.tenant.user_id(target[0])
    expires = _expiry(body["expirationDateTime"])
    try:
        await sandbox.notifier.validate(str(body["notificationUrl"]))
    except ValidationFailed as err:
        raise GraphFault(
            400,
            "InvalidRequest",
            "Subscription validation request failed. Notification endpoint must "
            "respond with 200 OK to validation request.",
        ) from err
    sub = {
        "id": f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-"
        f"{secrets.token_hex(2)}-{secrets.token_hex(6)}",
        "resource": body["resource"],
        "applicationId": "00000000-0000-0000-0000-00000000c0fb",
        "changeType": body["changeType"],
        "clientState": body.get("clientState"),
        "notificationUrl": body["notificationUrl"],
        "lifecycleNotificationUrl": body.get("lifecycleNotificationUrl"),
        "expirationDateTime": _iso(expires),
        "creatorId": "00000000-0000-0000-0000-00000000c0fb",
        "includeResourceData": False,
        "latestSupportedTlsVersion": "v1_2",
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationQueryOptions": None,
        "notificationUrlAppId": None,
    }
    sandbox.tenant.subscriptions[sub["id"]] = sub
    return graph_json(sub, status=201)


def _find(request: web.Request) -> dict[str, Any]:
    found = sandbox_of(request).tenant.subscriptions.get(request.match_info["id"])
    if found is None:
        raise GraphFault(404, "ResourceNotFound", "The object was not found.")
    return found


@routes.get("/v1.0/subscriptions")
async def list_subscriptions(request: web.Request) -> web.Response:
    """Every live subscription."""
    return graph_json({"value": list(sandbox_of(request).tenant.subscriptions.values())})


@routes.get("/v1.0/subscriptions/{id}")
async def get_subscription(request: web.Request) -> web.Response:
    """One subscription."""
    return graph_json(_find(request))


@routes.patch("/v1.0/subscriptions/{id}")
async def renew_subscription(request: web.Request) -> web.Response:
    """Push the expiry out."""
    sub = _find(request)
    body = await read_json(request)
    sub["expirationDateTime"] = _iso(_expiry(body.get("expirationDateTime")))
    return graph_json(sub)


@routes.delete("/v1.0/subscriptions/{id}")
async def delete_subscription(request: web.Request) -> web.Response:
    """Stop a subscription."""
    sub = _find(request)
    del sandbox_of(request).tenant.subscriptions[sub["id"]]
    return web.Response(status=204)

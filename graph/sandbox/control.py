"""The ``/_sandbox/`` control API: deliver mail, read the log and state, inject faults."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from graph.sandbox.faults import FaultRule
from graph.sandbox.mail import deliver_and_notify
from graph.sandbox.state import GraphFault
from graph.sandbox.web import graph_json, read_json, sandbox_of

routes = web.RouteTableDef()


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


@routes.post("/_sandbox/mail")
async def post_mail(request: web.Request) -> web.Response:
    """Deliver a new email into each ``to`` mailbox's inbox, and notify subscribers."""
    sandbox = sandbox_of(request)
    tenant = sandbox.tenant
    body = await read_json(request)
    targets = _listed(body.get("to"))
    sender = str(body.get("from", ""))
    if not targets or not sender:
        raise GraphFault(400, "BadRequest", "to and from are required.")
    uids = [tenant.user_id(t) for t in targets]
    attachments = []
    for a in body.get("attachments") or []:
        try:
            base64.b64decode(str(a.get("contentBytes", "")), validate=True)
        except (binascii.Error, ValueError) as err:
            raise GraphFault(400, "BadRequest", "contentBytes must be base64.") from err
        attachments.append(a)
    content_type = str(body.get("contentType", "text")).lower()
    from_uid = tenant.user_id(sender, must=False)
    sender_address = (
        tenant.address(from_uid)
        if from_uid
        else {"name": str(body.get("fromName", "")), "address": sender}
    )
    message = {
        "subject": str(body.get("subject", "")),
        "body": {
            "contentType": "html" if content_type == "html" else "text",
            "content": str(body.get("body", "")),
        },
        "from": {"emailAddress": sender_address},
        "sender": {"emailAddress": sender_address},
        "toRecipients": [{"emailAddress": tenant.address(u)} for u in uids],
        # Copied-in people, as Graph lists them; they get no copy in the sandbox.
        "ccRecipients": [
            {"emailAddress": {"name": str(c.get("name", "")), "address": str(c.get("address", ""))}}
            for c in body.get("cc") or []
            if isinstance(c, dict)
        ],
    }
    stored = [deliver_and_notify(sandbox, uid, message, attachments) for uid in uids]
    return graph_json({"ids": [m["id"] for m in stored]}, status=201)


@routes.get("/_sandbox/requests")
async def request_log(request: web.Request) -> web.Response:
    """The request log: method, path, status, timestamp and mailbox of each Graph call."""
    return graph_json({"requests": list(sandbox_of(request).requests)})


@routes.delete("/_sandbox/requests")
async def clear_request_log(request: web.Request) -> web.Response:
    """Empty the request log."""
    sandbox_of(request).requests.clear()
    return web.Response(status=204)


@routes.get("/_sandbox/state")
async def state(request: web.Request) -> web.Response:
    """Users, events, mail per mailbox, the outbox and drive files."""
    sandbox = sandbox_of(request)
    snapshot = sandbox.tenant.snapshot()
    snapshot["faults"] = sandbox.faults.rule.to_json() if sandbox.faults.rule else None
    return graph_json(snapshot)


@routes.post("/_sandbox/faults")
async def set_faults(request: web.Request) -> web.Response:
    """Inject faults: rate, statuses, retry_after, path pattern, latency, phase, seed."""
    sandbox = sandbox_of(request)
    body = await read_json(request)
    try:
        rule = FaultRule.from_json(body)
    except (ValueError, TypeError) as err:
        raise GraphFault(400, "BadRequest", str(err)) from err
    seed = body.get("seed")
    sandbox.faults.set(rule, None if seed is None else int(seed))
    return graph_json(rule.to_json())


@routes.delete("/_sandbox/faults")
async def clear_faults(request: web.Request) -> web.Response:
    """Stop injecting faults."""
    sandbox_of(request).faults.clear()
    return web.Response(status=204)


@routes.post("/_sandbox/config")
async def set_config(request: web.Request) -> web.Response:
    """Change the sandbox's Exchange-like behaviour, e.g. ``{"sent_items_lag": 0.5}``."""
    config = sandbox_of(request).config
    body = await read_json(request)
    if "sent_items_lag" in body:
        try:
            lag = float(body["sent_items_lag"])
        except (TypeError, ValueError) as err:
            raise GraphFault(400, "BadRequest", "sent_items_lag must be seconds.") from err
        if not 0 <= lag <= 600:
            raise GraphFault(400, "BadRequest", "sent_items_lag must be 0 to 600 seconds.")
        config.sent_items_lag = lag
    return graph_json({"sent_items_lag": config.sent_items_lag})


@routes.post("/_sandbox/reset")
async def reset(request: web.Request) -> web.Response:
    """Back to the seeded tenant: no events, mail, files, subscriptions, faults or log."""
    sandbox = sandbox_of(request)
    sandbox.tenant.reset()
    sandbox.faults.clear()
    sandbox.requests.clear()
    return web.Response(status=204)


@routes.post("/_sandbox/delta/expire")
async def expire_delta(request: web.Request) -> web.Response:
    """Forget every delta sync state, so stored delta links answer 410."""
    sandbox_of(request).tenant.epoch += 1
    return web.Response(status=204)

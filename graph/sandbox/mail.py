"""Sandbox mail endpoints: delta, message get/update/move, attachments and sendMail."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from graph.sandbox.filters import message_filter
from graph.sandbox.notify import resource_target
from graph.sandbox.state import GraphFault, now_iso
from graph.sandbox.web import Sandbox, graph_json, read_json, sandbox_of, user_param

routes = web.RouteTableDef()

_HIDDEN = ("parentFolderId",)


def deliver_and_notify(
    sandbox: Sandbox,
    uid: str,
    message: dict[str, Any],
    attachments: list[dict[str, Any]] | None = None,
    folder: str = "inbox",
) -> dict[str, Any]:
    """Deliver a message and POST a change notification to each matching subscription."""
    stored = sandbox.tenant.deliver(uid, message, attachments, folder)
    now = datetime.now(UTC)
    for sub in list(sandbox.tenant.subscriptions.values()):
        target = resource_target(sub["resource"])
        if target is None or "created" not in sub["changeType"].split(","):
            continue
        user, sub_folder = target
        if sandbox.tenant.user_id(user, must=False) != uid:
            continue
        if sub_folder is not None and sub_folder != folder:
            continue
        if datetime.fromisoformat(sub["expirationDateTime"].replace("Z", "+00:00")) < now:
            continue
        resource = f"Users/{uid}/Messages/{stored['id']}"
        sandbox.notifier.send(
            sub["notificationUrl"],
            {
                "value": [
                    {
                        "subscriptionId": sub["id"],
                        "subscriptionExpirationDateTime": sub["expirationDateTime"],
                        "changeType": "created",
                        "resource": resource,
                        "resourceData": {
                            "@odata.type": "#Microsoft.Graph.Message",
                            "@odata.id": resource,
                            "@odata.etag": 'W/"sandbox"',
                            "id": stored["id"],
                        },
                        "clientState": sub.get("clientState"),
                        "tenantId": sandbox.tenant_id,
                    }
                ]
            },
        )
    return stored


# Graph returns extended properties only when asked with $expand, which confbot never does.
_EXPANDED_ONLY = ("singleValueExtendedProperties",)


def public(message: dict[str, Any]) -> dict[str, Any]:
    """A message as Graph returns it."""
    return {k: v for k, v in message.items() if k not in _EXPANDED_ONLY}


def _listed(request: web.Request, messages: list[dict[str, Any]]) -> web.Response:
    """A message collection with ``$filter``, ``$select`` and ``$top`` applied."""
    keep = message_filter(request.query.get("$filter"))
    items = [public(m) for m in messages if keep(m)]
    top = request.query.get("$top", "")
    if top.isdigit():
        items = items[: int(top)]
    select = request.query.get("$select")
    if select:
        wanted = {s.strip() for s in select.split(",")} | {"id"}
        items = [{k: v for k, v in m.items() if k in wanted or k.startswith("@")} for m in items]
    return graph_json({"value": items})


def _token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _untoken(text: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (ValueError, json.JSONDecodeError) as err:
        raise GraphFault(410, "SyncStateNotFound", "The sync state is not valid.") from err
    if not isinstance(data, dict):
        raise GraphFault(410, "SyncStateNotFound", "The sync state is not valid.")
    return data


@routes.get("/v1.0/users/{user}/mailFolders('{folder}')/messages/delta()")
@routes.get("/v1.0/users/{user}/mailFolders('{folder}')/messages/delta")
@routes.get("/v1.0/users/{user}/mailFolders/{folder}/messages/delta()")
@routes.get("/v1.0/users/{user}/mailFolders/{folder}/messages/delta")
async def message_delta(request: web.Request) -> web.Response:
    """Changes in a folder: pages by ``@odata.nextLink``, then an ``@odata.deltaLink``."""
    sandbox = sandbox_of(request)
    tenant = sandbox.tenant
    uid = user_param(request)
    folder = tenant.folder_id(uid, request.match_info["folder"])
    page_size = sandbox.config.delta_page_size
    prefer = request.headers.get("Prefer", "")
    for part in prefer.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
            page_size = max(1, int(value.strip()))
    if "$skiptoken" in request.query:
        state = _untoken(request.query["$skiptoken"])
    elif "$deltatoken" in request.query:
        state = {**_untoken(request.query["$deltatoken"]), "o": 0}
        state["f"], state["t"] = state.get("t", 0), tenant.seq
    else:
        state = {"e": tenant.epoch, "f": 0, "t": tenant.seq, "o": 0}
    if state.get("e") != tenant.epoch:
        raise GraphFault(410, "SyncStateNotFound", "The sync state generation is not valid.")
    low, high, offset = int(state["f"]), int(state["t"]), int(state.get("o", 0))
    changed: dict[str, None] = {}
    for seq, message_id in tenant.changes.get((uid, folder), []):
        if low < seq <= high:
            changed.pop(message_id, None)
            changed[message_id] = None  # order by latest change
    items: list[dict[str, Any]] = []
    for message_id in changed:
        message = tenant.messages[uid].get(message_id)
        if message is not None and message["parentFolderId"] == folder:
            items.append(public(message))
        elif low > 0:  # a first sync has nothing to remove
            items.append(
                {
                    "@odata.type": "#microsoft.graph.message",
                    "id": message_id,
                    "@removed": {"reason": "deleted"},
                }
            )
    page = items[offset : offset + page_size]
    base = (
        f"{sandbox.graph_url}/users/{quote(uid, safe='')}/mailFolders"
        f"('{quote(folder, safe='')}')/messages/delta()"
    )
    answer: dict[str, Any] = {
        "@odata.context": f"{sandbox.graph_url}/$metadata#Collection(message)",
        "value": page,
    }
    if offset + page_size < len(items):
        state = {"e": tenant.epoch, "f": low, "t": high, "o": offset + page_size}
        answer["@odata.nextLink"] = f"{base}?$skiptoken={_token(state)}"
    else:
        answer["@odata.deltaLink"] = f"{base}?$deltatoken={_token({'e': tenant.epoch, 't': high})}"
    return graph_json(answer)


@routes.get("/v1.0/users/{user}/mailFolders/{folder}/messages")
async def list_folder(request: web.Request) -> web.Response:
    """The messages in a folder."""
    tenant = sandbox_of(request).tenant
    uid = user_param(request)
    folder = tenant.folder_id(uid, request.match_info["folder"])
    return _listed(
        request, [m for m in tenant.messages[uid].values() if m["parentFolderId"] == folder]
    )


@routes.get("/v1.0/users/{user}/messages")
async def list_messages(request: web.Request) -> web.Response:
    """Every message in the mailbox, whatever its folder."""
    tenant = sandbox_of(request).tenant
    return _listed(request, list(tenant.messages[user_param(request)].values()))


@routes.get("/v1.0/users/{user}/mailFolders")
async def list_folders(request: web.Request) -> web.Response:
    """The user's mail folders."""
    tenant = sandbox_of(request).tenant
    return graph_json({"value": list(tenant.folders[user_param(request)].values())})


@routes.post("/v1.0/users/{user}/mailFolders")
async def create_folder(request: web.Request) -> web.Response:
    """A new mail folder."""
    tenant = sandbox_of(request).tenant
    body = await read_json(request)
    folder = tenant.create_folder(user_param(request), str(body.get("displayName", "Folder")))
    return graph_json(folder, status=201)


@routes.get("/v1.0/users/{user}/messages/{message}")
async def get_message(request: web.Request) -> web.Response:
    """One message; ``$select`` narrows the fields."""
    tenant = sandbox_of(request).tenant
    message = public(tenant.message(user_param(request), request.match_info["message"]))
    select = request.query.get("$select")
    if select:
        wanted = {s.strip() for s in select.split(",")} | {"id"}
        message = {k: v for k, v in message.items() if k in wanted or k.startswith("@")}
    return graph_json(message)


@routes.patch("/v1.0/users/{user}/messages/{message}")
async def update_message(request: web.Request) -> web.Response:
    """Change categories, read state, flag or importance."""
    tenant = sandbox_of(request).tenant
    body = await read_json(request)
    updated = tenant.update_message(user_param(request), request.match_info["message"], body)
    return graph_json(public(updated))


@routes.delete("/v1.0/users/{user}/messages/{message}")
async def delete_message(request: web.Request) -> web.Response:
    """Move a message to Deleted Items, as Outlook does."""
    tenant = sandbox_of(request).tenant
    tenant.move_message(user_param(request), request.match_info["message"], "deleteditems")
    return web.Response(status=204)


@routes.post("/v1.0/users/{user}/messages/{message}/move")
async def move_message(request: web.Request) -> web.Response:
    """Move a message to another folder (by id or well-known name)."""
    tenant = sandbox_of(request).tenant
    body = await read_json(request, action=True)
    destination = str(body.get("destinationId", ""))
    moved = tenant.move_message(user_param(request), request.match_info["message"], destination)
    return graph_json(public(moved), status=201)


@routes.get("/v1.0/users/{user}/messages/{message}/attachments")
async def list_attachments(request: web.Request) -> web.Response:
    """A message's attachments, with their content."""
    tenant = sandbox_of(request).tenant
    message = tenant.message(user_param(request), request.match_info["message"])
    return graph_json({"value": tenant.attachments.get(message["id"], [])})


def _addresses(message: dict[str, Any], key: str) -> list[str]:
    return [str(r["emailAddress"]["address"]) for r in message.get(key) or []]


@routes.post("/v1.0/users/{user}/sendMail")
async def send_mail(request: web.Request) -> web.Response:
    """Send: sandbox users get it in their inbox; outside addresses land in the outbox."""
    sandbox = sandbox_of(request)
    tenant = sandbox.tenant
    uid = user_param(request)
    body = await read_json(request, action=True)
    message = body.get("message")
    if not isinstance(message, dict):
        raise GraphFault(400, "ErrorInvalidRequest", "The message is missing.")
    recipients = [
        *_addresses(message, "toRecipients"),
        *_addresses(message, "ccRecipients"),
        *_addresses(message, "bccRecipients"),
    ]
    if not recipients:
        raise GraphFault(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
    attachments = [
        a for a in message.get("attachments") or [] if "fileAttachment" in a.get("@odata.type", "")
    ]
    sender = {"emailAddress": tenant.address(uid)}
    copy = {
        k: v
        for k, v in message.items()
        if k in ("subject", "body", "toRecipients", "ccRecipients", "replyTo", "importance")
    }
    # Kept on the sender's copy only: a named property stays in the mailbox that set it.
    own = {
        k: v
        for k, v in message.items()
        if k in ("singleValueExtendedProperties", "internetMessageId")
    }
    copy.update({"from": sender, "sender": sender, "sentDateTime": now_iso()})
    copy.pop("attachments", None)
    outside = []
    for address in dict.fromkeys(recipients):
        target = tenant.user_id(address, must=False)
        if target:
            deliver_and_notify(sandbox, target, copy, attachments)
        else:
            outside.append(address)
    if outside:
        tenant.outbox.append(
            {
                "from": tenant.users[uid]["mail"],
                "to": outside,
                "subject": message.get("subject", ""),
                "body": message.get("body", {}),
                "replyTo": _addresses(message, "replyTo"),
                "attachments": [a.get("name") for a in attachments],
                "internetMessageHeaders": message.get("internetMessageHeaders") or [],
                "sentDateTime": now_iso(),
            }
        )
    if body.get("saveToSentItems", True) in (True, "true", "True"):
        _save_sent(sandbox, uid, {**copy, **own, "isRead": True}, attachments)
    return web.Response(status=202)


def _save_sent(
    sandbox: Sandbox, uid: str, copy: dict[str, Any], attachments: list[dict[str, Any]]
) -> None:
    """The sender's copy: in Drafts at once, then in Sent Items, as Exchange does it.

    Exchange saves the message in Drafts before ``sendMail`` answers 202, and transport
    moves it to Sent Items later; ``sent_items_lag`` is that wait (0: straight there).
    """
    lag = sandbox.config.sent_items_lag
    if lag <= 0:
        sandbox.tenant.deliver(uid, copy, attachments, folder="sentitems")
        return
    draft = sandbox.tenant.deliver(uid, {**copy, "isDraft": True}, attachments, folder="drafts")

    def move() -> None:
        stored = sandbox.tenant.messages.get(uid, {}).get(draft["id"])
        if stored is not None and stored["parentFolderId"] == "drafts":
            stored["isDraft"] = False
            sandbox.tenant.move_message(uid, draft["id"], "sentitems")

    asyncio.get_running_loop().call_later(lag, move)

"""Sandbox drive endpoints: a user's drive, and simple upload by path."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web

from graph.sandbox.state import GraphFault, new_id, now_iso
from graph.sandbox.web import graph_json, sandbox_of, user_param

routes = web.RouteTableDef()


@routes.get("/v1.0/users/{user}/drive")
async def get_drive(request: web.Request) -> web.Response:
    """The user's OneDrive."""
    sandbox = sandbox_of(request)
    uid = user_param(request)
    user = sandbox.tenant.users[uid]
    drive_id = f"drive-{uid}"
    return graph_json(
        {
            "id": drive_id,
            "driveType": "business",
            "name": "OneDrive",
            "webUrl": f"{sandbox.url}/_sandbox/files/{quote(drive_id)}",
            "owner": {"user": {"id": uid, "displayName": user["displayName"]}},
        }
    )


def _item_path(raw: str) -> str:
    """``root:/a/b.docx:`` (or ``{parent}:/b.docx:``) as a path inside the drive."""
    text = unquote(raw)
    if not (text.endswith(":") and ":/" in text):
        raise GraphFault(400, "invalidRequest", "Only path-based upload is supported.")
    parent, _, rest = text[:-1].partition(":/")
    if parent not in ("root", ""):
        raise GraphFault(400, "invalidRequest", "Upload under root:/path only.")
    parts = [p for p in rest.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        raise GraphFault(400, "invalidRequest", "The path is not valid.")
    return "/".join(parts)


@routes.put("/v1.0/drives/{drive}/items/{item:.+}/content")
async def upload(request: web.Request) -> web.Response:
    """Create or replace a file by path; returns the driveItem."""
    sandbox = sandbox_of(request)
    drive_id = request.match_info["drive"]
    files = sandbox.tenant.drives.get(drive_id)
    if files is None:
        raise GraphFault(404, "itemNotFound", "The drive was not found.")
    path = _item_path(request.match_info["item"])
    content = await request.read()
    name = path.rsplit("/", 1)[-1]
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    existing = files.get(path)
    item: dict[str, Any] = {
        "id": existing["id"] if existing else new_id("item"),
        "name": name,
        "size": len(content),
        "createdDateTime": existing["createdDateTime"] if existing else now_iso(),
        "lastModifiedDateTime": now_iso(),
        "webUrl": f"{sandbox.url}/_sandbox/files/{quote(drive_id)}/{quote(path)}",
        "file": {"mimeType": mimetypes.guess_type(name)[0] or "application/octet-stream"},
        "parentReference": {
            "driveId": drive_id,
            "driveType": "business",
            "path": f"/drive/root:/{folder}" if folder else "/drive/root:",
        },
        "content": content,
    }
    files[path] = item
    shown = {k: v for k, v in item.items() if k != "content"}
    return graph_json(shown, status=200 if existing else 201)


@routes.get("/_sandbox/files/{drive}/{path:.+}")
async def download(request: web.Request) -> web.Response:
    """A file's bytes, at the webUrl the upload returned."""
    files = sandbox_of(request).tenant.drives.get(request.match_info["drive"], {})
    item = files.get(unquote(request.match_info["path"]))
    if item is None:
        raise GraphFault(404, "itemNotFound", "The file was not found.")
    return web.Response(body=item["content"], content_type=item["file"]["mimeType"])

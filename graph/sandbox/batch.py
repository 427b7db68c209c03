"""Sandbox ``$batch``: up to 20 requests, run in order, honouring ``dependsOn``."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from aiohttp import web

from graph.sandbox.state import GraphFault
from graph.sandbox.web import SESSION, error_body, graph_json, read_json, sandbox_of

routes = web.RouteTableDef()

BATCH_LIMIT = 20


BATCH_HEADER = "X-Confbot-Sandbox-Batch-Item"


@routes.post("/v1.0/$batch")
async def batch(request: web.Request) -> web.Response:
    """Run each request against this sandbox, over loopback, as Graph would internally."""
    sandbox = sandbox_of(request)
    items = _items(await read_json(request))
    session = request.app[SESSION]
    statuses: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    for item in items:
        request_id = str(item["id"])
        depends = [str(d) for d in item.get("dependsOn") or []]
        unknown = [d for d in depends if d not in statuses]
        if unknown:
            raise GraphFault(400, "BadRequest", "dependsOn names a request that is not earlier.")
        if any(statuses[d] >= 400 for d in depends):
            statuses[request_id] = 424
            responses.append(
                {
                    "id": request_id,
                    "status": 424,
                    "body": error_body(424, "FailedDependency", "A dependency failed."),
                }
            )
            continue
        entry = await _run(session, sandbox.graph_url, request_id, item)
        statuses[request_id] = entry["status"]
        responses.append(entry)
    return graph_json({"responses": responses})


def _items(body: dict[str, Any]) -> list[Any]:
    """The batch's requests, refused as Graph refuses them: none, too many, or unnamed."""
    items = body.get("requests")
    if not isinstance(items, list) or not items:
        raise GraphFault(400, "BadRequest", "Invalid batch payload format.")
    if len(items) > BATCH_LIMIT:
        raise GraphFault(400, "BadRequest", "Too many requests in a batch. Max is 20.")
    ids = [str(i.get("id", "")) for i in items]
    if len(set(ids)) != len(ids) or "" in ids:
        raise GraphFault(400, "BadRequest", "Batch request ids must be present and unique.")
    return items


async def _run(
    session: aiohttp.ClientSession, graph_url: str, request_id: str, item: dict[str, Any]
) -> dict[str, Any]:
    """Send one inner request over loopback; its response as a ``$batch`` entry."""
    url = str(item.get("url", ""))
    if not url.startswith("/"):
        url = "/" + url
    headers = {k: str(v) for k, v in (item.get("headers") or {}).items()}
    # Marks the inner request in the log: it is part of one $batch, not a request of its own.
    headers[BATCH_HEADER] = request_id
    payload = item.get("body")
    data = json.dumps(payload).encode() if payload is not None else None
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    try:
        async with session.request(
            str(item.get("method", "GET")).upper(),
            f"{graph_url}{url}",
            data=data,
            headers=headers,
        ) as answer:
            raw = await answer.read()
            status = answer.status
            out_headers = {
                k: v for k, v in answer.headers.items() if k in ("Content-Type", "Retry-After")
            }
    except aiohttp.ClientError:
        status, raw, out_headers = 503, b"", {}
    entry: dict[str, Any] = {"id": request_id, "status": status, "headers": out_headers}
    if raw:
        try:
            entry["body"] = json.loads(raw)
        except json.JSONDecodeError:
            entry["body"] = raw.decode(errors="replace")
    return entry

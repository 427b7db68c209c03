"""JSON bodies are bounded: too deep or too large is a client error that says so, never a 500."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from bot.store.database import Database
from bot.web import api, graph_webhook
from bot.web.json_body import MAX_JSON_BYTES, MAX_JSON_DEPTH, BodyRefused, nesting_depth
from tests.browser.webapp import ADMIN_TOKEN, build_web_app, client_for

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DEEP = "[" * 100_000


def _app(database: Database) -> web.Application:
    app, _, _ = build_web_app(database)
    api.add_routes(app)
    app[graph_webhook.NOTIFY_KEY] = lambda _state: True
    graph_webhook.add_routes(app)
    return app


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
@pytest.mark.parametrize("path", ["/api/conferences/1/allocate", graph_webhook.ROUTE])
async def test_deeply_nested_json_is_a_400_that_says_so_on_every_json_route(
    database: Database, path: str, content_type: str
) -> None:
    # text/plain passes the middleware by; the route's own read is bounded the same way.
    client = await client_for(_app(database))
    try:
        response = await client.post(
            path, data=DEEP, headers={**BEARER, "Content-Type": content_type}
        )
        assert response.status == 400
        assert (await response.json()) == {
            "error": f"the body is not accepted: JSON nested more than {MAX_JSON_DEPTH} deep"
        }
    finally:
        await client.close()


@pytest.mark.parametrize("path", ["/api/conferences/1/allocate", graph_webhook.ROUTE])
async def test_a_json_body_over_the_size_limit_is_refused_saying_so(
    database: Database, path: str
) -> None:
    client = await client_for(_app(database))
    body = json.dumps({"chair": "x" * MAX_JSON_BYTES})
    try:
        response = await client.post(
            path, data=body, headers={**BEARER, "Content-Type": "application/json"}
        )
        assert response.status == 413
        assert (await response.json()) == {"error": "the body is larger than 256 KB"}
    finally:
        await client.close()


async def test_a_route_whose_library_parses_json_itself_is_guarded_by_the_middleware(
    database: Database,
) -> None:
    # Stands in for the Teams SDK at /api/messages, which calls request.json() itself.
    app = _app(database)
    reached: list[object] = []

    async def library_route(request: web.Request) -> web.Response:
        reached.append(await request.json())
        return web.json_response({"ok": True})

    app.router.add_post("/api/messages", library_route)
    client = await client_for(app)
    try:
        refused = await client.post(
            "/api/messages", data=DEEP, headers={"Content-Type": "application/json"}
        )
        accepted = await client.post("/api/messages", json={"type": "message", "text": "hello"})
        assert refused.status == 400 and "nested more than" in (await refused.json())["error"]
        assert accepted.status == 200
        assert reached == [{"type": "message", "text": "hello"}]
    finally:
        await client.close()


async def test_an_ordinary_api_body_still_reaches_its_action(database: Database) -> None:
    client = await client_for(_app(database))
    try:
        response = await client.post(
            "/api/conferences/999/allocate", json={"chair": "chair@council.example"}, headers=BEARER
        )
        assert response.status != 400 and response.status < 500
        not_object = await client.post("/api/conferences/1/allocate", json=[1], headers=BEARER)
        assert (await not_object.json()) == {"error": "the body must be a JSON object"}
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[[[[[["}', 1),  # brackets inside a string are text
        ('["\\"[[[[", {}]', 2),  # an escaped quote does not end the string
        ("[" * 40, MAX_JSON_DEPTH + 1),  # counting stops just past the limit
        ("7", 0),
    ],
)
def test_nesting_is_measured_without_recursion_and_ignores_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_a_body_that_is_not_utf8_is_refused_as_not_json() -> None:
    from bot.web.json_body import parse_bounded

    with pytest.raises(BodyRefused, match="not UTF-8"):
        parse_bounded(b'{"chair": "\xff"}')

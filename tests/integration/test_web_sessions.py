"""Server-side sessions, one-time sign-in links and per-person API tokens, over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.store.database import Database
from bot.web import api, api_access
from bot.web.auth import COOKIE, Identity
from tests.browser.webapp import (
    ADMIN_TOKEN,
    CHAIR,
    SECRET,
    access_store,
    build_web_app,
    client_for,
    sign_in_link,
)
from tests.stores import database_url  # noqa: F401  (the fixture)

Client = TestClient[web.Request, web.Application]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PAT = "pat.mts@council.example"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[Client]:  # noqa: F811
    """The web app with its API, on SQLite and (when set) on PostgreSQL."""
    database = Database(database_url)
    database.upgrade()
    app, _repository, _fake = build_web_app(database)
    api.add_routes(app)
    api_access.add_routes(app)
    client = await client_for(app)
    yield client
    await client.close()
    database.dispose()


def _as(cookie: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={cookie}"}


async def _sign_in(client: Client, headers: dict[str, str] | None = None) -> str:
    response = await client.get(sign_in_link(), headers=headers, allow_redirects=False)
    assert response.status == 302, await response.text()
    # The tests send each cookie by hand: nothing rides along from the client's own jar.
    client.session.cookie_jar.clear()
    return response.cookies[COOKIE].value


async def _is_signed_in(client: Client, cookie: str) -> bool:
    """Whether the cookie opens a page, and the API knows who it is (a chair gets 403 there)."""
    page = await client.get("/conferences", headers=_as(cookie), allow_redirects=False)
    api_answer = await client.get("/api/conferences", headers=_as(cookie))
    if page.status == 200:
        assert api_answer.status in (200, 403)
        return True
    assert page.status == 302 and page.headers["Location"] == "/signin"
    assert api_answer.status == 401
    return False


def _csrf(cookie: str) -> str:
    from bot.web.auth import SessionSigner

    return SessionSigner(SECRET).derive("csrf", cookie)


async def test_signing_out_ends_the_session_so_the_old_cookie_signs_nobody_in(
    client: Client,
) -> None:
    cookie = await _sign_in(client)
    assert await _is_signed_in(client, cookie)
    out = await client.post(
        "/signout", data={"csrf": _csrf(cookie)}, headers=_as(cookie), allow_redirects=False
    )
    assert out.status == 303
    # A copy of the cookie (stolen, or kept by a browser that ignored the deletion) is dead.
    assert not await _is_signed_in(client, cookie)


async def test_an_admin_revoking_a_person_ends_every_session_of_theirs_at_once(
    client: Client,
) -> None:
    chair = [access_store().start_session(Identity(CHAIR, "chair")) for _ in range(2)]
    other = access_store().start_session(Identity(PAT, "mts"))
    assert all([await _is_signed_in(client, c) for c in chair])
    listed = await (await client.get("/api/sessions", headers=ADMIN)).json()
    assert {s["user"] for s in listed} == {CHAIR, PAT}
    assert not any(c in str(listed) for c in [*chair, other])
    answer = await client.post("/api/sessions/revoke", json={"user": CHAIR}, headers=ADMIN)
    assert answer.status == 200 and (await answer.json())["ended"] == 2
    assert not any([await _is_signed_in(client, c) for c in chair])
    assert await _is_signed_in(client, other)


async def test_only_an_admin_may_revoke_sessions_or_make_tokens(client: Client) -> None:
    mts = _as(access_store().start_session(Identity(PAT, "mts")))
    for path, body in (
        ("/api/sessions/revoke", {"user": CHAIR}),
        ("/api/tokens", {"user": PAT, "role": "admin", "label": "mine"}),
    ):
        refused = await client.post(path, json=body, headers={**mts, "X-CSRF-Token": ""})
        assert refused.status == 403, path


async def test_the_printed_link_signs_in_once_and_a_second_use_gets_a_page_saying_so(
    client: Client,
) -> None:
    link = sign_in_link()
    first = await client.get(link, allow_redirects=False)
    assert first.status == 302 and first.headers["Location"] == "/"
    client.session.cookie_jar.clear()
    assert await _is_signed_in(client, first.cookies[COOKIE].value)
    again = await client.get(link, allow_redirects=False)
    assert again.status == 401 and COOKIE not in again.cookies
    assert "already been used" in await again.text()
    made_up = await client.get("/signin?code=made-up", allow_redirects=False)
    assert made_up.status == 401 and "not valid" in await made_up.text()


async def test_an_expired_sign_in_link_gets_a_page_saying_so_and_how_to_get_another(
    client: Client,
) -> None:
    code = access_store().issue_code(Identity("sandbox-admin", "admin"), lifetime=timedelta(0))
    response = await client.get(f"/signin?code={code}", allow_redirects=False)
    page = await response.text()
    assert response.status == 401 and COOKIE not in response.cookies
    assert "has expired" in page and "confbot signin-link" in page


async def test_signing_in_gives_a_new_session_id_and_ends_the_one_the_browser_came_with(
    client: Client,
) -> None:
    before = await _sign_in(client)
    after = await _sign_in(client, headers=_as(before))
    assert after != before
    assert not await _is_signed_in(client, before)
    assert await _is_signed_in(client, after)
    # An id planted in the browser before sign-in (session fixation) is never taken up.
    planted = "attacker-chosen-session-id"
    fresh = await _sign_in(client, headers=_as(planted))
    assert fresh != planted and not await _is_signed_in(client, planted)


async def test_a_forged_or_unknown_session_cookie_signs_nobody_in(client: Client) -> None:
    real = await _sign_in(client)
    for forged in (real + "x", "made-up-id", "sandbox-admin|admin|9999999999|deadbeef", ""):
        assert not await _is_signed_in(client, forged), forged


async def test_a_token_acts_as_its_owner_with_its_role_until_revoked(client: Client) -> None:
    made = await client.post(
        "/api/tokens", json={"user": PAT, "role": "mts", "label": "nightly export"}, headers=ADMIN
    )
    assert made.status == 201
    body = await made.json()
    secret, token_id = body["token"], body["id"]
    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/conferences", headers=bearer)).status == 200
    # mts may not manage access: the token has its owner's role, not the admin's who made it.
    assert (await client.get("/api/tokens", headers=bearer)).status == 403
    listed = await (await client.get("/api/tokens", headers=ADMIN)).json()
    assert [(t["user"], t["label"], t["active"]) for t in listed] == [(PAT, "nightly export", True)]
    assert secret not in str(listed)
    revoked = await client.post(f"/api/tokens/{token_id}/revoke", headers=ADMIN)
    assert revoked.status == 200 and (await revoked.json())["active"] is False
    assert (await client.get("/api/conferences", headers=bearer)).status == 401


async def test_a_token_for_an_unknown_role_is_refused_with_the_roles_named(
    client: Client,
) -> None:
    made = await client.post(
        "/api/tokens", json={"user": PAT, "role": "owner", "label": "x"}, headers=ADMIN
    )
    assert made.status == 400
    assert "admin, mts, chair, manager" in (await made.json())["error"]

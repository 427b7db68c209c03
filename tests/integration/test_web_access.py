"""Every route, three ways: signed in with a role that may use it, not signed in, wrong role."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.conference import MeetingFormat
from bot.store.database import Database
from bot.store.repository import Repository
from tests.browser.webapp import (
    ADMIN_TOKEN,
    CHAIR,
    NOW,
    OTHER_CHAIR,
    add_conference,
    add_triage,
    build_web_app,
    client_for,
    csrf_for,
    headers_for,
)

Client = TestClient[web.Request, web.Application]


class Site:
    """A running app with one conference of CHAIR's, one of another chair's, and a triage item."""

    def __init__(self, client: Client, repository: Repository) -> None:
        self.client = client
        self.repository = repository
        self.own = add_conference(
            repository,
            chair=CHAIR,
            start=NOW.replace(hour=14),
            meeting_format=MeetingFormat.TEAMS,
        )
        self.other = add_conference(repository, chair=OTHER_CHAIR)
        self.triage = add_triage(repository, "<p>Please book an ICPC.</p>")


@pytest.fixture
async def site(database: Database) -> AsyncIterator[Site]:
    app, repository, _fake = build_web_app(database)
    client = await client_for(app)
    yield Site(client, repository)
    await client.close()


def _pages(site: Site) -> list[tuple[str, frozenset[str]]]:
    """(GET path, roles that may open it)."""
    viewers = frozenset({"admin", "mts", "manager"})
    staff = frozenset({"admin", "mts"})
    everyone = frozenset({"admin", "mts", "manager", "chair"})
    return [
        ("/", viewers),
        ("/conferences", everyone),
        (f"/conferences/{site.own}", everyone),
        ("/triage", staff),
        (f"/triage/{site.triage}", staff),
        ("/capacity", viewers),
    ]


def _posts(site: Site) -> list[tuple[str, dict[str, str], frozenset[str]]]:
    """(POST path, form, roles that may use it)."""
    staff = frozenset({"admin", "mts"})
    c = site.own
    return [
        (f"/conferences/{c}/allocate", {"chair": CHAIR}, staff),
        (
            f"/conferences/{c}/format",
            {"format": "teams", "date": "2026-12-03", "time": "10:00"},
            staff | {"chair"},
        ),
        (f"/conferences/{c}/reschedule", {"date": "2026-12-03", "time": "10:00"}, staff),
        (f"/conferences/{c}/cancel", {"reason": "Family moved", "approved_by": "A Manager"}, staff),
        (f"/conferences/{c}/retry", {"step_id": "icpc.invites"}, staff),
        (f"/conferences/{c}/approve", {"step_id": "icpc.follow_ups.plan"}, staff | {"chair"}),
        (f"/triage/{site.triage}/resolve", {"resolution": "Forwarded to the team."}, staff),
    ]


async def test_every_page_redirects_to_sign_in_when_not_signed_in(site: Site) -> None:
    for path, _roles in _pages(site):
        response = await site.client.get(path, allow_redirects=False)
        assert response.status == 302, path
        assert response.headers["Location"] == "/signin", path
        body = await response.text()
        assert "Testparent" not in body and "07700" not in body


async def test_every_page_opens_for_each_role_allowed_and_refuses_the_others(site: Site) -> None:
    for path, roles in _pages(site):
        for role in ("admin", "mts", "manager", "chair"):
            response = await site.client.get(path, headers=headers_for(role), allow_redirects=False)
            if role in roles:
                assert response.status == 200, (path, role)
                assert response.headers["Cache-Control"] == "no-store"
            elif role == "chair" and path == "/":
                # A chair's home is their own conferences.
                assert response.status == 302 and response.headers["Location"] == "/conferences"
            else:
                assert response.status == 403, (path, role)


async def test_a_chair_cannot_open_another_chairs_conference(site: Site) -> None:
    response = await site.client.get(f"/conferences/{site.other}", headers=headers_for("chair"))
    assert response.status == 404
    response = await site.client.get(
        f"/events/conferences/{site.other}", headers=headers_for("chair")
    )
    assert response.status == 404


async def test_every_form_needs_a_sign_in_a_role_and_a_csrf_token(site: Site) -> None:
    for path, form, roles in _posts(site):
        anonymous = await site.client.post(path, data=form, allow_redirects=False)
        assert anonymous.status == 401, path
        for role in ("admin", "mts", "manager", "chair"):
            headers = headers_for(role)
            no_token = await site.client.post(
                path, data=form, headers=headers, allow_redirects=False
            )
            assert no_token.status == 403, (path, role)
            signed = {**form, "csrf": csrf_for(headers)}
            response = await site.client.post(
                path, data=signed, headers=headers, allow_redirects=False
            )
            if role in roles:
                assert response.status == 303, (path, role, await response.text())
            else:
                assert response.status == 403, (path, role)


async def test_csrf_token_of_another_session_is_refused(site: Site) -> None:
    mine, theirs = headers_for("mts", "mts-a@council.example"), headers_for("mts", "b@x.example")
    response = await site.client.post(
        f"/conferences/{site.own}/allocate",
        data={"chair": CHAIR, "csrf": csrf_for(theirs)},
        headers=mine,
        allow_redirects=False,
    )
    assert response.status == 403


async def test_event_streams_and_metrics_answer_401_not_a_redirect(site: Site) -> None:
    for path in ("/events/overview", f"/events/conferences/{site.own}", "/metrics"):
        response = await site.client.get(path, allow_redirects=False)
        assert response.status == 401, path
    response = await site.client.get("/events/overview", headers=headers_for("chair"))
    assert response.status == 403
    response = await site.client.get("/metrics", headers=headers_for("chair"))
    assert response.status == 403


async def test_metrics_open_to_the_admin_bearer_token_and_viewers(site: Site) -> None:
    response = await site.client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status == 200
    response = await site.client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert response.status == 401
    response = await site.client.get("/metrics", headers=headers_for("manager"))
    assert response.status == 200


async def test_sign_out_needs_the_csrf_token_and_clears_the_cookie(site: Site) -> None:
    headers = headers_for("mts")
    refused = await site.client.post("/signout", headers=headers, allow_redirects=False)
    assert refused.status == 403
    response = await site.client.post(
        "/signout", data={"csrf": csrf_for(headers)}, headers=headers, allow_redirects=False
    )
    assert response.status == 303
    assert 'confbot_session=""' in response.headers["Set-Cookie"]

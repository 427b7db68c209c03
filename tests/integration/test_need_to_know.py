"""Need to know: who sees which conference, what a read-only user sees, and the view audit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.conference import MeetingFormat
from bot.store.database import Database
from bot.store.repository import Repository
from bot.web import api, api_access, api_aftercare
from bot.web.config import WebConfig, cover_map
from tests.browser.webapp import (
    ADMIN_TOKEN,
    CHAIR,
    NOW,
    OTHER_CHAIR,
    add_conference,
    add_triage,
    build_web_app,
    client_for,
    headers_for,
)

Client = TestClient[web.Request, web.Application]
PHONES = ("01632 960001", "07700 900123")  # the fictional participants' numbers
STREAMS = ("/events", "/static", "/signin", "/api/openapi.json")


class Site:
    """One conference of CHAIR's and one of another chair's, each with phone numbers."""

    def __init__(self, app: web.Application, client: Client, repository: Repository) -> None:
        self.app = app
        self.client = client
        self.own = add_conference(
            repository, chair=CHAIR, start=NOW.replace(hour=14), meeting_format=MeetingFormat.TEAMS
        )
        self.other = add_conference(repository, chair=OTHER_CHAIR)
        self.triage = add_triage(repository, "<p>Please book an ICPC. Call 07700 900123.</p>")

    def get_paths(self) -> list[str]:
        """Every GET route mounted, with ids filled in: both conferences and the triage item."""
        paths: list[str] = []
        for resource in self.app.router.resources():
            path = resource.canonical
            if path.startswith(STREAMS):
                continue
            if not any(r.method == "GET" for r in resource):
                continue
            if "{" not in path:
                paths.append(path)
                continue
            for value in (self.own, self.other, self.triage):
                paths.append(re.sub(r"\{[^}]+\}", str(value), path))
        return paths


@pytest.fixture
async def site(database: Database) -> AsyncIterator[Site]:
    app, repository, _fake = build_web_app(database)
    for part in (api, api_access, api_aftercare):
        part.add_routes(app)  # so the crawl covers every API answer too
    client = await client_for(app)
    yield Site(app, client, repository)
    await client.close()


async def test_a_signed_in_chair_sees_their_own_conference_and_gets_404_for_another_chairs(
    site: Site,
) -> None:
    chair = headers_for("chair")
    own = await site.client.get(f"/conferences/{site.own}", headers=chair)
    assert own.status == 200
    listing = await (await site.client.get("/conferences", headers=chair)).text()
    assert f"/conferences/{site.own}" in listing and f"/conferences/{site.other}" not in listing
    for path in (f"/conferences/{site.other}", f"/conferences/{site.other}/console"):
        response = await site.client.get(path, headers=chair, allow_redirects=False)
        assert response.status in (403, 404), path
    assert (await site.client.get(f"/conferences/{site.other}", headers=chair)).status == 404


async def test_a_read_only_user_sees_no_phone_number_on_any_page_or_api_answer(
    site: Site,
) -> None:
    manager = headers_for("manager")
    crawled = 0
    for path in site.get_paths():
        response = await site.client.get(path, headers=manager, allow_redirects=False)
        text = await response.text()
        for phone in PHONES:
            assert phone not in text, f"{path} ({response.status}) shows a phone number"
        crawled += response.status == 200
    assert crawled >= 4, "the crawl opened the manager's pages"


async def test_each_view_of_a_conference_is_recorded_and_only_an_admin_can_query_it(
    site: Site,
) -> None:
    await site.client.get(f"/conferences/{site.own}", headers=headers_for("chair"))
    await site.client.get(f"/conferences/{site.own}", headers=headers_for("mts"))
    await site.client.get(f"/conferences/{site.other}", headers=headers_for("chair"))  # 404
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert (await site.client.get(f"/api/conferences/{site.own}", headers=bearer)).status == 200
    answer = await site.client.get(f"/api/audit?conference={site.own}", headers=bearer)
    assert answer.status == 200
    views = (await answer.json())["views"]
    assert [(v["user"], v["role"], v["what"]) for v in views] == [
        ("admin-token", "admin", "api"),
        ("mts@council.example", "mts", "page"),
        (CHAIR, "chair", "page"),
    ]
    assert all(v["conference_id"] == site.own for v in views)
    other = await site.client.get(f"/api/audit?conference={site.other}", headers=bearer)
    assert (await other.json())["views"] == [], "a refused view opened nothing"
    page = await site.client.get(f"/audit?conference={site.own}", headers=headers_for("admin"))
    assert page.status == 200 and CHAIR in await page.text()
    for role in ("mts", "chair", "manager"):
        refused = await site.client.get("/api/audit", headers=headers_for(role))
        assert refused.status == 403, role


async def test_an_audit_query_with_a_bad_filter_is_refused_naming_the_filter(site: Site) -> None:
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    answer = await site.client.get("/api/audit?since=yesterday", headers=bearer)
    assert answer.status == 400 and "since" in (await answer.json())["error"]


async def test_an_admin_finds_a_person_on_the_subject_access_page_and_the_view_is_audited(
    site: Site,
) -> None:
    admin = headers_for("admin")
    page = await site.client.get("/subject-access?phone=07700%20900123", headers=admin)
    text = await page.text()
    assert page.status == 200 and "Found 2 conferences" in text
    report = await site.client.get(
        "/api/subject-access?phone=07700%20900123&format=html", headers=admin
    )
    assert "attachment" in report.headers["Content-Disposition"]
    assert "Sam Testparent" in await report.text()
    audit = await site.client.get("/api/audit?user=admin@council.example", headers=admin)
    seen = {(v["conference_id"], v["what"]) for v in (await audit.json())["views"]}
    assert {(site.own, "subject_access"), (site.other, "subject_access")} <= seen
    for role in ("mts", "chair", "manager"):
        refused = await site.client.get("/api/subject-access?name=x", headers=headers_for(role))
        assert refused.status == 403, role


async def test_a_subject_access_request_for_nobody_says_nothing_was_found(site: Site) -> None:
    page = await site.client.get(
        "/subject-access?email=nobody@x.test", headers=headers_for("admin")
    )
    assert "Nothing was found" in await page.text()


async def test_a_chair_covering_another_sees_their_conferences_too_and_no_others(
    database: Database,
) -> None:
    cover = WebConfig(chair_cover=cover_map(f"{CHAIR.upper()}={OTHER_CHAIR}"))
    app, repository, _fake = build_web_app(database, config=cover)
    client = await client_for(app)
    try:
        covered = add_conference(repository, chair=OTHER_CHAIR)
        stranger = add_conference(repository, chair="chair.three@council.example")
        chair = headers_for("chair")
        assert (await client.get(f"/conferences/{covered}", headers=chair)).status == 200
        assert (await client.get(f"/conferences/{stranger}", headers=chair)).status == 404
        listing = await (await client.get("/conferences", headers=chair)).text()
        assert f"/conferences/{covered}" in listing
        assert f"/conferences/{stranger}" not in listing
        # The covered chair does not see the covering chair's in return.
        other = headers_for("chair", user=OTHER_CHAIR)
        own = add_conference(repository, chair=CHAIR)
        assert (await client.get(f"/conferences/{own}", headers=other)).status == 404
    finally:
        await client.close()

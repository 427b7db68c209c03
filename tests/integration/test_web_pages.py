"""What the status pages show, and that they show personal data only to those who need it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, timedelta

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat
from bot.store.database import Database
from bot.web.config import WebConfig
from bot.web.snapshot import HealthSnapshot
from tests.browser.webapp import (
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


async def test_overview_lists_risks_most_urgent_first_with_their_reasons(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    # Strategy discussion 20 working days ago and no date: past the 15 working days.
    drifting = add_conference(repo, strategy_discussion=date(2026, 11, 2), chair=CHAIR)
    unallocated = add_conference(repo, start=NOW + timedelta(days=3))
    # Reports due before a conference tomorrow morning and not shared.
    late_reports = add_conference(
        repo,
        chair=CHAIR,
        state=ConferenceState.SCHEDULED,
        start=NOW + timedelta(days=1),
        meeting_format=MeetingFormat.TEAMS,
    )
    client = await client_for(app)
    try:
        body = await (await client.get("/", headers=headers_for("mts"))).text()
    finally:
        await client.close()
    risks = body.split('id="risk-h"')[1].split("</section>")[0]
    refs = {
        cid: repo.get_conference(cid).reference for cid in (drifting, unallocated, late_reports)
    }
    assert "past its last allowed day" in risks
    assert "No chair is allocated" in risks
    assert "Reports are late" in risks or "Reports are due" in risks
    # Most urgent first: the drifting ICPC's deadline passed weeks ago.
    assert risks.index(refs[drifting]) < risks.index(refs[late_reports])
    assert risks.index(refs[late_reports]) < risks.index(refs[unallocated])


async def test_overview_shows_today_triage_failures_and_health_or_unknown(
    database: Database,
) -> None:
    health = HealthSnapshot(graph_requests=200, graph_errors=3, graph_throttled=2, jobs_late=1)
    app, repo, _ = build_web_app(database, health_reading=health)
    today = add_conference(
        repo, chair=CHAIR, start=NOW.replace(hour=13), meeting_format=MeetingFormat.TEAMS
    )
    repo.append_timeline(today, actor="runtime", kind="failed", step_id="icpc.invites.teams")
    add_triage(repo, "<p>Please book.</p>")
    client = await client_for(app)
    try:
        body = await (await client.get("/", headers=headers_for("manager"))).text()
    finally:
        await client.close()
    reference = repo.get_conference(today).reference
    assert "Conferences today" in body and reference in body and "13:00" in body
    assert "1 request waiting" in body
    assert "icpc.invites.teams failed" in body
    assert "1.5% of 200 calls" in body and "2 times" in body
    assert "Mailbox lag</span> unknown" in body
    # A manager sees no personal data and no link into triage.
    assert "Testparent" not in body and 'href="/triage"' not in body


async def test_retried_step_leaves_the_failed_actions_list(database: Database) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo)
    repo.append_timeline(cid, actor="runtime", kind="failed", step_id="s1", at=NOW)
    repo.append_timeline(cid, actor="runtime", kind="done", step_id="s1", at=NOW)
    client = await client_for(app)
    try:
        body = await (await client.get("/", headers=headers_for("admin"))).text()
    finally:
        await client.close()
    assert "No failed actions." in body


async def test_conferences_list_filters_and_paginates(database: Database) -> None:
    app, repo, _ = build_web_app(database)
    for i in range(60):
        add_conference(
            repo,
            kind=ConferenceType.RCPC if i % 2 else ConferenceType.ICPC,
            chair=CHAIR if i % 3 == 0 else OTHER_CHAIR,
            start=NOW + timedelta(days=i),
            with_people=False,
        )
    client = await client_for(app)
    try:
        first = await (await client.get("/conferences", headers=headers_for("mts"))).text()
        assert "60 conferences found. Page 1 of 2." in first and 'rel="next"' in first
        second = await (await client.get("/conferences?page=2", headers=headers_for("mts"))).text()
        assert second.count('<a href="/conferences/') == 10
        filtered = await (
            await client.get(
                f"/conferences?type=RCPC&chair={CHAIR}&from=2026-12-01&to=2026-12-31",
                headers=headers_for("mts"),
            )
        ).text()
        # Days 0..30 from 1 December; odd i are RCPC; multiples of 3 are CHAIR's: i = 3, 9, ... 27.
        assert "5 conferences found." in filtered
        own = await (
            await client.get(f"/conferences?chair={OTHER_CHAIR}", headers=headers_for("chair"))
        ).text()
        assert "Your conferences" in own and "20 conferences found." in own
    finally:
        await client.close()


async def test_parent_contact_details_show_to_staff_and_chair_but_not_to_a_manager(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo, chair=CHAIR, start=NOW + timedelta(days=9))
    repo.update_conference(cid, join_url="https://teams.microsoft.com/l/meetup-join/abc")
    client = await client_for(app)
    try:
        for role in ("admin", "mts", "chair"):
            body = await (await client.get(f"/conferences/{cid}", headers=headers_for(role))).text()
            assert "07700 900123" in body and "Sam Testparent" in body, role
            assert "meetup-join/abc" in body
        body = await (
            await client.get(f"/conferences/{cid}", headers=headers_for("manager"))
        ).text()
        assert "07700" not in body and "Testparent" not in body and "meetup-join" not in body
        assert "hidden" in body
    finally:
        await client.close()


async def test_detail_shows_compiled_timeline_with_done_late_and_due_steps(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(
        repo,
        chair=CHAIR,
        state=ConferenceState.SCHEDULED,
        start=NOW + timedelta(days=2),
        meeting_format=MeetingFormat.TEAMS,
        strategy_discussion=date(2026, 11, 24),
    )
    client = await client_for(app)
    try:
        body = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
        assert "tag-due" in body
        step = body.split('name="step_id" value="')[1].split('"')[0] if "step_id" in body else None
        repo.append_timeline(cid, actor="runtime", kind="done", step_id=step)
        body = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
        assert "tag-done" in body
    finally:
        await client.close()


async def test_actions_call_the_runtime_and_report_refusals_in_plain_words(
    database: Database,
) -> None:
    app, repo, fake = build_web_app(database)
    cid = add_conference(repo)
    headers = headers_for("mts")
    csrf = csrf_for(headers)
    client = await client_for(app)
    try:
        response = await client.post(
            f"/conferences/{cid}/allocate",
            data={"chair": CHAIR, "csrf": csrf},
            headers=headers,
            allow_redirects=False,
        )
        assert response.status == 303
        assert fake.calls[-1] == ("allocate", (cid, CHAIR, "mts@council.example"))
        bad = await client.post(
            f"/conferences/{cid}/allocate", data={"chair": "nobody", "csrf": csrf}, headers=headers
        )
        assert bad.status == 400 and "email address" in await bad.text()
        fake.refuse = "The chair is on leave that day."
        refused = await client.post(
            f"/conferences/{cid}/format",
            data={"format": "teams", "date": "2026-12-03", "time": "10:00", "csrf": csrf},
            headers=headers,
        )
        assert refused.status == 409 and "on leave that day" in await refused.text()
        fake.refuse = None
        await client.post(
            f"/conferences/{cid}/format",
            data={"format": "hybrid", "date": "2026-07-01", "time": "10:00", "csrf": csrf},
            headers=headers,
        )
        name, (_, chosen, start, _by, _length, _confidential) = fake.calls[-1]
        # 10:00 in a British summer is 09:00 UTC.
        assert (name, chosen, start.astimezone(UTC).hour) == ("set_format", "hybrid", 9)
    finally:
        await client.close()


async def test_actions_say_not_available_until_the_runtime_is_wired(database: Database) -> None:
    app, repo, _ = build_web_app(database, actions=False)
    cid = add_conference(repo)
    headers = headers_for("admin")
    client = await client_for(app)
    try:
        page = await (await client.get(f"/conferences/{cid}", headers=headers)).text()
        assert "not available yet" in page and "/allocate" not in page
        response = await client.post(
            f"/conferences/{cid}/allocate",
            data={"chair": CHAIR, "csrf": csrf_for(headers)},
            headers=headers,
        )
        assert response.status == 503
    finally:
        await client.close()


async def test_capacity_flags_a_chair_over_the_weekly_limit(database: Database) -> None:
    app, repo, _ = build_web_app(database, config=WebConfig(chair_weekly_limit=2))
    for hour in (10, 12, 14):
        add_conference(repo, chair=CHAIR, start=NOW.replace(hour=hour), with_people=False)
    add_conference(repo, chair=OTHER_CHAIR, start=NOW + timedelta(days=8), with_people=False)
    client = await client_for(app)
    try:
        body = await (await client.get("/capacity", headers=headers_for("manager"))).text()
    finally:
        await client.close()
    assert "limit of 2 a week" in body and "3, over" in body and OTHER_CHAIR in body
    assert "1 week over the limit" in body


async def test_overview_stream_says_changed_when_a_conference_is_created(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    client = await client_for(app)
    try:
        response = await client.get("/events/overview", headers=headers_for("admin"))
        assert response.headers["Content-Type"] == "text/event-stream"
        hello = await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)
        assert b"event: hello" in hello
        await asyncio.to_thread(add_conference, repo)
        change = await asyncio.wait_for(response.content.readuntil(b"\n\n"), 5)
        assert b"event: change" in change
        response.close()
    finally:
        await client.close()


async def test_live_header_returns_only_the_live_part_of_a_page(database: Database) -> None:
    app, repo, _ = build_web_app(database)
    add_conference(repo)
    client = await client_for(app)
    try:
        headers = {**headers_for("admin"), "X-Live": "1"}
        part = await (await client.get("/", headers=headers)).text()
    finally:
        await client.close()
    assert "<html" not in part and "Deadlines at risk" in part

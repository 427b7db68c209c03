"""What the status pages show, and that they show personal data only to those who need it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.timeline import StepKind
from bot.store.database import Database
from bot.web.config import WebConfig
from bot.web.pages import line_of
from bot.web.progress import TimelineCache
from bot.web.snapshot import HealthSnapshot
from bot.web.status import london
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


async def test_failed_actions_list_a_retry_a_blocked_message_and_each_step_once(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo)
    retry = "Email to Mother failed (Graph answered 503); trying again"
    lines = [
        ("email_retry", "email:a", retry),
        ("email_retry", "email:b", "first try"),
        ("failed", "email:b", "Email to Father not sent: Graph answered 400"),
        ("blocked", "letters", "a parent may not receive the police report"),
    ]
    for kind, step, reason in lines:
        repo.append_timeline(
            cid, actor="runtime", kind=kind, step_id=step, at=NOW, detail={"reason": reason}
        )
    client = await client_for(app)
    try:
        body = await (await client.get("/", headers=headers_for("admin"))).text()
    finally:
        await client.close()
    when = london(NOW)
    assert f"failed at {when} ({retry})." in body
    assert "Email to Father not sent: Graph answered 400" in body and "first try" not in body
    assert f"was blocked at {when} (a parent may not receive the police report)" in body


async def test_the_overview_counts_teams_prompts_a_chair_may_have_seen_twice(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo)
    for step in ("prompt:consent.parent-1", "prompt:callback.parent-1.1"):
        repo.append_timeline(cid, actor="system", kind="prompt_duplicate", step_id=step, at=NOW)
    old = add_conference(repo)  # a week and more ago: no longer counted
    repo.append_timeline(old, actor="system", kind="prompt_duplicate", step_id="prompt:x",
                         at=NOW - timedelta(days=8))  # fmt: skip
    client = await client_for(app)
    try:
        body = await (await client.get("/", headers=headers_for("admin"))).text()
    finally:
        await client.close()
    reference, old_reference = (
        repo.get_conference(cid).reference,
        repo.get_conference(old).reference,
    )
    assert "Teams prompts a chair may have seen twice in the last 7 days" in body
    twice = body.split("seen twice in the last 7 days", 1)[1].split("</p>", 1)[0]
    assert f"{reference}</a> (2)." in twice and old_reference not in twice


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


def _row(body: str, text_start: str) -> str:
    """The timeline row of the step whose text starts with ``text_start``."""
    table = body.split('class="timeline"')[1].split("</table>", maxsplit=1)[0]
    return next(row for row in table.split("<tr") if f"<td>{text_start}" in row)


async def test_a_letter_sent_shows_done_at_its_london_time_never_late(
    database: Database,
) -> None:
    # Issue 13: "a letter sent at 13:38 shows 'late, due Fri 27 Nov'".
    app, repo, _ = build_web_app(database, clock=lambda: NOW + timedelta(days=3))
    cid = add_conference(
        repo,
        chair=CHAIR,
        state=ConferenceState.SCHEDULED,
        start=NOW + timedelta(days=4),
        meeting_format=MeetingFormat.TEAMS,
        strategy_discussion=date(2026, 11, 24),
    )
    conference = repo.get_conference(cid)
    timeline = TimelineCache().compile(line_of(conference))
    assert not isinstance(timeline, str)
    letter = next(s for s in timeline.steps if s.kind is StepKind.SEND_LETTER)
    parent = next(p for p in conference.participants if p.role is Role.PARENT)
    client = await client_for(app)
    try:
        before = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
        assert "tag-late" in _row(before, letter.text[:30])
        sent_at = datetime(2026, 12, 2, 13, 38, tzinfo=UTC)
        repo.append_timeline(
            cid, actor="confbot", kind="letter_sent", step_id=f"{letter.id}:{parent.id}", at=sent_at
        )
        repo.append_timeline(cid, actor="mts@council.example", kind="meeting_created", at=sent_at)
        after = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
    finally:
        await client.close()
    row = _row(after, letter.text[:30])
    assert "tag-done" in row and "13:38" in row and "by confbot" in row
    assert "tag-late" not in row and "After its deadline" in row
    invites = _row(after, "Send the meeting invite")
    assert "tag-done" in invites and "by mts@council.example" in invites


async def test_a_letter_to_a_parent_without_email_is_skipped_with_the_reason(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(
        repo,
        chair=CHAIR,
        state=ConferenceState.SCHEDULED,
        start=NOW + timedelta(days=9),
        meeting_format=MeetingFormat.TEAMS,
    )
    conference = repo.get_conference(cid)
    timeline = TimelineCache().compile(line_of(conference))
    assert not isinstance(timeline, str)
    letter = next(s for s in timeline.steps if s.kind is StepKind.SEND_LETTER)
    parent = next(p for p in conference.participants if p.role is Role.PARENT)
    repo.append_timeline(
        cid, actor="confbot", kind="letter_needs_post", step_id=f"{letter.id}:{parent.id}"
    )
    client = await client_for(app)
    try:
        body = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
    finally:
        await client.close()
    row = _row(body, letter.text[:30])
    assert "tag-skipped" in row and "No email address: sent by post" in row


async def test_approve_distribution_appears_only_when_a_list_waits_for_its_check(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(
        repo,
        chair=CHAIR,
        state=ConferenceState.CONCLUDED,
        start=NOW - timedelta(days=1),
        meeting_format=MeetingFormat.TEAMS,
    )
    client = await client_for(app)
    try:
        page = f"/conferences/{cid}"
        body = await (await client.get(page, headers=headers_for("admin"))).text()
        assert "Approve distribution list" not in body
        for kind, actor in (("minutes_uploaded", "confbot"), ("minutes_approved", CHAIR)):
            repo.append_timeline(cid, actor=actor, kind=kind, step_id="aftercare.minutes")
        body = await (await client.get(page, headers=headers_for("admin"))).text()
        assert "Approve distribution list" not in body
        repo.append_timeline(
            cid, actor="confbot", kind="distribution_held", step_id="aftercare.minutes"
        )
        body = await (await client.get(page, headers=headers_for("admin"))).text()
        assert body.count("Approve distribution list") == 1
        # The admin who approved the minutes cannot be the second check.
        repo.append_timeline(
            cid,
            actor="other.admin@council.example",
            kind="distribution_approved",
            step_id="aftercare.minutes",
        )
        headers = headers_for("admin", user="other.admin@council.example")
        body = await (await client.get(page, headers=headers)).text()
        assert "Approve distribution list" not in body
    finally:
        await client.close()


async def test_only_the_actions_that_apply_are_offered_and_the_others_say_why(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo)  # requested: no chair yet
    client = await client_for(app)
    try:
        body = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
    finally:
        await client.close()
    assert f"/conferences/{cid}/allocate" in body and f"/conferences/{cid}/cancel" in body
    assert f"/conferences/{cid}/format" not in body
    assert f"/conferences/{cid}/reschedule" not in body
    assert "Set the format</strong>: A chair must be allocated first." in body
    assert "Reschedule</strong>: The conference is not booked yet" in body


async def test_set_format_passes_the_late_reason_and_who_agreed_it_to_the_runtime(
    database: Database,
) -> None:
    app, repo, fake = build_web_app(database)
    cid = add_conference(repo, chair=CHAIR, state=ConferenceState.AWAITING_FORMAT)
    headers = headers_for("chair")
    csrf = csrf_for(headers)
    form = {"format": "teams", "date": "2026-12-02", "time": "10:00", "csrf": csrf}
    client = await client_for(app)
    try:
        # The runtime's own words reach the page, and what was typed is kept.
        fake.refuse = "the reports could not be shared in time; record the reason for the delay"
        refused = await client.post(f"/conferences/{cid}/format", data=form, headers=headers)
        text = await refused.text()
        assert refused.status == 409
        assert "The reports could not be shared in time; record the reason for the delay." in text
        assert 'value="2026-12-02"' in text and 'id="f-late-reason"' in text
        fake.refuse = None
        half = {**form, "late_reason": "The family asked for an early date."}
        missing = await client.post(f"/conferences/{cid}/format", data=half, headers=headers)
        assert missing.status == 400 and "who agreed" in await missing.text()
        full = {**half, "late_agreed_by": "Pat Testmanager, practice manager"}
        done = await client.post(
            f"/conferences/{cid}/format", data=full, headers=headers, allow_redirects=False
        )
        assert done.status == 303
    finally:
        await client.close()
    assert fake.late == (
        "The family asked for an early date.",
        "Pat Testmanager, practice manager",
        (),
        False,
    )


async def test_who_agreed_the_format_is_asked_only_where_the_playbook_asks_for_it(
    database: Database,
) -> None:
    # Lancashire's RCPC format is agreed by the social worker, the practice manager and the
    # chair, after a risk assessment; its ICPC asks for neither.
    app, repo, fake = build_web_app(database)
    icpc = add_conference(repo, chair=CHAIR, state=ConferenceState.AWAITING_FORMAT)
    rcpc = add_conference(
        repo, kind=ConferenceType.RCPC, chair=CHAIR, state=ConferenceState.AWAITING_FORMAT
    )
    headers = headers_for("chair")
    client = await client_for(app)
    try:
        plain = await (await client.get(f"/conferences/{icpc}", headers=headers)).text()
        assert "How the format was agreed" not in plain
        asked = await (await client.get(f"/conferences/{rcpc}", headers=headers)).text()
        assert "How the format was agreed" in asked and "A risk assessment was done" in asked
        assert 'value="team_manager"' in asked
        form = [
            ("format", "teams"),
            ("date", "2026-12-14"),
            ("time", "10:00"),
            ("format_agreed_by", "social_worker"),
            ("format_agreed_by", "chair"),
            ("risk_assessed", "yes"),
            ("csrf", csrf_for(headers)),
        ]
        done = await client.post(
            f"/conferences/{rcpc}/format", data=form, headers=headers, allow_redirects=False
        )
        assert done.status == 303
        bad = [*form[:3], ("format_agreed_by", "the cat"), ("csrf", csrf_for(headers))]
        refused = await client.post(f"/conferences/{rcpc}/format", data=bad, headers=headers)
        assert refused.status == 400 and "Tick who agreed the format" in await refused.text()
    finally:
        await client.close()
    assert fake.late == (None, None, ("social_worker", "chair"), True)


async def test_the_page_shows_why_a_booking_was_late_and_who_agreed_it_and_the_format(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo, chair=CHAIR, state=ConferenceState.SCHEDULED)
    repo.update_conference(
        cid,
        facts={
            "late_reason": "The family asked for an early date.",
            "late_agreed_by": "Pat Testmanager",
            "format_agreed_by": ["social_worker", "team_manager", "chair"],
            "risk_assessed": True,
        },
    )
    client = await client_for(app)
    try:
        body = await (await client.get(f"/conferences/{cid}", headers=headers_for("mts"))).text()
    finally:
        await client.close()
    facts = body.split('class="facts"')[1].split("</dl>")[0]
    assert "The family asked for an early date. (agreed by Pat Testmanager)" in facts
    assert "by social worker, team manager, chair, after a risk assessment" in facts


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

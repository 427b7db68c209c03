"""From a request email to a booked Teams meeting, on the real gateway and the sandbox tenant."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.conference import ConferenceState
from tests.integration.runtime_harness import (
    CHAIR,
    MAILBOX,
    PARENT_EMAIL,
    SOCIAL_WORKER,
    Running,
    request_body,
    running,
    settings_for,
    working_days_ahead,
)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(settings_for(tmp_path)) as app:
        yield app


async def _conference_from_request(bot: Running) -> dict:
    await bot.mail(request_body())
    assert await bot.services.sweep.sweep() == 1  # type: ignore[union-attr]
    status, listed = await bot.api("GET", "/api/conferences")
    assert status == 200
    [conference] = listed["conferences"]
    return conference


async def _book(bot: Running, conference_id: int, confidential: int = 20) -> dict:
    status, body = await bot.api(
        "POST", f"/api/conferences/{conference_id}/allocate", {"chair": CHAIR}
    )
    assert status == 200, body
    start = working_days_ahead(6)
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{conference_id}/format",
        {"format": "teams", "start": start.isoformat(), "confidential_minutes": confidential},
    )
    assert status == 200, body
    return body


async def test_request_email_becomes_a_conference_and_the_sender_gets_its_reference(
    bot: Running,
) -> None:
    conference = await _conference_from_request(bot)
    assert conference["state"] == "requested"
    acks = [m for m in await bot.mailbox(SOCIAL_WORKER) if conference["reference"] in m["subject"]]
    assert len(acks) == 1


async def test_list_view_carries_no_phone_numbers_or_email_addresses(bot: Running) -> None:
    await _conference_from_request(bot)
    status, listed = await bot.api("GET", "/api/conferences")
    text = str(listed)
    assert status == 200
    assert PARENT_EMAIL not in text and "+447700900456" not in text


async def test_handled_request_is_marked_with_a_category_not_as_read(bot: Running) -> None:
    await _conference_from_request(bot)
    [message] = [m for m in await bot.mailbox(MAILBOX) if m["folder"] == "inbox"]
    assert "confbot: processed" in message["categories"]
    assert message["isRead"] is False


async def test_teams_format_creates_one_event_in_the_chairs_calendar_without_parents(
    bot: Running,
) -> None:
    conference = await _conference_from_request(bot)
    booked = await _book(bot, conference["id"])
    assert booked["state"] == "scheduled"
    events = await bot.calendar(CHAIR)
    assert len(events) == 1
    [event] = events
    addresses = set(event["attendees"])
    assert PARENT_EMAIL not in addresses
    assert "sam.quill@example.org" in addresses  # the minute taker is invited
    assert "dsl.larkfield@example.org" in addresses
    assert event["joinUrl"]


async def test_parent_letter_goes_out_without_the_join_link(bot: Running) -> None:
    conference = await _conference_from_request(bot)
    await _book(bot, conference["id"])
    status, detail = await bot.api("GET", f"/api/conferences/{conference['id']}")
    join_url = detail["meeting"]["join_url"]
    assert status == 200 and join_url
    letters = [m for m in (await bot.state())["outbox"] if PARENT_EMAIL in str(m)]
    assert letters, "the parent letter was not sent"
    assert all(join_url not in str(letter) for letter in letters)
    assert next(p for p in detail["participants"] if p["role"] == "parent")["held_back"] is True


async def test_report_deadlines_are_durable_jobs_in_the_database(
    bot: Running, tmp_path: Path
) -> None:
    conference = await _conference_from_request(bot)
    await _book(bot, conference["id"])
    _status, detail = await bot.api("GET", f"/api/conferences/{conference['id']}")
    actions = {(j["step_id"], j["action"]) for j in detail["jobs"]}
    assert ("icpc.report_sharing.sw_report_to_parents", "remind") in actions
    # The in-meeting prompts are the run sheet's: the plan holds one job to start it.
    assert ("icpc.run_sheet.consent", "runsheet_start") in actions
    assert not any(action == "prompt" for _step, action in actions)
    from sqlalchemy import text

    with bot.services.database.engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM confbot_jobs")).scalar_one()
    assert stored == len(detail["jobs"])


async def test_setting_the_format_twice_never_books_a_second_meeting(bot: Running) -> None:
    conference = await _conference_from_request(bot)
    await _book(bot, conference["id"])
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{conference['id']}/format",
        {"format": "teams", "start": working_days_ahead(7).isoformat()},
    )
    assert status == 409 and "reschedule" in body["error"]
    assert len(await bot.calendar(CHAIR)) == 1


async def test_unreadable_request_goes_to_triage_with_its_reasons(bot: Running) -> None:
    await bot.mail("Hello, could you book a conference for the family please? Thanks")
    await bot.services.sweep.sweep()  # type: ignore[union-attr]
    status, triage = await bot.api("GET", "/api/triage")
    assert status == 200
    [item] = triage["triage"]
    assert item["reasons"]
    status, _ = await bot.api(
        "POST", f"/api/triage/{item['id']}/resolve", {"resolution": "rang SW"}
    )
    assert status == 200
    assert (await bot.api("GET", "/api/triage"))[1]["triage"] == []


async def test_police_report_quoting_a_reference_is_attached_and_restricted(bot: Running) -> None:
    conference = await _conference_from_request(bot)
    pdf = base64.b64encode(b"%PDF-1.4 fictional police report").decode()
    await bot.mail(
        f"Please find our report for {conference['reference']}.",
        sender="pppu@police.example.net",
        subject=f"Police report {conference['reference']}",
        attachments=[{"name": "report.pdf", "contentType": "application/pdf", "contentBytes": pdf}],
    )
    await bot.services.sweep.sweep()  # type: ignore[union-attr]
    [doc] = bot.services.repository.documents(conference["id"])
    assert doc.restricted


async def test_replayed_mail_is_handled_once(bot: Running) -> None:
    await bot.mail(request_body())
    sweep = bot.services.sweep
    assert sweep is not None
    await sweep.sweep()
    bot.services.repository.set_state(f"delta:{MAILBOX}", "")  # forget the delta link
    await sweep.sweep()
    _status, listed = await bot.api("GET", "/api/conferences")
    assert len(listed["conferences"]) == 1


async def test_cancelling_needs_approval_and_a_rationale_and_cancels_the_meeting(
    bot: Running,
) -> None:
    conference = await _conference_from_request(bot)
    await _book(bot, conference["id"])
    path = f"/api/conferences/{conference['id']}/cancel"
    status, body = await bot.api("POST", path, {"rationale": "family moved"})
    assert status == 409 and "approval" in body["error"]
    status, body = await bot.api(
        "POST", path, {"rationale": "family moved", "approved_by": "service.manager@example.org"}
    )
    assert status == 200 and body["state"] == ConferenceState.CANCELLED.value
    [event] = await bot.calendar(CHAIR)
    assert event.get("isCancelled") is True
    assert bot.services.scheduler is not None
    assert bot.services.scheduler.pending(conference["id"]) == []


async def test_api_refuses_requests_without_a_token(bot: Running) -> None:
    async with bot.http.get(f"{bot.base}/api/conferences") as response:
        assert response.status == 401
        assert "error" in await response.json()


async def test_api_names_the_bad_field(bot: Running) -> None:
    conference = await _conference_from_request(bot)
    await bot.api("POST", f"/api/conferences/{conference['id']}/allocate", {"chair": CHAIR})
    status, body = await bot.api(
        "POST", f"/api/conferences/{conference['id']}/format", {"format": "teams", "start": "soon"}
    )
    assert status == 400 and "'start'" in body["error"]


async def test_phone_series_gives_the_chair_a_call_sheet_and_books_no_meeting(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    settings.conference.playbook = "portsmouth"  # RCPCs there are a series of phone calls
    async with running(settings) as bot:
        await bot.mail(request_body(conference_type="RCPC"))
        await bot.services.sweep.sweep()  # type: ignore[union-attr]
        [conference] = (await bot.api("GET", "/api/conferences"))[1]["conferences"]
        await bot.api("POST", f"/api/conferences/{conference['id']}/allocate", {"chair": CHAIR})
        status, body = await bot.api(
            "POST",
            f"/api/conferences/{conference['id']}/format",
            {"format": "phone_series", "start": working_days_ahead(6).isoformat()},
        )
        assert status == 200, body
        assert await bot.calendar(CHAIR) == []
        sheets = [m for m in await bot.mailbox(CHAIR) if m["subject"].startswith("Call sheet")]
        assert len(sheets) == 1


async def test_hybrid_needs_a_venue_and_keeps_the_family_off_the_teams_invite(
    bot: Running,
) -> None:
    conference = await _conference_from_request(bot)
    path = f"/api/conferences/{conference['id']}"
    await bot.api("POST", f"{path}/allocate", {"chair": CHAIR})
    start = working_days_ahead(6).isoformat()
    status, body = await bot.api("POST", f"{path}/format", {"format": "hybrid", "start": start})
    assert status == 409 and "venue" in body["error"]
    status, body = await bot.api(
        "POST", f"{path}/format", {"format": "hybrid", "start": start, "venue": "Civic Centre"}
    )
    assert status == 200, body
    [event] = await bot.calendar(CHAIR)
    assert PARENT_EMAIL not in event["attendees"]


async def test_openapi_describes_every_api_route(bot: Running) -> None:
    async with bot.http.get(f"{bot.base}/api/openapi.json") as response:
        spec = await response.json()
    assert "post" in spec["paths"]["/api/conferences/{id}/format"]
    assert "post" in spec["paths"]["/api/conferences/{id}/conclude"]
    assert "get" in spec["paths"]["/api/triage"]

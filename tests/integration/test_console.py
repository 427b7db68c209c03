"""The chair console over HTTP: who may open it, answers on the timeline, live events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.core.runsheet.model import PromptKind
from bot.web import console
from tests.browser.webapp import build_web_app, client_for, csrf_for, headers_for
from tests.integration.console_world import (
    CHAIR,
    OTHER_CHAIR,
    PARENT_PHONE,
    START,
    VirtualClock,
    World,
    build_world,
    open_database,
)

TEAMS = "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[World, Client, int]]:
    database = open_database(tmp_path / "console.sqlite3")
    world = build_world(database, VirtualClock())
    app, _repository, _actions = build_web_app(database, clock=world.clock)
    console.add_routes(app, world.runsheets)
    client = await client_for(app)
    conference_id = world.add_conference()
    try:
        yield world, client, conference_id
    finally:
        await client.close()
        database.dispose()


def _chair() -> dict[str, str]:
    return headers_for("chair", CHAIR)


async def test_the_allocated_chair_sees_the_consent_prompt_and_the_parents_number(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    await world.at(START)
    response = await client.get(f"/conferences/{conference_id}/console", headers=_chair())
    body = await response.text()
    assert response.status == 200, body
    assert "Agrees to recording" in body and PARENT_PHONE in body
    assert "Sam Testparent" in body  # the chair needs the names; only they and admins see this
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


async def test_teams_may_frame_the_console_at_its_console_path(
    served: tuple[World, Client, int],
) -> None:
    _world, client, conference_id = served
    response = await client.get(f"/console/{conference_id}", headers=_chair())
    assert response.status == 200
    assert f"frame-ancestors {TEAMS}" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert f'data-events="/console/{conference_id}/events"' in await response.text()


async def test_another_chair_and_the_admin_team_are_refused_but_an_admin_may_open_it(
    served: tuple[World, Client, int],
) -> None:
    _world, client, conference_id = served
    path = f"/conferences/{conference_id}/console"
    other = await client.get(path, headers=headers_for("chair", OTHER_CHAIR))
    assert other.status == 403
    assert "Sam Testparent" not in await other.text()
    assert (await client.get(path, headers=headers_for("mts"))).status == 403
    assert (await client.get(path, headers=headers_for("manager"))).status == 403
    assert (await client.get(path, headers=headers_for("admin"))).status == 200
    events = await client.get(
        path + "/events",
        headers={**headers_for("chair", OTHER_CHAIR), "Accept": "text/event-stream"},
    )
    assert events.status == 403


async def test_without_signing_in_the_page_redirects_and_the_rest_is_unauthorised(
    served: tuple[World, Client, int],
) -> None:
    _world, client, conference_id = served
    path = f"/conferences/{conference_id}/console"
    page = await client.get(path, allow_redirects=False)
    assert page.status == 302 and page.headers["Location"] == "/signin"
    events = await client.get(path + "/events", headers={"Accept": "text/event-stream"})
    assert events.status == 401
    posted = await client.post(path + "/answer", data={"prompt": "x", "answer": "consented"})
    assert posted.status == 401


async def test_an_answer_posted_from_the_console_lands_on_the_timeline(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    await world.at(START)
    [first, *_] = await world.runsheets.open_prompts(conference_id)
    headers = _chair()
    response = await client.post(
        f"/conferences/{conference_id}/console/answer",
        data={"csrf": csrf_for(headers), "prompt": first.id, "answer": "consented"},
        headers=headers,
        allow_redirects=False,
    )
    assert response.status == 303
    entries = world.repository.timeline(conference_id)
    answered = [e for e in entries if e.kind == "runsheet.answered" and e.step_id == first.id]
    assert [(e.actor, e.detail["answer"]) for e in answered] == [(CHAIR, "consented")]
    assert any(e.kind == "runsheet.consent_given" for e in entries)


async def test_an_answer_without_the_forms_token_is_refused(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    await world.at(START)
    [first, *_] = await world.runsheets.open_prompts(conference_id)
    response = await client.post(
        f"/conferences/{conference_id}/console/answer",
        data={"csrf": "forged", "prompt": first.id, "answer": "consented"},
        headers=_chair(),
    )
    assert response.status == 403
    assert not any(e.kind == "runsheet.answered" for e in world.repository.timeline(conference_id))


async def test_ending_the_confidential_section_early_shows_the_callback_at_once(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    await world.at(START)
    for prompt in await world.runsheets.open_prompts(conference_id):
        if prompt.kind is PromptKind.CONSENT:
            await world.runsheets.answer(conference_id, prompt.id, prompt.answers[0].answer, START)
    headers = {**_chair(), "X-Live": "1"}
    response = await client.post(
        f"/conferences/{conference_id}/console/end-confidential",
        data={"csrf": csrf_for(_chair())},
        headers=headers,
    )
    body = await response.text()
    assert response.status == 200, body
    assert "Parent joined" in body and "Use the other number" in body
    kinds = [p.kind for p in await world.runsheets.open_prompts(conference_id)]
    assert PromptKind.CALLBACK in kinds


async def test_the_event_stream_pushes_a_prompt_the_moment_the_run_sheet_sends_it(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    response = await client.get(
        f"/conferences/{conference_id}/console/events",
        headers={**_chair(), "Accept": "text/event-stream"},
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")

    async def next_event() -> tuple[str, str]:
        kind = ""
        while True:
            line = (await response.content.readline()).decode().strip()
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind:
                return kind, line.removeprefix("data: ")

    assert (await asyncio.wait_for(next_event(), 5))[0] == "hello"
    await world.at(START)
    kind, data = await asyncio.wait_for(next_event(), 5)
    assert kind == "prompt" and json.loads(data)["prompt"].startswith("consent.")
    response.close()


async def _to_agency_summaries(world: World, conference_id: int) -> str:
    """Start the meeting, move on to the agency summaries; the first agency's prompt id."""
    await world.at(START)
    for _ in range(10):
        sheet = await world.runsheets.sheet(conference_id)
        if sheet.current_phase is not None and sheet.current_phase.id == "agency_summaries":
            return next(p.id for p in sheet.open_prompts() if p.kind is PromptKind.AGENCY_SUMMARY)
        await world.runsheets.next(conference_id, world.clock())
    raise AssertionError("the run sheet never reached the agency summaries")


async def _post_answer(
    client: Client, conference_id: int, headers: dict[str, str], **form: str
) -> tuple[int, str]:
    response = await client.post(
        f"/conferences/{conference_id}/console/answer",
        data={"csrf": csrf_for(headers), **form},
        headers=headers,
        allow_redirects=False,
    )
    return response.status, await response.text()


async def test_a_summary_typed_in_the_console_is_kept_and_shown_as_inert_text(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    step = await _to_agency_summaries(world, conference_id)
    page = await client.get(f"/conferences/{conference_id}/console", headers=_chair())
    assert "Their summary (for the minutes)" in await page.text()
    typed = "<script>alert('x')</script> Police: two callouts since May.\x00" + "z" * 50_000
    status, _ = await _post_answer(
        client,
        conference_id,
        _chair(),
        prompt=step,
        answer="done",
        note=typed,
    )
    assert status == 303
    sheet = await world.runsheets.sheet(conference_id)
    note = sheet.prompt(step).note
    assert note is not None and note.startswith("<script>") and "\x00" not in note
    assert len(note) > 50_000
    body = await (
        await client.get(f"/conferences/{conference_id}/console", headers=_chair())
    ).text()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


async def test_an_admin_answering_for_the_chair_is_recorded_as_that_admin(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    step = await _to_agency_summaries(world, conference_id)
    admin = headers_for("admin", "admin.one@council.example")
    status, _ = await _post_answer(
        client, conference_id, admin, prompt=step, answer="done", note="Ok."
    )
    assert status == 303
    entries = world.repository.timeline(conference_id)
    [answered] = [e for e in entries if e.step_id == step and "answer" in e.kind]
    assert answered.actor == "admin.one@council.example"


async def test_an_answer_for_a_step_that_is_over_is_refused_by_name(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    step = await _to_agency_summaries(world, conference_id)
    await world.runsheets.next(conference_id, world.clock())
    status, body = await _post_answer(
        client, conference_id, _chair(), prompt=step, answer="done", note="x"
    )
    assert status == 400
    assert "The step &#34;Agency summaries&#34; is no longer current" in body


async def test_two_chairs_answering_at_once_keep_both_answers_in_order(
    served: tuple[World, Client, int],
) -> None:
    world, client, conference_id = served
    step = await _to_agency_summaries(world, conference_id)
    admin = headers_for("admin", "admin.one@council.example")
    first, second = await asyncio.gather(
        _post_answer(client, conference_id, _chair(), prompt=step,
                     answer="done", note="The chair's summary."),
        _post_answer(client, conference_id, admin, prompt=step,
                     answer="done", note="The admin's summary."),
    )  # fmt: skip
    assert (first[0], second[0]) == (303, 303)
    entries = [
        e
        for e in world.repository.timeline(conference_id)
        if e.step_id == step and e.kind.startswith("runsheet.answer")
    ]
    assert [e.kind for e in entries] == ["runsheet.answered", "runsheet.answer_corrected"]
    sheet = await world.runsheets.sheet(conference_id)
    journal = [e for e in sheet.journal() if e.get("prompt") == step]
    assert {e["note"] for e in journal} == {"The chair's summary.", "The admin's summary."}

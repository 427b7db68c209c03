"""The chair console: one conference's run sheet, live, for its chair (or an admin).

It shows the prompts waiting, with their buttons, the parent's numbers, the consent ledger
and the clock in Europe/London. It updates over server-sent events pushed by the console
hub when the run sheet sends or answers a prompt. Answers are CSRF-checked forms, so the
page works without script; with script they are sent in place. Teams may frame it at
``/console/{id}`` (a targeted in-meeting notification shows a web page by URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from bot.core.conference import Conference, Role
from bot.core.consent import ConsentStatus
from bot.core.errors import NotFound
from bot.core.playbook.terms import PhaseKind
from bot.core.runsheet.sheet import (
    Answer,
    Party,
    Prompt,
    RationaleMissing,
    RunSheet,
    RunSheetError,
    StepNotCurrent,
)
from bot.core.runsheet.text import PHASE_TITLES, note_label
from bot.web import console_decisions
from bot.web.audit import record_view
from bot.web.auth import Identity
from bot.web.console_events import CONSOLE_HUB_KEY, ConsoleHub
from bot.web.pages import now_utc
from bot.web.security import EVERYONE, UserRole, config, prepare_headers, require, role_of
from bot.web.sse import until_client_leaves
from bot.web.status import LIVE_HEADER, in_thread, queries, render

logger = logging.getLogger(__name__)

HEARTBEAT_S = 15.0  # keeps proxies from closing a quiet stream
RECENT = 5  # answered prompts shown under the waiting ones
CONSENT_WORDS = {
    ConsentStatus.NOT_ASKED: "not asked yet",
    ConsentStatus.CONSENTED: "agrees",
    ConsentStatus.OBJECTED: "does not agree",
}


class RunSheets(Protocol):
    """What the console asks of the run sheets: the runtime's service, wired by bot.app."""

    def add_channel(self, channel: ConsoleHub) -> None:
        """Send prompts to the open consoles too."""

    async def sheet(self, conference_id: int) -> RunSheet:
        """The conference's run sheet as it stands."""

    async def answer(
        self,
        conference_id: int,
        prompt_id: str,
        answer: Answer,
        at: datetime,
        note: str | None = None,
        by: str | None = None,
    ) -> Prompt:
        """Record the answer, given by the account ``by``."""

    async def next(self, conference_id: int, at: datetime) -> list[Prompt]:
        """Finish this step, or end the confidential section now."""


RUNSHEETS_KEY: web.AppKey[RunSheets] = web.AppKey("runsheets", RunSheets)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One party on the console's consent ledger."""

    label: str
    role: str
    present: bool
    consent: str


@dataclass(frozen=True, slots=True)
class ConsoleView:
    """What the console shows of a run sheet."""

    started: bool
    finished: bool
    step: str
    waiting: list[Prompt]
    recent: list[Prompt]
    parents: list[Party]
    ledger: list[LedgerLine]
    recording_allowed: bool
    in_confidential: bool
    confidential_ends: datetime | None
    confidential_over: bool = False
    note_labels: dict[str, str] | None = None  # by prompt id: what its box asks for


def view_of(sheet: RunSheet) -> ConsoleView:
    """The console's reading of a run sheet."""
    phase = sheet.current_phase
    answered = [p for p in sheet.prompts if not p.is_open]
    in_confidential = (
        phase is not None
        and phase.kind is PhaseKind.CONFIDENTIAL_SECTION
        and not sheet.confidential_over
    )
    ledger = [
        LedgerLine(
            party.label,
            party.role.value.replace("_", " "),
            party.id in sheet.present,
            CONSENT_WORDS[sheet.ledger.status(party.id)],
        )
        for party in sheet.parties.values()
        if party.role is not Role.CHAIR
    ]
    return ConsoleView(
        started=sheet.started_at is not None,
        finished=sheet.finished,
        step=PHASE_TITLES[phase.kind] if phase is not None else "",
        waiting=sheet.open_prompts(),
        recent=sorted(answered, key=lambda p: p.answered_at or p.due)[-RECENT:][::-1],
        parents=[p for p in sheet.parties.values() if p.role is Role.PARENT],
        ledger=ledger,
        recording_allowed=sheet.recording_allowed,
        in_confidential=in_confidential,
        confidential_ends=sheet.confidential_ends,
        # One source of truth: "ended" only once the run sheet says the section is over.
        confidential_over=sheet.confidential_over and sheet.started_at is not None,
        note_labels={p.id: note_label(p) for p in sheet.prompts if p.takes_note},
    )


async def load_console(request: web.Request) -> tuple[Identity, Conference]:
    """The conference in the URL, if the signed-in person is its chair or an admin."""
    identity = require(request, EVERYONE)
    try:
        conference_id = int(request.match_info["conference_id"])
        conference = await in_thread(queries(request).conference, conference_id)
    except (ValueError, NotFound):
        raise web.HTTPNotFound(text="There is no such conference.") from None
    role = role_of(identity)
    own = (conference.chair or "").lower() in config(request).chairs_seen_by(identity.user)
    if not (role is UserRole.ADMIN or (role is UserRole.CHAIR and own)):
        raise web.HTTPForbidden(
            text="Only the conference's chair, or an admin, may open its console."
        )
    return identity, conference


def _base(request: web.Request, conference_id: int) -> str:
    # The same console under Teams' path or the conference's: links stay on the one used.
    if request.path.startswith("/console/"):
        return f"/console/{conference_id}"
    return f"/conferences/{conference_id}/console"


async def console_page(
    request: web.Request, *, error: str | None = None, status: int = 200
) -> web.StreamResponse:
    """The console page, or only its live part when the console script asks."""
    identity, conference = await load_console(request)
    if request.method == "GET" and request.headers.get(LIVE_HEADER) != "1":
        await record_view(request, identity, conference.id, "console")
    runsheets = request.app[RUNSHEETS_KEY]
    view: ConsoleView | None = None
    problem = ""
    try:
        view = view_of(await runsheets.sheet(conference.id))
    except RunSheetError:
        problem = "This conference has no meeting time or format yet, so it has no run sheet."
    return render(
        request,
        "console.html",
        identity,
        status=status,
        conference=conference,
        view=view,
        problem=problem,
        error=error,
        base=_base(request, conference.id),
        now=now_utc(request),
        decisions=await console_decisions.decision_sheet(request, conference),
    )


async def _after_post(request: web.Request, error: str | None = None) -> web.StreamResponse:
    if request.headers.get(LIVE_HEADER) == "1":
        return await console_page(request, error=error, status=400 if error else 200)
    if error:
        return await console_page(request, error=error, status=400)
    conference_id = int(request.match_info["conference_id"])
    raise web.HTTPSeeOther(_base(request, conference_id))


async def answer(request: web.Request) -> web.StreamResponse:
    """The chair pressed an answer button."""
    identity, conference = await load_console(request)
    form = await request.post()
    prompt_id = str(form.get("prompt", ""))
    note = str(form.get("note", "")).strip() or None
    try:
        chosen = Answer(str(form.get("answer", "")))
        # The account that answered goes on the timeline: an admin answering is that admin.
        await request.app[RUNSHEETS_KEY].answer(
            conference.id, prompt_id, chosen, now_utc(request), note, identity.user
        )
    except (RationaleMissing, StepNotCurrent) as err:
        return await _after_post(request, str(err))
    except (ValueError, RunSheetError):
        return await _after_post(request, "That answer could not be recorded. Please try again.")
    logger.info(
        "prompt answered in the console",
        extra={"conference_id": conference.id, "step_id": prompt_id, "role": identity.role},
    )
    return await _after_post(request)


async def next_step(request: web.Request) -> web.StreamResponse:
    """Start the run sheet now, or finish this step and go to the next one."""
    _identity, conference = await load_console(request)
    try:
        await request.app[RUNSHEETS_KEY].next(conference.id, now_utc(request))
    except RunSheetError:
        return await _after_post(request, "The run sheet could not move on.")
    return await _after_post(request)


async def end_confidential(request: web.Request) -> web.StreamResponse:
    """End the confidential section early: the callback prompt comes at once."""
    _identity, conference = await load_console(request)
    runsheets = request.app[RUNSHEETS_KEY]
    try:
        view = view_of(await runsheets.sheet(conference.id))
        if not view.in_confidential:
            return await _after_post(request, "The confidential section is not running now.")
        await runsheets.next(conference.id, now_utc(request))
    except RunSheetError:
        return await _after_post(request, "The confidential section could not be ended.")
    return await _after_post(request)


async def console_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: a prompt arrived or was answered on this conference."""
    _identity, conference = await load_console(request)
    hub = request.app[CONSOLE_HUB_KEY]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"}
    )
    prepare_headers(request, response)
    await response.prepare(request)
    with hub.subscribe(conference.id) as queue, until_client_leaves(request):
        await response.write(b"retry: 3000\nevent: hello\ndata: {}\n\n")
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
            except TimeoutError:
                await response.write(b": still here\n\n")
                continue
            if message is None:
                break  # shutting down
            await response.write(message.as_sse())
    return response


# Listens for the other replicas' console news: (deliver a payload, after a gap) until cancelled.
Listen = Callable[[Callable[[str], None], Callable[[], None]], Coroutine[Any, Any, None]]


def add_routes(
    app: web.Application,
    runsheets: RunSheets,
    hub: ConsoleHub | None = None,
    *,
    listen: Listen | None = None,
) -> ConsoleHub:
    """Mount the console under the conference and under Teams' /console path; returns the hub.

    The hub becomes one of the run-sheet service's prompt channels. With ``listen``, the hub
    also hears the other replicas' news for as long as the app runs.
    """
    hub = hub or ConsoleHub()
    runsheets.add_channel(hub)
    app[RUNSHEETS_KEY] = runsheets
    app[CONSOLE_HUB_KEY] = hub

    async def close_streams(_app: web.Application) -> None:
        hub.close()

    async def listening(_app: web.Application) -> AsyncIterator[None]:
        assert listen is not None
        task = asyncio.create_task(listen(hub.receive, hub.refetch_all), name="console-news")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.on_shutdown.append(close_streams)
    if listen is not None:
        app.cleanup_ctx.append(listening)
    for base in (r"/conferences/{conference_id:\d+}/console", r"/console/{conference_id:\d+}"):
        app.router.add_get(base, console_page)
        app.router.add_get(base + "/events", console_events)
        app.router.add_post(base + "/answer", answer)
        app.router.add_post(base + "/next", next_step)
        app.router.add_post(base + "/end-confidential", end_confidential)
    console_decisions.add_routes(app, load_console, console_page, _base)
    return hub

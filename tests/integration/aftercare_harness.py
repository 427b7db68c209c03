"""confbot on its sandbox with the aftercare wired in, as bot.app will wire it, for flow tests.

The scheduler is paused once this replica leads, so the tests run each job with the
deadline runner themselves instead of waiting for real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from docx import Document

from bot.app import Services, app_runner, build_app, running_services, start_background
from bot.core.conference import Conference, ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import PhaseKind
from bot.core.runsheet.model import Answer, Prompt, PromptKind
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.runsheet_facts import party_id
from bot.runtime.runsheets import RunSheetService
from bot.settings import Settings
from bot.web import auth
from tests.integration.runtime_harness import (
    CHAIR,
    Running,
    request_body,
    working_days_ahead,
)


@dataclass
class AftercareRunning(Running):
    """A running confbot with its aftercare service."""

    aftercare: Aftercare
    signer: auth.SessionSigner
    access: auth.AccessBook

    async def post_as(self, user: str, role: str, path: str) -> tuple[int, Any]:
        """POST to the API signed in as ``user`` with ``role`` (a session cookie)."""
        cookie = self.access.start_session(auth.Identity(user=user, role=role))
        headers = {
            "Cookie": f"{auth.COOKIE}={cookie}",
            # Cookie sessions need the CSRF token on every change, as the status page sends it.
            "X-CSRF-Token": self.signer.derive("csrf", cookie),
        }
        async with self.http.post(f"{self.base}{path}", headers=headers) as response:
            return response.status, await response.json()

    async def outside_mail(self) -> list[dict[str, Any]]:
        """Mail sent to addresses outside the sandbox tenant."""
        return list((await self.state())["outbox"])

    async def received(self, address: str, subject: str) -> int:
        """How many emails with ``subject`` in their subject reached ``address``."""
        state = await self.state()
        user = next((u for u in state["users"] if u["mail"] == address), None)
        if user is not None:
            box = state["mail"].get(user["id"], [])
            return sum(1 for m in box if subject in m["subject"] and m["folder"] == "inbox")
        return sum(1 for m in state["outbox"] if address in m["to"] and subject in m["subject"])

    async def graph_requests(self) -> list[dict[str, Any]]:
        """The sandbox's request log: every Graph call, those inside a $batch marked."""
        async with self.http.get(f"{self.sandbox}/_sandbox/requests") as response:
            return list((await response.json())["requests"])

    async def clear_requests(self) -> None:
        """Empty the sandbox's request log."""
        async with self.http.delete(f"{self.sandbox}/_sandbox/requests") as response:
            assert response.status == 204

    async def run_jobs(self, conference_id: int) -> int:
        """Run every pending job of a conference with the deadline runner; returns how many."""
        services = self.services
        assert services.scheduler is not None and services.runner is not None
        jobs = services.scheduler.pending(conference_id)
        for job in jobs:
            await services.runner.run(job)
        return len(jobs)


def by_endpoint(requests: list[dict[str, Any]]) -> Counter[str]:
    """HTTP requests (not $batch items) counted by method and path shape."""
    counts: Counter[str] = Counter()
    for entry in requests:
        if entry.get("in_batch"):
            continue
        parts = entry["path"].split("/")
        shape = "/".join(
            "{id}"
            if i > 0 and parts[i - 1] in ("users", "drives", "events", "messages", "onlineMeetings")
            else p
            for i, p in enumerate(parts)
        )
        if "/items/" in shape:
            shape = shape.split("/items/")[0] + "/items/{path}/content"
        counts[f"{entry['method']} {shape}"] += 1
    return counts


@contextlib.asynccontextmanager
async def running_aftercare(settings: Settings) -> AsyncIterator[AftercareRunning]:
    """Start confbot with aftercare routes and handlers; stop it afterwards."""
    async with running_services(settings) as services:
        assert services.aftercare is not None
        aftercare = services.aftercare
        app = build_app(services)
        runner = app_runner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
        base = f"http://127.0.0.1:{port}"
        await start_background(services, base)
        assert services.duties is not None and services.scheduler is not None
        await asyncio.wait_for(services.duties.became_leader.wait(), 10)
        services.scheduler.pause()  # the tests run jobs themselves
        try:
            async with aiohttp.ClientSession() as http:
                yield AftercareRunning(
                    services, base, http, aftercare, app[auth.SIGNER_KEY], app[auth.ACCESS_KEY]
                )
        finally:
            await runner.cleanup()


def _answer_for(prompt: Prompt) -> Answer:
    preferred = (
        Answer.CONSENTED,
        Answer.PARENT_JOINED,
        Answer.PLAN,
        Answer.DONE,
        Answer.END_NOW,
    )
    return next((a for a in preferred if prompt.allows(a)), prompt.answers[0].answer)


async def drive_meeting(
    services: Services,
    conference: Conference,
    *,
    joining: set[Role],
    typed: dict[str, str] | None = None,
) -> RunSheetService:
    """Hold the meeting through the run-sheet service, the chair answering every prompt.

    Parties in ``joining`` take part (held-back parents are called in after the confidential
    section); prompts about anyone else are left for the chair to move past with "next",
    as a chair does for someone who never came. The service records every event. With
    ``typed``, the chair types a distinct text at every step that takes one, kept there by
    prompt id, so a test can look for each in the minutes.
    """
    assert services.runsheets is not None
    assert conference.start_at is not None
    sheets = services.runsheets
    present = {party_id(p) for p in conference.participants if p.role in joining}
    now = conference.start_at
    await sheets.meeting_started(conference.id, now)
    for _ in range(200):
        now += timedelta(minutes=1)
        sheet = await sheets.sheet(conference.id)
        if sheet.finished:
            break
        waiting = [
            p
            for p in await sheets.open_prompts(conference.id)
            if p.kind is not PromptKind.FEEDBACK_CALL and (p.party_id in (None, *present))
        ]
        if not waiting:
            await sheets.next(conference.id, now)
            continue
        for prompt in waiting:
            note = "Fictional reasons."
            if typed is not None and prompt.takes_note:
                note = typed[prompt.id] = f"Typed at step {len(typed) + 1}, {prompt.id}."
            await sheets.answer(conference.id, prompt.id, _answer_for(prompt), now, note=note)
    await sheets.meeting_ended(conference.id, now + timedelta(minutes=1))
    return sheets


async def book_icpc(bot: AftercareRunning) -> Conference:
    """Book an ICPC from a request email: the chair allocated, Teams where offered."""
    await bot.mail(request_body())
    assert bot.services.sweep is not None
    assert await bot.services.sweep.sweep() == 1
    [listed] = bot.services.repository.list_conferences()
    rules = bot.services.playbooks.current(listed.playbook).rules(ConferenceType.ICPC)
    fmt = (
        MeetingFormat.TEAMS
        if MeetingFormat.TEAMS in rules.formats.offered
        else rules.formats.default
    )
    confidential = any(p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in rules.phases(fmt))
    status, body = await bot.api("POST", f"/api/conferences/{listed.id}/allocate", {"chair": CHAIR})
    assert status == 200, body
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{listed.id}/format",
        {
            "format": fmt.value,
            "start": working_days_ahead(6).isoformat(),
            "confidential_minutes": 20 if confidential else None,
        },
    )
    assert status == 200, body
    return bot.services.repository.get_conference(listed.id)


async def conclude(bot: AftercareRunning, conference: Conference, review: str | None) -> str:
    """Conclude from the API with a plan and its dates; returns the minutes' URL."""
    assert conference.start_at is not None
    decisions = {
        "plan": True,
        "category": "neglect",
        "plan_type": "interim",
        "core_group": (conference.start_at + timedelta(days=10)).date().isoformat(),
        "review": review,
    }
    status, body = await bot.api(
        "POST", f"/api/conferences/{conference.id}/conclude", {"decisions": decisions}
    )
    assert status == 200, body
    return str(body["minutes_url"])


async def docx_text(bot: AftercareRunning, url: str) -> tuple[list[str], Any]:
    """Every paragraph and table cell of the Word file at ``url``, and the document."""
    async with bot.http.get(url) as response:
        assert response.status == 200
        document = Document(io.BytesIO(await response.read()))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts, document

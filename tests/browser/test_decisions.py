"""Deciding, concluding and approving from the pages alone, in Chromium, on the sandbox.

confbot runs for real (sandbox Graph, the run-sheet service, the aftercare); the meeting is
held through the run-sheet service. Then the chair records each child's decision in the
console, concludes there, and approves the minutes on their page, with no API call, and
the Word file in the library holds the decisions and the playbook's COVID-19 statement.
"""

from __future__ import annotations

import asyncio
import io
import threading
import urllib.request
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bot.core.conference import Conference, ConferenceType, MeetingFormat, Role
from bot.core.minutes.progress import minutes_progress
from bot.web import auth
from tests.integration.aftercare_harness import AftercareRunning, drive_meeting, running_aftercare
from tests.integration.runtime_harness import (
    CHAIR,
    MAILBOX,
    SOCIAL_WORKER,
    request_body,
    settings_for,
    working_days_ahead,
)

WAIT_MS = 20_000
JOINING = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.PARENT, Role.SCHOOL}


@dataclass
class Held:
    """A conference whose meeting has been held, on a confbot served from its own thread."""

    bot: AftercareRunning
    conference: Conference
    loop: asyncio.AbstractEventLoop

    def on_server(self, work: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(60)

    def cookie(self, user: str, role: str) -> str:
        return self.bot.access.start_session(auth.Identity(user=user, role=role))


def _lac_request() -> str:
    body = request_body(conference_type="Looked After Child review")
    return "\n".join(line for line in body.splitlines() if not line.startswith("Strategy"))


async def _book(
    bot: AftercareRunning,
    body: str,
    kind: ConferenceType,
    fmt: MeetingFormat = MeetingFormat.TEAMS,
    *,
    hold: bool = True,
    set_up: bool = True,
) -> Conference:
    async with bot.http.post(
        f"{bot.sandbox}/_sandbox/mail",
        json={"to": MAILBOX, "from": SOCIAL_WORKER, "subject": "Conference request", "body": body},
    ) as response:
        assert response.status == 201, await response.text()
    assert bot.services.mail is not None
    assert sum([await s.sweep() for s in bot.services.mail.sweeps]) == 1
    [listed] = bot.services.repository.list_conferences()
    assert listed.conference_type is kind
    if not set_up:  # the test sets it up from the conference page
        return listed
    # Setting up is not what this test is about: the admin team's pages have their own.
    status, body_ = await bot.api(
        "POST", f"/api/conferences/{listed.id}/allocate", {"chair": CHAIR}
    )
    assert status == 200, body_
    status, body_ = await bot.api(
        "POST",
        f"/api/conferences/{listed.id}/format",
        {"format": fmt.value, "start": working_days_ahead(6).isoformat()},
    )
    assert status == 200, body_
    conference = bot.services.repository.get_conference(listed.id)
    if hold:  # else the test holds the meeting from the console itself
        await drive_meeting(bot.services, conference, joining=JOINING)
    return bot.services.repository.get_conference(listed.id)


def _held(
    tmp_path: Path,
    playbook: str,
    body: str,
    kind: ConferenceType,
    fmt: MeetingFormat = MeetingFormat.TEAMS,
    *,
    hold: bool = True,
    set_up: bool = True,
) -> Iterator[Held]:
    settings = settings_for(tmp_path)
    mailboxes = (
        type(settings)
        .model_validate({"mailboxes": [{"address": MAILBOX, "playbook": playbook}]})
        .mailboxes
    )
    settings = settings.model_copy(update={"mailboxes": mailboxes})
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def run() -> None:
        try:
            async with running_aftercare(settings) as bot:
                booked = await _book(bot, body, kind, fmt, hold=hold, set_up=set_up)
                holder["held"] = Held(bot, booked, asyncio.get_running_loop())
                holder["stop"] = asyncio.Event()
                started.set()
                await holder["stop"].wait()
        except BaseException as err:  # the test reports it
            holder["error"] = err
            started.set()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert started.wait(120), "confbot did not start"
    if "error" in holder:
        raise holder["error"]
    yield holder["held"]
    holder["held"].loop.call_soon_threadsafe(holder["stop"].set)
    thread.join(timeout=20)


@pytest.fixture
def lancashire_icpc(tmp_path: Path) -> Iterator[Held]:
    yield from _held(tmp_path, "lancashire", request_body(), ConferenceType.ICPC)


@pytest.fixture
def northmoor_lac(tmp_path: Path) -> Iterator[Held]:
    yield from _held(tmp_path, "northmoor-lac", _lac_request(), ConferenceType.LAC)


def _page(browser: Any, held: Held, user: str, role: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies(
        [{"name": auth.COOKIE, "value": held.cookie(user, role), "url": held.bot.base}]
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/" in r.url else None)
    page.api_calls = api_calls
    return page


def _word_texts(held: Held) -> list[str]:
    entries = held.bot.services.repository.timeline(held.conference.id)
    url = minutes_progress(entries).url
    assert url, "the minutes were not uploaded"
    with urllib.request.urlopen(url, timeout=10) as response:  # the sandbox, on loopback
        document = Document(io.BytesIO(response.read()))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def _approve(page: Any, held: Held, state: str = "draft") -> None:
    assert page.url.split("?")[0].endswith(f"/conferences/{held.conference.id}/minutes")
    assert page.locator("#minutes-state").inner_text().startswith(state)
    assert page.locator("#distribution").is_visible()
    assert page.locator("#word-link").get_attribute("href")
    page.get_by_role("button", name="Approve the minutes").click()
    page.get_by_text("The minutes are approved.").wait_for()
    assert page.locator("#minutes-state").inner_text().startswith("approved")
    page.get_by_role("link", name="Back to the conference").click()
    assert "approved" in page.locator("#minutes-state").inner_text()
    assert "not written yet" not in page.locator("#minutes-state").inner_text()


def test_chair_decides_concludes_and_approves_a_lancashire_teams_icpc_from_the_pages(
    browser: Any, lancashire_icpc: Held
) -> None:
    held = lancashire_icpc
    page = _page(browser, held, CHAIR, "chair")
    page.goto(f"{held.bot.base}/conferences/{held.conference.id}/console")
    [child] = held.conference.children
    form = page.locator(f"#decision-{child.id}")
    form.get_by_label("Plan needed").check()
    form.get_by_label("Category (if a plan)").select_option("emotional_abuse")
    form.get_by_label("Type of plan").select_option("interim")
    suggested = form.get_by_label("Review conference").input_value()
    assert suggested, "the review date is suggested"
    # The chair moves the review a week earlier; without a reason it is refused.
    earlier = date.fromordinal(date.fromisoformat(suggested).toordinal() - 7).isoformat()
    form.get_by_label("Review conference").fill(earlier)
    form.get_by_role("button", name="Save the decision for T.Q.").click()
    page.get_by_role("alert").get_by_text("give a reason for the change").wait_for()
    form = page.locator(f"#decision-{child.id}")
    form.get_by_label("Plan needed").check()
    form.get_by_label("Category (if a plan)").select_option("emotional_abuse")
    form.get_by_label("Type of plan").select_option("interim")
    form.get_by_label("Review conference").fill(earlier)
    form.locator("[name=review_reason]").fill("The family are away in the week of the due date.")
    form.locator("[name=notes]").fill("Weekly home visits by the social worker.")
    form.get_by_role("button", name="Save the decision for T.Q.").click()
    page.locator(f"#decision-{child.id} .tag").wait_for()
    page.get_by_role("button", name="Conclude the conference and draft the minutes").click()
    # Sent back first: comments are required, and the state says so.
    page.get_by_role("button", name="Send back with these comments").click()
    page.get_by_role("alert").get_by_text("Say what needs changing").wait_for()
    page.get_by_label("What needs changing").fill("Please add the school's summary.")
    page.get_by_role("button", name="Send back with these comments").click()
    page.get_by_text("The minutes were sent back with your comments.").wait_for()
    assert page.locator("#minutes-state").inner_text().startswith("sent back")
    assert page.get_by_text("Please add the school's summary.").is_visible()
    page.goto(f"{held.bot.base}/conferences/{held.conference.id}/minutes")
    page.locator("#minutes-state").wait_for()
    _approve(page, held, state="sent back")
    assert page.api_calls == []
    texts = _word_texts(held)
    joined = "\n".join(texts)
    assert "Emotional abuse" in texts
    assert "Interim plan" in texts
    assert "The family are away in the week of the due date." in texts
    assert "Weekly home visits by the social worker." in texts
    assert "because of COVID-19" in joined or "COVID-19" in joined


def test_chair_records_a_northmoor_lac_reviews_outcomes_and_approves_with_no_cp_words(
    browser: Any, northmoor_lac: Held
) -> None:
    held = northmoor_lac
    page = _page(browser, held, CHAIR, "chair")
    page.goto(f"{held.bot.base}/conferences/{held.conference.id}/console")
    [child] = held.conference.children
    form = page.locator(f"#decision-{child.id}")
    assert form.get_by_label("Plan needed").count() == 0  # no child protection plan here
    assert form.get_by_label("Next review").input_value()
    form.get_by_label("Yes").check()
    form.locator("[name=notes]").fill("Contact with the grandparents moves to fortnightly.")
    form.get_by_role("button", name="Save the decision for T.Q.").click()
    page.locator(f"#decision-{child.id} .tag").wait_for()
    page.get_by_role("button", name="Conclude the conference and draft the minutes").click()
    # Sent back first: comments are required, and the state says so.
    page.get_by_role("button", name="Send back with these comments").click()
    page.get_by_role("alert").get_by_text("Say what needs changing").wait_for()
    page.get_by_label("What needs changing").fill("Please add the school's summary.")
    page.get_by_role("button", name="Send back with these comments").click()
    page.get_by_text("The minutes were sent back with your comments.").wait_for()
    assert page.locator("#minutes-state").inner_text().startswith("sent back")
    assert page.get_by_text("Please add the school's summary.").is_visible()
    page.goto(f"{held.bot.base}/conferences/{held.conference.id}/minutes")
    page.locator("#minutes-state").wait_for()
    _approve(page, held, state="sent back")
    assert page.api_calls == []
    texts = _word_texts(held)
    joined = "\n".join(texts).lower()
    assert "Care plan agreed" in texts
    assert "Contact with the grandparents moves to fortnightly." in texts
    assert "covid-19" in joined
    assert "child protection plan" not in joined
    assert "core group" not in joined
    # The follow-ups, run now rather than on their day: no CP words, and the review date goes.
    held.on_server(held.bot.run_jobs(held.conference.id))
    state = held.on_server(held.bot.state())
    sent = [(m["subject"], str(m.get("body", ""))) for m in state["outbox"]]
    sent += [(m["subject"], "") for box in state["mail"].values() for m in box]
    words = " ".join(f"{subject} {body}" for subject, body in sent).lower()
    assert any(s.startswith("Next review date from review") for s, _ in sent), sent
    assert "child protection plan" not in words
    assert "core group" not in words

"""A whole conference from the pages alone, on confbot served for real: the issue's three runs.

For a Lancashire Teams ICPC, a Portsmouth RCPC held as a series of phone calls and a
Northmoor looked-after review, the request arrives by email; the admin team allocates the
chair and sets the format on the conference's page; the chair runs the meeting from the
console typing a distinct text at every step, records each child's decision, concludes,
and approves the minutes on their page. The browser makes no API call. The Word file
uploaded to the library then holds every typed text, the decisions, each person's
attendance with the evidence it rests on, and the COVID-19 statement; nothing the chair
entered is "Not recorded".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.conference import ConferenceType, MeetingFormat
from tests.browser.console_steps import run_to_the_end, start_meeting
from tests.browser.test_decisions import Held, _approve, _held, _lac_request, _page, _word_texts
from tests.integration.runtime_harness import CHAIR, request_body, working_days_ahead

RUNS = [
    pytest.param(
        ("lancashire", request_body(), ConferenceType.ICPC, MeetingFormat.TEAMS),
        id="lancashire-icpc-teams",
    ),
    pytest.param(
        (
            "portsmouth",
            request_body(conference_type="RCPC"),
            ConferenceType.RCPC,
            MeetingFormat.PHONE_SERIES,
        ),
        id="portsmouth-rcpc-phone-series",
    ),
    pytest.param(
        ("northmoor-lac", _lac_request(), ConferenceType.LAC, MeetingFormat.TEAMS),
        id="northmoor-lac-teams",
    ),
]
FORMATS = {p.values[0][0]: p.values[0][3] for p in RUNS}
# The evidence words of the minutes' "How they took part" column (bot.core.minutes.text).
EVIDENCE = ("Joined the meeting", "Spoke to the chair by phone", "Sent a report", "Replied")


@pytest.fixture(params=RUNS)
def booked(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Held]:
    playbook, body, kind, fmt = request.param
    yield from _held(tmp_path, playbook, body, kind, fmt, hold=False, set_up=False)


def _set_up(browser: Any, held: Held, fmt: MeetingFormat) -> None:
    """The admin team allocates the chair and sets the format on the conference's page."""
    page = _page(browser, held, "admin.one@example.org", "admin")
    page.goto(f"{held.bot.base}/conferences/{held.conference.id}")
    page.get_by_label("Chair's email address").fill(CHAIR)
    page.get_by_role("button", name="Allocate").click()
    page.get_by_label("Format the chair has chosen").select_option(fmt.value)
    start = working_days_ahead(6)
    page.get_by_label("Date", exact=True).fill(start.date().isoformat())
    page.get_by_label("Start time (UK time)").fill(start.strftime("%H:%M"))
    for box in page.locator("input[name=format_agreed_by]").all():
        box.check()  # the playbook asks who agreed the format: everyone it names did
    risk = page.locator("input[name=risk_assessed]")
    if risk.count():
        risk.check()
    page.get_by_role("button", name="Set format").click()
    page.get_by_role("button", name="Set format").wait_for(state="detached")
    assert page.api_calls == []
    page.context.close()
    conference = held.bot.services.repository.get_conference(held.conference.id)
    assert conference.chair == CHAIR and conference.meeting_format is fmt
    held.conference = conference


def _decide(page: Any, held: Held) -> list[str]:
    """Record each child's decision from the console's form; the words the minutes will use."""
    expected: list[str] = []
    for child in held.conference.children:
        form = page.locator(f"#decision-{child.id}")
        if form.get_by_label("Plan needed").count():
            form.get_by_label("Plan needed").check()
            form.get_by_label("Category (if a plan)").select_option("neglect")
            expected.append("Neglect")
            plan_type = form.get_by_label("Type of plan")
            if plan_type.count():
                plan_type.select_option(index=1)
        else:
            form.get_by_label("Yes").check()  # a looked-after review: the care plan agreed
            expected.append("Care plan agreed")
        notes = f"Decided for child {child.id}: the family meet the social worker weekly."
        form.locator("[name=notes]").fill(notes)
        expected.append(notes)
        form.get_by_role("button", name=f"Save the decision for {_initials(child)}").click()
        page.locator(f"#decision-{child.id} .tag").wait_for()
    return expected


def _initials(child: Any) -> str:
    return str(child.initials)


def test_a_whole_conference_run_from_the_pages_puts_everything_typed_in_the_word_minutes(
    browser: Any, booked: Held
) -> None:
    held = booked
    _set_up(browser, held, FORMATS[held.conference.playbook])
    page = _page(browser, held, CHAIR, "chair")
    page.goto(f"{held.bot.base}/conferences/{held.conference.id}/console")
    start_meeting(page)
    typed: dict[str, str] = {}
    run_to_the_end(page, typed)
    assert typed, "the run sheet asked the chair for nothing to type"
    decided = _decide(page, held)
    page.get_by_role("button", name="Conclude the conference and draft the minutes").click()
    page.locator("#minutes-state").wait_for()
    _approve(page, held)
    assert page.api_calls == []
    texts = _word_texts(held)
    whole = "\n".join(texts)
    for prompt_id, text in typed.items():
        assert text in whole, f"what the chair typed at {prompt_id} is not in the Word minutes"
    for words in decided:
        assert words in whole, f"the decision {words!r} is not in the Word minutes"
    assert "COVID-19" in whole
    assert "Not recorded" not in whole
    # The attendance table: everyone invited, each line with the evidence it rests on.
    how = texts.index("How they took part")
    evidence = [t for t in texts[how:] if t.startswith(EVIDENCE)]
    assert evidence, "no attendance line names its evidence"
    page.context.close()

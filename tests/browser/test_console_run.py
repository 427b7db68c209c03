"""A whole Lancashire Teams ICPC run from the chair console, and every typed text in the minutes."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from docx import Document

from bot.runtime.aftercare.service import Aftercare
from bot.runtime.aftercare.word import minutes_docx
from tests.browser.console_steps import run_to_the_end, start_meeting
from tests.browser.test_console import CHAIR, Console, _page_as, served  # noqa: F401
from tests.integration.console_world import START


def _docx_texts(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def test_a_meeting_run_from_the_console_puts_every_typed_text_in_the_word_minutes(
    browser: Any,
    served: Console,  # noqa: F811
) -> None:
    page = _page_as(browser, served, CHAIR)
    page.goto(served.url)
    assert "Date" in page.locator("#now-h + dl").inner_text()
    start_meeting(page)
    typed: dict[str, str] = {}
    answered = run_to_the_end(page, typed)
    summaries = [p for p in typed if p.startswith("summary.agency_summaries.")]
    assert len(summaries) >= 2, "each agency gives its own summary"
    assert any(p.startswith("feedback.") for p in typed)
    world = served.world
    conference = world.repository.get_conference(served.conference_id)
    minutes = Aftercare(world.conferences, world.runner).minutes(conference)
    text = _docx_texts(minutes_docx(minutes))
    for prompt_id, typed_text in typed.items():
        assert typed_text in text, f"what was typed at {prompt_id} is not in the minutes"
    assert CHAIR not in text  # the chair is named, not shown as an address
    assert answered
    page.context.close()


def test_a_phone_review_run_from_the_console_records_each_call_in_the_minutes(
    browser: Any,
    served: Console,  # noqa: F811
) -> None:
    world = served.world
    conference_id = world.add_phone_review()
    page = _page_as(browser, served, CHAIR)
    page.goto(f"{served.base}/conferences/{conference_id}/console")
    start_meeting(page)
    typed: dict[str, str] = {}
    run_to_the_end(page, typed)
    calls = [p for p in typed if p.startswith("call.")]
    views = [p for p in typed if p.startswith("view.")]
    assert len(calls) == 3 and len(views) == 2  # social worker, police, parent; two views
    conference = world.repository.get_conference(conference_id)
    minutes = Aftercare(world.conferences, world.runner).minutes(conference)
    text = _docx_texts(minutes_docx(minutes))
    for prompt_id, typed_text in typed.items():
        assert typed_text in text, f"what was typed at {prompt_id} is not in the minutes"
    attendance = {line.participant: line.label for line in minutes.attendance}
    assert "Did not attend" not in attendance.values()
    page.context.close()


def test_the_minutes_end_when_the_run_sheet_finished_not_at_the_planned_length(
    browser: Any,
    served: Console,  # noqa: F811
) -> None:
    page = _page_as(browser, served, CHAIR)
    page.goto(served.url)
    start_meeting(page)
    served.world.clock.now = START + timedelta(minutes=42)
    run_to_the_end(page, {})
    world = served.world
    conference = world.repository.get_conference(served.conference_id)
    minutes = Aftercare(world.conferences, world.runner).minutes(conference)
    header = dict(minutes.header.rows)
    assert header["Time"].endswith("to 10:42")  # planned: 90 minutes, to 11:30
    page.context.close()

"""A series of phone calls: one record per call, which is that person's attendance (seed 001)."""

from __future__ import annotations

from bot.core.conference import ConferenceType, MeetingFormat
from bot.core.minutes.model import PlanView
from bot.core.runsheet.sheet import PromptKind, RunSheet
from bot.runtime.aftercare.answers import recorded_answers
from playbooks import load_bundled
from tests.unit.test_runsheet_support import Clock, of_kind, run_sheet

PORTSMOUTH = load_bundled("portsmouth")
KEYS = {"police": "participant-2", "school": "participant-3", "parent-1": "participant-9",
        "social_worker": "participant-1"}  # fmt: skip


def _phone_review() -> tuple[RunSheet, Clock]:
    sheet, clock = run_sheet(PORTSMOUTH, ConferenceType.RCPC, MeetingFormat.PHONE_SERIES), Clock()
    sheet.advance(clock.at(0))
    return sheet, clock


def test_each_agency_is_phoned_in_its_own_call_that_takes_notes() -> None:
    sheet, _clock = _phone_review()
    calls = of_kind(sheet.open_prompts(), PromptKind.PHONE_CALL)
    assert [p.party_id for p in calls] == ["social_worker", "police", "school"]
    assert all(p.takes_note for p in calls)


def test_each_call_reaches_the_minutes_with_who_when_and_whether_they_were_reached() -> None:
    sheet, clock = _phone_review()
    sheet.answer("call.agency_calls.social_worker", "done", clock.at(5), note="Home visits weekly.")
    sheet.answer("call.agency_calls.police", "done", clock.at(15), note="No new callouts.")
    sheet.answer("call.agency_calls.school", "no_answer", clock.at(25), note="Left a message.")
    [family] = of_kind(sheet.open_prompts(), PromptKind.PHONE_CALL)
    sheet.answer(family.id, "done", clock.at(35), note="Parent A wants the plan to end.")
    for view in of_kind(sheet.open_prompts(), PromptKind.AGENCY_VIEW):
        sheet.answer(view.id, "no_plan", clock.at(40), note=f"Reasons of {view.party_id}.")
    recorded = recorded_answers(sheet, KEYS)
    by_key = {c.participant: c for c in recorded.contributions}
    police = by_key["participant-2"]
    assert police.summary.startswith("Phone call with the police at 10:15, spoke to the chair")
    assert "No new callouts." in police.summary
    assert (police.view, police.rationale) == (PlanView.NO_PLAN, "Reasons of police.")
    assert "not reached" in by_key["participant-3"].summary
    [note] = [n for n in recorded.notes if n.section == "parents"]
    assert note.text == "Parent A wants the plan to end." and "Parent A at 10:35" in note.title


def test_the_familys_views_step_records_how_they_took_part_and_why_views_are_missing() -> None:
    leeds = load_bundled("leeds")
    sheet, clock = run_sheet(leeds, ConferenceType.ICPC, MeetingFormat.TEAMS), Clock()
    sheet.advance(clock.at(0))
    for _ in range(10):
        phase = sheet.current_phase
        if phase is not None and phase.id == "family_views":
            break
        sheet.next(clock.at(1))
    prompt = sheet.prompt("phase.family_views")
    assert [o.label for o in prompt.answers][1:] == [
        "Views through their advocate",
        "Views through the social worker",
        "Written views",
        "Did not want to take part",
    ]
    sheet.answer(prompt.id, "did_not_want_to", clock.at(5), note="Said the meeting felt too big.")
    [note] = recorded_answers(sheet, KEYS).notes
    assert note.section == "parents"
    assert "they did not want to take part" in note.title
    assert note.text == "Said the meeting felt too big."

"""The run-sheet state machine, rule by rule, on the seed playbooks and a virtual clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.consent import ConsentStatus
from bot.core.playbook.model import PhaseKind
from bot.core.runsheet.sheet import (
    CONFIDENTIAL_END_JOB,
    START_JOB,
    Answer,
    AnswerNotAllowed,
    Party,
    Prompt,
    PromptKind,
    RationaleMissing,
    RunSheet,
    StepNotCurrent,
    SummaryMissing,
    UnknownPrompt,
    restore_run_sheet,
)
from playbooks import load_bundled
from tests.unit.test_runsheet_support import (
    MUM_NUMBERS,
    PARENT,
    SECOND_PARENT,
    START,
    Clock,
    consent_everyone,
    of_kind,
    run_sheet,
)

LANCASHIRE = load_bundled("lancashire")
PORTSMOUTH = load_bundled("portsmouth")
LEEDS = load_bundled("leeds")
NORTHMOOR = load_bundled("northmoor")
EASTMOOR = load_bundled("eastmoor")
ICPC, RCPC, TI = ConferenceType.ICPC, ConferenceType.RCPC, ConferenceType.TI
TEAMS = MeetingFormat.TEAMS
TWENTY = timedelta(minutes=20)


def lancashire(
    confidential: timedelta | None = TWENTY, parents: tuple[Party, ...] = (PARENT,)
) -> RunSheet:
    return run_sheet(LANCASHIRE, ICPC, TEAMS, confidential=confidential, parents=parents)


def give_summaries(sheet: RunSheet, at: datetime, note: str = "Their main points.") -> list[Prompt]:
    """Each agency gives its summary; returns what the last answer brought."""
    new: list[Prompt] = []
    for prompt in of_kind(sheet.open_prompts(), PromptKind.AGENCY_SUMMARY):
        new = sheet.answer(prompt.id, "done", at, note=note)
    return new


# -- time, start and ids -----------------------------------------------------------------------


def test_nothing_is_prompted_before_the_meeting_starts() -> None:
    sheet = lancashire()
    assert sheet.advance(START - timedelta(minutes=1)) == []
    assert [job.id for job in sheet.pending_jobs()] == [START_JOB]


def test_meeting_start_asks_everyone_present_for_consent_but_not_the_chair() -> None:
    prompts = lancashire().advance(START)
    consent = of_kind(prompts, PromptKind.CONSENT)
    assert [p.party_id for p in consent] == ["social_worker", "police", "school", "minute_taker"]
    assert all(p.due == START for p in consent)


def test_prompt_ids_are_deterministic_for_the_same_inputs() -> None:
    def script() -> list[str]:
        sheet, clock = lancashire(), Clock()
        sheet.advance(clock.at(0))
        consent_everyone(sheet, clock.at(2))
        sheet.advance(clock.at(20))
        sheet.answer("callback.parent-1.1", "no_answer", clock.at(21))
        sheet.advance(clock.at(26))
        return [p.id for p in sheet.prompts]

    assert script() == script()


def test_times_without_a_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        lancashire().advance(START.replace(tzinfo=None))


# -- consent -----------------------------------------------------------------------------------


def test_consent_is_asked_again_when_the_parent_joins_after_the_callback() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.advance(clock.at(20))
    new = sheet.answer("callback.parent-1.1", Answer.PARENT_JOINED, clock.at(22))
    asked = of_kind(new, PromptKind.CONSENT)
    assert [p.party_id for p in asked] == ["parent-1"]
    assert "has joined" in asked[0].text
    assert sheet.ledger.status("parent-1") is ConsentStatus.NOT_ASKED
    assert not sheet.recording_allowed


def test_recording_is_allowed_only_once_everyone_present_has_consented() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    assert not sheet.recording_allowed
    consent_everyone(sheet, clock.at(1))
    assert sheet.recording_allowed
    sheet.advance(clock.at(20))
    sheet.answer("callback.parent-1.1", "parent_joined", clock.at(21))
    assert not sheet.recording_allowed
    sheet.answer("consent.parent-1.1", "consented", clock.at(22))
    assert sheet.recording_allowed


def test_an_objection_blocks_recording_and_prompts_to_stop_it() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    new = sheet.answer("consent.police.1", "objected", clock.at(1))
    stop = of_kind(new, PromptKind.STOP_RECORDING)
    assert len(stop) == 1 and "Do not record" in stop[0].text
    consent_everyone(sheet, clock.at(2))
    assert sheet.ledger.status("police") is ConsentStatus.OBJECTED
    assert not sheet.recording_allowed
    kinds = [e.kind for e in sheet.events]
    assert "runsheet.recording_blocked" in kinds


def test_an_objection_keeps_recording_off_even_after_the_objector_leaves() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    sheet.answer("consent.police.1", "objected", clock.at(1))
    consent_everyone(sheet, clock.at(2))
    sheet.leave("police", clock.at(3))
    assert not sheet.recording_allowed


@pytest.mark.parametrize(
    ("name", "kind", "fmt"),
    [
        ("leeds", ICPC, TEAMS),
        ("northmoor", ICPC, TEAMS),
        ("portsmouth", ICPC, MeetingFormat.CONFERENCE_CALL),
        ("lancashire", RCPC, TEAMS),
    ],
)
def test_consent_is_asked_again_when_a_party_rejoins(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    sheet, clock = run_sheet(load_bundled(name), kind, fmt), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.leave("school", clock.at(5))
    asked = of_kind(sheet.join("school", clock.at(6)), PromptKind.CONSENT)
    assert [p.id for p in asked] == ["consent.school.2"]
    assert not sheet.recording_allowed


def test_someone_not_on_the_list_who_joins_is_asked_for_consent() -> None:
    sheet, clock = run_sheet(LEEDS, ICPC, TEAMS), Clock()
    sheet.advance(clock.at(0))
    new = sheet.join("teams-guest-1", clock.at(7), role=Role.HEALTH, label="a health visitor")
    assert [p.party_id for p in of_kind(new, PromptKind.CONSENT)] == ["teams-guest-1"]


def test_a_repeated_join_event_does_not_ask_twice() -> None:
    sheet, clock = run_sheet(LEEDS, ICPC, TEAMS), Clock()
    sheet.advance(clock.at(0))
    assert sheet.join("school", clock.at(1)) == []


# -- the confidential section and the callback -----------------------------------------------


def test_callback_prompt_comes_at_the_confidential_sections_planned_end() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    assert (START + TWENTY, CONFIDENTIAL_END_JOB) in [(j.due, j.id) for j in sheet.pending_jobs()]
    assert of_kind(sheet.advance(clock.at(19.9)), PromptKind.CALLBACK) == []
    callback = of_kind(sheet.advance(clock.at(20)), PromptKind.CALLBACK)
    assert len(callback) == 1
    assert callback[0].due == START + TWENTY
    assert callback[0].phone == MUM_NUMBERS[0]
    assert callback[0].text == (
        f"Confidential section should now end — call Parent A on {MUM_NUMBERS[0]}."
    )


def test_callback_prompt_comes_at_once_when_the_chair_ends_the_section_early() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    new = sheet.answer("phase.confidential_section", "end_now", clock.at(8))
    callback = of_kind(new, PromptKind.CALLBACK)
    assert len(callback) == 1 and callback[0].due == clock.now
    assert CONFIDENTIAL_END_JOB not in [j.id for j in sheet.pending_jobs()]
    assert sheet.advance(clock.at(20)) == []


def test_typing_next_in_the_confidential_section_ends_it_early() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    result = sheet.command("next", clock.at(5))
    assert [p.kind for p in result.prompts] == [PromptKind.CALLBACK]


def test_parents_are_not_present_while_the_confidential_section_runs() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.advance(clock.at(19))
    assert "parent-1" not in sheet.present


def test_no_answer_retry_schedules_exactly_one_new_prompt() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.advance(clock.at(20))
    before = len(sheet.prompts)
    assert sheet.answer("callback.parent-1.1", "no_answer", clock.at(21)) == []
    jobs = [j for j in sheet.pending_jobs() if j.id.startswith("callback.")]
    assert [(j.id, j.due) for j in jobs] == [
        ("callback.parent-1.2", clock.now + timedelta(minutes=5))
    ]
    # A second press of the same stale button schedules nothing more.
    assert sheet.answer("callback.parent-1.1", "no_answer", clock.at(22)) == []
    assert len([j for j in sheet.pending_jobs() if j.id.startswith("callback.")]) == 1
    retry = sheet.advance(clock.at(40))
    assert [p.id for p in retry] == ["callback.parent-1.2"]
    assert len(sheet.prompts) == before + 1
    assert sheet.advance(clock.at(60)) == []


def test_firing_a_job_twice_makes_one_prompt() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    first = sheet.fire(CONFIDENTIAL_END_JOB, clock.at(20))
    assert sheet.fire(CONFIDENTIAL_END_JOB, clock.at(20)) == []
    assert len(of_kind(first, PromptKind.CALLBACK)) == 1


def test_use_the_other_number_prompts_at_once_with_the_second_number() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    sheet.advance(clock.at(20))
    new = sheet.answer("callback.parent-1.1", "other_number", clock.at(21))
    assert [(p.id, p.phone) for p in new] == [("callback.parent-1.2", MUM_NUMBERS[1])]


def test_other_number_is_not_offered_when_there_is_only_one() -> None:
    sheet, clock = lancashire(parents=(SECOND_PARENT,)), Clock()
    sheet.advance(clock.at(0))
    (callback,) = of_kind(sheet.advance(clock.at(20)), PromptKind.CALLBACK)
    assert not callback.allows(Answer.OTHER_NUMBER)
    with pytest.raises(AnswerNotAllowed):
        sheet.answer(callback.id, "other_number", clock.at(21))


def test_parent_declined_ends_the_callbacks_and_the_meeting_moves_on() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.advance(clock.at(20))
    new = sheet.answer("callback.parent-1.1", "declined", clock.at(22))
    assert {p.kind for p in new} == {PromptKind.AGENCY_SUMMARY}
    assert "parent-1" not in sheet.present
    assert "runsheet.parent_declined" in [e.kind for e in sheet.events]


def test_each_held_back_parent_gets_their_own_callback() -> None:
    sheet, clock = lancashire(parents=(PARENT, SECOND_PARENT)), Clock()
    sheet.advance(clock.at(0))
    callbacks = of_kind(sheet.advance(clock.at(20)), PromptKind.CALLBACK)
    assert [p.party_id for p in callbacks] == ["parent-1", "parent-2"]


def test_without_a_confidential_section_the_parent_is_called_in_at_the_start() -> None:
    sheet, clock = lancashire(confidential=None), Clock()
    sheet.advance(clock.at(0))
    new = consent_everyone(sheet, clock.at(2))
    (callback,) = of_kind(new, PromptKind.CALLBACK)
    assert callback.text.startswith("Now call Parent A")


# -- Portsmouth-style playbooks never hold the family back ------------------------------------


@pytest.mark.parametrize("kind", [ICPC, TI])
def test_portsmouth_never_holds_the_family_back(kind: ConferenceType) -> None:
    sheet = run_sheet(PORTSMOUTH, kind, MeetingFormat.CONFERENCE_CALL, confidential=TWENTY)
    clock = Clock()
    first = sheet.advance(clock.at(0))
    assert not sheet.holds_parents_back
    assert "parent-1" in sheet.present
    assert "parent-1" in [p.party_id for p in of_kind(first, PromptKind.CONSENT)]
    consent_everyone(sheet, clock.at(2))
    while sheet.open_prompts():
        prompt = sheet.open_prompts()[0]
        note = "Said on the call." if prompt.needs_note(prompt.answers[0].answer) else None
        at = clock.at(clock_minutes(clock) + 1)
        sheet.answer(prompt.id, prompt.answers[0].answer, at, note)
        sheet.advance(clock.now)
    assert sheet.finished
    kinds = {p.kind for p in sheet.prompts}
    assert PromptKind.CALLBACK not in kinds
    assert PromptKind.CONFIDENTIAL_SECTION not in kinds


def clock_minutes(clock: Clock) -> float:
    return (clock.now - START).total_seconds() / 60


def test_portsmouth_decision_round_asks_each_agency_for_its_view_and_reasons() -> None:
    sheet, clock = run_sheet(PORTSMOUTH, ICPC, MeetingFormat.CONFERENCE_CALL), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    give_summaries(sheet, clock.at(10))
    views = of_kind(sheet.open_prompts(), PromptKind.AGENCY_VIEW)
    assert [p.party_id for p in views] == ["social_worker", "police", "school"]
    assert all(p.rationale_required and "reasons" in p.text for p in views)
    sheet.answer(views[0].id, "plan", clock.at(11), note="Neglect risk remains high.")
    answered = next(e for e in sheet.events if e.step_id == views[0].id and e.actor == "chair")
    assert answered.detail["rationale_given"] is True


def test_portsmouth_phone_review_runs_without_consent_or_callback() -> None:
    sheet, clock = run_sheet(PORTSMOUTH, RCPC, MeetingFormat.PHONE_SERIES), Clock()
    first = sheet.advance(clock.at(0))
    assert {p.kind for p in first} == {PromptKind.PHONE_CALL}
    assert all(p.id.startswith("call.agency_calls.") for p in first)
    assert not sheet.recording_allowed


# -- the rest of the run sheet -----------------------------------------------------------------


def test_lancashire_runs_summaries_then_decisions_then_the_feedback_call() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.advance(clock.at(20))
    sheet.answer("callback.parent-1.1", "parent_joined", clock.at(21))
    sheet.answer("consent.parent-1.1", "consented", clock.at(22))
    assert sheet.current_phase is not None
    assert sheet.current_phase.kind is PhaseKind.AGENCY_SUMMARIES
    new = give_summaries(sheet, clock.at(50))
    assert [p.id for p in new] == ["phase.decisions"]
    new = sheet.answer("phase.decisions", "plan", clock.at(80))
    assert [(p.id, p.phone) for p in new] == [("feedback.parent-1", MUM_NUMBERS[0])]
    sheet.answer("feedback.parent-1", "done", clock.at(95))
    assert sheet.finished


def test_meeting_end_skips_to_the_feedback_call() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    new = sheet.end(clock.at(30))
    assert [p.kind for p in new] == [PromptKind.FEEDBACK_CALL]
    assert sheet.pending_jobs() == []
    assert all(p.kind is PromptKind.FEEDBACK_CALL for p in sheet.open_prompts())


def test_every_answer_is_a_timeline_event() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    answered = [e for e in sheet.take_events() if e.kind == "runsheet.answered"]
    assert len(answered) == 4
    assert sheet.take_events() == []


def test_timeline_events_hold_no_names_or_numbers() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    sheet.advance(clock.at(20))
    sheet.answer("callback.parent-1.1", "parent_joined", clock.at(21))
    text = repr(sheet.events)
    assert "Parent A" not in text and MUM_NUMBERS[0] not in text


def test_status_and_help_commands_reply_without_changing_the_state() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    before = len(sheet.events)
    status = sheet.command("Status", clock.at(3))
    assert "Recording consent" in status.reply and "10:20" in status.reply
    assert "next" in sheet.command("help", clock.now).reply
    assert "did not understand" in sheet.command("hello", clock.now).reply
    assert len(sheet.events) == before


def test_next_skips_the_current_step_and_records_it() -> None:
    sheet, clock = run_sheet(NORTHMOOR, ICPC, TEAMS), Clock()
    sheet.advance(clock.at(0))
    result = sheet.command("next", clock.at(2))
    assert [p.id for p in result.prompts] == ["phase.young_person_participation"]
    skipped = [e for e in sheet.events if e.detail.get("answer") == "skipped"]
    assert len(skipped) == 5


def test_eastmoor_consultation_runs_every_step_in_order() -> None:
    sheet, clock = run_sheet(EASTMOOR, ICPC, MeetingFormat.PHONE_SERIES), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    seen = []
    while (phase := sheet.current_phase) is not None:
        seen.append(phase.id)
        sheet.command("next", clock.at(clock_minutes(clock) + 5))
    assert seen == ["consult_social_work", "agency_views", "family_views", "decisions"]


def test_unknown_prompts_and_answers_are_refused() -> None:
    sheet = lancashire()
    sheet.advance(START)
    with pytest.raises(UnknownPrompt):
        sheet.answer("consent.nobody.1", "consented", START)
    with pytest.raises(AnswerNotAllowed):
        sheet.answer("consent.police.1", "parent_joined", START)
    with pytest.raises(AnswerNotAllowed):
        sheet.answer("consent.police.1", "maybe", START)


def test_journal_holds_only_the_outside_calls_so_a_restart_replays_each_once() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    sheet.advance(clock.at(20))
    sheet.answer("callback.parent-1.1", "parent_joined", clock.at(21))
    assert [entry["call"] for entry in sheet.journal()] == ["advance", "advance", "answer"]
    again = restore_run_sheet(LANCASHIRE, sheet.facts, sheet.journal())
    assert "parent-1" in again.present
    assert again.prompt("consent.parent-1.1").is_open


# -- what the chair types at each step ------------------------------------------------------


def _portsmouth_views() -> tuple[RunSheet, Clock, list[Prompt]]:
    sheet, clock = run_sheet(PORTSMOUTH, ICPC, MeetingFormat.CONFERENCE_CALL), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    give_summaries(sheet, clock.at(10), note="Police: two callouts.")
    return sheet, clock, of_kind(sheet.open_prompts(), PromptKind.AGENCY_VIEW)


def test_each_agency_gives_its_own_summary_and_the_social_worker_theirs() -> None:
    sheet, clock = run_sheet(PORTSMOUTH, ICPC, MeetingFormat.CONFERENCE_CALL), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    summaries = of_kind(sheet.open_prompts(), PromptKind.AGENCY_SUMMARY)
    assert [p.party_id for p in summaries] == ["social_worker", "police", "school"]
    assert all(p.takes_note and p.allows(Answer.REPORT_ONLY) for p in summaries)


@pytest.mark.parametrize("blank", [None, "", "   \n\t"])
def test_a_summary_marked_given_with_nothing_typed_is_refused(blank: str | None) -> None:
    sheet, clock = run_sheet(PORTSMOUTH, ICPC, MeetingFormat.CONFERENCE_CALL), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    prompt = "summary.agency_summaries.school"
    with pytest.raises(SummaryMissing, match="Type what they said"):
        sheet.answer(prompt, "done", clock.at(5), note=blank)
    assert sheet.prompt(prompt).is_open
    # An agency that sent a report and stayed away needs no words.
    sheet.answer(prompt, "report_only", clock.at(6), note=blank)
    assert sheet.prompt(prompt).answered is Answer.REPORT_ONLY


@pytest.mark.parametrize("blank", [None, "", "   \n\t"])
def test_a_view_without_the_required_reasons_is_refused(blank: str | None) -> None:
    sheet, clock, views = _portsmouth_views()
    with pytest.raises(RationaleMissing, match="Type their reasons"):
        sheet.answer(views[0].id, "plan", clock.at(11), note=blank)
    assert sheet.prompt(views[0].id).is_open


def test_steps_that_ask_for_something_take_the_chairs_notes() -> None:
    sheet, _clock, views = _portsmouth_views()
    summaries = sheet.prompt("summary.agency_summaries.police")
    assert summaries.takes_note and summaries.note == "Police: two callouts."
    assert all(p.takes_note for p in views)
    assert not sheet.prompt("consent.police.1").takes_note


def test_the_chair_can_correct_a_note_and_the_correction_is_on_the_timeline() -> None:
    sheet, clock, views = _portsmouth_views()
    sheet.answer(views[0].id, "plan", clock.at(11), note="First reasons.")
    sheet.answer(views[0].id, "no_plan", clock.at(12), note="Second thoughts.", by="admin@x.test")
    prompt = sheet.prompt(views[0].id)
    assert (prompt.answered, prompt.note, prompt.answered_by) == (
        Answer.NO_PLAN,
        "Second thoughts.",
        "admin@x.test",
    )
    kinds = [(e.kind, e.actor) for e in sheet.events if e.step_id == views[0].id]
    assert kinds[-2:] == [
        ("runsheet.answered", "chair"),
        ("runsheet.answer_corrected", "admin@x.test"),
    ]
    again = restore_run_sheet(PORTSMOUTH, sheet.facts, sheet.journal())
    assert again.prompt(views[0].id).note == "Second thoughts."


def test_the_same_answer_again_changes_nothing() -> None:
    sheet, clock, views = _portsmouth_views()
    sheet.answer(views[0].id, "plan", clock.at(11), note="Reasons.")
    count = len(sheet.events)
    assert sheet.answer(views[0].id, "plan", clock.at(12), note="Reasons.") == []
    assert len(sheet.events) == count


def test_an_answer_for_a_step_that_is_over_is_refused_with_the_steps_name() -> None:
    sheet, clock = run_sheet(PORTSMOUTH, ICPC, MeetingFormat.CONFERENCE_CALL), Clock()
    sheet.advance(clock.at(0))
    consent_everyone(sheet, clock.at(1))
    sheet.next(clock.at(5))  # the chair moved on without pressing done
    with pytest.raises(StepNotCurrent, match='"Agency summaries" is no longer current'):
        sheet.answer("summary.agency_summaries.police", "done", clock.at(6), note="Too late.")


def test_a_changed_consent_answer_is_refused_not_silently_dropped() -> None:
    sheet, clock = lancashire(), Clock()
    sheet.advance(clock.at(0))
    sheet.answer("consent.police.1", "consented", clock.at(1))
    with pytest.raises(StepNotCurrent, match="Recording consent"):
        sheet.answer("consent.police.1", "objected", clock.at(2))


def test_typed_text_is_kept_whole_but_without_control_characters() -> None:
    sheet, clock, views = _portsmouth_views()
    long = "<b>reasons</b> & more " * 2500  # about 55 kB
    sheet.answer(views[0].id, "plan", clock.at(11), note="\x00\x1b[31m" + long + "\x07")
    note = sheet.prompt(views[0].id).note
    assert note == ("[31m" + long).strip()
    assert len(note) > 50_000

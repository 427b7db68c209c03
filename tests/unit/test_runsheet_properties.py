"""Run-sheet safety rules as properties, over every bundled playbook and random meetings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.consent import ConsentStatus
from bot.core.playbook.model import PhaseKind, Playbook
from bot.core.runsheet.sheet import Answer, Prompt, PromptKind, RunSheet, restore_run_sheet
from playbooks import load_all_bundled
from tests.unit.test_runsheet_support import PARENT, SECOND_PARENT, START, run_sheet

PLAYBOOKS = load_all_bundled()
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Meeting:
    """One random conference: playbook, type, format, section length and parents."""

    name: str
    kind: ConferenceType
    fmt: MeetingFormat
    confidential: timedelta | None
    parents: tuple[str, ...]

    @property
    def playbook(self) -> Playbook:
        return PLAYBOOKS[self.name]

    def sheet(self) -> RunSheet:
        parties = tuple(p for p in (PARENT, SECOND_PARENT) if p.id in self.parents)
        return run_sheet(
            self.playbook, self.kind, self.fmt, confidential=self.confidential, parents=parties
        )


@st.composite
def meetings(draw: st.DrawFn) -> Meeting:
    name = draw(st.sampled_from(sorted(PLAYBOOKS)))
    playbook = PLAYBOOKS[name]
    kind = draw(st.sampled_from(sorted(playbook.conferences)))
    fmt = draw(st.sampled_from(playbook.rules(kind).formats.offered))
    confidential = draw(st.none() | st.integers(1, 60).map(lambda m: timedelta(minutes=m)))
    parents = draw(st.sampled_from([(), ("parent-1",), ("parent-1", "parent-2")]))
    return Meeting(name, kind, fmt, confidential, parents)


# A script step: wait some minutes, then answer the n-th open prompt with its k-th button.
steps = st.lists(st.tuples(st.integers(0, 15), st.integers(0, 9), st.integers(0, 4)), max_size=40)


def play(sheet: RunSheet, script: list[tuple[int, int, int]]) -> None:
    """Run the script, checking the invariants after every step."""
    now = START
    sheet.advance(now)
    for wait, which, button in script:
        now += timedelta(minutes=wait)
        sheet.advance(now)
        open_prompts = sheet.open_prompts()
        if open_prompts:
            prompt = open_prompts[which % len(open_prompts)]
            answer = prompt.answers[button % len(prompt.answers)].answer
            sheet.answer(prompt.id, answer, now, _reasons(prompt, answer))
        check_invariants(sheet)


def _reasons(prompt: Prompt, answer: Answer) -> str | None:
    """Words where the answer needs them (a view's reasons, a summary); a blank is refused."""
    return "Said out loud." if prompt.needs_note(answer) else None


def check_invariants(sheet: RunSheet) -> None:
    present = {p for p in sheet.present if sheet.parties[p].role is not Role.CHAIR}
    if sheet.recording_allowed:
        assert not sheet.ledger.any_objection
        assert all(sheet.ledger.status(p) is ConsentStatus.CONSENTED for p in present)
    if not sheet.confidential_over:
        assert not set(sheet.held_parents) & sheet.present
    ids = [p.id for p in sheet.prompts]
    assert len(ids) == len(set(ids))


@PROPERTY
@given(meetings(), steps)
def test_recording_needs_everyone_present_to_consent_over_every_playbook(
    meeting: Meeting, script: list[tuple[int, int, int]]
) -> None:
    play(meeting.sheet(), script)


@PROPERTY
@given(meetings(), steps)
def test_held_back_parents_are_only_called_after_the_confidential_section(
    meeting: Meeting, script: list[tuple[int, int, int]]
) -> None:
    sheet = meeting.sheet()
    play(sheet, script)
    ended = [e.at for e in sheet.events if e.kind == "runsheet.confidential_section_ended"]
    for prompt in sheet.prompts:
        if prompt.kind is PromptKind.CALLBACK:
            assert prompt.party_id in sheet.held_parents
            if meeting.confidential is not None and sheet.confidential_ends is not None:
                assert ended and prompt.due >= ended[0]


@PROPERTY
@given(meetings(), steps)
def test_a_playbook_that_holds_nobody_back_never_prompts_a_callback(
    meeting: Meeting, script: list[tuple[int, int, int]]
) -> None:
    sheet = meeting.sheet()
    play(sheet, script)
    if not sheet.holds_parents_back:
        assert all(p.kind is not PromptKind.CALLBACK for p in sheet.prompts)
        assert set(meeting.parents) <= sheet.present


@PROPERTY
@given(meetings(), steps)
def test_each_no_answer_makes_exactly_one_more_callback(
    meeting: Meeting, script: list[tuple[int, int, int]]
) -> None:
    sheet = meeting.sheet()
    play(sheet, script)
    sheet.advance(START + timedelta(days=1))  # let every retry fire
    for parent in sheet.held_parents:
        mine = [p for p in sheet.prompts if p.kind is PromptKind.CALLBACK and p.party_id == parent]
        follow_ups = sum(1 for p in mine if p.answered in (Answer.NO_ANSWER, Answer.OTHER_NUMBER))
        first = 1 if mine else 0
        assert len(mine) == first + follow_ups


@PROPERTY
@given(meetings())
def test_answering_every_first_button_finishes_every_run_sheet(meeting: Meeting) -> None:
    sheet = meeting.sheet()
    now = START
    sheet.advance(now)
    for _ in range(200):
        if sheet.finished:
            break
        now += timedelta(minutes=1)
        sheet.advance(now)
        waiting: list[Prompt] = sheet.open_prompts()
        if waiting:
            sheet.answer(
                waiting[0].id,
                waiting[0].answers[0].answer,
                now,
                _reasons(waiting[0], waiting[0].answers[0].answer),
            )
    assert sheet.finished
    phases = [p.id for p in sheet.phases]
    started = [e.step_id for e in sheet.events if e.kind == "runsheet.phase_started"]
    assert started == phases
    has_section = any(p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in sheet.phases)
    assert has_section == (
        meeting.confidential is not None
        and any(
            p.kind is PhaseKind.CONFIDENTIAL_SECTION
            for p in meeting.playbook.rules(meeting.kind).phases(meeting.fmt)
        )
    )


@PROPERTY
@given(meetings(), steps)
def test_replaying_the_journal_rebuilds_the_same_run_sheet_after_a_restart(
    meeting: Meeting, script: list[tuple[int, int, int]]
) -> None:
    sheet = meeting.sheet()
    play(sheet, script)
    stored = json.loads(json.dumps(sheet.journal()))  # as the database would keep it
    again = restore_run_sheet(meeting.playbook, sheet.facts, stored)
    assert again.prompts == sheet.prompts
    assert again.pending_jobs() == sheet.pending_jobs()
    assert again.ledger.as_dict() == sheet.ledger.as_dict()
    assert again.present == sheet.present
    assert again.current_phase == sheet.current_phase
    assert again.take_events() == []  # already on the timeline before the restart


def test_a_confidential_section_that_runs_out_during_consent_does_not_stall_the_run_sheet() -> None:
    # Found by the property above: a 5-minute section with no parent to call back in ran out
    # while recording consent was still being asked, and the run sheet then waited for ever.
    meeting = Meeting(
        name="lancashire",
        kind=ConferenceType.ICPC,
        fmt=MeetingFormat.TEAMS,
        confidential=timedelta(minutes=5),
        parents=(),
    )
    sheet = meeting.sheet()
    now = START
    sheet.advance(now)
    for _ in range(200):
        if sheet.finished:
            break
        now += timedelta(minutes=1)
        sheet.advance(now)
        waiting = sheet.open_prompts()
        if waiting:
            sheet.answer(
                waiting[0].id,
                waiting[0].answers[0].answer,
                now,
                _reasons(waiting[0], waiting[0].answers[0].answer),
            )
    assert sheet.finished

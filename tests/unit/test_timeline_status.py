"""Where each step stands, read from the entries the runtime writes: done, due, late, etc."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.conference import ConferenceType, MeetingFormat, Participant, Role, TimelineEntry
from bot.core.timeline import (
    ConferenceFacts,
    Step,
    StepKind,
    Timeline,
    TimelineError,
    compile_timeline,
)
from bot.core.timeline.status import StepStatus, StepView, parse_recorded, step_views
from playbooks import load_all_bundled

PLAYBOOKS = load_all_bundled()
START = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # a Thursday
PARENT = Participant(7, Role.PARENT, "Sam Testparent", email="sam@example.invalid")
SECOND_PARENT = Participant(8, Role.PARENT, "Alex Testparent")  # no email address
WORKER = Participant(9, Role.SOCIAL_WORKER, "Robin Testworker", email="robin@council.example")
PEOPLE = (PARENT, SECOND_PARENT, WORKER)


def _timeline(meeting_format: MeetingFormat = MeetingFormat.TEAMS) -> Timeline:
    facts = ConferenceFacts(
        ConferenceType.ICPC, meeting_format, START, confidential=timedelta(minutes=20)
    )
    return compile_timeline(PLAYBOOKS["lancashire"], facts)


def _entry(kind: str, step_id: str | None, at: datetime, actor: str = "confbot") -> TimelineEntry:
    return TimelineEntry(0, 1, at, actor, kind, step_id)


def _numbered(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    return [
        TimelineEntry(i, e.conference_id, e.at, e.actor, e.kind, e.step_id, e.detail)
        for i, e in enumerate(entries)
    ]


def _of(timeline: Timeline, kind: StepKind) -> Step:
    return next(s for s in timeline.steps if s.kind is kind)


def _view(views: tuple[StepView, ...], step: Step) -> StepView:
    return next(v for v in views if v.step.id == step.id)


def test_a_letter_is_done_when_every_parent_has_one_or_is_sent_it_by_post() -> None:
    timeline = _timeline()
    letter = _of(timeline, StepKind.SEND_LETTER)
    now = letter.due + timedelta(days=1)
    sent = _entry("letter_sent", f"{letter.id}:7", letter.due - timedelta(hours=2))
    half = step_views(timeline, _numbered([sent]), now, participants=PEOPLE)
    assert _view(half, letter).status is StepStatus.LATE
    post = _entry("letter_needs_post", f"{letter.id}:8", letter.due - timedelta(hours=1))
    both = step_views(timeline, _numbered([sent, post]), now, participants=PEOPLE)
    view = _view(both, letter)
    assert view.status is StepStatus.DONE and view.at == sent.at and view.by == "confbot"
    assert "sent by post" in view.reason


def test_a_letter_only_sent_by_post_is_skipped_with_the_reason() -> None:
    timeline = _timeline()
    letter = _of(timeline, StepKind.SEND_LETTER)
    post = _entry("letter_needs_post", f"{letter.id}:8", START - timedelta(days=3))
    views = step_views(timeline, [post], START, participants=(SECOND_PARENT, WORKER))
    view = _view(views, letter)
    assert view.status is StepStatus.SKIPPED
    assert view.reason == "no email address: sent by post"


def test_the_online_invite_is_done_when_the_meeting_is_booked_and_undone_by_a_move() -> None:
    timeline = _timeline()
    invite = _of(timeline, StepKind.SEND_INVITES)
    booked = _entry("meeting_created", None, START - timedelta(days=5), actor="mts@council")
    views = step_views(timeline, [booked], START - timedelta(days=1))
    assert _view(views, invite).status is StepStatus.DONE
    assert _view(views, invite).by == "mts@council"
    moved = _entry("rescheduled", None, START - timedelta(days=4))
    again = step_views(timeline, _numbered([booked, moved]), START - timedelta(days=1))
    assert _view(again, invite).status is StepStatus.LATE


def test_a_reminder_does_not_complete_a_step_but_a_retry_clears_a_failure() -> None:
    timeline = _timeline()
    share = _of(timeline, StepKind.SHARE_DOCUMENTS)
    now = share.due - timedelta(hours=1)
    reminded = _entry("done", f"c1:{share.id}:remind", share.due - timedelta(hours=24))
    views = step_views(timeline, [reminded], now)
    assert _view(views, share).status is StepStatus.DUE
    assert "reminded" in _view(views, share).reason
    failed = _entry("failed", f"c1:{share.id}:pack", share.due)
    retried = _entry("done", f"c1:{share.id}:pack", share.due + timedelta(minutes=5))
    assert _view(step_views(timeline, [failed], now), share).status is StepStatus.FAILED
    views = step_views(timeline, _numbered([failed, retried]), now)
    assert _view(views, share).status is StepStatus.DONE


def test_a_deadline_check_that_found_nothing_leaves_the_step_late() -> None:
    timeline = _timeline()
    share = _of(timeline, StepKind.SHARE_DOCUMENTS)
    late = _entry("step_late", f"c1:{share.id}:check", share.due)
    ran = _entry("done", f"c1:{share.id}:check", share.due)
    views = step_views(timeline, _numbered([late, ran]), share.due + timedelta(minutes=1))
    assert _view(views, share).status is StepStatus.LATE


def test_a_check_on_a_step_confbot_cannot_see_does_not_claim_it_done() -> None:
    timeline = _timeline()
    task = _of(timeline, StepKind.PREPARATION)
    ran = _entry("done", f"c1:{task.id}:check", task.due)
    views = step_views(timeline, [ran], task.due + timedelta(hours=1))
    assert _view(views, task).status is StepStatus.LATE


def test_an_in_meeting_prompt_is_done_once_the_run_sheet_reaches_its_phase() -> None:
    timeline = _timeline()
    phase = _of(timeline, StepKind.PHASE)
    started = _entry("runsheet.phase_started", phase.phase, START + timedelta(minutes=1))
    views = step_views(timeline, [started], START + timedelta(minutes=2))
    assert _view(views, phase).status is StepStatus.DONE


def test_every_step_not_done_of_a_cancelled_conference_is_skipped() -> None:
    timeline = _timeline()
    views = step_views(
        timeline, [], START + timedelta(days=30), participants=PEOPLE, cancelled=True
    )
    assert {v.status for v in views} == {StepStatus.SKIPPED}
    assert {v.reason for v in views} == {"the conference was cancelled"}


def test_a_failure_with_only_an_error_class_name_is_told_in_words() -> None:
    timeline = _timeline()
    share = _of(timeline, StepKind.SHARE_DOCUMENTS)
    failed = TimelineEntry(
        0, 1, share.due, "confbot", "failed", f"c1:{share.id}:pack", {"reason": "MailNotSent"}
    )
    view = _view(step_views(timeline, [failed], share.due), share)
    assert view.status is StepStatus.FAILED and "MailNotSent" not in view.reason


def test_a_recorded_id_names_its_step_and_its_job_action_or_person() -> None:
    assert parse_recorded("c3:icpc.report_sharing.sw:pack").action == "pack"
    assert parse_recorded("icpc.letters.parent.virtual:12").part == "12"
    assert parse_recorded("c3:icpc.follow_ups.plan:aftercare.follow_up").step == (
        "icpc.follow_ups.plan"
    )
    assert parse_recorded("call_sheet").step == "call_sheet"


# A completion entry for any step: what the runtime writes when the step is done.
def _completions(step: Step, at: datetime) -> list[list[TimelineEntry]]:
    found = [[_entry("done", step.id, at)], [_entry("done", f"c1:{step.id}:pack", at)]]
    if step.kind is StepKind.SEND_LETTER:
        found.append([_entry("letter_sent", f"{step.id}:{p.id}", at) for p in PEOPLE])
    return found


def _every_timeline() -> list[Timeline]:
    """One timeline per playbook, conference type and format it offers."""
    found = []
    for playbook in PLAYBOOKS.values():
        for kind, rules in playbook.conferences.items():
            for meeting_format in rules.formats.offered:
                for confidential in (timedelta(minutes=20), None):
                    facts = ConferenceFacts(kind, meeting_format, START, confidential=confidential)
                    try:
                        found.append(compile_timeline(playbook, facts))
                        break
                    except TimelineError:
                        continue
    return found


TIMELINES = _every_timeline()
NOISE_KINDS = ("failed", "step_late", "done", "missed", "prompt_due", "letter_sent", "blocked")


@settings(max_examples=150, deadline=None)
@given(
    timeline=st.sampled_from(TIMELINES),
    index=st.integers(min_value=0, max_value=40),
    which=st.integers(min_value=0, max_value=2),
    noise=st.lists(
        st.tuples(
            st.sampled_from(NOISE_KINDS),
            st.sampled_from(("", "c1:{}:remind", "c1:{}:check", "{}:7", "c1:{}:pack")),
            st.integers(min_value=-100, max_value=100),
        ),
        max_size=8,
    ),
    hours_from_start=st.integers(min_value=-400, max_value=400),
)
def test_a_step_with_a_completion_entry_is_never_shown_due_or_late(
    timeline: Timeline,
    index: int,
    which: int,
    noise: list[tuple[str, str, int]],
    hours_from_start: int,
) -> None:
    step = timeline.steps[index % len(timeline.steps)]
    completions = _completions(step, START - timedelta(hours=1))
    entries = [
        _entry(kind, shape.format(step.id) if shape else step.id, START + timedelta(hours=hours))
        for kind, shape, hours in noise
    ]
    # The completion comes last: nothing after it has undone it.
    entries += completions[which % len(completions)]
    entries = [
        TimelineEntry(i, 1, max(e.at, START + timedelta(hours=101)), e.actor, e.kind, e.step_id)
        if i >= len(noise)
        else TimelineEntry(i, 1, e.at, e.actor, e.kind, e.step_id)
        for i, e in enumerate(entries)
    ]
    now = START + timedelta(hours=hours_from_start)
    view = _view(step_views(timeline, entries, now, participants=PEOPLE), step)
    assert view.status not in (StepStatus.DUE, StepStatus.LATE)


def test_a_follow_up_that_only_prompted_a_person_is_not_done_until_they_do_it() -> None:
    timeline = _timeline()
    follow = next(s for s in timeline.steps if s.template == "follow_up.review_date")
    prompted = _entry("prompt_due", follow.id, follow.due - timedelta(days=1))
    ran = _entry("done", f"c1:{follow.id}:aftercare.follow_up", follow.due - timedelta(days=1))
    view = _view(step_views(timeline, _numbered([prompted, ran]), follow.due), follow)
    assert view.status is StepStatus.DUE and "prompted" in view.reason
    requested = _entry("review_requested", follow.id, follow.due)
    view = _view(step_views(timeline, _numbered([prompted, ran, requested]), follow.due), follow)
    assert view.status is StepStatus.DONE


def test_a_review_not_needed_is_skipped_with_the_reason() -> None:
    timeline = _timeline()
    follow = next(s for s in timeline.steps if s.template == "follow_up.review_date")
    skipped = _entry("review_not_needed", follow.id, follow.due)
    view = _view(step_views(timeline, [skipped], follow.due), follow)
    assert view.status is StepStatus.SKIPPED and "no child protection plan" in view.reason


def test_a_step_done_after_its_deadline_is_done_and_says_it_was_late() -> None:
    timeline = _timeline()
    share = _of(timeline, StepKind.SHARE_DOCUMENTS)
    on_time = _entry("done", f"c1:{share.id}:pack", share.due - timedelta(hours=1))
    after = _entry("done", f"c1:{share.id}:pack", share.due + timedelta(hours=1))
    assert _view(step_views(timeline, [on_time], START), share).reason == ""
    view = _view(step_views(timeline, [after], START), share)
    assert view.status is StepStatus.DONE and view.reason == "after its deadline"

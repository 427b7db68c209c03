"""The timeline compiler: dated, ordered, stable steps, and clear errors for impossible facts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.timeline import (
    ConferenceFacts,
    StepKind,
    TimelineError,
    compile_timeline,
    held_back_roles,
    join_link_allowed,
)
from bot.core.workdays import is_working_day
from playbooks import load_bundled

LONDON = ZoneInfo("Europe/London")
LANCASHIRE = load_bundled("lancashire")
ICPC = ConferenceType.ICPC
TEAMS = MeetingFormat.TEAMS
STRATEGY = date(2026, 12, 14)  # Monday: 15 working days later is Thursday 7 January 2027


def facts(start: datetime, **extra: object) -> ConferenceFacts:
    return ConferenceFacts(ICPC, TEAMS, start, strategy_discussion=STRATEGY, **extra)  # type: ignore[arg-type]


def test_icpc_window_over_christmas_and_new_year_ends_on_7_january() -> None:
    timeline = compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 7, 10, tzinfo=LONDON)))
    check = timeline.deadlines[0]
    assert check.last_day == date(2027, 1, 7)
    assert check.met
    assert check.rule == "icpc.timescales[0]"


def test_icpc_window_over_christmas_has_working_day_deadlines_off_the_bank_holidays() -> None:
    timeline = compile_timeline(
        LANCASHIRE,
        facts(datetime(2026, 12, 29, 10, tzinfo=LONDON), confidential=timedelta(minutes=20)),
    )
    for step in timeline.steps:
        if step.working_days:
            assert is_working_day(step.due.astimezone(LONDON).date()), step.id
    # 48 hours before Tuesday 29 December is Sunday 27th: moved back to Thursday 24th.
    share = next(s for s in timeline.steps if s.id == "icpc.report_sharing.sw_report_to_parents")
    assert share.due.astimezone(LONDON).date() == date(2026, 12, 24)


def test_icpc_a_day_after_the_christmas_window_is_refused_without_a_reason() -> None:
    with pytest.raises(TimelineError) as caught:
        compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 8, 10, tzinfo=LONDON)))
    message = str(caught.value)
    assert "last allowed day, Thu 07 January 2027" in message
    assert "record the reason" in message


def test_icpc_outside_its_window_with_a_recorded_reason_compiles_with_a_warning() -> None:
    timeline = compile_timeline(
        LANCASHIRE,
        facts(
            datetime(2027, 1, 8, 10, tzinfo=LONDON),
            late_reason="Parent in hospital",
            late_agreed_by="the chair",
        ),
    )
    assert not timeline.deadlines[0].met
    assert any("Reason recorded: Parent in hospital" in w for w in timeline.warnings)
    assert timeline.late_reason == "Parent in hospital"
    assert timeline.late_agreed_by == "the chair"


def test_missing_strategy_discussion_is_a_warning_not_a_guess() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    timeline = compile_timeline(LANCASHIRE, ConferenceFacts(ICPC, TEAMS, start))
    assert timeline.deadlines == ()
    assert any("No strategy discussion" in w for w in timeline.warnings)


def test_report_deadline_already_past_is_refused() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    now = datetime(2027, 1, 6, 9, tzinfo=LONDON)  # the 48-hour report deadline has gone
    with pytest.raises(TimelineError, match=r"report with the parents.* has already passed"):
        compile_timeline(LANCASHIRE, facts(start, now=now))


def test_report_deadline_already_past_is_allowed_with_a_recorded_late_reason() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    now = datetime(2027, 1, 6, 9, tzinfo=LONDON)
    late = dataclasses.replace(
        facts(start, now=now), late_reason="urgent", late_agreed_by="the chair"
    )
    timeline = compile_timeline(LANCASHIRE, late)
    assert any(s.id == "icpc.report_sharing.sw_report_to_parents" for s in timeline.steps)


def test_naive_start_is_refused() -> None:
    with pytest.raises(TimelineError, match="time zone"):
        compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 7, 10)))


def test_format_the_playbook_does_not_offer_is_refused() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    with pytest.raises(TimelineError, match="offers: teams, hybrid"):
        compile_timeline(LANCASHIRE, ConferenceFacts(ICPC, MeetingFormat.PHONE_SERIES, start))


def test_conference_type_the_playbook_lacks_is_refused() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    with pytest.raises(TimelineError, match="no TI"):
        compile_timeline(LANCASHIRE, ConferenceFacts(ConferenceType.TI, TEAMS, start))


def test_confidential_section_longer_than_the_meeting_is_refused() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    with pytest.raises(TimelineError, match="shorter than the meeting"):
        compile_timeline(LANCASHIRE, facts(start, confidential=timedelta(hours=3)))


def test_steps_are_in_due_order_and_dates_are_utc() -> None:
    timeline = compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 7, 10, tzinfo=LONDON)))
    dues = [s.due for s in timeline.steps]
    assert dues == sorted(dues)
    assert all(d.utcoffset() == timedelta(0) for d in dues)
    assert timeline.start.tzinfo == UTC


def test_step_ids_are_unique_and_stable_between_runs() -> None:
    one = compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 7, 10, tzinfo=LONDON)))
    two = compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 7, 10, tzinfo=LONDON)))
    assert [s.id for s in one.steps] == [s.id for s in two.steps]
    assert len({s.id for s in one.steps}) == len(one.steps)
    assert one == two


def test_every_step_names_the_rule_it_comes_from() -> None:
    timeline = compile_timeline(LANCASHIRE, facts(datetime(2027, 1, 7, 10, tzinfo=LONDON)))
    for step in timeline.steps:
        assert step.rule.startswith("icpc.")
        assert step.template and step.text


def test_held_back_roles_are_exposed_for_the_runtime() -> None:
    assert held_back_roles(LANCASHIRE, ICPC, TEAMS) == {Role.PARENT: "call_parent_in"}
    assert held_back_roles(LANCASHIRE, ICPC, MeetingFormat.HYBRID) == {}


def test_join_link_waits_for_the_phase_that_ends_the_hold() -> None:
    assert not join_link_allowed(LANCASHIRE, ICPC, TEAMS, Role.PARENT, ["consent"])
    assert not join_link_allowed(
        LANCASHIRE, ICPC, TEAMS, Role.PARENT, ["consent", "confidential_section"]
    )
    assert join_link_allowed(LANCASHIRE, ICPC, TEAMS, Role.PARENT, ["call_parent_in"])
    assert join_link_allowed(LANCASHIRE, ICPC, TEAMS, Role.SOCIAL_WORKER, [])
    assert not join_link_allowed(LANCASHIRE, ICPC, TEAMS, Role.ADMIN, ["call_parent_in"])


def test_skipped_confidential_section_releases_the_parent_at_the_start() -> None:
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    timeline = compile_timeline(LANCASHIRE, facts(start))
    release = next(s for s in timeline.steps if s.kind is StepKind.RELEASE_HELD_BACK)
    assert release.due == start
    assert "icpc.run_sheet.confidential_section" not in [s.id for s in timeline.steps]

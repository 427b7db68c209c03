"""Process in the playbook: conference reminders, auto-booking, late bookings, format agreement."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.loader import PlaybookError, load_playbook_text
from bot.core.playbook.model import BookFromRequest, LateBooking, Playbook
from bot.core.timeline import (
    ConferenceFacts,
    StepKind,
    TimelineError,
    compile_timeline,
    format_agreement_problems,
    planned_jobs,
)
from bot.core.workdays import add_working_days
from playbooks import DIRECTORY, load_all_bundled, load_bundled

LONDON = ZoneInfo("Europe/London")
RCPC, ICPC = ConferenceType.RCPC, ConferenceType.ICPC
START = datetime(2027, 2, 10, 10, 0, tzinfo=LONDON)  # a Wednesday
STRATEGY = date(2026, 12, 14)  # 15 working days later is Thursday 7 January 2027

PORTSMOUTH_REMINDER = """\
    reminders:
      - id: three_days_before
        before: 3 working days
        to: [parent, social_worker]
        text: Your review conference is in three working days. The chair will phone you.
"""


def portsmouth_with(block: str) -> str:
    text = (DIRECTORY / "portsmouth.yaml").read_text(encoding="utf-8")
    assert text.count("  RCPC:\n") == 1
    return text.replace("  RCPC:\n", "  RCPC:\n" + block, 1)


def test_portsmouth_reminder_3_working_days_before_the_rcpc_is_a_yaml_edit() -> None:
    playbook = load_playbook_text(portsmouth_with(PORTSMOUTH_REMINDER), "portsmouth.yaml")
    plan = compile_timeline(playbook, ConferenceFacts(RCPC, MeetingFormat.PHONE_SERIES, START))
    step = next(s for s in plan.steps if s.kind is StepKind.CONFERENCE_REMINDER)
    assert step.id == "rcpc.reminders.three_days_before"
    assert step.audience == (Role.SOCIAL_WORKER, Role.PARENT)
    assert step.remind_roles == step.audience
    assert step.text.startswith("Your review conference is in three working days")
    # Three working days before Wednesday 10 February at 10:00 is Friday 5 February, 10:00.
    due = step.due.astimezone(LONDON)
    assert due == datetime(2027, 2, 5, 10, 0, tzinfo=LONDON)
    assert due.date() == add_working_days(START.date(), -3)
    assert ("remind", step.due) in {
        (j.action, j.run_at) for j in planned_jobs(plan) if j.step_id == step.id
    }


def test_the_real_portsmouth_playbook_has_no_such_reminder() -> None:
    plan = compile_timeline(
        load_bundled("portsmouth"), ConferenceFacts(RCPC, MeetingFormat.PHONE_SERIES, START)
    )
    assert not any(s.kind is StepKind.CONFERENCE_REMINDER for s in plan.steps)


def test_a_reminder_without_text_says_when_the_conference_is() -> None:
    block = "".join(line for line in PORTSMOUTH_REMINDER.splitlines(True) if "text:" not in line)
    playbook = load_playbook_text(portsmouth_with(block), "portsmouth.yaml")
    plan = compile_timeline(playbook, ConferenceFacts(RCPC, MeetingFormat.PHONE_SERIES, START))
    step = next(s for s in plan.steps if s.kind is StepKind.CONFERENCE_REMINDER)
    assert step.text == "A reminder that the conference is on Wednesday 10 February 2027 at 10:00."


def test_a_bad_reminder_names_the_file_line_and_field() -> None:
    text = portsmouth_with(PORTSMOUTH_REMINDER.replace("3 working days", "3 workin days"))
    line = text.splitlines().index("        before: 3 workin days") + 1
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(text, "portsmouth.yaml")
    assert str(caught.value).startswith(
        f"portsmouth.yaml:{line}: conferences.RCPC.reminders[0].before: bad duration"
    )


def test_a_reminder_to_someone_not_taking_part_is_refused() -> None:
    text = portsmouth_with(PORTSMOUTH_REMINDER.replace("[parent, social_worker]", "[advocate]"))
    with pytest.raises(PlaybookError, match=r"reminders\[0\]\.to\[0\]: role 'advocate' is not"):
        load_playbook_text(text, "portsmouth.yaml")


def test_lancashire_never_books_straight_from_a_request() -> None:
    lancashire = load_bundled("lancashire")
    assert lancashire.book_from_request is BookFromRequest.NEVER
    assert lancashire.book_from_request_for(RCPC) is BookFromRequest.NEVER


def test_other_playbooks_book_from_a_request_that_names_the_chair_and_format() -> None:
    for name, playbook in load_all_bundled().items():
        if name == "lancashire":
            continue
        for kind in playbook.conferences:
            assert playbook.book_from_request_for(kind) is (
                BookFromRequest.WHEN_CHAIR_AND_FORMAT_GIVEN
            ), name


def test_a_conference_type_may_override_the_booking_rule() -> None:
    block = "    book_from_request: never\n"
    playbook = load_playbook_text(portsmouth_with(block), "portsmouth.yaml")
    assert playbook.book_from_request_for(RCPC) is BookFromRequest.NEVER
    assert playbook.book_from_request_for(ICPC) is BookFromRequest.WHEN_CHAIR_AND_FORMAT_GIVEN


def late_icpc(playbook: Playbook, **extra: object) -> ConferenceFacts:
    start = datetime(2027, 1, 8, 10, tzinfo=LONDON)  # a day after the 15 working days
    return ConferenceFacts(ICPC, MeetingFormat.TEAMS, start, strategy_discussion=STRATEGY, **extra)  # type: ignore[arg-type]


def test_late_booking_refusal_names_the_rule_in_words_and_says_record_reason_and_who_agreed() -> (
    None
):
    lancashire = load_bundled("lancashire")
    for extra in ({}, {"late_reason": "Parent in hospital"}, {"late_agreed_by": "the chair"}):
        with pytest.raises(TimelineError) as caught:
            compile_timeline(lancashire, late_icpc(lancashire, **extra))
        message = str(caught.value)
        assert "15 working days after the strategy discussion" in message
        assert "record the reason for the delay and who agreed it" in message
        assert "the chair must agree" in message
        assert "icpc_within" not in message and "timescales" not in message


def test_report_deadline_refusal_names_the_step_in_words_not_its_id() -> None:
    lancashire = load_bundled("lancashire")
    start = datetime(2027, 1, 7, 10, tzinfo=LONDON)
    now = datetime(2027, 1, 6, 9, tzinfo=LONDON)
    facts = ConferenceFacts(ICPC, MeetingFormat.TEAMS, start, strategy_discussion=STRATEGY, now=now)
    with pytest.raises(TimelineError) as caught:
        compile_timeline(lancashire, facts)
    message = str(caught.value)
    assert "report with the parents" in message
    assert "record the reason for the delay and who agreed it" in message
    assert "report_sharing" not in message and "sw_report_to_parents" not in message


def test_late_booking_goes_ahead_with_a_reason_and_who_agreed_it() -> None:
    lancashire = load_bundled("lancashire")
    facts = late_icpc(lancashire, late_reason="Parent in hospital", late_agreed_by="A. Chair")
    plan = compile_timeline(lancashire, facts)
    assert (plan.late_reason, plan.late_agreed_by) == ("Parent in hospital", "A. Chair")
    assert any("agreed by A. Chair" in w for w in plan.warnings)


def test_a_playbook_that_forbids_late_bookings_refuses_even_with_a_reason() -> None:
    lancashire = load_bundled("lancashire")
    strict = lancashire.model_copy(update={"late_booking": LateBooking(allowed=False)})
    facts = late_icpc(strict, late_reason="Parent in hospital", late_agreed_by="the chair")
    with pytest.raises(TimelineError, match="does not allow late bookings, so choose an earlier"):
        compile_timeline(strict, facts)


def test_late_bookings_are_allowed_with_the_chairs_agreement_by_default() -> None:
    assert LateBooking() == LateBooking(allowed=True, agreed_by="the chair")


def test_lancashire_rcpc_format_is_agreed_by_sw_practice_manager_and_chair_after_a_risk_check() -> (
    None
):
    rules = load_bundled("lancashire").rules(RCPC).formats
    assert (
        format_agreement_problems(
            rules, [Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.CHAIR], risk_assessed=True
        )
        == []
    )
    problems = format_agreement_problems(rules, [Role.CHAIR], risk_assessed=False)
    assert problems == [
        "The social worker and the team manager have not yet agreed the format. The playbook "
        "asks for the agreement of the social worker, the team manager and the chair.",
        "The risk assessment has not been done. The playbook asks for one before the format "
        "is decided.",
    ]


def test_a_format_with_no_agreement_rule_needs_nothing_more() -> None:
    rules = load_bundled("lancashire").rules(ICPC).formats
    assert format_agreement_problems(rules, [], risk_assessed=False) == []


def test_leeds_peer_checks_outgoing_packs_and_others_do_not() -> None:
    for name, playbook in load_all_bundled().items():
        assert playbook.distribution.peer_check is (name == "leeds"), name

"""Every letter and email names the child by initials and birth, and family by relationship."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.conference import (
    CaseReference,
    Child,
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
)
from bot.core.minutes.model import AbuseCategory, Decisions
from bot.runtime import letters
from bot.runtime.aftercare import mail

START = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)
BORN = Child(
    1,
    "TQ",
    date_of_birth=date(2019, 5, 4),
    case_references=(CaseReference("LCS", "804417", primary=True),),
)
UNBORN = Child(2, "UQ", unborn=True, expected_date=date(2027, 3, 3))
FAMILY = (
    Participant(1, Role.PARENT, "Wilhelmina Quarrie", relationship="mother", phone="07700 900611"),
    Participant(2, Role.PARENT, "Osric Penhallow", relationship="stepfather"),
    Participant(3, Role.SOCIAL_WORKER, "Idris Pemberton", organisation="Children's Services"),
)


def conference(
    *children: Child,
    kind: ConferenceType = ConferenceType.ICPC,
    fmt: MeetingFormat = MeetingFormat.TEAMS,
) -> Conference:
    return Conference(
        id=3,
        reference="CP-2026-00003",
        playbook="leeds",
        conference_type=kind,
        state=ConferenceState.SCHEDULED,
        created_at=START - timedelta(days=10),
        updated_at=START - timedelta(days=1),
        chair="chair@example.org",
        meeting_format=fmt,
        start_at=START,
        participants=FAMILY,
        children=children,
    )


def test_the_parent_letter_names_the_child_by_initials_and_date_of_birth() -> None:
    _, body = letters.parent_letter(conference(BORN), "Please read the leaflet.", held_back=True)
    assert "It is about T.Q. (born 4 May 2019). Its reference is CP-2026-00003." in body


def test_the_parent_letter_about_an_unborn_baby_says_your_unborn_baby_and_the_due_date() -> None:
    _, body = letters.parent_letter(conference(UNBORN), "Leaflet.", held_back=False)
    assert "It is about your unborn baby, due 3 March 2027." in body
    assert "U.Q." not in body


def test_the_acknowledgement_names_the_conference_and_its_children() -> None:
    _, body = letters.acknowledgement(conference(BORN, UNBORN))
    assert (
        "your request for an initial child protection conference (ICPC). It is about T.Q. "
        "(born 4 May 2019) and the unborn baby U.Q., due 3 March 2027."
    ) in body
    _, review = letters.acknowledgement(conference(BORN, kind=ConferenceType.RCPC))
    assert "for a review child protection conference (RCPC)" in review


def test_reminders_and_report_packs_name_the_child() -> None:
    _, reminder = letters.reminder(conference(BORN), "Send your report.", START)
    assert "The conference is on Tuesday 15 December 2026 at 10:00. It is about T.Q." in reminder
    for parent_pack in (True, False):
        pack = letters.pack_body(conference(BORN), 2, parent_pack)
        assert "The conference is about T.Q. (born 4 May 2019)." in pack
    assert "your unborn baby" in letters.pack_body(conference(UNBORN), 1, parent_pack=True)
    assert "the unborn baby U.Q." in letters.pack_body(conference(UNBORN), 1, parent_pack=False)


def test_the_call_sheet_shows_a_family_members_relationship_where_the_organisation_was() -> None:
    _, body = letters.call_sheet(conference(BORN, fmt=MeetingFormat.PHONE_SERIES))
    assert "Relationship or organisation" in body
    assert "<td>mother</td>" in body
    assert "<td>stepfather</td>" in body
    assert "<td>Children&#x27;s Services</td>" in body
    assert "It is about T.Q. (born 4 May 2019). These are the people to call." in body


def test_aftercare_emails_name_the_child_and_say_who_needs_the_plan() -> None:
    decisions = Decisions(plan=True, category=AbuseCategory.NEGLECT)
    one = conference(BORN)
    _, decision = mail.decision_email(one, decisions)
    assert "at 10:00. It was about T.Q. (born 4 May 2019)." in decision
    assert "decided that T.Q. needs a child protection plan under the category of neglect" in (
        decision
    )
    _, plan = mail.plan_email(conference(BORN, UNBORN), decisions, outline=True)
    assert "T.Q. and U.Q. need child protection plans" in plan
    for _, body in (mail.approval_request(one, "https://x.example.org/m"), mail.minutes_email(one)):
        assert "The conference was about T.Q. (born 4 May 2019)." in body


def test_letters_without_a_recorded_child_still_read_well() -> None:
    _, body = letters.parent_letter(conference(), "Leaflet.", held_back=False)
    assert "It is about" not in body and "Its reference is CP-2026-00003." in body
    _, decision = mail.decision_email(conference(), Decisions(plan=True))
    assert "decided that the child needs a child protection plan." in decision

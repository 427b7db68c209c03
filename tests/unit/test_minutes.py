"""Minutes assembly over every bundled playbook, from fictional conference records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.consent import ConsentStatus
from bot.core.minutes.assembly import (
    AgencyContribution,
    ConfidentialSection,
    Decisions,
    Minutes,
    MinutesError,
    MinutesInput,
    MinutesParticipant,
    Paragraph,
    ParentJoin,
    ParentPart,
    PlanView,
    Table,
    YoungPersonPart,
    assemble_minutes,
)
from bot.core.playbook.model import FollowUpKind
from bot.core.playbook.terms import AttendanceOutcome
from tests.unit.test_minutes_support import (
    CHAIR,
    HEALTH,
    PARENT,
    PLAYBOOKS,
    SOCIAL_WORKER,
    START,
    E,
    has_confidential_phase,
    records,
)

CASES = [
    pytest.param(name, kind, fmt, id=f"{name}-{kind}-{fmt}")
    for name, playbook in sorted(PLAYBOOKS.items())
    for kind in playbook.conferences
    for fmt in playbook.rules(kind).formats.offered
]
CONFERENCE_WORDS = {
    ConferenceType.ICPC: "initial child protection conference",
    ConferenceType.RCPC: "review child protection conference",
    ConferenceType.TI: "transfer-in child protection conference",
    ConferenceType.LAC: "looked-after child review",
}


def minutes_for(name: str, kind: ConferenceType, fmt: MeetingFormat, **changes: object) -> Minutes:
    playbook = PLAYBOOKS[name]
    return assemble_minutes(playbook, records(playbook, kind, fmt, **changes))


def paragraphs(minutes: Minutes, section_id: str) -> list[str]:
    return [b.text for b in minutes.section(section_id).blocks if isinstance(b, Paragraph)]


def table(minutes: Minutes, section_id: str, caption: str | None = None) -> Table:
    tables = [b for b in minutes.section(section_id).blocks if isinstance(b, Table)]
    return next(t for t in tables if caption is None or t.caption == caption)


def row(t: Table, first: str) -> tuple[str, ...]:
    return next(r for r in t.rows if r[0] == first)


# -- the COVID-19 statement -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_minutes_carry_the_covid_statement_naming_the_conference_type(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    statement = paragraphs(minutes, "how_held")[0]
    assert statement == minutes.statement
    assert "COVID-19" in statement
    assert "special measures" in statement.lower()
    assert CONFERENCE_WORDS[kind] in statement.lower()
    assert minutes.sections[0].id == "how_held"


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_header_names_the_conference_type_date_chair_and_format(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    header = dict(minutes_for(name, kind, fmt).header.rows)
    assert header["Conference"].lower() == CONFERENCE_WORDS[kind]
    assert header["Date"] == "Tuesday 1 December 2026"
    assert header["Time"] == "10:00 to 11:35"
    assert header["Chair"] == CHAIR.name
    assert header["Reference"] == "CP-2026-0917"
    assert header["Council"] == PLAYBOOKS[name].council
    assert header["Format"]


# -- attendance, under each playbook's rules ------------------------------------------------

ATTENDED, APOLOGIES, DNA = "Attended", "Apologies", "Did not attend"
# (playbook, type, format, evidence, apologies, expected label)
ATTENDANCE = [
    # Seed 002: a reply to the pack email counts as attending, even without a call...
    ("leeds", "ICPC", "teams", {E.REPLIED_TO_PACK_EMAIL}, False, ATTENDED),
    ("leeds", "ICPC", "phone_series", {E.REPLIED_TO_PACK_EMAIL, E.REPORT_ONLY}, False, ATTENDED),
    # ...a report with the email ignored is "did not attend"...
    ("leeds", "ICPC", "teams", {E.REPORT_ONLY}, False, DNA),
    ("leeds", "RCPC", "teams", {E.REPORT_ONLY}, True, APOLOGIES),
    # ...and a later phone conversation counts as attending.
    ("leeds", "RCPC", "phone_series", {E.REPORT_ONLY, E.PHONE_CONVERSATION}, False, ATTENDED),
    ("leeds", "ICPC", "teams", set(), False, DNA),
    # Seed 000 says nothing of attendance: only joining the meeting (or a call) counts.
    ("lancashire", "ICPC", "teams", {E.JOINED_MEETING}, False, ATTENDED),
    ("lancashire", "ICPC", "hybrid", {E.REPLIED_TO_PACK_EMAIL}, False, DNA),
    ("lancashire", "RCPC", "teams", {E.REPORT_ONLY}, True, APOLOGIES),
    # Seed 001: on the call is attending; information sent alone is not.
    ("portsmouth", "ICPC", "conference_call", {E.JOINED_MEETING}, False, ATTENDED),
    ("portsmouth", "TI", "conference_call", {E.REPORT_ONLY}, False, DNA),
    ("portsmouth", "RCPC", "phone_series", {E.PHONE_CONVERSATION}, False, ATTENDED),
    ("portsmouth", "RCPC", "phone_series", {E.REPORT_ONLY}, True, APOLOGIES),
    # Seed 003: joining the Teams meeting is attending; a reply to an email is not.
    ("northmoor", "ICPC", "teams", {E.JOINED_MEETING}, False, ATTENDED),
    ("northmoor-lac", "LAC", "teams", {E.REPLIED_TO_PACK_EMAIL}, False, DNA),
    # Seed 004: every conference is a consultation by phone; the call is attendance.
    ("eastmoor", "ICPC", "phone_series", {E.PHONE_CONVERSATION}, False, ATTENDED),
    ("eastmoor", "RCPC", "phone_series", {E.REPORT_ONLY}, False, DNA),
    ("eastmoor", "ICPC", "phone_series", {E.PHONE_CONVERSATION}, True, ATTENDED),
]


@pytest.mark.parametrize(("name", "kind", "fmt", "evidence", "apologies", "expected"), ATTENDANCE)
def test_attendance_follows_the_playbooks_rules(
    name: str,
    kind: str,
    fmt: str,
    evidence: set[E],
    apologies: bool,
    expected: str,
) -> None:
    person = MinutesParticipant(
        "agency-x", Role.AGENCY, "Evander Moxley", "Northgate Youth Service",
        frozenset(evidence), apologies,
    )  # fmt: skip
    data = records(PLAYBOOKS[name], ConferenceType(kind), MeetingFormat(fmt))
    data = replace(data, participants=(*data.participants, person))
    minutes = assemble_minutes(PLAYBOOKS[name], data)
    line = next(a for a in minutes.attendance if a.participant == "agency-x")
    assert line.label == expected
    assert (line.outcome is AttendanceOutcome.ATTENDED) == (expected == ATTENDED)
    assert row(table(minutes, "attendance"), "Evander Moxley")[3] == expected


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_attendance_lists_everyone_with_the_chair_attending(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    names = [r[0] for r in table(minutes, "attendance").rows]
    assert names == [p.name for p in records(PLAYBOOKS[name], kind, fmt).participants]
    assert row(table(minutes, "attendance"), CHAIR.name)[3] == ATTENDED
    # The fictional police officer sent a report and apologies but took no part.
    assert row(table(minutes, "attendance"), "Sunniva Haldane")[3] == APOLOGIES
    assert "How attendance is counted" in paragraphs(minutes, "attendance")[0]


def test_a_parent_who_joined_is_recorded_as_attending_without_separate_evidence() -> None:
    minutes = minutes_for("lancashire", ConferenceType.ICPC, MeetingFormat.TEAMS)
    assert row(table(minutes, "attendance"), PARENT.name)[3:] == (ATTENDED, "Joined the meeting")


def test_a_line_resting_on_the_teams_attendance_report_says_so_with_the_times() -> None:
    playbook = PLAYBOOKS["lancashire"]
    data = records(playbook, ConferenceType.ICPC, MeetingFormat.TEAMS)
    reported = replace(
        SOCIAL_WORKER, in_teams=(START + timedelta(minutes=2), START + timedelta(minutes=97))
    )
    people = tuple(reported if p.key == SOCIAL_WORKER.key else p for p in data.participants)
    minutes = assemble_minutes(playbook, replace(data, participants=people))
    line = row(table(minutes, "attendance"), SOCIAL_WORKER.name)
    # 10:02 UTC on 1 December is 10:02 in London; the report's word is named.
    assert line[3:] == (
        ATTENDED,
        "In the Teams meeting from 10:02 to 11:37 (Teams attendance report)",
    )
    plain = assemble_minutes(playbook, data)
    assert row(table(plain, "attendance"), SOCIAL_WORKER.name)[4] == "Joined the meeting"


def test_leeds_health_visitor_who_replied_to_the_pack_email_attended() -> None:
    minutes = minutes_for("leeds", ConferenceType.ICPC, MeetingFormat.TEAMS)
    assert row(table(minutes, "attendance"), HEALTH.name)[3] == ATTENDED
    assert row(table(minutes, "attendance"), "Barnaby Quilliam")[3] == DNA


# -- recording consent ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_meeting_is_not_recorded_when_anyone_objected(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    consent = {
        "social-worker": ConsentStatus.CONSENTED,
        "parent-1": ConsentStatus.OBJECTED,
        "school": ConsentStatus.NOT_ASKED,
    }
    minutes = minutes_for(name, kind, fmt, consent=consent, recorded=False)
    assert not minutes.recorded
    assert "not recorded" in paragraphs(minutes, "consent")[0]
    answers = {r[0]: r[2] for r in table(minutes, "consent").rows}
    assert answers == {
        SOCIAL_WORKER.name: "Agreed",
        PARENT.name: "Did not agree",
        "Ottilie Brackenbury": "Not asked",
    }


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_records_saying_recorded_after_an_objection_are_refused(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    with pytest.raises(MinutesError, match="objected"):
        records(PLAYBOOKS[name], kind, fmt, consent={"parent-1": ConsentStatus.OBJECTED})


def test_meeting_is_recorded_when_everyone_agreed() -> None:
    minutes = minutes_for("lancashire", ConferenceType.RCPC, MeetingFormat.TEAMS)
    assert minutes.recorded
    assert paragraphs(minutes, "consent")[0].startswith("Everyone present agreed")


# -- the confidential section ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_confidential_section_lists_who_was_present_and_when_but_not_what_was_said(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    playbook = PLAYBOOKS[name]
    if not has_confidential_phase(playbook, kind, fmt):
        minutes = minutes_for(name, kind, fmt)
        assert paragraphs(minutes, "confidential")[0] == (
            "This conference had no confidential section."
        )
        return
    section = ConfidentialSection(
        held=True,
        start=START,
        end=START.replace(minute=20),
        present=("chair", "social-worker", "police"),
        restricted_record="The police hold intelligence about a visitor to the home.",
    )
    minutes = minutes_for(name, kind, fmt, confidential=section)
    text = paragraphs(minutes, "confidential")
    assert text[0] == (
        "A confidential section was held from 10:00 to 10:20, before the parents joined."
    )
    present = table(minutes, "confidential").rows
    assert present == (
        (CHAIR.name, "Chair"),
        (SOCIAL_WORKER.name, "Social worker"),
        ("Sunniva Haldane", "Police"),
    )
    assert "separate confidential record" in text[1]
    assert not any("intelligence" in t for t in minutes.texts())


def test_a_confidential_section_is_refused_where_the_playbook_has_none() -> None:
    section = ConfidentialSection(held=True, start=START, end=START.replace(minute=15))
    with pytest.raises(MinutesError, match="no confidential section"):
        minutes_for(
            "portsmouth", ConferenceType.ICPC, MeetingFormat.CONFERENCE_CALL, confidential=section
        )


def test_portsmouth_minutes_say_confidential_information_went_to_the_chair_beforehand() -> None:
    minutes = minutes_for("portsmouth", ConferenceType.ICPC, MeetingFormat.CONFERENCE_CALL)
    assert "sent to the chair before the conference" in paragraphs(minutes, "confidential")[1]


def test_a_summary_given_in_the_confidential_section_stays_out_of_the_minutes() -> None:
    secret = AgencyContribution(
        "police",
        summary="a named adult visiting the home is under investigation",
        view=PlanView.PLAN,
        rationale="the investigation is not finished",
        confidential=True,
    )
    minutes = minutes_for(
        "lancashire", ConferenceType.ICPC, MeetingFormat.TEAMS, contributions=(secret,)
    )
    texts = " ".join(minutes.texts())
    assert "investigation" not in texts
    assert "separate confidential record" in paragraphs(minutes, "agencies")[0]
    assert row(table(minutes, "agencies"), "Sunniva Haldane")[2:] == (
        "A child protection plan is needed",
        "Given in the confidential section",
    )


# -- parents and the young person -----------------------------------------------------------


def test_minutes_record_when_the_parent_joined() -> None:
    minutes = minutes_for("lancashire", ConferenceType.ICPC, MeetingFormat.TEAMS)
    assert row(table(minutes, "parents"), PARENT.name) == (
        PARENT.name,
        "Joined the meeting",
        "Joined at 10:22",
    )


@pytest.mark.parametrize(
    ("join", "reason", "words"),
    [
        (ParentJoin.DECLINED, "she said she would rather speak to the chair after", "Chose not"),
        (ParentJoin.NO_ANSWER, "the chair rang both agreed numbers twice", "Did not answer"),
    ],
)
def test_minutes_record_why_the_parent_did_not_join(
    join: ParentJoin, reason: str, words: str
) -> None:
    part = ParentPart("parent-1", join, reason=reason, views_not_available="she did not take part")
    minutes = minutes_for("northmoor", ConferenceType.ICPC, MeetingFormat.TEAMS, parents=(part,))
    _, took_part, why = row(table(minutes, "parents"), PARENT.name)
    assert took_part.startswith(words)
    assert why == reason[0].upper() + reason[1:] + "."
    assert "views are not available. Reason: She did not take part." in " ".join(
        paragraphs(minutes, "parents")
    )
    assert row(table(minutes, "attendance"), PARENT.name)[3] == DNA
    # Seed 003: the chair phones parents who could not or would not attend.
    whats = [r[0] for r in table(minutes, "follow_ups").rows]
    assert any(w.startswith("Phone the parents") for w in whats)


def test_a_missing_reason_is_listed_for_the_minute_taker() -> None:
    part = ParentPart("parent-1", ParentJoin.NO_ANSWER)
    young = YoungPersonPart("Tamsin Vellacott")
    minutes = minutes_for(
        "lancashire", ConferenceType.ICPC, MeetingFormat.TEAMS,
        parents=(part,), young_people=(young,),
    )  # fmt: skip
    assert f"Why {PARENT.name} did not take part was not recorded." in minutes.missing
    assert f"{PARENT.name}'s views, or why they are not available." in minutes.missing
    assert "T.V.'s views, or why they are not available." in minutes.missing


def test_young_persons_absence_reason_is_recorded() -> None:
    young = YoungPersonPart(
        "Tamsin Vellacott",
        absent_reason="the advocacy service could not reach her before the conference",
        participation="the chair decided a phone call was not right for her at 7",
    )
    minutes = minutes_for(
        "northmoor-lac", ConferenceType.LAC, MeetingFormat.TEAMS, young_people=(young,)
    )
    text = paragraphs(minutes, "young_person")
    assert text[0].startswith("How T.V. is taking part: The chair decided")
    assert text[1] == (
        "T.V.'s views are not available. Reason: The advocacy service could not "
        "reach her before the conference."
    )
    # The young person is a child: their name is cut to initials, as in every letter.
    assert not any("Tamsin" in t for t in minutes.texts())


def test_with_no_young_person_invited_their_views_are_not_a_gap_to_fill() -> None:
    minutes = minutes_for("lancashire", ConferenceType.ICPC, MeetingFormat.TEAMS, young_people=())
    assert paragraphs(minutes, "young_person")[0].startswith("No young person was invited")
    assert not any("young person" in m.lower() for m in minutes.missing)
    invited = replace(PARENT, key="young-1", role=Role.YOUNG_PERSON, name="Tamsin Vellacott")
    data = records(PLAYBOOKS["lancashire"], ConferenceType.ICPC, MeetingFormat.TEAMS)
    asked = assemble_minutes(
        PLAYBOOKS["lancashire"],
        replace(data, young_people=(), participants=(*data.participants, invited)),
    )
    assert paragraphs(asked, "young_person")[0] == "The young person's views: Not recorded."
    assert any("young person" in m.lower() for m in asked.missing)


# -- decisions and what happens next --------------------------------------------------------


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_decisions_and_review_date_are_recorded(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    minutes = minutes_for(name, kind, fmt)
    decisions = dict(table(minutes, "decisions").rows)
    if kind is ConferenceType.LAC:
        # A looked-after review has a next review, never a child protection plan.
        assert decisions["Next review"] == "Tuesday 23 February 2027"
        assert "Child protection plan" not in decisions
        return
    assert decisions["Review conference"] == "Tuesday 23 February 2027"
    assert decisions["Child protection plan"] == "Yes"
    assert decisions["Category of the plan"] == "Neglect"
    expected = "Ongoing plan" if kind is ConferenceType.RCPC else "Interim plan"
    assert decisions["Type of plan"] == expected
    whats = [r[0] for r in table(minutes, "follow_ups").rows]
    assert "Hold the review conference" in whats


@pytest.mark.parametrize(("name", "kind", "fmt"), CASES)
def test_follow_ups_due_come_from_the_playbook(
    name: str, kind: ConferenceType, fmt: MeetingFormat
) -> None:
    rules = PLAYBOOKS[name].rules(kind)
    minutes = minutes_for(name, kind, fmt)
    rows = table(minutes, "follow_ups").rows
    expected = [
        f for f in rules.follow_ups
        if f.applies_to(fmt) and f.kind is not FollowUpKind.UPDATE_FAMILY
    ]  # fmt: skip
    assert len(rows) == len(expected)
    assert all(r[3] for r in rows)


def test_eastmoor_decision_email_is_due_24_hours_after_the_conference() -> None:
    minutes = minutes_for("eastmoor", ConferenceType.ICPC, MeetingFormat.PHONE_SERIES)
    due = row(table(minutes, "follow_ups"), "Email the decision to the agencies")[3]
    assert due == "Wednesday 2 December 2026 at 11:35"


def test_with_no_review_date_agreed_the_review_is_due_on_the_playbooks_timescale() -> None:
    minutes = minutes_for(
        "leeds", ConferenceType.ICPC, MeetingFormat.TEAMS,
        decisions=Decisions(plan=True, category=None, core_group=date(2026, 12, 10)),
    )  # fmt: skip
    decisions = dict(table(minutes, "decisions").rows)
    # Leeds: the review within 3 months, so by Monday 1 March 2027.
    assert decisions["Review conference"] == (
        "No date was agreed. The review is due by Monday 1 March 2027."
    )
    assert decisions["Category of the plan"] == "Not recorded"
    assert "The decision: type of plan." in minutes.missing


def test_with_no_plan_the_plan_follow_ups_and_review_are_not_applicable() -> None:
    minutes = minutes_for(
        "eastmoor", ConferenceType.ICPC, MeetingFormat.PHONE_SERIES, decisions=Decisions(plan=False)
    )
    decisions = dict(table(minutes, "decisions").rows)
    assert decisions["Child protection plan"] == "No"
    assert decisions["Review conference"] == "Not applicable"
    whats = [r[0] for r in table(minutes, "follow_ups").rows]
    assert whats == ["Email the decision to the agencies", "Send these minutes"]


def test_agency_views_carry_their_reasons() -> None:
    minutes = minutes_for("portsmouth", ConferenceType.ICPC, MeetingFormat.CONFERENCE_CALL)
    views = table(minutes, "agencies")
    assert row(views, "Ottilie Brackenbury")[2:] == (
        "A child protection plan is needed",
        "The worries about food and lateness have grown since September.",
    )
    no_reason = AgencyContribution("health", view=PlanView.NO_PLAN)
    minutes = minutes_for(
        "portsmouth", ConferenceType.ICPC, MeetingFormat.CONFERENCE_CALL,
        contributions=(no_reason,),
    )  # fmt: skip
    # Seed 001: each professional gives the reasons for their view.
    assert f"The reasons for {HEALTH.name}'s view." in minutes.missing


# -- refusing records that do not add up ----------------------------------------------------


def test_records_naming_an_unknown_participant_are_refused() -> None:
    with pytest.raises(MinutesError, match="no participant with key stranger"):
        records(PLAYBOOKS["leeds"], consent={"stranger": ConsentStatus.CONSENTED})


def test_a_format_the_playbook_does_not_offer_is_refused() -> None:
    data = records(PLAYBOOKS["eastmoor"], meeting_format=MeetingFormat.TEAMS)
    with pytest.raises(MinutesError, match="does not hold"):
        assemble_minutes(PLAYBOOKS["eastmoor"], data)


def test_minutes_input_is_frozen() -> None:
    data: MinutesInput = records(PLAYBOOKS["leeds"])
    with pytest.raises(AttributeError):
        data.recorded = False  # type: ignore[misc]

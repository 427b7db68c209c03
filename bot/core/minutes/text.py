"""The words of the minutes, in plain British English, as a council writes to a family."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.consent import ConsentStatus
from bot.core.minutes.model import AbuseCategory, ParentJoin, PlanType, PlanView
from bot.core.playbook.terms import AttendanceEvidence, AttendanceOutcome, FollowUpKind
from bot.core.timeline.text import ROLE_WORDS
from bot.core.workdays import to_london

CONFERENCE_TITLES: dict[ConferenceType, str] = {
    ConferenceType.ICPC: "Initial child protection conference",
    ConferenceType.RCPC: "Review child protection conference",
    ConferenceType.TI: "Transfer-in child protection conference",
    ConferenceType.LAC: "Looked-after child review",
}

FORMAT_WORDS: dict[MeetingFormat, str] = {
    MeetingFormat.TEAMS: "Microsoft Teams meeting",
    MeetingFormat.HYBRID: "Meeting at a venue, with others joining on Microsoft Teams",
    MeetingFormat.CONFERENCE_CALL: "Conference call",
    MeetingFormat.PHONE_SERIES: "A series of phone calls with the chair",
    MeetingFormat.FACE_TO_FACE: "Face-to-face meeting",
}

ROLE_NAMES: dict[Role, str] = {
    Role.CHAIR: "Chair",
    Role.SOCIAL_WORKER: "Social worker",
    Role.TEAM_MANAGER: "Team manager",
    Role.PARENT: "Parent or carer",
    Role.YOUNG_PERSON: "Young person",
    Role.ADVOCATE: "Advocate",
    Role.AGENCY: "Agency",
    Role.POLICE: "Police",
    Role.HEALTH: "Health",
    Role.GP: "GP practice",
    Role.SCHOOL: "School",
    Role.MINUTE_TAKER: "Minute taker",
    Role.ADMIN: "Business support",
}

# The timeline's phrases, except that minutes name the admin team as business support.
ROLE_PHRASES: dict[Role, str] = {**ROLE_WORDS, Role.ADMIN: "business support"}

EVIDENCE_WORDS: dict[AttendanceEvidence, str] = {
    AttendanceEvidence.JOINED_MEETING: "joined the meeting",
    AttendanceEvidence.PHONE_CONVERSATION: "spoke to the chair by phone",
    AttendanceEvidence.REPLIED_TO_PACK_EMAIL: "replied to the report pack email",
    AttendanceEvidence.REPORT_ONLY: "sent a report",
    AttendanceEvidence.NO_CONTACT: "no contact",
}

# The order evidence is listed in: the strongest sign of taking part first.
EVIDENCE_ORDER: tuple[AttendanceEvidence, ...] = tuple(EVIDENCE_WORDS)

ATTENDED, APOLOGIES, DID_NOT_ATTEND = "Attended", "Apologies", "Did not attend"

OUTCOME_WORDS: dict[AttendanceOutcome, str] = {
    AttendanceOutcome.ATTENDED: "counts as attending",
    AttendanceOutcome.NOT_ATTENDED: "does not count as attending",
}

CONSENT_WORDS: dict[ConsentStatus, str] = {
    ConsentStatus.CONSENTED: "Agreed",
    ConsentStatus.OBJECTED: "Did not agree",
    ConsentStatus.NOT_ASKED: "Not asked",
}

JOIN_WORDS: dict[ParentJoin, str] = {
    ParentJoin.JOINED: "Joined the meeting",
    ParentJoin.NOT_HELD_BACK: "Took part from the start",
    ParentJoin.PHONE_CALL: "Spoke to the chair by phone",
    ParentJoin.DECLINED: "Chose not to join",
    ParentJoin.NO_ANSWER: "Did not answer when the chair called",
    ParentJoin.DID_NOT_TAKE_PART: "Did not take part",
}

VIEW_WORDS: dict[PlanView, str] = {
    PlanView.PLAN: "A child protection plan is needed",
    PlanView.NO_PLAN: "A child protection plan is not needed",
}

CATEGORY_WORDS: dict[AbuseCategory, str] = {
    AbuseCategory.NEGLECT: "Neglect",
    AbuseCategory.EMOTIONAL: "Emotional abuse",
    AbuseCategory.PHYSICAL: "Physical abuse",
    AbuseCategory.SEXUAL: "Sexual abuse",
}

PLAN_TYPE_WORDS: dict[PlanType, str] = {
    PlanType.INTERIM: "Interim plan",
    PlanType.ONGOING: "Ongoing plan",
    PlanType.OUTLINE: "Outline plan",
    PlanType.ENDED: "The plan ends",
}

FOLLOW_UP_WORDS: dict[FollowUpKind, str] = {
    FollowUpKind.DECISION_EMAIL: "Email the decision to the agencies",
    FollowUpKind.OUTLINE_PLAN: "Send the outline child protection plan",
    FollowUpKind.PLAN: "Send the plan",
    FollowUpKind.MINUTES: "Send these minutes",
    FollowUpKind.REVIEW_DATE: "Hold the review conference",
    FollowUpKind.UPDATE_FAMILY: "Phone the parents who did not take part, with the outcome",
    FollowUpKind.OTHER: "Follow-up after the conference",
}

NOT_APPLICABLE = "Not applicable"
NOT_RECORDED = "Not recorded"
CONFIDENTIAL_SUMMARY = (
    "Shared information in the confidential section. It is kept in a separate "
    "confidential record and is not part of these minutes."
)


def role_name(role: Role) -> str:
    """A role as a table cell reads it, e.g. "Social worker"."""
    return ROLE_NAMES.get(role, role.value.replace("_", " ").capitalize())


def roles_phrase(roles: tuple[Role, ...]) -> str:
    """Roles as an English phrase: "the parents, the social worker and the agencies"."""
    words = [ROLE_PHRASES.get(r, r.value.replace("_", " ")) for r in roles]
    if not words:
        return "nobody"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def long_date(day: date) -> str:
    """A date as a family in England reads it: "Tuesday 1 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def clock(moment: datetime) -> str:
    """A time on the London clock, 24-hour: "10:05"."""
    return to_london(moment).strftime("%H:%M")


def day_and_time(moment: datetime) -> str:
    """A date and time on the London clock: "Tuesday 1 December 2026 at 17:00"."""
    return f"{long_date(to_london(moment).date())} at {clock(moment)}"


def sentence(text: str) -> str:
    """Text with a capital first letter and a full stop, as recorded words may lack both."""
    text = text.strip()
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."

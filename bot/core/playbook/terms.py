"""The playbook's vocabulary: anchors, channels, phases, decisions and other named terms."""

from __future__ import annotations

from enum import StrEnum

from bot.core.conference import Role

SCHEMA_VERSION = 1


# "agency" in a rule means every agency in the conference; the named ones are its members.
AGENCY_ROLES: frozenset[Role] = frozenset(
    {Role.AGENCY, Role.POLICE, Role.HEALTH, Role.GP, Role.SCHOOL}
)
FAMILY_ROLES: frozenset[Role] = frozenset({Role.PARENT, Role.YOUNG_PERSON})
MINUTES_PLACEHOLDERS: frozenset[str] = frozenset({"conference", "format", "date"})


class Anchor(StrEnum):
    """The event a statutory timescale is counted from."""

    STRATEGY_DISCUSSION = "strategy_discussion"  # where the section 47 enquiry began
    TRANSFER_NOTIFIED = "transfer_notified"  # the receiving council learnt of the move
    BECAME_LOOKED_AFTER = "became_looked_after"
    PREVIOUS_ICPC = "previous_icpc"
    PREVIOUS_REVIEW = "previous_review"
    MEETING_END = "meeting_end"  # this conference, once it has finished


class TimescaleTarget(StrEnum):
    """What a timescale limits."""

    CONFERENCE = "conference"  # the conference itself must start in time
    CORE_GROUP = "core_group"  # the first core group meeting after it


class Channel(StrEnum):
    """How something reaches a person."""

    EMAIL = "email"  # secure email: any electronic sending
    PHONE = "phone"  # read out or talked through on the phone
    POST = "post"
    IN_PERSON = "in_person"


class JoinMethod(StrEnum):
    """How a participant comes into the meeting."""

    MEETING_LINK = "meeting_link"  # from the Teams invite
    CALLED_IN = "called_in"  # the chair rings them on their agreed number and brings them in
    PHONE_CALL = "phone_call"  # a separate call with the chair (a series of phone calls)
    IN_PERSON = "in_person"


class PhaseKind(StrEnum):
    """The kinds of step in the in-meeting run sheet."""

    RECORDING_CONSENT = "recording_consent"
    CONFIDENTIAL_SECTION = "confidential_section"
    CALL_PARENT_IN = "call_parent_in"
    FAMILY_VIEWS = "family_views"
    AGENCY_SUMMARIES = "agency_summaries"
    DECISION_ROUND = "decision_round"
    DECISIONS = "decisions"
    FEEDBACK_CALL = "feedback_call"
    OTHER = "other"


class Decision(StrEnum):
    """What a conference decides and the minutes record."""

    CP_PLAN = "cp_plan"  # child protection plan: yes or no
    PLAN_TYPE = "plan_type"  # interim (ICPC) or ongoing (review)
    CORE_GROUP_DATE = "core_group_date"
    REVIEW_DATE = "review_date"
    YOUNG_PERSON_PARTICIPATION = "young_person_participation"


class TaskKind(StrEnum):
    """Preparation the playbook asks for before the meeting."""

    PRE_MEETING_CALL = "pre_meeting_call"  # the chair talks the family through the meeting
    CONFIRM_CONTACT_NUMBER = "confirm_contact_number"
    COLLECT_EMAIL_ADDRESS = "collect_email_address"
    SUBMIT_REPORT = "submit_report"
    CONFIDENTIAL_INFORMATION = "confidential_information"
    GATHER_VIEWS = "gather_views"
    OTHER = "other"


class FollowUpKind(StrEnum):
    """What happens after the meeting."""

    DECISION_EMAIL = "decision_email"
    OUTLINE_PLAN = "outline_plan"
    PLAN = "plan"
    MINUTES = "minutes"
    REVIEW_DATE = "review_date"
    UPDATE_FAMILY = "update_family"  # a call to a family who could not join
    OTHER = "other"


class AttendanceEvidence(StrEnum):
    """What a minute taker can see about a professional's part in the conference."""

    JOINED_MEETING = "joined_meeting"
    REPLIED_TO_PACK_EMAIL = "replied_to_pack_email"
    PHONE_CONVERSATION = "phone_conversation"
    REPORT_ONLY = "report_only"
    NO_CONTACT = "no_contact"


class StepKind(StrEnum):
    """What a compiled timeline step asks someone to do; a playbook names them in ``process``."""

    SEND_INVITES = "send_invites"  # the online invite, with the join link
    SEND_FORMAL_INVITES = "send_formal_invites"  # an invitation without a link
    SEND_LETTER = "send_letter"
    SHARE_DOCUMENTS = "share_documents"
    SHARE_VERBALLY = "share_verbally"  # for someone with no safe email address
    PHONE_DISCUSSION = "phone_discussion"
    PREPARATION = "preparation"
    RELEASE_HELD_BACK = "release_held_back"  # bring in someone held back: call or add to invite
    PHASE = "phase"  # an in-meeting prompt to the chair
    CORE_GROUP = "core_group"
    FOLLOW_UP = "follow_up"
    CONFERENCE_REMINDER = "conference_reminder"  # a playbook's "remind them N days before"


class BookFromRequest(StrEnum):
    """Whether a request that already names the chair and format books the meeting itself."""

    NEVER = "never"  # a person always books; the chair decides first (seed 000)
    WHEN_CHAIR_AND_FORMAT_GIVEN = "when_chair_and_format_given"


class ReviewStage(StrEnum):
    """Which review in a series a timescale limits: looked-after reviews count differently."""

    FIRST = "first"  # no review has been held yet
    SECOND = "second"  # exactly one review has been held
    LATER = "later"  # two or more reviews have been held


class AttendanceOutcome(StrEnum):
    """How the minutes record attendance."""

    ATTENDED = "attended"
    NOT_ATTENDED = "not_attended"

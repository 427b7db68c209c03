"""Conference vocabulary shared by every layer: types, formats, states and roles."""

from __future__ import annotations

from enum import StrEnum


class ConferenceType(StrEnum):
    """The kinds of conference a playbook can describe."""

    ICPC = "ICPC"  # initial child protection conference
    RCPC = "RCPC"  # review child protection conference
    TI = "TI"  # transfer-in conference
    LAC = "LAC"  # looked-after child review (one seed runs these the same way)


class MeetingFormat(StrEnum):
    """How the chair decides the conference will be held."""

    TEAMS = "teams"
    HYBRID = "hybrid"  # a venue, plus Teams for those who cannot attend
    CONFERENCE_CALL = "conference_call"
    PHONE_SERIES = "phone_series"  # the chair phones each party in turn
    FACE_TO_FACE = "face_to_face"


class ConferenceState(StrEnum):
    """Where a conference is in its life."""

    REQUESTED = "requested"
    ALLOCATED = "allocated"
    AWAITING_FORMAT = "awaiting_format"
    SCHEDULED = "scheduled"
    IN_MEETING = "in_meeting"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"
    TRIAGE = "triage"


class Role(StrEnum):
    """The parts people play in a conference, in the councils' own words."""

    CHAIR = "chair"  # the Independent Reviewing Officer (IRO), CP chair or CP advisor
    SOCIAL_WORKER = "social_worker"
    TEAM_MANAGER = "team_manager"  # team or practice manager
    PARENT = "parent"  # parent or carer
    YOUNG_PERSON = "young_person"
    ADVOCATE = "advocate"
    AGENCY = "agency"  # police, health, school, ... (the organisation is recorded separately)
    POLICE = "police"
    HEALTH = "health"
    GP = "gp"
    SCHOOL = "school"
    MINUTE_TAKER = "minute_taker"  # minute taker or conference clerk
    ADMIN = "admin"  # MTS, business support, SQT admin or IRS

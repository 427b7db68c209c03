"""Fictional conference records for the minutes tests; every name and number is made up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.consent import ConsentStatus
from bot.core.minutes.assembly import (
    AbuseCategory,
    AgencyContribution,
    ConfidentialSection,
    Decisions,
    MinutesInput,
    MinutesParticipant,
    ParentJoin,
    ParentPart,
    PlanType,
    PlanView,
    YoungPersonPart,
)
from bot.core.playbook.model import AttendanceEvidence, PhaseKind, Playbook
from playbooks import load_all_bundled

PLAYBOOKS = load_all_bundled()
# Tuesday 1 December 2026, 10:00 in London (GMT, so also 10:00 UTC).
START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
E = AttendanceEvidence

CHAIR = MinutesParticipant("chair", Role.CHAIR, "Morwenna Tregothnan", "Safeguarding Unit")
SOCIAL_WORKER = MinutesParticipant(
    "social-worker", Role.SOCIAL_WORKER, "Idris Pemberton", "Children's Services",
    frozenset({E.JOINED_MEETING}),
)  # fmt: skip
PARENT = MinutesParticipant("parent-1", Role.PARENT, "Carys Vellacott")
SECOND_PARENT = MinutesParticipant("parent-2", Role.PARENT, "Dorian Vellacott")
SCHOOL = MinutesParticipant(
    "school", Role.SCHOOL, "Ottilie Brackenbury", "Hollin Lane Primary School",
    frozenset({E.JOINED_MEETING}),
)  # fmt: skip
HEALTH = MinutesParticipant(
    "health", Role.HEALTH, "Ptolemy Arkwright", "Fictional Health Visiting Service",
    frozenset({E.REPLIED_TO_PACK_EMAIL}),
)  # fmt: skip
POLICE = MinutesParticipant(
    "police", Role.POLICE, "Sunniva Haldane", "Made-up Constabulary",
    frozenset({E.REPORT_ONLY}), apologies=True,
)  # fmt: skip
HOUSING = MinutesParticipant(
    "housing", Role.AGENCY, "Barnaby Quilliam", "Greystone Housing Trust",
    frozenset({E.REPORT_ONLY}),
)  # fmt: skip
MINUTE_TAKER = MinutesParticipant(
    "minute-taker", Role.MINUTE_TAKER, "Lowenna Strick", "Safeguarding Unit",
    frozenset({E.JOINED_MEETING}),
)  # fmt: skip
YOUNG_PERSON = YoungPersonPart(
    "Tamsin Vellacott",
    views="she likes her new school and wants to keep seeing her gran",
    shared_by="her advocate",
    participation="She is 9, so the chair agreed her advocate would share her views",
)


def has_confidential_phase(playbook: Playbook, kind: ConferenceType, fmt: MeetingFormat) -> bool:
    """True when the playbook holds a confidential section in this format."""
    return any(p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in playbook.rules(kind).phases(fmt))


def records(
    playbook: Playbook,
    kind: ConferenceType = ConferenceType.ICPC,
    fmt: MeetingFormat | None = None,
    **changes: object,
) -> MinutesInput:
    """A realistic, fictional conference under ``playbook``, with ``changes`` applied."""
    fmt = fmt or playbook.rules(kind).formats.default
    participants = (CHAIR, SOCIAL_WORKER, PARENT, SCHOOL, HEALTH, POLICE, HOUSING, MINUTE_TAKER)
    confidential = ConfidentialSection(held=False)
    if has_confidential_phase(playbook, kind, fmt):
        confidential = ConfidentialSection(
            held=True,
            start=START,
            end=START + timedelta(minutes=20),
            present=("chair", "social-worker", "police", "minute-taker"),
        )
    base = MinutesInput(
        reference="CP-2026-0917",
        conference_type=kind,
        meeting_format=fmt,
        start=START,
        end=START + timedelta(minutes=95),
        chair=CHAIR.name,
        participants=participants,
        consent={
            "social-worker": ConsentStatus.CONSENTED,
            "parent-1": ConsentStatus.CONSENTED,
            "school": ConsentStatus.CONSENTED,
            "minute-taker": ConsentStatus.CONSENTED,
        },
        recorded=True,
        confidential=confidential,
        parents=(
            ParentPart(
                "parent-1",
                ParentJoin.JOINED,
                at=START + timedelta(minutes=22),
                views="she accepts the worries about the home and wants help with routines",
            ),
        ),
        young_people=(YOUNG_PERSON,),
        contributions=(
            AgencyContribution(
                "school",
                summary="attendance has dropped to 81% this term and she often arrives hungry",
                view=PlanView.PLAN,
                rationale="the worries about food and lateness have grown since September",
            ),
            AgencyContribution(
                "health",
                summary="the health visitor saw the family twice; the home was cold",
                view=PlanView.PLAN,
                rationale="the family need support with the home and with routines",
            ),
        ),
        decisions=Decisions(review=date(2027, 2, 23))
        if kind is ConferenceType.LAC  # a looked-after child review makes no CP plan
        else Decisions(
            plan=True,
            category=AbuseCategory.NEGLECT,
            plan_type=PlanType.ONGOING if kind is ConferenceType.RCPC else PlanType.INTERIM,
            core_group=date(2026, 12, 10),
            review=date(2027, 2, 23),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_name_for_the_minutes_is_made_from_an_address_never_the_address_itself() -> None:
    from bot.runtime.aftercare.answers import display_name

    assert display_name("jo.bloggs@council.example") == "Jo Bloggs"
    assert display_name("chair_two@council.example") == "Chair Two"
    assert "@" not in display_name("x@y.example")

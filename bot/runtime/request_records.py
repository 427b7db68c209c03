"""What a parsed request becomes in the store: its people, its children and its other facts.

The children are records of their own (initials only, never a full name), so the facts
kept with the conference no longer hold them; a parent's relationship to the child goes
to ``relationship``, never to ``organisation``.
"""

from __future__ import annotations

from bot.core.conference import CaseReference, Role
from bot.core.request import ConferenceRequest
from bot.store.repository import NewChild, NewParticipant


def participants_of(request: ConferenceRequest) -> list[NewParticipant]:
    """The people a request names, with their roles, relationships and contact details."""
    people = [
        NewParticipant(
            Role.SOCIAL_WORKER,
            request.social_worker.name,
            email=request.social_worker.email or None,
            phone=request.social_worker.phone or None,
        ),
        NewParticipant(
            Role.TEAM_MANAGER,
            request.team_manager.name,
            email=request.team_manager.email or None,
            phone=request.team_manager.phone or None,
        ),
    ]
    for parent in request.parents:
        people.append(
            NewParticipant(
                Role.PARENT,
                parent.name,
                relationship=parent.relationship,
                email=parent.email or None,
                # Every number given, in order: the chair phones them in turn.
                phones=parent.phones,
            )
        )
    for agency in request.agencies:
        people.append(
            NewParticipant(
                agency.role,
                agency.contact_name or agency.organisation,
                organisation=agency.organisation,
                email=agency.email or None,
                phone=agency.phone or None,
            )
        )
    return people


def children_of(request: ConferenceRequest) -> list[NewChild]:
    """The children a request is about, by initials, with dates and case reference."""
    return [
        NewChild(
            initials=child.initials,
            date_of_birth=child.date_of_birth,
            unborn=child.unborn,
            expected_date=child.due_date,
            # The form's "case reference" is the case-management system's; it names no system.
            case_references=(
                (CaseReference(system="", reference=child.case_reference, primary=True),)
                if child.case_reference
                else ()
            ),
        )
        for child in request.children
    ]


def facts_of(request: ConferenceRequest) -> dict[str, object]:
    """What the request says beyond people, children and dates, kept with the conference."""
    return {
        "preferred_format": request.preferred_format.value if request.preferred_format else None,
        "confidential_requested": request.confidential_section_requested,
        "confidential_reason": request.confidential_section_reason,
        "access_needs": request.access_needs,
        "previous_reference": request.previous_reference,
    }

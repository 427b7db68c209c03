"""What a parsed request becomes in the store: its people, its children and its other facts.

The children are records of their own (initials only, never a full name), so the facts
kept with the conference no longer hold them; a parent's relationship to the child goes
to ``relationship``, never to ``organisation``.
"""

from __future__ import annotations

from bot.core.request import ConferenceRequest
from bot.store.repository import NewChild, NewParticipant


def participants_of(request: ConferenceRequest) -> list[NewParticipant]:
    """The people a request names, with their roles, relationships and contact details."""
    return [
        NewParticipant(
            person.role,
            # An agency named without a contact person is invited by its name.
            person.name or person.organisation,
            organisation=person.organisation,
            relationship=person.relationship,
            # Every address and number given, in order: the chair phones them in turn.
            email=person.email or None,
            phone=person.phone or None,
            emails=person.emails,
            phones=person.phones,
            postal_address=person.postal_address,
        )
        for person in request.people
    ]


def children_of(request: ConferenceRequest) -> list[NewChild]:
    """The children a request is about, by initials, with dates and case references."""
    return [
        NewChild(
            initials=child.initials,
            date_of_birth=child.date_of_birth,
            unborn=child.unborn,
            expected_date=child.due_date,
            case_references=child.case_references,
            gender=child.gender,
            legal_status=child.legal_status,
        )
        for child in request.children
    ]


def facts_of(request: ConferenceRequest) -> dict[str, object]:
    """What the request says beyond people, children and dates, kept with the conference."""
    return {
        "preferred_format": request.preferred_format.value if request.preferred_format else None,
        "preferred_format_reason": request.preferred_format_reason,
        "confidential_requested": request.confidential_section_requested,
        "confidential_reason": request.confidential_section_reason,
        "access_needs": request.access_needs,
        "previous_reference": request.previous_reference,
    }

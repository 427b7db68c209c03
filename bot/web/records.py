"""A conference's children and people as the API returns them: every fact, plainly named."""

from __future__ import annotations

from typing import Any

from bot.core.conference import Child, Participant


def child_json(child: Child) -> dict[str, Any]:
    """A child for the API: initials, never a name, with dates and case references."""
    return {
        "id": child.id,
        "initials": child.initials,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "unborn": child.unborn,
        "expected_date": child.expected_date.isoformat() if child.expected_date else None,
        "case_reference": child.case_reference,
        "case_references": [
            {"system": ref.system, "reference": ref.reference, "primary": ref.primary}
            for ref in child.case_references
        ],
        "gender": child.gender,
        "legal_status": child.legal_status,
        "own_email": child.own_email,
        "own_phone": child.own_phone,
        "contact_permission_noted": child.contact_permission_noted,
        "advocate": child.advocate,
    }


def participant_json(participant: Participant) -> dict[str, Any]:
    """A participant for the API, with every address and number, not only the first."""
    return {
        "id": participant.id,
        "role": participant.role.value,
        "name": participant.name,
        "relationship": participant.relationship,
        "organisation": participant.organisation,
        "email": participant.email,
        "phone": participant.phone,
        "emails": list(participant.emails),
        "phones": list(participant.phones),
        "postal_address": participant.postal_address,
        "held_back": participant.held_back,
    }

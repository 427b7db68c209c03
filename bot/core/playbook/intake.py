"""A council's own words for its request forms: label aliases, case systems, required fields.

In a playbook::

    intake:
      aliases:
        "Named social worker": social_worker.name
        "Whanau contact": parent.name
        "ICS number": child.case_reference
      case_reference_systems:
        - system: LCS
          pattern: "\\d{6}"
        - system: Mosaic
          pattern: "MOS\\d{6}"
      required: [social_worker, team_manager]

``required`` lists what a request must name before it is booked; everything else a
booking needs (the child, the conference type, an ICPC's strategy discussion date) is
always required. The default asks for the social worker and each born child's case
reference: some councils do not need the team manager.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, field_validator

from bot.core.playbook.base import Rule

# The fields a label may name: "group.field" for people and children, or a single field.
ALIAS_TARGETS = frozenset(
    {
        "conference_type", "strategy_date", "preferred_format", "preferred_chair",
        "preferred_start", "confidential", "confidential_reason", "access_needs",
        "previous_reference",
        "child.entry", "child.initials", "child.date_of_birth", "child.due_date",
        "child.case_reference", "child.lcs_reference", "child.mosaic_reference",
        "child.gender", "child.legal_status",
        "parent.name", "parent.relationship", "parent.phone", "parent.email",
        "parent.postal_address",
        "agency.organisation", "agency.role", "agency.contact_name", "agency.email",
        "agency.phone",
        "social_worker.name", "social_worker.email", "social_worker.phone",
        "team_manager.name", "team_manager.email", "team_manager.phone",
        "young_person.name", "young_person.email", "young_person.phone",
        "advocate.name", "advocate.email", "advocate.phone", "advocate.organisation",
    }
)  # fmt: skip
# "case_reference": every child already born has one in the council's case system (MTS
# book the conference against it); an unborn baby may not have one yet.
RequiredPart = Literal["social_worker", "team_manager", "parent", "agency", "case_reference"]
_MAX_PATTERN = 200


class CaseReferenceSystem(Rule):
    """One of the council's case systems, and what its references look like."""

    system: str = Field(min_length=1, max_length=64, description="LCS, Mosaic, Liquidlogic...")
    pattern: str = Field(
        min_length=1,
        max_length=_MAX_PATTERN,
        description="A regular expression a whole reference matches, such as MOS\\d{6}.",
    )

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"is not a regular expression: {err}") from None
        return value

    def matches(self, reference: str) -> bool:
        """Whether ``reference`` is one of this system's."""
        return re.fullmatch(self.pattern, reference, re.IGNORECASE) is not None


class IntakeVocabulary(Rule):
    """How a council's request emails are read beyond the words confbot knows already."""

    aliases: Mapping[str, str] = Field(
        default_factory=dict,
        description="A label as the council's form writes it, and the field it means.",
    )
    case_reference_systems: tuple[CaseReferenceSystem, ...] = ()
    required: tuple[RequiredPart, ...] = ("social_worker", "case_reference")

    @field_validator("aliases")
    @classmethod
    def _known_targets(cls, value: Mapping[str, str]) -> Mapping[str, str]:
        for label, target in value.items():
            if target not in ALIAS_TARGETS:
                raise ValueError(
                    f"'{label}' names '{target}', which is not a field confbot reads "
                    f"(such as child.date_of_birth or parent.phone)"
                )
            if not label.strip() or len(label) > 80:
                raise ValueError(f"'{label[:80]}' is not a label (1 to 80 characters)")
        return value

    def system_of(self, reference: str) -> str:
        """The case system a reference belongs to, or "" when none of the patterns match."""
        return next((s.system for s in self.case_reference_systems if s.matches(reference)), "")

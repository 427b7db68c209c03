"""The distribution guard: may this document go to this person this way?

Every send of a document or pack, in the compiler and at run time, must ask
``distribution_allowed``. It is the single place the safety rules on restricted material
live, so a playbook cannot switch them off.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.conference import Role
from bot.core.playbook.model import Channel, DistributionPolicy, Playbook

# Restricted (police or third-party) material never reaches the family or a GP practice.
PARENT_OR_GP: frozenset[Role] = frozenset({Role.PARENT, Role.YOUNG_PERSON, Role.GP})
_FAMILY: frozenset[Role] = frozenset({Role.PARENT, Role.YOUNG_PERSON})


@dataclass(frozen=True, slots=True)
class DistributionItem:
    """What the guard needs to know about a document or pack."""

    name: str
    restricted: bool  # it is, or it contains, police or third-party material
    is_pack: bool = False
    parent_pack: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """The guard's answer, with a reason a person can read."""

    allowed: bool
    reason: str


def item_for(playbook: Playbook, document_id: str) -> DistributionItem:
    """Describe one of the playbook's documents for the guard."""
    doc = playbook.document(document_id)
    return DistributionItem(
        name=doc.id,
        restricted=playbook.contains_restricted(document_id),
        is_pack=doc.is_pack,
        parent_pack=doc.parent_pack,
    )


def distribution_allowed(
    item: DistributionItem, recipient: Role, channel: Channel, policy: DistributionPolicy
) -> Verdict:
    """Decide whether ``item`` may go to someone in ``recipient``'s role by ``channel``."""
    if item.restricted and channel is Channel.EMAIL:
        return Verdict(False, "restricted material is never sent by email")
    if item.restricted and recipient in PARENT_OR_GP:
        return Verdict(False, "restricted material never goes to parents, young people or GPs")
    # Seed 002: reports are not sent to GP practices.
    if recipient is Role.GP and item.is_pack and policy.no_packs_to_gp:
        return Verdict(False, "this council sends no report packs to GP practices")
    # Seed 002: parents get their own pack, made without restricted material.
    if (
        recipient in _FAMILY
        and item.is_pack
        and not item.parent_pack
        and policy.parents_get_parent_pack_only
    ):
        return Verdict(False, "parents receive only the parent pack")
    return Verdict(True, "allowed")

"""The distribution guard: the one place the restricted-material rules live."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.core.conference import Role
from bot.core.playbook.distribution import DistributionItem, distribution_allowed
from bot.core.playbook.model import Channel, DistributionPolicy
from playbooks import load_bundled

POLICE = DistributionItem("police_report", restricted=True)
REPORT = DistributionItem("sw_report", restricted=False)
PACK = DistributionItem("report_pack", restricted=False, is_pack=True)
PARENT_PACK = DistributionItem("parent_pack", restricted=False, is_pack=True, parent_pack=True)
OPEN = DistributionPolicy()
STRICT = DistributionPolicy(no_packs_to_gp=True, parents_get_parent_pack_only=True)


@pytest.mark.parametrize("role", list(Role))
def test_restricted_material_is_never_sent_by_email_to_anyone(role: Role) -> None:
    verdict = distribution_allowed(POLICE, role, Channel.EMAIL, OPEN)
    assert not verdict.allowed
    assert verdict.reason == "restricted material is never sent by email"


@pytest.mark.parametrize("role", [Role.PARENT, Role.YOUNG_PERSON, Role.GP])
def test_restricted_material_never_reaches_the_family_or_a_gp_by_any_channel(role: Role) -> None:
    for channel in Channel:
        assert not distribution_allowed(POLICE, role, channel, OPEN).allowed


def test_the_chair_may_go_through_restricted_material_with_an_agency_by_phone() -> None:
    assert distribution_allowed(POLICE, Role.SCHOOL, Channel.PHONE, OPEN).allowed


def test_no_packs_to_gp_practices_only_where_the_council_says_so() -> None:
    assert distribution_allowed(PACK, Role.GP, Channel.EMAIL, OPEN).allowed
    refused = distribution_allowed(PACK, Role.GP, Channel.EMAIL, STRICT)
    assert not refused.allowed
    # A single report is not a pack.
    assert distribution_allowed(REPORT, Role.GP, Channel.EMAIL, STRICT).allowed


def test_parents_get_only_the_parent_pack_where_the_council_says_so() -> None:
    assert distribution_allowed(PACK, Role.PARENT, Channel.EMAIL, OPEN).allowed
    assert not distribution_allowed(PACK, Role.PARENT, Channel.EMAIL, STRICT).allowed
    assert distribution_allowed(PARENT_PACK, Role.PARENT, Channel.EMAIL, STRICT).allowed


def test_a_pack_holding_restricted_material_is_itself_restricted() -> None:
    leeds = load_bundled("leeds")
    assert not leeds.contains_restricted("report_pack")
    assert leeds.contains_restricted("police_report")


def test_playbook_models_cannot_be_changed_once_loaded() -> None:
    leeds = load_bundled("leeds")
    with pytest.raises(ValidationError):
        leeds.distribution.no_packs_to_gp = False  # type: ignore[misc]

"""Distribution safety after the conference, as properties over every bundled playbook.

Aftercare runs from conclusion to the minutes' distribution with a fake Graph port that
keeps every mail; whatever the people, decisions and documents, nothing restricted and no
pack to an excluded role ever leaves the guard, and nobody outside the playbook hears.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.conference import ConferenceType, Role
from bot.core.playbook.distribution import PARENT_OR_GP, DistributionItem, distribution_allowed
from bot.core.playbook.model import Channel, Playbook
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.context import rule_role
from bot.store.database import Database
from playbooks import load_all_bundled
from tests.unit.test_aftercare_support import (
    CHAIR,
    MINUTE_TAKER,
    held_conference,
    make_database,
    world,
)

PLAYBOOKS = load_all_bundled()
ROLES = [
    Role.PARENT,
    Role.YOUNG_PERSON,
    Role.SOCIAL_WORKER,
    Role.TEAM_MANAGER,
    Role.ADVOCATE,
    Role.AGENCY,
    Role.POLICE,
    Role.HEALTH,
    Role.GP,
    Role.SCHOOL,
]
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _audiences(playbook: Playbook, kind: ConferenceType) -> set[Role]:
    return {role for f in playbook.rules(kind).follow_ups for role in f.to}


@st.composite
def cases(
    draw: st.DrawFn,
) -> tuple[str, ConferenceType, list[tuple[Role, str | None]], dict[str, object]]:
    # A LAC-only playbook (northmoor-lac) makes no CP plan, so it has nothing to draw here.
    names = [n for n, p in sorted(PLAYBOOKS.items()) if set(p.conferences) - {ConferenceType.LAC}]
    name = draw(st.sampled_from(names))
    kinds = [k for k in sorted(PLAYBOOKS[name].conferences) if k is not ConferenceType.LAC]
    kind = draw(st.sampled_from(kinds))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=8))
    people = [
        (role, f"person{i}@example.org" if draw(st.booleans()) or i == 0 else None)
        for i, role in enumerate(roles)
    ]
    decisions = {
        "plan": draw(st.booleans()),
        "category": draw(st.sampled_from(["neglect", "emotional_abuse", "physical_abuse"])),
    }
    return name, kind, people, decisions


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One store for every example: each example concludes a conference of its own."""
    db = make_database(tmp_path_factory.mktemp("aftercare"))
    yield db
    db.dispose()


@PROPERTY
@given(case=cases(), peer_check=st.booleans(), second_admin=st.booleans())
def test_no_restricted_material_or_excluded_pack_ever_leaves_after_a_conference(
    database: Database,
    case: tuple[str, ConferenceType, list[tuple[Role, str | None]], dict[str, object]],
    peer_check: bool,
    second_admin: bool,
) -> None:
    name, kind, people, decisions = case
    playbook = PLAYBOOKS[name]
    w = world(database, playbook)
    conference = held_conference(w, people, conference_type=kind)
    # Police and third-party material sits in the store beside everything else.
    for restricted, label in ((True, "police-report.pdf"), (False, "school-report.pdf")):
        w.repo.add_document(
            conference.id,
            name=label,
            content_type="application/pdf",
            content=b"%PDF fictional",
            restricted=restricted,
        )

    async def lifecycle() -> None:
        await w.aftercare.conference_concluded(conference.id, decisions=decisions)
        await w.run_jobs()
        await w.aftercare.approve_minutes(conference.id, user="admin.one", role="admin")
        if second_admin:
            await w.aftercare.approve_distribution(conference.id, user="admin.two", role="admin")
        await w.run_jobs()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Aftercare, "peer_check", lambda self, conference: peer_check)
        asyncio.run(lifecycle())
    conference = w.repo.get_conference(conference.id)
    roles = {p.email: p.role for p in conference.participants if p.email}
    roles |= {CHAIR: Role.CHAIR, MINUTE_TAKER: Role.MINUTE_TAKER}
    allowed = _audiences(playbook, kind) | {Role.CHAIR, Role.MINUTE_TAKER}
    minutes_to = {
        r for f in playbook.rules(kind).follow_ups if f.kind.value == "minutes" for r in f.to
    }
    minutes_sent = 0
    for mail in w.graph.mails:
        for address in (*mail.to, *mail.cc):
            role = roles[address]
            assert role in allowed or rule_role(role) in allowed, (mail.purpose, role)
        for attachment in mail.attachments:
            assert not attachment.restricted
            assert attachment.name.endswith("minutes.docx"), attachment.name
            minutes_sent += 1
            for address in mail.to:
                role = roles[address]
                assert role in minutes_to or rule_role(role) in minutes_to
                # The minutes are no pack; described as a pack they would still pass here
                # only where the playbook allows packs for this role.
                item = DistributionItem(attachment.name, restricted=False)
                assert distribution_allowed(item, role, Channel.EMAIL, playbook.distribution)
            if peer_check:
                assert second_admin
        assert "police-report" not in mail.html_body
        assert all(role not in PARENT_OR_GP or not a.restricted for a in mail.attachments)
    assert w.graph.mails, "the chair is always asked to approve the minutes"
    if peer_check and not second_admin:
        assert minutes_sent == 0
    else:
        assert minutes_sent == len(w.aftercare.distribution_list(conference))

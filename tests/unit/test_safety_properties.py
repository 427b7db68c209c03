"""Safety rules as properties, over every bundled playbook and random conference facts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.conference import Role
from bot.core.playbook.distribution import PARENT_OR_GP, DistributionItem, distribution_allowed
from bot.core.playbook.model import Channel, DistributionPolicy, PhaseKind, Playbook
from bot.core.timeline import (
    ConferenceFacts,
    ContactChannel,
    FactParticipant,
    StepKind,
    Timeline,
    TimelineError,
    compile_timeline,
)
from bot.core.workdays import is_working_day
from playbooks import load_all_bundled

LONDON = ZoneInfo("Europe/London")
PLAYBOOKS = load_all_bundled()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conferences(draw: st.DrawFn) -> tuple[Playbook, ConferenceFacts]:
    """A bundled playbook and facts it can run with."""
    playbook = PLAYBOOKS[draw(st.sampled_from(sorted(PLAYBOOKS)))]
    kind = draw(st.sampled_from(sorted(playbook.conferences)))
    rules = playbook.rules(kind)
    fmt = draw(st.sampled_from(rules.formats.offered))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)))
    clock = time(draw(st.integers(8, 16)), draw(st.sampled_from([0, 15, 30, 45])))
    start = datetime.combine(day, clock, tzinfo=LONDON)
    length = draw(st.none() | st.integers(60, 180).map(lambda m: timedelta(minutes=m)))
    has_section = any(p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in rules.phases(fmt))
    confidential = None
    if has_section:
        confidential = draw(st.none() | st.integers(5, 55).map(lambda m: timedelta(minutes=m)))
    roles = draw(st.lists(st.sampled_from(list(Role)), unique=True, max_size=8))
    channels = st.frozensets(st.sampled_from(list(ContactChannel)), max_size=3)
    participants = tuple(FactParticipant(r, draw(channels)) for r in roles)
    facts = ConferenceFacts(
        kind,
        fmt,
        start,
        length=length,
        confidential=confidential,
        participants=participants,
        late_reason="Testing",
        late_agreed_by="the chair",
    )
    return playbook, facts


def compiled(playbook: Playbook, facts: ConferenceFacts) -> Timeline:
    try:
        return compile_timeline(playbook, facts)
    except TimelineError as err:  # only facts that really are impossible may fail
        raise AssertionError(f"{playbook.council}: {err}") from err


@PROPERTY
@given(conferences())
def test_no_held_back_parent_is_invited_or_sent_a_link_before_the_confidential_section_ends(
    case: tuple[Playbook, ConferenceFacts],
) -> None:
    playbook, facts = case
    timeline = compiled(playbook, facts)
    held = set(timeline.held_back)
    for step in timeline.steps:
        exposed = held & set(step.audience)
        if not exposed:
            continue
        assert step.kind is not StepKind.SEND_INVITES, step.id
        if step.carries_join_link:
            assert step.due >= timeline.confidential_ends, step.id
        if step.kind is StepKind.PHASE and step.phase:
            phase = playbook.rules(facts.conference_type).phase(step.phase)
            assert phase is not None
            assert phase.kind is not PhaseKind.CONFIDENTIAL_SECTION, step.id


@PROPERTY
@given(conferences())
def test_no_restricted_document_goes_to_parents_or_gps_or_into_any_email(
    case: tuple[Playbook, ConferenceFacts],
) -> None:
    playbook, facts = case
    for step in compiled(playbook, facts).steps:
        if not any(playbook.contains_restricted(d) for d in step.documents):
            continue
        assert step.channel is not Channel.EMAIL, step.id
        assert not set(step.audience) & PARENT_OR_GP, step.id


@PROPERTY
@given(conferences())
def test_every_working_day_deadline_falls_on_a_working_day(
    case: tuple[Playbook, ConferenceFacts],
) -> None:
    playbook, facts = case
    for step in compiled(playbook, facts).steps:
        if step.working_days:
            assert is_working_day(step.due.astimezone(LONDON).date()), step.id


@PROPERTY
@given(conferences())
def test_compiler_is_deterministic_whatever_the_order_of_participants(
    case: tuple[Playbook, ConferenceFacts],
) -> None:
    playbook, facts = case
    first = compiled(playbook, facts)
    reordered = ConferenceFacts(
        facts.conference_type,
        facts.meeting_format,
        facts.start,
        length=facts.length,
        confidential=facts.confidential,
        participants=tuple(reversed(facts.participants)),
        late_reason=facts.late_reason,
        late_agreed_by=facts.late_agreed_by,
    )
    assert compiled(playbook, reordered) == first
    assert compiled(playbook, facts) == first


@PROPERTY
@given(conferences())
def test_steps_before_the_meeting_are_due_before_it_starts(
    case: tuple[Playbook, ConferenceFacts],
) -> None:
    playbook, facts = case
    timeline = compiled(playbook, facts)
    before = {StepKind.SHARE_DOCUMENTS, StepKind.SHARE_VERBALLY, StepKind.PREPARATION}
    for step in timeline.steps:
        if step.kind in before:
            assert step.due < timeline.start, step.id


@settings(max_examples=200, deadline=None)
@given(
    st.builds(DistributionItem, st.just("doc"), st.booleans(), st.booleans(), st.booleans()),
    st.sampled_from(list(Role)),
    st.sampled_from(list(Channel)),
    st.builds(
        DistributionPolicy, no_packs_to_gp=st.booleans(), parents_get_parent_pack_only=st.booleans()
    ),
)
def test_the_guard_never_lets_restricted_material_out_by_email_or_to_parents_and_gps(
    item: DistributionItem, role: Role, channel: Channel, policy: DistributionPolicy
) -> None:
    verdict = distribution_allowed(item, role, channel, policy)
    if item.restricted and (channel is Channel.EMAIL or role in PARENT_OR_GP):
        assert not verdict.allowed
    if role is Role.GP and item.is_pack and policy.no_packs_to_gp:
        assert not verdict.allowed

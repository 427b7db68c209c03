"""Which actions apply to a conference now, and the plain reasons the others do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.actions import (
    ALLOCATE,
    APPROVE_DISTRIBUTION,
    APPROVE_MINUTES,
    CANCEL,
    CONCLUDE,
    CORRECT_CONTACTS,
    NAMES,
    RESCHEDULE,
    RETRY,
    SET_FORMAT,
    ActionOption,
    Actor,
    PlaybookFacts,
    allowed_actions,
    allowed_names,
    failed_steps,
    refusal,
)
from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
    TimelineEntry,
)
from playbooks import load_all_bundled

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHAIR = "chair.one@council.example"
FIRST_ADMIN = "first.admin@council.example"
SECOND_ADMIN = "second.admin@council.example"
FACTS = PlaybookFacts(True, formats=(MeetingFormat.TEAMS,), peer_check=True)
BASE = Conference(
    id=1,
    reference="CP-2026-00001",
    playbook="lancashire",
    conference_type=ConferenceType.ICPC,
    state=ConferenceState.REQUESTED,
    created_at=NOW,
    updated_at=NOW,
    participants=(Participant(3, Role.PARENT, "Sam Testparent"),),
)
BOOKED = replace(
    BASE,
    state=ConferenceState.SCHEDULED,
    chair=CHAIR,
    meeting_format=MeetingFormat.TEAMS,
    start_at=NOW + timedelta(days=5),
)


def _entries(*pairs: tuple[str, str]) -> list[TimelineEntry]:
    """Minutes entries (kind, actor), in order."""
    return [
        TimelineEntry(
            i,
            1,
            NOW + timedelta(minutes=i),
            actor,
            kind,
            "aftercare.minutes",
            {"role": "admin"} if actor != CHAIR else {"role": "chair"},
        )
        for i, (kind, actor) in enumerate(pairs)
    ]


def _options(
    conference: Conference,
    entries: list[TimelineEntry] | None = None,
    actor: Actor | None = None,
) -> tuple[ActionOption, ...]:
    return allowed_actions(conference, FACTS, entries or [], NOW, actor=actor)


def test_every_action_has_an_option_and_each_refusal_has_a_reason() -> None:
    for state in ConferenceState:
        options = _options(replace(BASE, state=state))
        assert {o.name for o in options} >= set(NAMES) - {RETRY}
        assert all(o.reason for o in options if not o.allowed)


def test_the_format_cannot_be_set_before_a_chair_is_allocated() -> None:
    options = _options(BASE)
    assert refusal(options, SET_FORMAT) == "a chair must be allocated first"
    allocated = replace(BASE, state=ConferenceState.AWAITING_FORMAT, chair=CHAIR)
    assert refusal(_options(allocated), SET_FORMAT) is None


def test_a_booked_conference_is_moved_by_rescheduling_not_by_setting_the_format_again() -> None:
    options = _options(BOOKED)
    assert refusal(options, RESCHEDULE) is None
    assert "reschedule it" in (refusal(options, SET_FORMAT) or "")
    assert "not booked yet" in (refusal(_options(BASE), RESCHEDULE) or "")


def test_a_cancelled_conference_can_be_neither_allocated_cancelled_nor_concluded() -> None:
    cancelled = replace(BOOKED, state=ConferenceState.CANCELLED)
    options = _options(cancelled)
    # Nothing is left to do: its contacts are closed and no letter is left to post.
    assert allowed_names(options) == set()
    assert "cancelled" in (refusal(options, CORRECT_CONTACTS) or "")
    assert refusal(options, CANCEL) == "the conference is already cancelled"
    assert refusal(options, CONCLUDE) == "the conference was cancelled"


def test_a_conference_never_booked_cannot_be_concluded() -> None:
    assert refusal(_options(BASE), CONCLUDE) == "the conference was never booked"


def test_a_conference_cannot_be_concluded_before_its_meeting_starts() -> None:
    # BOOKED starts at 09:00 UTC on 6 December 2026, 09:00 in London.
    reason = refusal(_options(BOOKED), CONCLUDE) or ""
    assert reason == "the meeting has not started yet: it starts at 09:00 on Sunday 6 December 2026"
    assert refusal(allowed_actions(BOOKED, FACTS, [], BOOKED.start_at), CONCLUDE) is None  # type: ignore[arg-type]


def test_a_meeting_the_chair_started_early_may_be_concluded() -> None:
    started = TimelineEntry(1, 1, NOW, CHAIR, "runsheet.meeting_started", None, {})
    assert refusal(_options(BOOKED, [started]), CONCLUDE) is None


def test_the_minutes_cannot_be_approved_before_they_are_drafted() -> None:
    concluded = replace(BOOKED, state=ConferenceState.CONCLUDED)
    assert refusal(_options(concluded), APPROVE_MINUTES) == "the minutes have not been drafted yet"
    drafted = _entries(("minutes_uploaded", "confbot"))
    assert refusal(_options(concluded, drafted, Actor(CHAIR, "chair")), APPROVE_MINUTES) is None
    other = Actor("chair.two@council.example", "chair")
    assert "only the conference's chair" in (
        refusal(_options(concluded, drafted, other), APPROVE_MINUTES) or ""
    )


def test_the_distribution_list_can_be_approved_only_while_it_waits_for_a_second_admin() -> None:
    concluded = replace(BOOKED, state=ConferenceState.CONCLUDED)
    second = Actor(SECOND_ADMIN, "admin")
    approved = _entries(("minutes_uploaded", "confbot"), ("minutes_approved", FIRST_ADMIN))
    assert refusal(_options(concluded, approved, second), APPROVE_DISTRIBUTION) == (
        "no distribution list is waiting for a second check"
    )
    held = [*approved, *_entries(("distribution_held", "confbot"))]
    assert refusal(_options(concluded, held, second), APPROVE_DISTRIBUTION) is None
    first = Actor(FIRST_ADMIN, "admin")
    assert refusal(_options(concluded, held, first), APPROVE_DISTRIBUTION) == (
        "a different admin must check the distribution list"
    )
    assert refusal(_options(concluded, held, Actor(CHAIR, "chair")), APPROVE_DISTRIBUTION) == (
        "only an admin may approve a distribution list"
    )
    queued = [*held, *_entries(("minutes_queued", "confbot"))]
    assert refusal(_options(concluded, queued, second), APPROVE_DISTRIBUTION) is not None


def test_a_failed_job_can_be_retried_until_it_succeeds() -> None:
    failed = TimelineEntry(1, 1, NOW, "confbot", "failed", "c1:icpc.report_sharing.sw:pack")
    plain = TimelineEntry(2, 1, NOW, "confbot", "failed", "icpc.follow_ups.review_date")
    options = _options(BOOKED, [failed, plain])
    retries = [o for o in options if o.name == RETRY]
    assert [(o.target, o.allowed) for o in retries] == [
        ("c1:icpc.report_sharing.sw:pack", True),
        ("icpc.follow_ups.review_date", False),
    ]
    assert refusal(options, RETRY, "c1:icpc.report_sharing.sw:pack") is None
    done = replace(failed, id=3, kind="done", at=NOW + timedelta(minutes=1))
    assert failed_steps([failed, done]) == []
    assert refusal(_options(BOOKED, [failed, done]), RETRY, failed.step_id or "") is not None


def test_an_unknown_action_name_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        refusal(_options(BASE), "teleport")


def test_playbook_facts_say_in_words_when_the_playbook_has_no_rules_for_the_type() -> None:
    playbook, missing = next(
        (playbook, kind)
        for playbook in load_all_bundled().values()
        for kind in ConferenceType
        if kind not in playbook.conferences
    )
    allocated = replace(
        BASE, conference_type=missing, chair=CHAIR, state=ConferenceState.AWAITING_FORMAT
    )
    facts = PlaybookFacts.of(playbook, allocated)
    reason = refusal(allowed_actions(allocated, facts, [], NOW), SET_FORMAT) or ""
    assert f"has no {missing}" in reason
    assert PlaybookFacts.of(
        playbook, replace(BASE, conference_type=next(iter(playbook.conferences)))
    ).formats


def test_allocation_is_refused_only_once_the_conference_is_over() -> None:
    for state in ConferenceState:
        refused = refusal(_options(replace(BASE, state=state)), ALLOCATE)
        over = state in (ConferenceState.CANCELLED, ConferenceState.CONCLUDED)
        assert (refused is not None) is over, state

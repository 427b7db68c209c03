"""At-risk rules: ICPC drift past 15 working days, unallocated chairs, late reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat
from bot.store.queries import ConferenceLine
from bot.web.oidc import role_from_claims, user_from_claims
from bot.web.progress import (
    TimelineCache,
    entries_of,
    icpc_last_day,
    icpc_risks,
    report_risks,
    split_step_id,
)
from bot.web.security import UserRole as Role

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday


def _line(**changes: object) -> ConferenceLine:
    values: dict[str, object] = dict(
        id=1,
        reference="CP-2026-00001",
        playbook="lancashire",
        conference_type=ConferenceType.ICPC,
        state=ConferenceState.SCHEDULED,
        chair="chair@council.example",
        meeting_format=MeetingFormat.TEAMS,
        start_at=NOW + timedelta(days=1, hours=1),
        strategy_discussion=None,
        updated_at=NOW,
    )
    values.update(changes)
    return ConferenceLine(**values)  # type: ignore[arg-type]


def test_icpc_last_day_counts_15_working_days_skipping_christmas() -> None:
    # 15 December 2026 + 15 working days, with 25, 28 December and 1 January off.
    assert icpc_last_day(date(2026, 12, 15)) == date(2027, 1, 8)


def test_undated_icpc_near_its_last_day_is_at_risk_and_one_far_from_it_is_not() -> None:
    near = (1, "CP-1", date(2026, 11, 12), None)  # last day Thu 3 Dec
    far = (2, "CP-2", date(2026, 11, 30), None)
    risks = icpc_risks([near, far], NOW)
    assert [r.reference for r in risks] == ["CP-1"]
    assert "must be held by Thu 03 Dec 2026" in risks[0].reason


def test_icpc_dated_after_its_last_day_is_at_risk() -> None:
    late = (1, "CP-1", date(2026, 11, 2), NOW + timedelta(days=3))
    on_time = (2, "CP-2", date(2026, 11, 20), NOW + timedelta(days=3))
    assert [r.reference for r in icpc_risks([late, on_time], NOW)] == ["CP-1"]


def test_reports_not_shared_by_their_deadline_are_late_until_done() -> None:
    cache = TimelineCache()
    line = _line()
    risks = report_risks([line], {}, cache, NOW)
    assert len(risks) == 1 and risks[0].reason.startswith("Reports are late")
    timeline = cache.compile(line)
    assert not isinstance(timeline, str)
    report_ids = {s.id for s in timeline.steps if s.kind.value.startswith("share")}
    done = entries_of(1, (("done", f"c1:{step}:pack") for step in report_ids))
    assert report_risks([line], {1: done}, cache, NOW) == []
    # A deadline check that found nothing keeps the step late, even though the job ran.
    checked = entries_of(
        1,
        (
            pair
            for step in report_ids
            for pair in (("step_late", f"c1:{step}:check"), ("done", f"c1:{step}:check"))
        ),
    )
    assert report_risks([line], {1: checked}, cache, NOW) != []


def test_timeline_without_a_format_says_why_it_cannot_be_compiled() -> None:
    assert TimelineCache().compile(_line(meeting_format=None)) == (
        "The chair has not chosen the format yet."
    )


def test_entra_claims_map_to_the_most_capable_role_held() -> None:
    mapping = {"g-chairs": "chair", "Confbot.MTS": "mts", "g-managers": "manager"}
    claims = {"roles": ["Confbot.MTS"], "groups": ["g-chairs", "g-other"]}
    assert role_from_claims(claims, mapping) is Role.MTS
    assert role_from_claims({"groups": ["g-managers", "g-chairs"]}, mapping) is Role.CHAIR
    assert role_from_claims({"groups": ["g-other"]}, mapping) is None
    assert role_from_claims({"roles": ["Confbot.Admin"]}, {}) is Role.ADMIN


def test_entra_user_is_the_lower_case_sign_in_name() -> None:
    assert user_from_claims({"preferred_username": "Ann.Chair@Council.Example"}) == (
        "ann.chair@council.example"
    )
    assert user_from_claims({"preferred_username": "a|admin"}) is None


def test_a_job_id_splits_into_its_step_and_action_even_when_the_action_has_a_dot() -> None:
    assert split_step_id("c4:icpc.follow_ups.plan:aftercare.follow_up") == (
        "icpc.follow_ups.plan",
        "aftercare.follow_up",
    )
    assert split_step_id("c4:icpc.report_sharing.sw:pack") == ("icpc.report_sharing.sw", "pack")
    assert split_step_id("icpc.invitations.online") == ("icpc.invitations.online", None)

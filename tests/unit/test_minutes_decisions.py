"""The minutes' decisions per child, and a looked-after review's words."""

from __future__ import annotations

from datetime import date

from bot.core.conference import ConferenceType
from bot.core.minutes.assembly import Minutes, Table, assemble_minutes
from bot.core.minutes.model import AbuseCategory, ChildDecisions, Decisions, MinutesChild
from tests.unit.test_minutes_support import PLAYBOOKS, records

PLAN = Decisions(plan=True, category=AbuseCategory.NEGLECT, review=date(2027, 3, 1))
NO_PLAN = Decisions(plan=False)
CHILDREN = (MinutesChild("TQ", date(2019, 5, 4)), MinutesChild("RQ", date(2021, 6, 1)))


def _minutes(name: str, kind: ConferenceType, *per_child: ChildDecisions) -> Minutes:
    playbook = PLAYBOOKS[name]
    fmt = playbook.rules(kind).formats.offered[0]
    changes: dict[str, object] = {"children": CHILDREN, "child_decisions": per_child}
    if kind is ConferenceType.LAC:
        changes["contributions"] = ()  # a review has no decision round, so no views on a plan
    data = records(playbook, kind, fmt, **changes)
    return assemble_minutes(playbook, data)


def _rows(minutes: Minutes, section_id: str) -> dict[str, str]:
    [table] = [b for b in minutes.section(section_id).blocks if isinstance(b, Table)]
    return dict(table.rows)  # type: ignore[arg-type]


def test_children_with_different_decisions_get_a_section_each() -> None:
    minutes = _minutes(
        "lancashire", ConferenceType.ICPC, ChildDecisions("TQ", PLAN), ChildDecisions("RQ", NO_PLAN)
    )
    headings = [s.heading for s in minutes.sections]
    assert "Decisions for T.Q." in headings and "Decisions for R.Q." in headings
    assert _rows(minutes, "decisions-1")["Category of the plan"] == "Neglect"
    assert _rows(minutes, "decisions-2")["Child protection plan"] == "No"


def test_children_with_the_same_decision_share_one_section() -> None:
    minutes = _minutes(
        "lancashire", ConferenceType.ICPC, ChildDecisions("TQ", PLAN), ChildDecisions("RQ", PLAN)
    )
    assert [s.id for s in minutes.sections].count("decisions") == 1
    assert _rows(minutes, "decisions")["Review conference"] == "Monday 1 March 2027"


def test_a_changed_date_carries_its_reason_into_the_minutes() -> None:
    moved = Decisions(
        plan=True,
        category=AbuseCategory.NEGLECT,
        review=date(2027, 3, 1),
        review_reason="Half term",
    )
    minutes = _minutes("lancashire", ConferenceType.ICPC, ChildDecisions("TQ", moved))
    assert _rows(minutes, "decisions")["Why the review date was changed"] == "Half term."


def test_a_looked_after_review_never_speaks_of_a_cp_plan_or_core_group() -> None:
    outcome = Decisions(review=date(2027, 3, 1), care_plan_agreed=True)
    minutes = _minutes("northmoor-lac", ConferenceType.LAC, ChildDecisions("TQ", outcome))
    rows = _rows(minutes, "decisions")
    assert rows["Next review"] == "Monday 1 March 2027"
    assert rows["Care plan agreed"] == "Yes"
    text = " ".join(minutes.texts()).lower()
    assert "child protection plan" not in text
    assert "core group" not in text

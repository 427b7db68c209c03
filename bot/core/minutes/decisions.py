"""The minutes' decisions: one table for the conference, or one section per child.

A looked-after review is not a child protection conference: its minutes record the next
review and whether the care plan was agreed, and never speak of a child protection plan or
a core group (the words come from ``wording``).
"""

from __future__ import annotations

from datetime import date, datetime

from bot.core.conference import ConferenceType
from bot.core.minutes.children import initials_of
from bot.core.minutes.model import Block, Decisions, MinutesInput, Paragraph, Section, Table
from bot.core.minutes.text import (
    CATEGORY_WORDS,
    NOT_APPLICABLE,
    NOT_RECORDED,
    PLAN_TYPE_WORDS,
    long_date,
    sentence,
)
from bot.core.minutes.wording import wording
from bot.core.playbook.model import ConferenceRules, Decision, FollowUpKind
from bot.core.workdays import WorkingCalendar, to_london


def default_review(
    rules: ConferenceRules, data: MinutesInput, calendar: WorkingCalendar, end: datetime
) -> date | None:
    """The review date the playbook's review follow-up gives when none was agreed."""
    follow = next(
        (
            f
            for f in rules.follow_ups
            if f.kind is FollowUpKind.REVIEW_DATE and f.applies_to(data.meeting_format)
        ),
        None,
    )
    if follow is None:
        return None
    return calendar.date_after(to_london(end).date(), follow.within)


def decisions_sections(
    rules: ConferenceRules,
    data: MinutesInput,
    calendar: WorkingCalendar,
    end: datetime,
    missing: list[str],
) -> tuple[Section, ...]:
    """The decisions: one section when every child's are the same, else one per child."""
    per_child = data.child_decisions
    if not per_child or len({c.decisions for c in per_child}) == 1:
        made = per_child[0].decisions if per_child else data.decisions
        heading = "Decisions"
        if per_child and len(data.children) > 1 and len(per_child) < len(data.children):
            # Decided for some children only: say for whom.
            heading = "Decisions for " + ", ".join(initials_of(c.initials) for c in per_child)
        return (_section("decisions", heading, rules, data, made, calendar, end, missing),)
    return tuple(
        _section(
            f"decisions-{i}",
            f"Decisions for {initials_of(child.initials)}",
            rules,
            data,
            child.decisions,
            calendar,
            end,
            missing,
        )
        for i, child in enumerate(per_child, start=1)
    )


def _section(
    section_id: str,
    heading: str,
    rules: ConferenceRules,
    data: MinutesInput,
    made: Decisions,
    calendar: WorkingCalendar,
    end: datetime,
    missing: list[str],
) -> Section:
    words = wording(data.conference_type)
    asked = {d for p in rules.phases(data.meeting_format) for d in p.decisions}
    looked_after = data.conference_type is ConferenceType.LAC
    no_plan = made.plan is False
    rows: list[tuple[str, str]] = []
    where = "" if heading == "Decisions" else f" ({heading.removeprefix('Decisions for ')})"

    def add(decision: Decision | None, name: str, value: str | None, needed: bool = True) -> None:
        if decision is not None and decision not in asked and value is None:
            return
        if no_plan and decision not in (Decision.CP_PLAN, None):
            rows.append((name, NOT_APPLICABLE))
        elif value is None:
            rows.append((name, NOT_RECORDED))
            if needed:
                missing.append(f"The decision{where}: {name.lower()}.")
        else:
            rows.append((name, value))

    if not looked_after:
        plan = None if made.plan is None else ("Yes" if made.plan else "No")
        add(Decision.CP_PLAN, "Child protection plan", plan)
        category = CATEGORY_WORDS[made.category] if made.category else None
        add(Decision.CP_PLAN, "Category of the plan", category, needed=made.plan is True)
        plan_type = PLAN_TYPE_WORDS[made.plan_type] if made.plan_type else None
        add(Decision.PLAN_TYPE, "Type of plan", plan_type)
        core = long_date(made.core_group) if made.core_group else None
        add(Decision.CORE_GROUP_DATE, "First core group meeting", core)
        if made.core_group_reason and not no_plan:
            rows.append(("Why the core group date was changed", sentence(made.core_group_reason)))
    review = _review(rules, data, made, calendar, end)
    add(Decision.REVIEW_DATE, words.review_title, review)
    if made.review_reason and not no_plan:
        rows.append(("Why the review date was changed", sentence(made.review_reason)))
    if looked_after:
        agreed = (
            None if made.care_plan_agreed is None else ("Yes" if made.care_plan_agreed else "No")
        )
        add(None, "Care plan agreed", agreed)
    blocks: list[Block] = [Table(heading, ("Decision", "Outcome"), tuple(rows), True)]
    if made.notes:
        blocks.append(Paragraph(sentence(made.notes)))
    return Section(section_id, heading, tuple(blocks))


def _review(
    rules: ConferenceRules,
    data: MinutesInput,
    made: Decisions,
    calendar: WorkingCalendar,
    end: datetime,
) -> str | None:
    if made.review is not None:
        return long_date(made.review)
    due = default_review(rules, data, calendar, end)
    if due is None:
        return None
    return f"No date was agreed. The review is due by {long_date(due)}."

"""The decision for each child: what the chair records, and the dates the timescales suggest.

Pure. A conference about two children may decide differently for each (a plan for one,
none for the other), so every child has its own decision. The statutory timescales suggest
the review and first core group dates; the chair may choose other dates, with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.core.conference import Child, ConferenceType
from bot.core.durations import Duration, parse_duration
from bot.core.minutes.model import AbuseCategory, Decisions, PlanType
from bot.core.playbook.model import Playbook
from bot.core.playbook.terms import Decision, TimescaleTarget
from bot.core.timeline.text import day_words
from bot.core.timeline.timescales import applies, next_review_due, review_stage
from bot.core.workdays import WorkingCalendar, working_day_on_or_before

# Working Together to Safeguard Children: the first review conference within 3 months of
# the initial (or transfer-in) conference, each later one within 6 months of the last.
FIRST_REVIEW = parse_duration("3 months")
LATER_REVIEW = parse_duration("6 months")
CHILD_PROTECTION = frozenset({ConferenceType.ICPC, ConferenceType.RCPC, ConferenceType.TI})
CHILD_FIELDS = (
    "plan",
    "category",
    "plan_type",
    "core_group",
    "core_group_reason",
    "review",
    "review_reason",
    "care_plan_agreed",
    "notes",
)
_E = TypeVar("_E", AbuseCategory, PlanType)


@dataclass(frozen=True, slots=True)
class SuggestedDates:
    """The dates the timescales suggest after a meeting, and why, in words."""

    review: date | None
    review_basis: str = ""
    core_group: date | None = None
    core_group_basis: str = ""


@dataclass(frozen=True, slots=True)
class DecisionForm:
    """What the decision form asks for this conference: from its type and its playbook."""

    looked_after: bool  # a looked-after review: its own outcomes, never a plan's category
    asks_plan: bool
    asks_plan_type: bool
    asks_core_group: bool
    plan_types: tuple[PlanType, ...]


@dataclass(frozen=True, slots=True)
class ChildDecisionView:
    """One child on the decision form: who, and what is recorded for them so far."""

    child: Child
    decided: Decisions | None


@dataclass(frozen=True, slots=True)
class DecisionSheet:
    """What the decision form shows for a conference."""

    form: DecisionForm
    suggested: SuggestedDates
    children: tuple[ChildDecisionView, ...]
    locked: bool  # the minutes are approved: the decisions stand as approved


def decision_form(playbook: Playbook, conference_type: ConferenceType) -> DecisionForm:
    """The fields of the decision form, as the playbook's run sheet asks for them."""
    rules = playbook.conferences.get(conference_type)
    asked = {d for p in rules.run_sheet for d in p.decisions} if rules is not None else set()
    looked_after = conference_type is ConferenceType.LAC
    cp = conference_type in CHILD_PROTECTION
    # Seed 000: an ICPC agrees an interim plan and a review the ongoing one, or ends it.
    if conference_type is ConferenceType.RCPC:
        types = (PlanType.ONGOING, PlanType.ENDED)
    else:
        types = (PlanType.INTERIM, PlanType.OUTLINE)
    return DecisionForm(
        looked_after=looked_after,
        asks_plan=cp,
        asks_plan_type=cp and Decision.PLAN_TYPE in asked,
        asks_core_group=cp and conference_type is not ConferenceType.RCPC,
        plan_types=types if cp and Decision.PLAN_TYPE in asked else (),
    )


def _calendar(playbook: Playbook) -> WorkingCalendar:
    return WorkingCalendar(
        playbook.calendar.end_of_working_day, playbook.calendar.roll_back_off_working_days
    )


def _latest_working_day(calendar: WorkingCalendar, day: date, within: Duration) -> date:
    # A limit is a last day: a meeting is held on a working day, so the suggestion is the
    # last working day on or before it (a review due on Christmas Day is suggested for the
    # 24th), never the day after.
    return working_day_on_or_before(calendar.date_after(day, within))


def suggested_dates(
    playbook: Playbook,
    conference_type: ConferenceType,
    meeting_day: date,
    *,
    looked_after_since: date | None = None,
    previous_reviews: Sequence[date] = (),
) -> SuggestedDates:
    """The review date (and first core group, after an initial conference) to suggest."""
    calendar = _calendar(playbook)
    if conference_type is ConferenceType.LAC:
        # This review counts as held: the next one follows the playbook's series.
        held = (*previous_reviews, meeting_day)
        due = next_review_due(playbook, conference_type, looked_after_since, held)
        stage = "second" if len(held) == 1 else "next"
        if due is None:
            due = _latest_working_day(calendar, meeting_day, LATER_REVIEW)
            basis = f"within {LATER_REVIEW} of this review"
        else:
            due = working_day_on_or_before(due)
            basis = f"the last working day for the {stage} review under the playbook's timescales"
        return SuggestedDates(due, basis)
    if conference_type not in CHILD_PROTECTION:
        return SuggestedDates(None)
    within = LATER_REVIEW if conference_type is ConferenceType.RCPC else FIRST_REVIEW
    review = _latest_working_day(calendar, meeting_day, within)
    what = "this review" if conference_type is ConferenceType.RCPC else "this conference"
    suggestion = SuggestedDates(review, f"within {within} of {what}")
    rules = playbook.conferences.get(conference_type)
    if rules is None or conference_type is ConferenceType.RCPC:
        return suggestion
    stage = review_stage(previous_reviews, {})
    for scale in rules.timescales:
        if scale.target is TimescaleTarget.CORE_GROUP and applies(scale, stage):
            core = _latest_working_day(calendar, meeting_day, scale.within)
            return SuggestedDates(
                review, suggestion.review_basis, core, f"within {scale.within} of this conference"
            )
    return suggestion


def _choice(
    raw: Mapping[str, object], name: str, kind: type[_E], allowed: Sequence[_E]
) -> _E | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    try:
        chosen = kind(str(value))
    except ValueError:
        chosen = None
    if chosen is None or chosen not in allowed:
        words = ", ".join(m.value.replace("_", " ") for m in allowed)
        raise ValueError(f"the {name.replace('_', ' ')} must be one of {words}")
    return chosen


def _flag(raw: Mapping[str, object], name: str, words: str) -> bool | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if str(value) in ("yes", "true"):
        return True
    if str(value) in ("no", "false"):
        return False
    raise ValueError(f"say yes or no to {words}")


def _date(
    raw: Mapping[str, object], name: str, words: str, suggested: date | None
) -> tuple[date | None, str]:
    value, reason = raw.get(name), " ".join(str(raw.get(f"{name}_reason") or "").split())
    if value in (None, ""):
        return None, reason
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"the {words} must be a date such as 2027-03-15") from None
    if suggested is not None and day != suggested and not reason:
        raise ValueError(
            f"the {words} is not the suggested {day_words(suggested)}: give a reason for the change"
        )
    return day, reason if day != suggested else ""


def checked_child_decision(
    raw: Mapping[str, object], form: DecisionForm, suggested: SuggestedDates
) -> Decisions:
    """One child's decision from a form or a JSON body, or a ValueError saying what to fix."""
    unknown = sorted(set(raw) - set(CHILD_FIELDS))
    if unknown:
        raise ValueError(f"unknown decision fields: {', '.join(unknown)}")
    notes = " ".join(str(raw.get("notes") or "").split())
    review, review_reason = _date(
        raw,
        "review",
        "next review date" if form.looked_after else "review date",
        suggested.review,
    )
    if form.looked_after:
        return Decisions(
            review=review,
            review_reason=review_reason,
            care_plan_agreed=_flag(raw, "care_plan_agreed", "whether the care plan was agreed"),
            notes=notes,
        )
    plan = _flag(raw, "plan", "whether a child protection plan is needed")
    category = _choice(raw, "category", AbuseCategory, tuple(AbuseCategory))
    plan_type = _choice(raw, "plan_type", PlanType, form.plan_types) if form.plan_types else None
    core_group, core_reason = _date(
        raw, "core_group", "first core group date", suggested.core_group
    )
    if plan is True and category is None:
        raise ValueError("a child protection plan needs its category")
    if plan is not True and (category is not None or core_group is not None):
        # No plan: nothing about a plan may stand in the record.
        category, core_group, core_reason = None, None, ""
        plan_type = PlanType.ENDED if plan_type is PlanType.ENDED else None
    return Decisions(
        plan=plan,
        category=category,
        plan_type=plan_type,
        core_group=core_group,
        core_group_reason=core_reason,
        review=review if plan is not False else None,
        review_reason=review_reason if plan is not False else "",
        notes=notes,
    )


def decision_record(decisions: Decisions) -> dict[str, object]:
    """A decision as the timeline stores it: plain JSON values, nothing empty."""
    out: dict[str, object] = {
        "plan": decisions.plan,
        "category": decisions.category.value if decisions.category else None,
        "plan_type": decisions.plan_type.value if decisions.plan_type else None,
        "core_group": decisions.core_group.isoformat() if decisions.core_group else None,
        "core_group_reason": decisions.core_group_reason,
        "review": decisions.review.isoformat() if decisions.review else None,
        "review_reason": decisions.review_reason,
        "care_plan_agreed": decisions.care_plan_agreed,
        "notes": decisions.notes,
    }
    return {k: v for k, v in out.items() if v not in (None, "")}


def decision_of(record: Mapping[str, object]) -> Decisions:
    """A stored decision back as ``Decisions``; unreadable values are left out, not guessed."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(str(record[name])) if record.get(name) else None
        except ValueError:
            return None

    def flag(name: str) -> bool | None:
        value = record.get(name)
        return value if isinstance(value, bool) else None

    category = str(record.get("category") or "")
    plan_type = str(record.get("plan_type") or "")
    return Decisions(
        plan=flag("plan"),
        category=AbuseCategory(category) if category in set(AbuseCategory) else None,
        plan_type=PlanType(plan_type) if plan_type in set(PlanType) else None,
        core_group=day("core_group"),
        core_group_reason=str(record.get("core_group_reason") or ""),
        review=day("review"),
        review_reason=str(record.get("review_reason") or ""),
        care_plan_agreed=flag("care_plan_agreed"),
        notes=str(record.get("notes") or ""),
    )


def combined(children: Sequence[Decisions]) -> Decisions:
    """The conference's decision from its children's: for the emails that speak of them all.

    A plan if any child has one; the earliest review and core group dates, which come first.
    """
    if not children:
        return Decisions()
    plans = [d.plan for d in children if d.plan is not None]
    categories = {d.category for d in children if d.category is not None}
    types = {d.plan_type for d in children if d.plan_type is not None}
    reviews = [d.review for d in children if d.review is not None]
    cores = [d.core_group for d in children if d.core_group is not None]
    agreed = [d.care_plan_agreed for d in children if d.care_plan_agreed is not None]
    return Decisions(
        plan=any(plans) if plans else None,
        category=next(iter(categories)) if len(categories) == 1 else None,
        plan_type=next(iter(types)) if len(types) == 1 else None,
        core_group=min(cores, default=None),
        review=min(reviews, default=None),
        care_plan_agreed=all(agreed) if agreed else None,
    )

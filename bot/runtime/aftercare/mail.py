"""The emails sent after a conference, in plain British English, as subject and HTML body.

Each names the child by initials and date of birth, never by name; one body goes to the
family and to the agencies alike, so an unborn baby is "the unborn baby T.Q.", not "yours".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from bot.core.conference import Child, Conference, ConferenceType
from bot.core.minutes.children import about, initials_of, initials_text
from bot.core.minutes.model import ChildDecisions, Decisions
from bot.core.minutes.wording import wording
from bot.runtime.letters import when


def _page(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _day(value: date | None) -> str:
    return value.strftime("%A %-d %B %Y") if value else "a date still to be agreed"


def _about(conference: Conference, lead: str = "The conference was about") -> str:
    """ "The conference was about T.Q. (born 4 May 2019).", with a space before it, or ""."""
    text = about(conference.children, lead)
    return f" {escape(text)}" if text else ""


def _who(children: tuple[Child, ...]) -> tuple[str, str]:
    """Who the decision is about, and the verb that agrees with it: ("T.Q.", "needs")."""
    if not children:
        return "the child", "needs"
    names = [initials_text(c) for c in children]
    if len(names) == 1:
        return names[0], "needs"
    return ", ".join(names[:-1]) + " and " + names[-1], "need"


def _child_plan_words(decided: ChildDecisions) -> str:
    made, who = decided.decisions, initials_of(decided.initials)
    if made.plan is True:
        category = (
            f" under the category of {made.category.value.replace('_', ' ')}"
            if made.category
            else ""
        )
        return f"{who} needs a child protection plan{category}."
    if made.plan is False:
        return f"{who} does not need a child protection plan."
    return f"The decision for {who} is still being written up."


def _plan_words(
    decisions: Decisions,
    children: tuple[Child, ...] = (),
    per_child: Sequence[ChildDecisions] = (),
) -> str:
    if len({c.decisions for c in per_child}) > 1:
        # The children's decisions differ: say each one.
        return "The conference decided: " + " ".join(_child_plan_words(c) for c in per_child)
    if decisions.plan is True:
        category = (
            f" under the category of {decisions.category.value.replace('_', ' ')}"
            if decisions.category
            else ""
        )
        who, needs = _who(children)
        plan = "a child protection plan" if len(children) <= 1 else "child protection plans"
        return f"The conference decided that {who} {needs} {plan}{category}."
    if decisions.plan is False:
        return "The conference decided that a child protection plan is not needed."
    return "The conference's decision is still being written up. We will tell you when it is."


def approval_request(conference: Conference, url: str) -> tuple[str, str]:
    """Asks the chair and minute taker to check the draft minutes."""
    ref = escape(conference.reference)
    return (
        f"Draft minutes to approve: conference {conference.reference}",
        _page(
            f"The draft minutes of conference {ref} are ready.{_about(conference)}",
            f'You can read them here: <a href="{escape(url)}">draft minutes</a>.',
            "Please check them. When they are right, approve them in confbot: open the "
            "conference and choose its minutes, where you can also send them back with "
            "comments. They will not be sent to anyone until they are approved.",
        ),
    )


def _looked_after(conference: Conference) -> bool:
    return conference.conference_type is ConferenceType.LAC


def _care_plan_words(decisions: Decisions) -> str:
    if decisions.care_plan_agreed is True:
        return "The review agreed the care plan."
    if decisions.care_plan_agreed is False:
        return "The care plan was not agreed at the review. The social worker will be in touch."
    return "The review's outcome is still being written up. We will tell you when it is."


def decision_email(
    conference: Conference, decisions: Decisions, per_child: Sequence[ChildDecisions] = ()
) -> tuple[str, str]:
    """Tells partner agencies what the conference decided."""
    ref = escape(conference.reference)
    if _looked_after(conference):
        # A looked-after review: a care plan and a next review, never a CP plan.
        return (
            f"Outcome of review {conference.reference}",
            _page(
                f"Review {ref} was held on {escape(when(conference.start_at))}."
                + _about(conference, "It was about"),
                escape(_care_plan_words(decisions)),
                f"The next review is planned for {escape(_day(decisions.review))}.",
                "The record of the review will follow once the chair has approved it.",
            ),
        )
    return (
        f"Decision of conference {conference.reference}",
        _page(
            f"Conference {ref} was held on {escape(when(conference.start_at))}."
            + _about(conference, "It was about"),
            escape(_plan_words(decisions, conference.children, per_child)),
            f"The next review is planned for {escape(_day(decisions.review))}.",
            "The minutes will follow once the chair has approved them.",
        ),
    )


def plan_email(
    conference: Conference,
    decisions: Decisions,
    *,
    outline: bool,
    per_child: Sequence[ChildDecisions] = (),
) -> tuple[str, str]:
    """Sends the outline plan (within 24 hours) or the plan (within 5 working days)."""
    ref = escape(conference.reference)
    if _looked_after(conference):
        name = "outline care plan" if outline else "agreed care plan"
        lead = _about(conference, "The review was about")
        return (
            f"The {name} from review {conference.reference}",
            _page(
                f"This is the {name} from review {ref}.{lead}",
                escape(_care_plan_words(decisions)),
                f"The next review is planned for {escape(_day(decisions.review))}.",
                "If anything here is not clear, please speak to the social worker.",
            ),
        )
    name = "outline child protection plan" if outline else "child protection plan"
    core = (
        f"The first core group meeting is on {escape(_day(decisions.core_group))}."
        if decisions.core_group
        else "The social worker will arrange the first core group meeting."
    )
    return (
        f"The {name} from conference {conference.reference}",
        _page(
            f"This is the {name} agreed at conference {ref}.{_about(conference)}",
            escape(_plan_words(decisions, conference.children, per_child)),
            core,
            f"The review conference is planned for {escape(_day(decisions.review))}.",
            "If anything here is not clear, please speak to the social worker.",
        ),
    )


def review_date_email(conference: Conference, decisions: Decisions) -> tuple[str, str]:
    """Tells everyone on the review-date follow-up when the next review is."""
    ref = escape(conference.reference)
    words = wording(conference.conference_type)
    what = "review" if _looked_after(conference) else "conference"
    return (
        f"Next review date from {what} {conference.reference}",
        _page(
            f"This is about {what} {ref}, held on {escape(when(conference.start_at))}."
            + _about(conference, "It was about"),
            f"{words.review[:1].upper()}{words.review[1:]} is planned for "
            f"{escape(_day(decisions.review))}.",
            "You will be sent an invitation nearer the time.",
        ),
    )


def minutes_email(conference: Conference) -> tuple[str, str]:
    """Sends the approved minutes."""
    ref = escape(conference.reference)
    return (
        f"Minutes of conference {conference.reference}",
        _page(
            f"The approved minutes of conference {ref} are attached.{_about(conference)}",
            "Please keep them safe and do not pass them on.",
        ),
    )

"""Plain-English wording for timeline steps; a playbook's own prompt always wins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.core.conference import Role
from bot.core.playbook.model import FollowUpKind, PhaseKind, TaskKind
from bot.core.workdays import to_london

# How each role reads in a sentence; the minutes reuse it.
ROLE_WORDS: dict[Role, str] = {
    Role.CHAIR: "the chair",
    Role.SOCIAL_WORKER: "the social worker",
    Role.TEAM_MANAGER: "the team manager",
    Role.PARENT: "the parents",
    Role.YOUNG_PERSON: "the young person",
    Role.ADVOCATE: "the advocate",
    Role.AGENCY: "the agencies",
    Role.POLICE: "the police",
    Role.HEALTH: "health",
    Role.GP: "the GP practice",
    Role.SCHOOL: "the school",
    Role.MINUTE_TAKER: "the minute taker",
    Role.ADMIN: "the admin team",
}

PHASE_PROMPTS: dict[PhaseKind, str] = {
    PhaseKind.RECORDING_CONSENT: (
        "Ask everyone present if they agree to the meeting being recorded. "
        "Record only if everyone agrees, and ask again whenever someone joins."
    ),
    PhaseKind.CONFIDENTIAL_SECTION: (
        "Hold the confidential section now, before the parents join. "
        "Only the people who need to hear it should be present."
    ),
    PhaseKind.CALL_PARENT_IN: (
        "The confidential section is over. Call the parents on their agreed number and bring "
        "them into the meeting."
    ),
    PhaseKind.FAMILY_VIEWS: "Make sure the family's views are shared and thought about.",
    PhaseKind.AGENCY_SUMMARIES: "Ask each agency for a short summary of its concerns.",
    PhaseKind.DECISION_ROUND: (
        "Ask each agency in turn for its view on the plan, and the reasons for that view."
    ),
    PhaseKind.DECISIONS: "Record the decisions.",
    PhaseKind.FEEDBACK_CALL: "Call the parents to answer their questions and ask for feedback.",
    PhaseKind.OTHER: "Next item on the run sheet.",
}

TASK_PROMPTS: dict[TaskKind, str] = {
    TaskKind.PRE_MEETING_CALL: "Call the parents to explain how the meeting will run.",
    TaskKind.CONFIRM_CONTACT_NUMBER: "Confirm the number the parents can be called on.",
    TaskKind.COLLECT_EMAIL_ADDRESS: (
        "Ask the family for an email address where reports can safely reach them."
    ),
    TaskKind.SUBMIT_REPORT: "Send your report for the conference.",
    TaskKind.CONFIDENTIAL_INFORMATION: "Send any confidential information for the conference.",
    TaskKind.GATHER_VIEWS: "Gather the views of the child or young person.",
    TaskKind.OTHER: "Preparation for the conference.",
}

FOLLOW_UP_PROMPTS: dict[FollowUpKind, str] = {
    FollowUpKind.DECISION_EMAIL: "Email the conference decision.",
    FollowUpKind.OUTLINE_PLAN: "Send the outline child protection plan.",
    FollowUpKind.PLAN: "Send the plan.",
    FollowUpKind.MINUTES: "Send the minutes.",
    FollowUpKind.REVIEW_DATE: "The next review is due by this date.",
    FollowUpKind.UPDATE_FAMILY: "Phone the family to tell them what was decided.",
    FollowUpKind.OTHER: "Follow-up after the conference.",
}


def role_words(role: Role) -> str:
    """How a role reads in a sentence, e.g. "the social worker"."""
    return ROLE_WORDS.get(role, role.value.replace("_", " "))


def roles_words(roles: Iterable[Role]) -> str:
    """A list of roles as an English phrase: "the parents, the school and the police"."""
    words = [role_words(r) for r in roles]
    if not words:
        return "nobody"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def capitalise(text: str) -> str:
    """Upper-case the first letter only."""
    return text[:1].upper() + text[1:]


def day_words(day: date) -> str:
    """A day as the timeline writes it: "Thu 07 January 2027"."""
    return day.strftime("%a %d %B %Y")


def moment_words(moment: datetime) -> str:
    """A London wall-clock time as the timeline writes it: "Thu 07 January 2027 10:00"."""
    return to_london(moment).strftime("%a %d %B %Y %H:%M")

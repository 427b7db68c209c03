"""The words confbot sends: acknowledgements, parent letters, reminders. Plain British English.

No child's name is ever written here: each letter names the child by initials and date of
birth ("the conference about T.Q. (born 4 May 2019)"), as the councils' own templates do,
and a family member is shown by their relationship to the child.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.conference import Child, Conference, MeetingFormat, Role
from bot.core.minutes.children import about
from bot.core.minutes.text import CONFERENCE_TITLES

LONDON = ZoneInfo("Europe/London")

FORMAT_WORDS = {
    MeetingFormat.TEAMS: "an online meeting on Microsoft Teams",
    MeetingFormat.HYBRID: "a meeting at a venue, with Microsoft Teams for those who cannot come",
    MeetingFormat.CONFERENCE_CALL: "a conference call",
    MeetingFormat.PHONE_SERIES: "a series of phone calls with the chair",
    MeetingFormat.FACE_TO_FACE: "a face-to-face meeting",
}


def when(value: datetime | None) -> str:
    """A time as a family in England reads it: 'Tuesday 15 December 2026 at 10:00'."""
    if value is None:
        return "a time still to be agreed"
    local = value.astimezone(LONDON)
    return local.strftime("%A %-d %B %Y at %H:%M")


def _page(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _a_title(conference: Conference) -> str:
    """ "an initial child protection conference (ICPC)", with the right article."""
    title = CONFERENCE_TITLES[conference.conference_type]
    article = "an" if title[:1].lower() in "aeiou" else "a"
    return f"{article} {title[:1].lower()}{title[1:]} ({conference.conference_type})"


def _about(conference: Conference, lead: str = "It is about", *, to_parent: bool = False) -> str:
    """A sentence naming the children, with a space before it, or "" when none is recorded."""
    text = about(conference.children, lead, to_parent=to_parent)
    return f" {escape(text)}" if text else ""


def acknowledgement(conference: Conference) -> tuple[str, str]:
    """Subject and body of the reply to a social worker's request."""
    ref = escape(conference.reference)
    return (
        f"Conference request received: {conference.reference}",
        _page(
            f"Thank you. We have received your request for {escape(_a_title(conference))}."
            f"{_about(conference)} Its reference is <strong>{ref}</strong>.",
            "Please quote this reference on every email about this conference, including "
            "reports. A chair will be allocated and the format agreed with you.",
        ),
    )


def parent_letter(conference: Conference, letter_text: str, held_back: bool) -> tuple[str, str]:
    """The letter to a parent explaining how the conference will be held.

    While the parent is held back it never carries the meeting link: the chair calls them in.
    """
    fmt = conference.meeting_format or MeetingFormat.TEAMS
    paragraphs = [
        f"The child protection conference will be held as {FORMAT_WORDS[fmt]}, on "
        f"{when(conference.start_at)}."
        f"{_about(conference, to_parent=True)} Its reference is {escape(conference.reference)}.",
        escape(letter_text),
    ]
    if held_back:
        paragraphs.append(
            "You will not get a link to the meeting. The chair will phone you on the number "
            "you gave your social worker when it is time for you to join."
        )
    return f"Your child protection conference: {conference.reference}", _page(*paragraphs)


def meeting_body(conference: Conference) -> str:
    """The body of the Teams invite: the reference and the rules, nothing personal."""
    return _page(
        f"Child protection conference {escape(conference.reference)} "
        f"({escape(conference.conference_type)}).",
        "Please read every report shared with you before the meeting. Do not forward this "
        "invitation: the chair invites the family separately.",
    )


def reminder(conference: Conference, step_text: str, due: datetime) -> tuple[str, str]:
    """A reminder to do a step before its deadline."""
    return (
        f"Reminder for conference {conference.reference}: due {when(due)}",
        _page(
            escape(step_text),
            f"This is due by {when(due)}. The conference is on {when(conference.start_at)}."
            + _about(conference),
            f"Please quote {escape(conference.reference)} in your reply.",
        ),
    )


def pack_body(conference: Conference, count: int, parent_pack: bool) -> str:
    """The covering note of a report pack."""
    paragraphs = [
        f"Here are the {count} report{'s' if count != 1 else ''} for conference "
        f"{escape(conference.reference)} on {when(conference.start_at)}."
        + _about(conference, "The conference is about", to_parent=parent_pack),
    ]
    if parent_pack:
        paragraphs.append(
            "Please read them before the conference. You can raise anything in them with the "
            "chair when they speak with you."
        )
    else:
        paragraphs.append(
            "Please reply to confirm you have read them, with any updates, anything that should "
            "be part of the plan, and your view on whether a plan is needed."
        )
    paragraphs.append("Some information is not sent by email. The chair will share it if needed.")
    return _page(*paragraphs)


NO_NUMBER = "no number: ask the social worker"
CALL_ORDER = (
    Role.SOCIAL_WORKER,
    Role.TEAM_MANAGER,
    Role.POLICE,
    Role.HEALTH,
    Role.GP,
    Role.SCHOOL,
    Role.AGENCY,
    Role.ADVOCATE,
    Role.YOUNG_PERSON,
    Role.PARENT,
)


def call_sheet(conference: Conference) -> tuple[str, str]:
    """The chair's list of whom to ring and on which number: professionals first, then family."""
    people = sorted(
        (p for p in conference.participants if p.role in CALL_ORDER),
        key=lambda p: CALL_ORDER.index(p.role),
    )
    rows = "".join(
        f"<tr><td>{escape(p.role.value.replace('_', ' '))}</td><td>{escape(p.name)}</td>"
        f"<td>{escape(p.relationship or p.organisation)}</td>"
        f"<td>{escape(p.phone or NO_NUMBER)}</td></tr>"
        for p in people
    )
    fmt = conference.meeting_format or MeetingFormat.PHONE_SERIES
    return (
        f"Call sheet for conference {conference.reference}",
        _page(
            f"Conference {escape(conference.reference)} is {FORMAT_WORDS[fmt]}, starting "
            f"{when(conference.start_at)}.{_about(conference)} These are the people to call.",
        )
        + "<table><thead><tr><th scope='col'>Role</th><th scope='col'>Name</th>"
        "<th scope='col'>Relationship or organisation</th><th scope='col'>Number</th>"
        "</tr></thead>"
        f"<tbody>{rows}</tbody></table>",
    )


def _draft_day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _draft_children(draft: Mapping[str, Any]) -> list[Child]:
    children = [c for c in draft.get("children") or () if isinstance(c, Mapping)]
    return [
        Child(
            id=0,
            initials=str(c.get("initials") or ""),
            date_of_birth=_draft_day(c.get("date_of_birth")),
            unborn=c.get("unborn") is True,
            expected_date=_draft_day(c.get("due_date")),
        )
        for c in children
        if c.get("initials") or c.get("unborn") is True
    ]


def threshold_notice(draft: Mapping[str, Any], sender: str, received: datetime) -> tuple[str, str]:
    """Subject and body of the duty chair's notice: a social worker asks for a discussion.

    It says how to reach the social worker (name, email and phone as the draft read them,
    else the address the email came from) and names the children by initials. The email's
    own words stay on confbot's triage page, where staff read them.
    """
    people = [p for p in draft.get("people") or () if isinstance(p, Mapping)]
    worker = next((p for p in people if p.get("role") == Role.SOCIAL_WORKER.value), {})
    name = str(worker.get("name") or "") or "A social worker"
    emails = [str(e) for e in worker.get("emails") or ()] or [sender]
    phones = [str(p) for p in worker.get("phones") or ()]
    contact = [f"Email: {escape(', '.join(emails))}"]
    contact.append(f"Phone: {escape(', '.join(phones))}" if phones else "Phone: not given")
    children = _draft_children(draft)
    return (
        f"Threshold discussion requested by {name}",
        _page(
            f"{escape(name)} asks the duty chair for a threshold discussion, to decide "
            f"whether an initial child protection conference is needed."
            f"{' ' + escape(about(children)) if children else ''}",
            "<br>".join(contact),
            f"Their email came in on {escape(when(received))}. It waits on confbot's status "
            "page under Threshold discussions, where the duty chair can read it and, if it "
            "meets the threshold, make it an ICPC request with one action.",
        ),
    )

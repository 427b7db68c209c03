"""The detail page's forms: each checks the role, reads its fields and calls the runtime."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from aiohttp import web

from bot.core.actions import (
    ALLOCATE,
    APPROVE_DISTRIBUTION,
    CANCEL,
    CORRECT_CONTACTS,
    RECORD_POSTED,
    RESCHEDULE,
    RETRY,
    SET_FORMAT,
    ActionOption,
    allowed_names,
    refusal,
)
from bot.core.conference import MeetingFormat, Role
from bot.core.contacts import ContactCorrection, ContactInvalid
from bot.core.errors import NotFound
from bot.core.workdays import LONDON
from bot.web.actions import ACTIONS_KEY, ActionRefused, ConferenceActions
from bot.web.auth import Identity
from bot.web.security import STAFF, UserRole, require, role_of

logger = logging.getLogger(__name__)

__all__ = ["NOTICES", "Offered", "add_routes", "offered_actions"]

# Which roles may ask for each action. The chair decides the format (every seed says so).
ACTION_ROLES: dict[str, frozenset[UserRole]] = {
    "allocate": STAFF,
    "format": STAFF | {UserRole.CHAIR},
    "reschedule": STAFF,
    "cancel": STAFF,
    "retry": STAFF,
    "approve": STAFF | {UserRole.CHAIR},
    "contact": STAFF | {UserRole.CHAIR},
    "resend": STAFF | {UserRole.CHAIR},
    "posted": STAFF,  # the admin team posts the letters
}
NOTICES = {
    "allocate": "The chair is allocated.",
    "format": "The format is recorded.",
    "reschedule": "The conference is moved.",
    "cancel": "The conference is cancelled.",
    "retry": "The step will be tried again.",
    "approve": "The distribution list is approved.",
    "contact": "The contact details are corrected.",
    "resend": "The letter was sent again to the new email address.",
    "posted": "The letter is recorded as posted.",
}


# Each form and the action (``bot.core.actions``) it asks for.
FORM_ACTIONS = {
    "allocate": ALLOCATE,
    "format": SET_FORMAT,
    "reschedule": RESCHEDULE,
    "cancel": CANCEL,
    "retry": RETRY,
    "approve": APPROVE_DISTRIBUTION,
    "contact": CORRECT_CONTACTS,
    "resend": CORRECT_CONTACTS,
    "posted": RECORD_POSTED,
}
# The forms whose refusal is worth a hint; the others only appear when something needs doing.
HINTED = {
    "allocate": "Allocate a chair",
    "format": "Set the format",
    "reschedule": "Reschedule",
    "cancel": "Cancel the conference",
}
TEXT_LIMIT = 500
NAMES_LIMIT = 300


class Invalid(ValueError):
    """A form field is missing or wrong; the message says which, in plain words."""


class DetailPage(Protocol):
    """The detail page handler, re-rendered with an error when an action fails."""

    def __call__(
        self,
        request: web.Request,
        *,
        error: str | None = None,
        status: int = 200,
        form: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> Awaitable[web.StreamResponse]:
        """Render the conference page, keeping what was typed into ``form``.

        ``errors`` maps a field of the form to what is wrong with it, shown beside it.
        """


Perform = Callable[[ConferenceActions, int, dict[str, str], Identity], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Offered:
    """The forms the page shows, and why the others this person could use are not shown."""

    names: frozenset[str]
    hints: tuple[tuple[str, str], ...] = ()
    wired: bool = True  # the runtime is there to do them


def offered_actions(
    request: web.Request, role: UserRole, options: Iterable[ActionOption]
) -> Offered:
    """The forms this role may use that apply to the conference now; none before wiring."""
    if ACTIONS_KEY not in request.app:
        return Offered(frozenset(), wired=False)
    options = tuple(options)
    allowed = allowed_names(options)
    permitted = [name for name, roles in ACTION_ROLES.items() if role in roles]
    names = frozenset(name for name in permitted if FORM_ACTIONS[name] in allowed)
    hints = []
    for name in permitted:
        reason = refusal(options, FORM_ACTIONS[name]) if name in HINTED else None
        if name not in names and reason:
            hints.append((HINTED[name], reason[:1].upper() + reason[1:] + "."))
    return Offered(names, tuple(hints))


def _field(form: dict[str, str], name: str, label: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise Invalid(f"Enter the {label}.")
    return value


async def _allocate(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    chair = _field(form, "chair", "chair's email address")
    if "@" not in chair or len(chair) > 320:
        raise Invalid("Enter the chair's email address, like name@council.example.")
    await actions.allocate(cid, chair, who.user)


def _minutes(form: dict[str, str], name: str, label: str, low: int, high: int) -> timedelta | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        minutes = int(text)
    except ValueError:
        raise Invalid(f"Enter the {label} in minutes, like 90.") from None
    if not low <= minutes <= high:
        raise Invalid(f"The {label} must be between {low} and {high} minutes.")
    return timedelta(minutes=minutes)


def _start(form: dict[str, str]) -> datetime:
    try:
        day = date.fromisoformat(_field(form, "date", "date"))
        clock = time.fromisoformat(_field(form, "time", "start time"))
    except ValueError:
        raise Invalid("Enter the date and start time, like 2026-12-01 and 10:00.") from None
    # People type UK time; the runtime stores UTC.
    return datetime.combine(day, clock, tzinfo=LONDON)


async def _format(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    try:
        chosen = MeetingFormat(_field(form, "format", "format"))
    except ValueError:
        raise Invalid("Choose one of the formats listed.") from None
    start = _start(form)
    length = _minutes(form, "length", "length", 15, 480)
    confidential = _minutes(form, "confidential", "confidential section", 0, 240)
    venue = form.get("venue", "").strip() or None
    late_reason, late_agreed_by = _late(form)
    await actions.set_format(
        cid,
        meeting_format=chosen,
        start=start,
        by=who.user,
        length=length,
        confidential=confidential or None,
        venue=venue,
        late_reason=late_reason,
        late_agreed_by=late_agreed_by,
        format_agreed_by=_roles(form.get("format_agreed_by", "")),
        risk_assessed=form.get("risk_assessed", "") in ("yes", "on", "true"),
    )


def _late(form: dict[str, str]) -> tuple[str | None, str | None]:
    """The reason for a short-notice or late booking and who agreed it: both, or neither."""
    reason = form.get("late_reason", "").strip() or None
    agreed = form.get("late_agreed_by", "").strip() or None
    if reason and len(reason) > TEXT_LIMIT:
        raise Invalid(f"Keep the reason for the short notice or delay under {TEXT_LIMIT} letters.")
    if agreed and len(agreed) > NAMES_LIMIT:
        raise Invalid(f"Keep who agreed the short notice or delay under {NAMES_LIMIT} letters.")
    if agreed and not reason:
        raise Invalid("Enter the reason for the short notice or delay, as well as who agreed it.")
    if reason and not agreed:
        raise Invalid("Enter who agreed the short notice or delay, as well as the reason.")
    return reason, agreed


def _roles(text: str) -> tuple[str, ...]:
    """The roles ticked as having agreed the format (one a line, as the form posts them)."""
    chosen = [name.strip() for name in text.split("\n") if name.strip()]
    try:
        return tuple(Role(name).value for name in chosen)
    except ValueError:
        raise Invalid("Tick who agreed the format from the list.") from None


async def _reschedule(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    start = _start(form)
    await actions.reschedule(cid, start, _minutes(form, "length", "length", 15, 480), who.user)


async def _cancel(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    reason = _field(form, "reason", "reason for cancelling")
    approved_by = _field(form, "approved_by", "name of the manager who approved it")
    await actions.cancel(cid, reason, approved_by, who.user)


async def _retry(actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity) -> None:
    await actions.retry_step(cid, _field(form, "step_id", "step"), who.user)


async def _approve(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    await actions.approve_distribution(
        cid, _field(form, "step_id", "step"), who.user, role_of(who).value
    )


# Addresses and numbers are typed one a line, or separated by commas or semicolons.
LIST_SEPARATORS = re.compile(r"[,;\n]")


def _list(form: dict[str, str], name: str) -> tuple[str, ...] | None:
    if name not in form:
        return None
    return tuple(v.strip() for v in LIST_SEPARATORS.split(form[name]) if v.strip())


def _participant(form: dict[str, str]) -> int:
    text = form.get("participant_id", "").strip()
    if not text.isdigit():
        raise Invalid("Choose whose contact details to change.")
    return int(text)


async def _contact(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    correction = ContactCorrection(
        name=form.get("name"),
        relationship=form.get("relationship"),
        emails=_list(form, "emails"),
        phones=_list(form, "phones"),
        postal_address=form.get("postal_address"),
    )
    await actions.correct_contact(
        cid, _participant(form), correction, by=who.user, role=role_of(who).value
    )


async def _resend(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    await actions.send_letters_again(cid, _participant(form), by=who.user, role=role_of(who).value)


async def _posted(
    actions: ConferenceActions, cid: int, form: dict[str, str], who: Identity
) -> None:
    step_id = _field(form, "step_id", "letter")
    await actions.record_posted(cid, step_id, by=who.user, role=role_of(who).value)


PERFORMERS: dict[str, Perform] = {
    "allocate": _allocate,
    "format": _format,
    "reschedule": _reschedule,
    "cancel": _cancel,
    "retry": _retry,
    "approve": _approve,
    "contact": _contact,
    "resend": _resend,
    "posted": _posted,
}


def _handler(
    name: str, perform: Perform, detail: DetailPage
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        from bot.web.status import load_visible

        identity = require(request, ACTION_ROLES[name])
        conference = await load_visible(request, identity)
        actions = request.app.get(ACTIONS_KEY)
        if actions is None:
            return await detail(
                request, error="This action is not available yet. Try again later.", status=503
            )
        posted = await request.post()
        # A field ticked more than once (who agreed the format) arrives one value a line.
        form = {k: "\n".join(str(v) for v in posted.getall(k)) for k in set(posted.keys())}
        try:
            await perform(actions, conference.id, form, identity)
        except Invalid as err:
            return await detail(request, error=str(err), status=400, form=form)
        except ContactInvalid as err:
            problems = {name: _sentence(why) for name, why in err.problems.items()}
            return await detail(
                request,
                error="Check the contact details: " + "; ".join(problems.values()),
                status=400,
                form=form,
                errors=problems,
            )
        except NotFound:
            return await detail(request, error="There is no such person.", status=404, form=form)
        except ActionRefused as err:
            return await detail(request, error=_sentence(str(err)), status=409, form=form)
        logger.info("action done", extra={"conference_id": conference.id, "action": name})
        raise web.HTTPSeeOther(f"/conferences/{conference.id}?done={name}")

    handle.__name__ = f"{name}_action"
    return handle


def add_routes(app: web.Application, detail: DetailPage) -> None:
    """Mount one POST route per action under the conference's page."""
    for name, perform in PERFORMERS.items():
        app.router.add_post(
            rf"/conferences/{{conference_id:\d+}}/{name}", _handler(name, perform, detail)
        )


def _sentence(text: str) -> str:
    """A refusal as a sentence: the runtime's reasons start lower case and have no full stop."""
    text = text.strip()
    if not text:
        return "That cannot be done now."
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."

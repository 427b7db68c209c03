"""The triage page's form: a draft request shown as fields, and the posted fields as a draft.

Field names follow the draft's paths with dashes ("children-0-date_of_birth"), so a
problem about ``children.0.date_of_birth`` is shown beside the field it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.conference import MeetingFormat, Role
from bot.core.workdays import LONDON
from bot.intake.draft import Draft, empty_draft

PERSON_ROLES = (
    Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.PARENT, Role.YOUNG_PERSON, Role.ADVOCATE,
    Role.POLICE, Role.HEALTH, Role.GP, Role.SCHOOL, Role.AGENCY,
)  # fmt: skip
FORMATS = tuple(MeetingFormat)
_LIST_SPLIT = re.compile(r"[,;\n]+")
# Enough rows for any real request, and a bound on what a forged form can make us build.
MAX_ROWS = 30


def field_id(path: str) -> str:
    """The form field for a draft path: "children.0.initials" is "children-0-initials"."""
    return path.replace(".", "-")


def with_blank_rows(draft: Mapping[str, Any] | None) -> dict[str, Any]:
    """The draft to show, with one empty child and one empty person to fill in."""
    shown = {**empty_draft(), **(draft or {})}
    shown["children"] = [*shown["children"], _blank_child()]
    shown["people"] = [*shown["people"], _blank_person()]
    return shown


def _blank_child() -> dict[str, Any]:
    return {
        "initials": "", "date_of_birth": None, "unborn": False, "due_date": None,
        "gender": "", "legal_status": "", "case_references": [],
    }  # fmt: skip


def _blank_person() -> dict[str, Any]:
    return {
        "role": "", "name": "", "relationship": "", "organisation": "", "emails": [],
        "phones": [], "postal_address": "",
    }  # fmt: skip


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _listed(form: Mapping[str, Any], name: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(_text(form, name)) if part.strip()]


def _rows(form: Mapping[str, Any], prefix: str) -> list[int]:
    found = {
        int(m.group(1))
        for key in form
        if isinstance(key, str) and (m := re.match(rf"^{prefix}-(\d{{1,2}})-", key))
    }
    return sorted(found)[:MAX_ROWS]


def has_draft_fields(form: Mapping[str, Any]) -> bool:
    """Whether the posted form is the pre-filled one (not the short form of old)."""
    return bool(_rows(form, "children") or _rows(form, "people"))


def draft_from_form(form: Mapping[str, Any]) -> Draft:
    """The draft a person posted; empty rows are dropped, nothing else is."""
    draft = empty_draft()
    draft["conference_type"] = _text(form, "type") or None
    draft["strategy_discussion_date"] = _text(form, "strategy_discussion_date") or None
    draft["preferred_format"] = _text(form, "preferred_format") or None
    draft["preferred_format_reason"] = _text(form, "preferred_format_reason")
    draft["preferred_chair"] = _text(form, "preferred_chair") or None
    draft["preferred_start"] = _start(_text(form, "preferred_start"))
    draft["confidential_section_requested"] = _text(form, "confidential") == "yes"
    draft["confidential_section_reason"] = _text(form, "confidential_reason")
    draft["access_needs"] = _text(form, "access_needs")
    draft["previous_reference"] = _text(form, "previous_reference") or None
    for n in _rows(form, "children"):
        at = f"children-{n}-"
        child = {
            "initials": _text(form, at + "initials"),
            "date_of_birth": _text(form, at + "date_of_birth") or None,
            "unborn": _text(form, at + "unborn") == "yes",
            "due_date": _text(form, at + "due_date") or None,
            "gender": _text(form, at + "gender"),
            "legal_status": _text(form, at + "legal_status"),
            "case_references": [
                {**_reference(ref), "primary": i == 0}
                for i, ref in enumerate(_listed(form, at + "case_references"))
            ],
        }
        if any(v for k, v in child.items() if k != "unborn") or child["unborn"]:
            draft["children"].append(child)
    for n in _rows(form, "people"):
        at = f"people-{n}-"
        person = {
            "role": _text(form, at + "role"),
            "name": _text(form, at + "name"),
            "relationship": _text(form, at + "relationship"),
            "organisation": _text(form, at + "organisation"),
            "emails": _listed(form, at + "emails"),
            "phones": _listed(form, at + "phones"),
            "postal_address": _text(form, at + "postal_address"),
        }
        if any(v for k, v in person.items() if k != "role"):
            draft["people"].append(person)
    return draft


def references_text(child: Mapping[str, Any]) -> str:
    """A child's case references as the form shows them, primary first: "LCS: 123456, M-77".

    The case system is written before a colon, so it survives being posted back.
    """
    refs = [r for r in child.get("case_references") or [] if isinstance(r, Mapping)]
    refs.sort(key=lambda r: not r.get("primary"))  # stable: the rest keep their order
    return ", ".join(
        f"{r['system']}: {r.get('reference', '')}"
        if r.get("system")
        else str(r.get("reference", ""))
        for r in refs
    )


def _reference(text: str) -> dict[str, str]:
    system, colon, reference = text.partition(":")
    if colon and system.strip() and reference.strip():
        return {"system": system.strip(), "reference": reference.strip()}
    return {"system": "", "reference": text}


def start_text(value: object) -> str:
    """A preferred start as the form's datetime-local field shows it, in London time."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # shown as typed, beside its problem
    if moment.tzinfo is not None:
        moment = moment.astimezone(LONDON)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _start(text: str) -> str | None:
    """A posted start: a time with no zone is London time, as every time on the page is."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # the draft's check names it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.isoformat()


def problems_by_field(problems: Any) -> dict[str, str]:
    """Each problem's message under the form field it is about ("" for the whole request)."""
    out: dict[str, str] = {}
    for problem in problems or ():
        path = str(problem.get("field", "")) if isinstance(problem, Mapping) else ""
        message = str(problem.get("message", "")) if isinstance(problem, Mapping) else ""
        # "children.0.case_references.1.reference" belongs to the references field.
        parts = path.split(".")
        key = field_id(".".join(parts[:3])) if len(parts) > 3 else field_id(path)
        out[key] = f"{out[key]}; {message}" if key in out else message
    return out

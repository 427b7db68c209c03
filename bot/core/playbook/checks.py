"""Cross-reference checks over a whole playbook: every phase, document, letter and role resolves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.core.conference import MeetingFormat, Role
from bot.core.playbook.distribution import PARENT_OR_GP
from bot.core.playbook.terms import (
    AGENCY_ROLES,
    MINUTES_PLACEHOLDERS,
    Channel,
    PhaseKind,
    TimescaleTarget,
)

if TYPE_CHECKING:
    from bot.core.playbook.model import ConferenceRules, Loc, Playbook


def _listing(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def role_is_listed(role: Role, listed: frozenset[Role]) -> bool:
    """True when ``role`` takes part: named, or covered by "agency" (and vice versa)."""
    if role in listed:
        return True
    if role is Role.AGENCY:
        return bool(listed & AGENCY_ROLES)
    return role in AGENCY_ROLES and Role.AGENCY in listed


def _duplicates(ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for item in ids:
        (twice if item in seen else seen).add(item)
    return twice


def playbook_problems(playbook: Playbook) -> list[tuple[Loc, str]]:
    """Every unresolved reference or unsafe rule in ``playbook``, in file order."""
    from bot.core.playbook.model import minutes_placeholders  # playbook.py imports this module

    found: list[tuple[Loc, str]] = []
    doc_ids = [d.id for d in playbook.documents]
    for twice in sorted(_duplicates(doc_ids)):
        found.append((("documents",), f"document id {twice!r} is used twice"))
    for i, doc in enumerate(playbook.documents):
        for j, part in enumerate(doc.contains):
            if part not in doc_ids:
                found.append(
                    (
                        ("documents", i, "contains", j),
                        f"undefined document {part!r} (expected one of: {_listing(doc_ids)})",
                    )
                )
        if doc.parent_pack and doc.id in doc_ids and _restricted(playbook, doc.id, doc_ids):
            found.append(
                (("documents", i, "contains"), "a parent pack must leave out restricted material")
            )
    letter_ids = {letter.id for letter in playbook.letters}
    for loc, template in [(("minutes_statement",), playbook.minutes_statement)] + [
        (("conferences", str(ct), "minutes_statement"), rules.minutes_statement)
        for ct, rules in playbook.conferences.items()
        if rules.minutes_statement
    ]:
        unknown = minutes_placeholders(template) - MINUTES_PLACEHOLDERS
        if unknown:
            found.append(
                (
                    loc,
                    f"unknown placeholder {{{sorted(unknown)[0]}}} "
                    f"(expected one of: {_listing('{' + n + '}' for n in MINUTES_PLACEHOLDERS)})",
                )
            )
    for ct, rules in playbook.conferences.items():
        found.extend(_conference_problems(playbook, ("conferences", str(ct)), rules, letter_ids))
    return found


def _restricted(playbook: Playbook, doc_id: str, doc_ids: list[str]) -> bool:
    doc = playbook.documents[doc_ids.index(doc_id)]
    return doc.restricted or any(
        _restricted(playbook, part, doc_ids) for part in doc.contains if part in doc_ids
    )


def _conference_problems(
    playbook: Playbook, at: Loc, rules: ConferenceRules, letter_ids: set[str]
) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    # The admin team is always behind the scenes, listed or not.
    listed = rules.roles() | {Role.ADMIN}
    offered = set(rules.formats.offered)
    doc_ids = [d.id for d in playbook.documents]
    phase_ids = [p.id for p in rules.run_sheet]

    def role(loc: Loc, value: Role) -> None:
        if not role_is_listed(value, listed):
            found.append(
                (
                    at + loc,
                    f"role {value.value!r} is not listed under participants "
                    f"(listed: {_listing(r.value for r in listed)})",
                )
            )

    def formats(loc: Loc, values: Iterable[MeetingFormat]) -> None:
        for value in values:
            if value not in offered:
                found.append(
                    (
                        at + loc,
                        f"format {value.value!r} is not offered "
                        f"(offered: {_listing(f.value for f in offered)})",
                    )
                )

    formats(("formats", "default"), [rules.formats.default])
    role(("formats", "decided_by"), rules.formats.decided_by)
    for j, value in enumerate(rules.formats.consulted):
        role(("formats", "consulted", j), value)
    for j, value in enumerate(rules.formats.agreed_by):
        role(("formats", "agreed_by", j), value)
    role(("invitations", "sent_by"), rules.invitations.sent_by)

    for section, items in (
        ("report_sharing", rules.report_sharing),
        ("preparation", rules.preparation),
        ("run_sheet", rules.run_sheet),
        ("follow_ups", rules.follow_ups),
        ("timescales", rules.timescales),
        ("reminders", rules.reminders),
    ):
        for twice in sorted(_duplicates(item.id for item in items)):
            found.append(((*at, section), f"id {twice!r} is used twice in {section}"))

    seen_roles: dict[tuple[Role, MeetingFormat], int] = {}
    for i, p in enumerate(rules.participants):
        here: Loc = ("participants", i)
        formats((*here, "formats"), p.formats)
        for fmt in p.formats or tuple(offered):
            if (p.role, fmt) in seen_roles:
                found.append(
                    (
                        at + here,
                        f"role {p.role.value!r} is listed twice for format {fmt.value!r}",
                    )
                )
            seen_roles[(p.role, fmt)] = i
        for j, letter in enumerate(p.letters):
            if letter not in letter_ids:
                found.append(
                    (
                        (*at, *here, "letters", j),
                        f"undefined letter {letter!r} (expected one of: {_listing(letter_ids)})",
                    )
                )
        if p.held_back_until is not None:
            if p.held_back_until not in phase_ids:
                found.append(
                    (
                        (*at, *here, "held_back_until"),
                        f"undefined phase {p.held_back_until!r} "
                        f"(expected a run_sheet phase: {_listing(phase_ids)})",
                    )
                )
            else:
                release = phase_ids.index(p.held_back_until)
                secret = [
                    k
                    for k, ph in enumerate(rules.run_sheet)
                    if ph.kind is PhaseKind.CONFIDENTIAL_SECTION
                ]
                if any(k >= release for k in secret):
                    found.append(
                        (
                            (*at, *here, "held_back_until"),
                            f"phase {p.held_back_until!r} comes before the confidential section "
                            "ends, so the hold would end too early",
                        )
                    )

    for i, share in enumerate(rules.report_sharing):
        here = ("report_sharing", i)
        formats((*here, "formats"), share.formats)
        role((*here, "by"), share.by)
        for j, value in enumerate(share.to):
            role((*here, "to", j), value)
        for j, doc_id in enumerate(share.documents):
            if doc_id not in doc_ids:
                found.append(
                    (
                        (*at, *here, "documents", j),
                        f"undefined document {doc_id!r} (expected one of: {_listing(doc_ids)})",
                    )
                )
            elif _restricted(playbook, doc_id, doc_ids):
                # The safety rules are code: restricted material never leaves by email and
                # never reaches a parent or a GP practice.
                if share.channel is Channel.EMAIL:
                    found.append(
                        (
                            (*at, *here, "documents", j),
                            f"{doc_id!r} is restricted material and can never be sent by email",
                        )
                    )
                if set(share.to) & PARENT_OR_GP:
                    found.append(
                        (
                            (*at, *here, "to"),
                            f"{doc_id!r} is restricted material and can never go to parents or GPs",
                        )
                    )

    for i, task in enumerate(rules.preparation):
        formats(("preparation", i, "formats"), task.formats)
        role(("preparation", i, "by"), task.by)
        for j, value in enumerate(task.to):
            role(("preparation", i, "to", j), value)

    for i, phase in enumerate(rules.run_sheet):
        formats(("run_sheet", i, "formats"), phase.formats)
        for field_name, values in (("present", phase.present), ("call", phase.call)):
            for j, value in enumerate(values):
                role(("run_sheet", i, field_name, j), value)
        if phase.default_length is not None and not phase.default_length.is_fixed:
            found.append(
                (
                    (*at, "run_sheet", i, "default_length"),
                    f"a phase length must be in minutes or hours, not {phase.default_length}",
                )
            )

    for i, follow in enumerate(rules.follow_ups):
        formats(("follow_ups", i, "formats"), follow.formats)
        role(("follow_ups", i, "by"), follow.by)
        for j, value in enumerate(follow.to):
            role(("follow_ups", i, "to", j), value)

    for i, reminder in enumerate(rules.reminders):
        for j, value in enumerate(reminder.to):
            role(("reminders", i, "to", j), value)

    for i, scale in enumerate(rules.timescales):
        if scale.review is not None and scale.target is not TimescaleTarget.CONFERENCE:
            found.append(
                (
                    (*at, "timescales", i, "review"),
                    "only a timescale for the conference itself can name which review it limits",
                )
            )
    return found

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
    check = _ConferenceCheck(playbook, at, rules)
    check.formats_and_invitations()
    check.duplicate_ids()
    check.participants(letter_ids)
    check.report_sharing()
    check.preparation()
    check.run_sheet()
    check.follow_ups()
    check.reminders()
    check.timescales()
    return check.found


class _ConferenceCheck:
    """The problems in one conference type's rules, one method per rule family, in file order."""

    def __init__(self, playbook: Playbook, at: Loc, rules: ConferenceRules) -> None:
        self.playbook = playbook
        self.at = at
        self.rules = rules
        self.found: list[tuple[Loc, str]] = []
        # The admin team is always behind the scenes, listed or not.
        self.listed = rules.roles() | {Role.ADMIN}
        self.offered = set(rules.formats.offered)
        self.doc_ids = [d.id for d in playbook.documents]
        self.phase_ids = [p.id for p in rules.run_sheet]

    def problem(self, loc: Loc, message: str) -> None:
        """Note a problem at ``loc`` within this conference type."""
        self.found.append((self.at + loc, message))

    def role(self, loc: Loc, value: Role) -> None:
        """A role must be listed under participants (or covered by "agency")."""
        if not role_is_listed(value, self.listed):
            self.problem(
                loc,
                f"role {value.value!r} is not listed under participants "
                f"(listed: {_listing(r.value for r in self.listed)})",
            )

    def roles(self, loc: Loc, values: Iterable[Role]) -> None:
        """Every role in a list must be listed; each problem names its index."""
        for j, value in enumerate(values):
            self.role((*loc, j), value)

    def formats(self, loc: Loc, values: Iterable[MeetingFormat]) -> None:
        """Every format named must be one the conference type offers."""
        for value in values:
            if value not in self.offered:
                self.problem(
                    loc,
                    f"format {value.value!r} is not offered "
                    f"(offered: {_listing(f.value for f in self.offered)})",
                )

    def formats_and_invitations(self) -> None:
        """The default format is offered; who decides, is consulted, agrees and invites."""
        formats = self.rules.formats
        self.formats(("formats", "default"), [formats.default])
        self.role(("formats", "decided_by"), formats.decided_by)
        self.roles(("formats", "consulted"), formats.consulted)
        self.roles(("formats", "agreed_by"), formats.agreed_by)
        self.role(("invitations", "sent_by"), self.rules.invitations.sent_by)

    def duplicate_ids(self) -> None:
        """No id is used twice within one section."""
        rules = self.rules
        for section, items in (
            ("report_sharing", rules.report_sharing),
            ("preparation", rules.preparation),
            ("run_sheet", rules.run_sheet),
            ("follow_ups", rules.follow_ups),
            ("timescales", rules.timescales),
            ("reminders", rules.reminders),
        ):
            for twice in sorted(_duplicates(item.id for item in items)):
                self.problem((section,), f"id {twice!r} is used twice in {section}")

    def participants(self, letter_ids: set[str]) -> None:
        """Each role once per format, its letters defined, and its hold safe."""
        seen_roles: dict[tuple[Role, MeetingFormat], int] = {}
        for i, p in enumerate(self.rules.participants):
            here: Loc = ("participants", i)
            self.formats((*here, "formats"), p.formats)
            for fmt in p.formats or tuple(self.offered):
                if (p.role, fmt) in seen_roles:
                    self.problem(
                        here, f"role {p.role.value!r} is listed twice for format {fmt.value!r}"
                    )
                seen_roles[(p.role, fmt)] = i
            for j, letter in enumerate(p.letters):
                if letter not in letter_ids:
                    self.problem(
                        (*here, "letters", j),
                        f"undefined letter {letter!r} (expected one of: {_listing(letter_ids)})",
                    )
            if p.held_back_until is not None:
                self.hold((*here, "held_back_until"), p.held_back_until)

    def hold(self, loc: Loc, phase_id: str) -> None:
        """A hold ends at a defined phase, and never before the confidential section ends."""
        if phase_id not in self.phase_ids:
            self.problem(
                loc,
                f"undefined phase {phase_id!r} "
                f"(expected a run_sheet phase: {_listing(self.phase_ids)})",
            )
            return
        release = self.phase_ids.index(phase_id)
        secret = [
            k
            for k, ph in enumerate(self.rules.run_sheet)
            if ph.kind is PhaseKind.CONFIDENTIAL_SECTION
        ]
        if any(k >= release for k in secret):
            self.problem(
                loc,
                f"phase {phase_id!r} comes before the confidential section "
                "ends, so the hold would end too early",
            )

    def report_sharing(self) -> None:
        """Sharing names listed roles and defined documents, and keeps restricted ones safe."""
        for i, share in enumerate(self.rules.report_sharing):
            here: Loc = ("report_sharing", i)
            self.formats((*here, "formats"), share.formats)
            self.role((*here, "by"), share.by)
            self.roles((*here, "to"), share.to)
            for j, doc_id in enumerate(share.documents):
                self.shared_document(here, j, doc_id, share.channel, share.to)

    def shared_document(
        self, here: Loc, j: int, doc_id: str, channel: Channel, to: Iterable[Role]
    ) -> None:
        """One document of a sharing rule: defined, and restricted material kept safe."""
        if doc_id not in self.doc_ids:
            self.problem(
                (*here, "documents", j),
                f"undefined document {doc_id!r} (expected one of: {_listing(self.doc_ids)})",
            )
        elif _restricted(self.playbook, doc_id, self.doc_ids):
            # The safety rules are code: restricted material never leaves by email and
            # never reaches a parent or a GP practice.
            if channel is Channel.EMAIL:
                self.problem(
                    (*here, "documents", j),
                    f"{doc_id!r} is restricted material and can never be sent by email",
                )
            if set(to) & PARENT_OR_GP:
                self.problem(
                    (*here, "to"),
                    f"{doc_id!r} is restricted material and can never go to parents or GPs",
                )

    def preparation(self) -> None:
        """Preparation tasks name offered formats and listed roles."""
        for i, task in enumerate(self.rules.preparation):
            self.formats(("preparation", i, "formats"), task.formats)
            self.role(("preparation", i, "by"), task.by)
            self.roles(("preparation", i, "to"), task.to)

    def run_sheet(self) -> None:
        """Phases name offered formats and listed roles, and last minutes or hours."""
        for i, phase in enumerate(self.rules.run_sheet):
            self.formats(("run_sheet", i, "formats"), phase.formats)
            self.roles(("run_sheet", i, "present"), phase.present)
            self.roles(("run_sheet", i, "call"), phase.call)
            if phase.default_length is not None and not phase.default_length.is_fixed:
                self.problem(
                    ("run_sheet", i, "default_length"),
                    f"a phase length must be in minutes or hours, not {phase.default_length}",
                )

    def follow_ups(self) -> None:
        """Follow-ups name offered formats and listed roles."""
        for i, follow in enumerate(self.rules.follow_ups):
            self.formats(("follow_ups", i, "formats"), follow.formats)
            self.role(("follow_ups", i, "by"), follow.by)
            self.roles(("follow_ups", i, "to"), follow.to)

    def reminders(self) -> None:
        """Reminders go to listed roles."""
        for i, reminder in enumerate(self.rules.reminders):
            self.roles(("reminders", i, "to"), reminder.to)

    def timescales(self) -> None:
        """Only a timescale for the conference itself may name the review it limits."""
        for i, scale in enumerate(self.rules.timescales):
            if scale.review is not None and scale.target is not TimescaleTarget.CONFERENCE:
                self.problem(
                    ("timescales", i, "review"),
                    "only a timescale for the conference itself can name which review it limits",
                )

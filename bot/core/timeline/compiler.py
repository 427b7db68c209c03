"""The compiler behind ``compile_timeline``: one method per section of the playbook.

The steps before the meeting (reports shared, preparation tasks) are built in
``bot.core.timeline.preparation``; the compiler checks the facts and puts it all in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.core.conference import MeetingFormat, Role
from bot.core.playbook.model import (
    AGENCY_ROLES,
    Channel,
    ConferenceRules,
    JoinMethod,
    Phase,
    PhaseKind,
    Playbook,
)
from bot.core.timeline.late import first_missed, late_warning
from bot.core.timeline.model import (
    ConferenceFacts,
    DeadlineCheck,
    Step,
    StepKind,
    Timeline,
    TimelineError,
)
from bot.core.timeline.preparation import (
    in_working_days,
    preparation_steps,
    report_sharing_steps,
)
from bot.core.timeline.process import mark_process, reminder_steps
from bot.core.timeline.text import (
    FOLLOW_UP_PROMPTS,
    PHASE_PROMPTS,
    capitalise,
    moment_words,
    role_words,
    roles_words,
)
from bot.core.timeline.timescales import check_timescales
from bot.core.workdays import WorkingCalendar

# Staff are always there to act, whoever else the facts list.
_STAFF: frozenset[Role] = frozenset({Role.CHAIR, Role.ADMIN, Role.MINUTE_TAKER})
_ONLINE: frozenset[MeetingFormat] = frozenset(
    {MeetingFormat.TEAMS, MeetingFormat.HYBRID, MeetingFormat.CONFERENCE_CALL}
)
_ROLE_ORDER = {role: index for index, role in enumerate(Role)}


class Compiler:
    """Compiles one conference; use ``compile_timeline`` rather than this class."""

    def __init__(self, playbook: Playbook, facts: ConferenceFacts) -> None:
        """Check the facts against the playbook before anything is dated."""
        self.playbook = playbook
        self.facts = facts
        try:
            self.rules: ConferenceRules = playbook.rules(facts.conference_type)
        except KeyError as err:
            raise TimelineError(str(err.args[0])) from None
        self.fmt = facts.meeting_format
        self.prefix = facts.conference_type.value.lower()
        self.calendar = WorkingCalendar(
            playbook.calendar.end_of_working_day, playbook.calendar.roll_back_off_working_days
        )
        self.steps: list[Step] = []
        self.warnings: list[str] = []
        self.deadlines: list[DeadlineCheck] = []
        self._check_facts()
        self.start = facts.start.astimezone(UTC)
        self.length = facts.length or self.rules.default_length.as_timedelta()
        self.end = self.start + self.length
        self.confidential_ends = self.start + (facts.confidential or timedelta(0))

    def _check_facts(self) -> None:
        facts, rules = self.facts, self.rules
        if facts.start.tzinfo is None:
            raise TimelineError("the start time needs a time zone, for example Europe/London")
        if self.fmt not in rules.formats.offered:
            offered = ", ".join(f.value for f in rules.formats.offered)
            raise TimelineError(
                f"this playbook does not hold a {facts.conference_type} as {self.fmt.value} "
                f"(it offers: {offered})"
            )
        if facts.length is not None and facts.length <= timedelta(0):
            raise TimelineError("the conference length must be more than zero")
        if facts.confidential is not None:
            has_section = any(
                p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in rules.phases(self.fmt)
            )
            if not has_section:
                raise TimelineError(
                    f"this playbook has no confidential section in a {self.fmt.value} "
                    f"{facts.conference_type}; confidential information is handled "
                    "before the meeting"
                )
            length = facts.length or rules.default_length.as_timedelta()
            if not timedelta(0) < facts.confidential < length:
                raise TimelineError(
                    "the confidential section must be longer than zero and shorter than the meeting"
                )

    def run(self) -> Timeline:
        """Build every step and return them in due order."""
        self._timescales()
        self._invites()
        self._report_sharing()
        self._preparation()
        self._run_sheet()
        self._follow_ups()
        self.steps.extend(
            reminder_steps(self.rules, self.prefix, self.start, self.calendar, self._audience)
        )
        self._check_not_past()
        marked = mark_process(self.steps, self.playbook.process, self.calendar)
        ordered = sorted(enumerate(marked), key=lambda pair: (pair[1].due, pair[0]))
        missed = first_missed(self.steps, self.facts.now) is not None
        late = missed or any(not d.met for d in self.deadlines)
        return Timeline(
            council=self.playbook.council,
            conference_type=self.facts.conference_type,
            meeting_format=self.fmt,
            start=self.start,
            end=self.end,
            confidential_ends=self.confidential_ends,
            held_back=self.rules.held_back(self.fmt),
            deadlines=tuple(self.deadlines),
            warnings=tuple(self.warnings),
            steps=tuple(step for _, step in ordered),
            late_reason=self.facts.late_reason if late else None,
            late_agreed_by=self.facts.late_agreed_by if late else None,
        )

    # -- who is there -------------------------------------------------------------------
    def _present(self) -> frozenset[Role]:
        listed = self.rules.roles(self.fmt) | {Role.ADMIN}
        if not self.facts.participants:
            return listed
        return frozenset(p.role for p in self.facts.participants) | (_STAFF & listed) | {Role.ADMIN}

    def _audience(self, roles: Iterable[Role]) -> tuple[Role, ...]:
        present = self._present()
        chosen: set[Role] = set()
        for role in roles:
            if role is Role.AGENCY:
                # "Agencies" means every agency taking part, each checked on its own.
                chosen |= present & AGENCY_ROLES
            elif role in present or (role in AGENCY_ROLES and Role.AGENCY in present):
                chosen.add(role)
        return tuple(sorted(chosen, key=_ROLE_ORDER.__getitem__))

    def _add(self, **values: object) -> None:
        self.steps.append(Step.model_validate(values))

    # -- sections -----------------------------------------------------------------------
    def _timescales(self) -> None:
        found = check_timescales(
            self.rules, self.facts, self.prefix, self.calendar, self._length(), self._audience
        )
        self.steps.extend(found.steps)
        self.deadlines.extend(found.deadlines)
        self.warnings.extend(found.warnings)
        for missed in found.missed:
            self._allow_late(missed, otherwise="choose an earlier date")

    def _length(self) -> timedelta:
        return self.facts.length or self.rules.default_length.as_timedelta()

    def _invites(self) -> None:
        invite_due = self.calendar.due_before(self.facts.start, self.rules.invitations.send_by)
        online = self.fmt in _ONLINE
        link: list[Role] = []
        formal: list[Role] = []
        for i, p in enumerate(self.rules.participants):
            if not p.applies_to(self.fmt) or not p.invited or not self._audience([p.role]):
                continue
            if p.held_back_until is None:
                (link if p.on_meeting_invite and online else formal).append(p.role)
            for letter_id in p.letters:
                letter = next(x for x in self.playbook.letters if x.id == letter_id)
                self._add(
                    id=f"{self.prefix}.letters.{p.role.value}.{letter_id}",
                    kind=StepKind.SEND_LETTER,
                    due=invite_due,
                    actor=letter.sent_by,
                    audience=self._audience([p.role]),
                    template=f"letter.{letter_id}",
                    text=letter.text,
                    rule=f"{self.prefix}.participants[{i}].letters",
                    channel=Channel.POST,
                    working_days=in_working_days(self.rules.invitations.send_by),
                )
        common = {
            "due": invite_due,
            "actor": self.rules.invitations.sent_by,
            "rule": f"{self.prefix}.invitations",
            "working_days": in_working_days(self.rules.invitations.send_by),
        }
        if link:
            audience = self._audience(link)
            self._add(
                id=f"{self.prefix}.invitations.online",
                kind=StepKind.SEND_INVITES,
                audience=audience,
                template="invite.online",
                carries_join_link=True,
                channel=Channel.EMAIL,
                text=f"Send the meeting invite, with the joining link, to {roles_words(audience)}.",
                **common,
            )
        if formal:
            audience = self._audience(formal)
            self._add(
                id=f"{self.prefix}.invitations.formal",
                kind=StepKind.SEND_FORMAL_INVITES,
                audience=audience,
                template="invite.formal",
                text=(
                    f"Tell {roles_words(audience)} when the chair will phone them."
                    if self.fmt is MeetingFormat.PHONE_SERIES
                    else f"Send a formal invitation, without a joining link, to "
                    f"{roles_words(audience)}."
                ),
                **common,
            )

    def _report_sharing(self) -> None:
        self.steps.extend(
            report_sharing_steps(
                self.playbook, self.rules, self.facts, self.prefix, self.calendar, self._audience
            )
        )

    def _preparation(self) -> None:
        self.steps.extend(
            preparation_steps(self.rules, self.facts, self.prefix, self.calendar, self._audience)
        )

    def _run_sheet(self) -> None:
        at = self.start
        released: set[int] = set()
        for phase in self.rules.phases(self.fmt):
            index = self.rules.run_sheet.index(phase)
            if phase.kind is PhaseKind.CONFIDENTIAL_SECTION and self.facts.confidential is None:
                continue
            released |= self._release(phase.id, at)
            # The closing call to the parents comes once the meeting itself is over.
            due = self.end if phase.kind is PhaseKind.FEEDBACK_CALL else at
            self._add(
                id=f"{self.prefix}.run_sheet.{phase.id}",
                kind=StepKind.PHASE,
                due=due,
                actor=Role.CHAIR,
                audience=self._phase_audience(phase),
                template=f"phase.{phase.kind.value}",
                text=phase.prompt or PHASE_PROMPTS[phase.kind],
                rule=f"{self.prefix}.run_sheet[{index}]",
                phase=phase.id,
            )
            if phase.kind is PhaseKind.CONFIDENTIAL_SECTION:
                at = self.confidential_ends
        # A hold on a phase this format skips ends with the confidential section.
        self._release(None, self.confidential_ends, skip=frozenset(released))

    def _release(
        self, phase_id: str | None, due: datetime, skip: frozenset[int] = frozenset()
    ) -> set[int]:
        done: set[int] = set()
        for i, p in enumerate(self.rules.participants):
            if (
                i in skip
                or p.held_back_until is None
                or (phase_id is not None and p.held_back_until != phase_id)
                or not p.applies_to(self.fmt)
                or not self._audience([p.role])
            ):
                continue
            done.add(i)
            how = (
                "call them on their agreed number and bring them in"
                if p.joins_by is JoinMethod.CALLED_IN
                else "add them to the meeting invite"
            )
            self._add(
                id=f"{self.prefix}.release.{p.role.value}",
                kind=StepKind.RELEASE_HELD_BACK,
                due=max(due, self.confidential_ends),
                actor=Role.CHAIR,
                audience=(p.role,),
                template="release.held_back",
                text=capitalise(f"{role_words(p.role)} may now join: {how}."),
                rule=f"{self.prefix}.participants[{i}].held_back_until",
                phase=p.held_back_until,
                carries_join_link=p.on_meeting_invite or self.fmt in _ONLINE,
            )
        return done

    def _phase_audience(self, phase: Phase) -> tuple[Role, ...]:
        if phase.kind is PhaseKind.CONFIDENTIAL_SECTION:
            return self._audience(phase.present)
        if phase.call:
            return self._audience(phase.call)
        return self._audience(phase.present) if phase.present else self._audience([Role.CHAIR])

    def _follow_ups(self) -> None:
        for i, follow in enumerate(self.rules.follow_ups):
            if not follow.applies_to(self.fmt):
                continue
            self._add(
                id=f"{self.prefix}.follow_ups.{follow.id}",
                kind=StepKind.FOLLOW_UP,
                due=self.calendar.due_after(self.end, follow.within),
                actor=follow.by,
                audience=self._audience(follow.to),
                template=f"follow_up.{follow.kind.value}",
                text=follow.note or FOLLOW_UP_PROMPTS[follow.kind],
                rule=f"{self.prefix}.follow_ups[{i}]",
                channel=follow.channel,
                working_days=in_working_days(follow.within),
            )

    def _check_not_past(self) -> None:
        # An agreed late booking chases the late steps at once instead of refusing.
        step = first_missed(self.steps, self.facts.now)
        if step is not None:
            self._allow_late(
                f'The deadline for "{step.text.rstrip(".")}" ({moment_words(step.due)}) '
                "has already passed",
                otherwise="move the conference",
            )

    def _allow_late(self, missed: str, otherwise: str) -> None:
        warning = late_warning(self.playbook.late_booking, self.facts, missed, otherwise)
        if warning not in self.warnings:
            self.warnings.append(warning)

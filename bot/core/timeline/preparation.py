"""The steps before the meeting: sharing the reports, and the preparation tasks.

Split out of the compiler, which calls these once the conference's facts are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.conference import Role
from bot.core.durations import Duration, DurationUnit
from bot.core.playbook.distribution import distribution_allowed, item_for
from bot.core.playbook.model import (
    AGENCY_ROLES,
    Channel,
    ConferenceRules,
    Playbook,
    ShareRule,
)
from bot.core.timeline.model import (
    ConferenceFacts,
    ContactChannel,
    Step,
    StepKind,
    Withheld,
)
from bot.core.timeline.text import TASK_PROMPTS, capitalise, role_words, roles_words
from bot.core.workdays import WorkingCalendar

Audience = Callable[[Iterable[Role]], tuple[Role, ...]]


def report_sharing_steps(
    playbook: Playbook,
    rules: ConferenceRules,
    facts: ConferenceFacts,
    prefix: str,
    calendar: WorkingCalendar,
    audience: Audience,
) -> list[Step]:
    """Each sharing of reports the playbook asks for: by its channel, by phone, or withheld."""
    steps: list[Step] = []
    for i, share in enumerate(rules.report_sharing):
        if not share.applies_to(facts.meeting_format):
            continue
        base = {
            "due": calendar.due_before(facts.start, share.before),
            "actor": share.by,
            "rule": f"{prefix}.report_sharing[{i}]",
            "documents": share.documents,
            "working_days": in_working_days(share.before),
        }
        titles = ", ".join(playbook.document(d).title.lower() for d in share.documents)
        allowed, by_phone, withheld = _recipients(playbook, share, facts, audience(share.to))
        steps += _share_steps(
            share, f"{prefix}.report_sharing.{share.id}", titles, base, allowed, by_phone, withheld
        )
    return steps


def _recipients(
    playbook: Playbook, share: ShareRule, facts: ConferenceFacts, roles: Iterable[Role]
) -> tuple[list[Role], list[Role], list[Withheld]]:
    """Who gets the reports by the share's channel, who by phone, and who may not have them."""
    allowed: list[Role] = []
    by_phone: list[Role] = []
    withheld: list[Withheld] = []
    for role in roles:
        if role is share.by and role not in AGENCY_ROLES:
            continue
        channel = share.channel
        if channel is Channel.EMAIL and not _has_email(facts, role):
            # Seed 002: with no safe email address, reports are read to the family.
            channel = Channel.PHONE
        verdicts = [
            distribution_allowed(item_for(playbook, d), role, channel, playbook.distribution)
            for d in share.documents
        ]
        refused = next((v for v in verdicts if not v.allowed), None)
        if refused is not None:
            withheld.append(Withheld(role=role, reason=refused.reason))
        else:
            (allowed if channel is share.channel else by_phone).append(role)
    return allowed, by_phone, withheld


def _share_steps(
    share: ShareRule,
    step_id: str,
    titles: str,
    base: dict[str, object],
    allowed: list[Role],
    by_phone: list[Role],
    withheld: list[Withheld],
) -> list[Step]:
    """The sharing itself, the reading by phone, and the talk through, as the share asks."""
    steps: list[Step] = []
    if allowed:
        steps.append(_sent(share, step_id, titles, base, allowed, withheld))
    if by_phone:
        steps.append(_read_out(share, f"{step_id}.by_phone", titles, base, by_phone))
    talk_to = tuple(allowed) + tuple(by_phone)
    if share.phone_discussion and talk_to:
        steps.append(_talked_through(share, f"{step_id}.discussion", titles, base, talk_to))
    return steps


def _sent(
    share: ShareRule,
    step_id: str,
    titles: str,
    base: dict[str, object],
    allowed: list[Role],
    withheld: list[Withheld],
) -> Step:
    by = share.by
    text = (
        f"{role_words(by)} {_verb(by, 'share')} the {titles} with {roles_words(allowed)}, "
        f"at least {share.before} before the start."
    )
    return _step(
        id=step_id,
        kind=StepKind.SHARE_DOCUMENTS,
        audience=tuple(allowed),
        channel=share.channel,
        template="share.documents",
        withheld=tuple(withheld),
        text=capitalise(text),
        **base,
    )


def _read_out(
    share: ShareRule, step_id: str, titles: str, base: dict[str, object], by_phone: list[Role]
) -> Step:
    by = share.by
    text = (
        f"{roles_words(by_phone)} have no safe email address: "
        f"{role_words(by)} {_verb(by, 'go')} through the {titles} with them by phone."
    )
    return _step(
        id=step_id,
        kind=StepKind.SHARE_VERBALLY,
        audience=tuple(by_phone),
        channel=Channel.PHONE,
        template="share.verbally",
        text=capitalise(text),
        **base,
    )


def _talked_through(
    share: ShareRule,
    step_id: str,
    titles: str,
    base: dict[str, object],
    talk_to: tuple[Role, ...],
) -> Step:
    by = share.by
    text = (
        f"{role_words(by)} {_verb(by, 'talk')} the {titles} through with "
        f"{roles_words(talk_to)} by phone, and {_verb(by, 'ask')} for their views."
    )
    return _step(
        id=step_id,
        kind=StepKind.PHONE_DISCUSSION,
        audience=talk_to,
        channel=Channel.PHONE,
        template="share.phone_discussion",
        text=capitalise(text),
        **{**base, "documents": ()},
    )


def preparation_steps(
    rules: ConferenceRules,
    facts: ConferenceFacts,
    prefix: str,
    calendar: WorkingCalendar,
    audience: Audience,
) -> list[Step]:
    """One step per preparation task the playbook sets for this format."""
    steps: list[Step] = []
    for i, task in enumerate(rules.preparation):
        if not task.applies_to(facts.meeting_format):
            continue
        steps.append(
            _step(
                id=f"{prefix}.preparation.{task.id}",
                kind=StepKind.PREPARATION,
                due=calendar.due_before(facts.start, task.before),
                actor=task.by,
                audience=audience(task.to),
                template=f"task.{task.kind.value}",
                text=task.prompt or TASK_PROMPTS[task.kind],
                rule=f"{prefix}.preparation[{i}]",
                working_days=in_working_days(task.before),
            )
        )
    return steps


def in_working_days(duration: Duration) -> bool:
    """True when the playbook counts ``duration`` in working days."""
    return duration.unit is DurationUnit.WORKING_DAYS


def _step(**values: object) -> Step:
    return Step.model_validate(values)


def _has_email(facts: ConferenceFacts, role: Role) -> bool:
    found = [p for p in facts.participants if p.role is role]
    return not found or any(ContactChannel.EMAIL in p.channels for p in found)


def _verb(role: Role, verb: str) -> str:
    plural = role in (Role.AGENCY, Role.PARENT)
    if plural:
        return verb
    return verb + ("es" if verb.endswith("o") else "s")

"""The Runtime: what every use case is handed (store, ports, playbooks, people, clock).

Not a service locator: it holds the ports and records, never the use cases. Each use case
is a function (or a small class) that takes a Runtime and does one job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.core.actions import ActionOption, Actor, PlaybookFacts, allowed_actions, refusal
from bot.core.conference import AGENCY_ROLES_FOR_RULES, Conference, Role
from bot.core.errors import ActionRefused
from bot.core.mailbox import RequestMailbox
from bot.core.playbook.model import ConferenceRules, Playbook
from bot.core.timeline import compile_timeline
from bot.core.timeline.facts import conference_facts
from bot.core.timeline.model import ConferenceFacts, Timeline
from bot.runtime.outbox import Outbox
from bot.runtime.playbooks import PlaybookRegistry
from bot.runtime.ports import GraphPort
from bot.runtime.scheduler import JobScheduler
from bot.store.repository import Repository

SYSTEM = "confbot"


@dataclass(frozen=True, slots=True)
class People:
    """The council's staff confbot may allocate or invite."""

    chairs: tuple[str, ...] = ()
    minute_takers: tuple[str, ...] = ()
    # Who is emailed when a social worker asks for a threshold discussion; None: nobody.
    duty_chair: str | None = None


@dataclass(frozen=True)
class Runtime:
    """The store, the ports, the playbooks and the clock, handed to each use case."""

    store: Repository
    graph: GraphPort
    scheduler: JobScheduler
    playbooks: PlaybookRegistry
    outbox: Outbox
    mailboxes: tuple[RequestMailbox, ...]
    people: People
    clock: Callable[[], datetime]

    @property
    def default_mailbox(self) -> str:
        """The first request mailbox: the sender of mail that belongs to no one mailbox."""
        return self.mailboxes[0].address

    def mailbox_of(self, conference: Conference) -> str:
        """The mailbox a conference came in by, and sends from."""
        return conference.mailbox or self.default_mailbox

    def playbook(self, conference: Conference) -> Playbook:
        """The playbook version the conference was booked with."""
        return self.playbooks.for_conference(conference)

    def rules(self, conference: Conference) -> ConferenceRules:
        """The conference's playbook rules for its type."""
        try:
            return self.playbook(conference).rules(conference.conference_type)
        except KeyError as err:
            raise ActionRefused(str(err.args[0])) from err

    def facts(self, conference: Conference, *, check_now: bool = False) -> ConferenceFacts:
        """What the compiler needs to know about a conference."""
        facts = conference_facts(conference, self.clock() if check_now else None)
        if facts is None:
            raise ActionRefused("the format and start time have not been set")
        return facts

    def timeline(self, conference: Conference) -> Timeline:
        """The compiled plan of a conference whose format and start are set."""
        return compile_timeline(self.playbook(conference), self.facts(conference))

    def options(
        self, conference: Conference, actor: Actor | None = None
    ) -> tuple[ActionOption, ...]:
        """Which actions apply to the conference now, and why the others do not."""
        try:
            facts = PlaybookFacts.of(self.playbook(conference), conference)
        except ActionRefused as err:
            facts = PlaybookFacts(False, missing_rules=str(err))
        return allowed_actions(
            conference, facts, self.store.timeline(conference.id), self.clock(), actor=actor
        )

    def require(self, conference: Conference, name: str, actor: Actor | None = None) -> None:
        """Refuse ``name`` with the same words the pages show, where it does not apply now."""
        reason = refusal(self.options(conference, actor), name)
        if reason is not None:
            raise ActionRefused(reason[:1].upper() + reason[1:])

    def record(self, conference_id: int, by: str, kind: str, **detail: object) -> None:
        """Append a line to the conference's timeline (``step_id`` may be given in ``detail``)."""
        step_id = detail.pop("step_id", None)
        self.store.append_timeline(
            conference_id,
            actor=by,
            kind=kind,
            step_id=str(step_id) if step_id is not None else None,
            detail=dict(detail),
        )


def rule_role(role: Role) -> Role:
    """The playbook role a participant falls under: police, health, GP and school are agencies."""
    return Role.AGENCY if role in AGENCY_ROLES_FOR_RULES else role

"""After the conference: the minutes, their approval and distribution, and the follow-ups.

``conference_concluded`` drafts the minutes from the store, uploads them as Word into the
minutes library and asks the chair and minute taker to approve them. It schedules each
follow-up of the compiled timeline as a durable job; ``register`` lets the deadline runner
run them, after the conference has ended, once each. Every handler checks the timeline
before a side effect, and every email passes the one distribution guard.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from bot.core.actions import APPROVE_MINUTES, CONCLUDE, Actor
from bot.core.conference import Conference, ConferenceState, Participant, Role
from bot.core.errors import ActionRefused, InvalidInput
from bot.core.mailbox import Attachment, OutgoingMail
from bot.core.minutes.assembly import Minutes, MinutesError, assemble_minutes
from bot.core.playbook.distribution import DistributionItem
from bot.core.playbook.model import FollowUp
from bot.core.playbook.terms import FollowUpKind
from bot.core.timeline.model import Timeline
from bot.runtime.aftercare import mail as aftercare_mail
from bot.runtime.aftercare.answers import recorded_answers, restored_sheet
from bot.runtime.aftercare.attendance import ATTENDANCE, MeetingAttendance
from bot.runtime.aftercare.children import chair_participation_words
from bot.runtime.aftercare.decisions import ChildDecisionRecords
from bot.runtime.aftercare.followups import FEEDBACK, FOLLOW_UP, SENT, FollowUps, in_audience
from bot.runtime.aftercare.records import (
    DECISIONS_RECORDED,
    checked_decisions,
    minutes_input,
    party_index,
)
from bot.runtime.aftercare.word import minutes_docx
from bot.runtime.context import SYSTEM, Runtime
from bot.runtime.guard import DistributionRefused
from bot.runtime.jobs import JobDispatcher
from bot.runtime.runsheets import state_key
from bot.runtime.scheduler import Job

logger = logging.getLogger(__name__)

MINUTES = "aftercare.minutes"  # job action: send the approved minutes
MINUTES_STEP = "aftercare.minutes"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ADMIN_ROLES = frozenset({"admin", "mts"})


@dataclass(frozen=True, slots=True)
class AftercareConfig:
    """Where the minutes go: the library owner's drive and the folder in it."""

    # In the sandbox the request mailbox's own drive; a setting for the council's minutes
    # library (a SharePoint site's drive) is still to come.
    minutes_owner: str
    minutes_folder: str = "Conference minutes"
    # Read the Teams meeting's attendance report (Graph's OnlineMeetingArtifact.Read.All).
    attendance_reports: bool = True


class Aftercare:
    """The admin team's work after a conference, from draft minutes to the review request."""

    def __init__(
        self,
        runtime: Runtime,
        dispatcher: JobDispatcher,
        config: AftercareConfig | None = None,
    ) -> None:
        self.rt = runtime
        self.runner = dispatcher
        self.repo = runtime.store
        self.config = config or AftercareConfig(runtime.default_mailbox)
        self.follow_ups = FollowUps(runtime)
        self.decisions = ChildDecisionRecords(runtime)
        self.attendance = MeetingAttendance(
            runtime, self.refresh_draft, enabled=self.config.attendance_reports
        )

    def register(self) -> None:
        """Let the deadline runner run the follow-up jobs, after the conference has ended."""
        self.runner.register(FOLLOW_UP, self.follow_ups.follow_up, after_conclusion=True)
        self.runner.register(FEEDBACK, self.follow_ups.feedback_prompt, after_conclusion=True)
        self.runner.register(MINUTES, self.distribute_minutes, after_conclusion=True)
        self.runner.register(ATTENDANCE, self.attendance.read_report, after_conclusion=True)
        self.runner.plan_after_conclusion(
            self.scheduled_jobs, marked_by=("followups_scheduled", "minutes_queued")
        )

    def scheduled_jobs(self, conference: Conference) -> list[Job]:
        """The aftercare jobs scheduled so far (a new leader runs those it finds lost)."""
        if not self.repo.has_step(conference.id, MINUTES_STEP, "followups_scheduled"):
            return []  # concluding schedules them: an unfinished conclusion is the user's retry
        jobs = self.follow_ups.jobs(conference) + self.attendance.jobs(conference)
        if self.repo.has_step(conference.id, MINUTES_STEP, "minutes_queued"):
            jobs.append(Job(self.rt.clock(), conference.id, MINUTES_STEP, MINUTES))
        return jobs

    def peer_check(self, conference: Conference) -> bool:
        """Whether the conference's playbook asks a second admin to check each distribution list.

        Seed 002 speaks of "test emails peer checking": the playbook's distribution policy
        says whether a council does this.
        """
        return self.rt.playbook(conference).distribution.peer_check

    # -- helpers ----------------------------------------------------------------------------

    def _record(self, conference_id: int, kind: str, step_id: str | None, **detail: object) -> None:
        by = str(detail.pop("by", SYSTEM))
        self.repo.append_timeline(
            conference_id, actor=by, kind=kind, step_id=step_id, detail=dict(detail)
        )

    def _last(self, conference_id: int, kind: str) -> dict[str, object] | None:
        found = [e for e in self.repo.timeline(conference_id) if e.kind == kind]
        return dict(found[-1].detail) if found else None

    def plan(self, conference: Conference) -> Timeline:
        """The compiled timeline of a conference that has been held."""
        return self.rt.timeline(conference)

    def minutes(self, conference: Conference) -> Minutes:
        """The minutes as the records stand now."""
        assert conference.meeting_format is not None
        journal = self.repo.get_state(state_key(conference.id))
        rules = self.rt.rules(conference)
        chair_words = chair_participation_words(rules, conference.meeting_format, journal)
        sheet = restored_sheet(self.rt.playbook(conference), conference, journal)
        minute_rule = rules.participant(Role.MINUTE_TAKER, conference.meeting_format)
        invited = minute_rule is None or minute_rule.invited
        data = minutes_input(
            conference,
            self.repo.timeline(conference.id),
            self.plan(conference),
            participation=chair_words,
            answers=recorded_answers(sheet, party_index(conference)),
            minute_takers=self.rt.people.minute_takers if invited else (),
        )
        try:
            return assemble_minutes(self.rt.playbook(conference), data)
        except MinutesError as err:
            raise ActionRefused(f"the minutes cannot be drafted: {err}") from err

    def _file_name(self, conference: Conference) -> tuple[str, str]:
        folder = f"{self.config.minutes_folder}/{conference.reference}"
        return folder, f"{conference.reference} minutes.docx"

    # -- conclusion -------------------------------------------------------------------------

    async def conference_concluded(
        self,
        conference_id: int,
        *,
        by: str = SYSTEM,
        decisions: dict[str, object] | None = None,
    ) -> str:
        """The conference is over: draft, upload and send the minutes for approval.

        Returns the minutes' web URL. Repeating the call repeats nothing already done.
        """
        conference = self.repo.get_conference(conference_id)
        self.rt.require(conference, CONCLUDE)
        decisions = dict(decisions or {})
        per_child = decisions.pop("children", None)
        if per_child is not None:
            self._record_children(conference_id, per_child, by)
        if decisions:
            try:
                checked = checked_decisions(decisions)
            except ValueError as err:
                raise InvalidInput(f"decisions: {err}") from err
            # The same decisions again change nothing, so a retried call is harmless.
            if checked != self._last(conference_id, DECISIONS_RECORDED):
                if self.repo.has_step(conference_id, MINUTES_STEP, "minutes_approved"):
                    raise ActionRefused("the minutes are approved; their decisions cannot change")
                self._record(conference_id, DECISIONS_RECORDED, None, by=by, **checked)
        if conference.state is not ConferenceState.CONCLUDED:
            # The run-sheet service concludes a conference when its meeting ends; an admin
            # may conclude one held by phone. Either way no reminder or pack goes after it.
            self.rt.scheduler.remove_conference(conference_id)
            conference = self.repo.update_conference(conference_id, state=ConferenceState.CONCLUDED)
        if not self.repo.has_step(conference_id, MINUTES_STEP, "concluded"):
            self._record(conference_id, "concluded", MINUTES_STEP, by=by)
        url = await self._upload(conference)
        await self._ask_approval(conference, url)
        self._schedule(conference)
        return url

    def _record_children(self, conference_id: int, per_child: object, by: str) -> None:
        # {"children": {"<child id>": {plan, category, ...}}}: each checked as the console's form.
        if not isinstance(per_child, dict):
            raise InvalidInput("decisions.children must map each child's id to its decision")
        for key, raw in per_child.items():
            if not isinstance(raw, dict):
                raise InvalidInput(f"decisions.children.{key} must be an object")
            try:
                child_id = int(key)
            except ValueError:
                raise InvalidInput(f"decisions.children: {key!r} is not a child's id") from None
            self.decisions.record(conference_id, child_id, raw, by=by)

    async def refresh_draft(self, conference: Conference) -> None:
        """Draft the minutes again when the records changed after conclusion, until approved."""
        if self.repo.has_step(conference.id, MINUTES_STEP, "minutes_uploaded"):
            await self._upload(conference)

    async def _upload(self, conference: Conference) -> str:
        done = self._last(conference.id, "minutes_uploaded")
        minutes = self.minutes(conference)
        if done is not None and (
            done.get("sha256") == _fingerprint(minutes)
            or self.repo.has_step(conference.id, MINUTES_STEP, "minutes_approved")
        ):
            return str(done["url"])
        # A first draft, or the records changed before approval: the draft is replaced.
        content = minutes_docx(minutes)
        folder, name = self._file_name(conference)
        url = await self.rt.graph.upload_file(self.config.minutes_owner, folder, name, content)
        self._record(
            conference.id,
            "minutes_uploaded",
            MINUTES_STEP,
            url=url,
            folder=folder,
            sha256=_fingerprint(minutes),
        )
        logger.info("minutes uploaded", extra={"conference_id": conference.id})
        return url

    async def _ask_approval(self, conference: Conference, url: str) -> None:
        step = f"{MINUTES_STEP}.approval"
        if self.repo.has_step(conference.id, step, "minutes_approval_requested"):
            return
        roles: dict[str, Role] = {a: Role.MINUTE_TAKER for a in self.rt.people.minute_takers}
        if conference.chair:
            roles[conference.chair] = Role.CHAIR
        if not roles:
            return
        subject, body = aftercare_mail.approval_request(conference, url)
        mail = OutgoingMail(to=tuple(roles), subject=subject, html_body=body, purpose=step)
        await self.rt.outbox.send(
            conference,
            mail,
            roles,
            may_carry_link=False,
            items=[],
            after=lambda: self._record(
                conference.id, "minutes_approval_requested", step, recipients=len(roles)
            ),
        )

    def _schedule(self, conference: Conference) -> None:
        # Adds only jobs not yet settled: concluding again re-queues a lost or failed one.
        jobs = self.follow_ups.jobs(conference)
        for job in jobs + self.attendance.jobs(conference):
            self.rt.scheduler.add(job)
        if not self.repo.has_step(conference.id, MINUTES_STEP, "followups_scheduled"):
            self._record(conference.id, "followups_scheduled", MINUTES_STEP, jobs=len(jobs))

    # -- approval and distribution ----------------------------------------------------------

    async def approve_minutes(
        self, conference_id: int, *, user: str, role: str
    ) -> dict[str, object]:
        """The chair or an admin approves the minutes; distribution follows the playbook."""
        conference = self.repo.get_conference(conference_id)
        self.rt.require(conference, APPROVE_MINUTES, Actor(user, role))
        if not self.repo.has_step(conference_id, MINUTES_STEP, "minutes_approved"):
            self._record(conference_id, "minutes_approved", MINUTES_STEP, by=user, role=role)
        recipients = len(self.distribution_list(conference))
        if self.peer_check(conference) and not self._peer_checked(conference_id):
            if not self.repo.has_step(conference_id, MINUTES_STEP, "distribution_held"):
                self._record(
                    conference_id, "distribution_held", MINUTES_STEP, recipients=recipients
                )
            return {"state": "held for a second admin", "recipients": recipients}
        self._queue_minutes(conference)
        return {"state": "queued", "recipients": recipients}

    def _approvers(self, conference_id: int) -> list[str]:
        out: list[str] = []
        for e in self.repo.timeline(conference_id):
            admin = e.kind == "minutes_approved" and e.detail.get("role") in ADMIN_ROLES
            if admin or e.kind == "distribution_approved":
                out.append(e.actor)
        return out

    def _peer_checked(self, conference_id: int) -> bool:
        return len(set(self._approvers(conference_id))) >= 2

    async def approve_distribution(
        self, conference_id: int, *, user: str, role: str
    ) -> dict[str, object]:
        """A second admin, not the first, checks and approves the distribution list."""
        conference = self.repo.get_conference(conference_id)
        if role not in ADMIN_ROLES:
            raise ActionRefused("only an admin may approve a distribution list")
        if not self.repo.has_step(conference_id, MINUTES_STEP, "minutes_approved"):
            raise ActionRefused("approve the minutes before their distribution list")
        if user in self._approvers(conference_id):
            raise ActionRefused("a different admin must check the distribution list")
        self._record(conference_id, "distribution_approved", MINUTES_STEP, by=user)
        if self.peer_check(conference) and not self._peer_checked(conference_id):
            return {"state": "held for a second admin"}
        self._queue_minutes(conference)
        return {"state": "queued"}

    def distribution_status(self, conference_id: int) -> dict[str, object]:
        """The minutes' distribution list and where it stands, for the checking admin."""
        conference = self.repo.get_conference(conference_id)
        kinds = {e.kind for e in self.repo.timeline(conference_id) if e.step_id == MINUTES_STEP}
        state = "draft"
        for kind, name in (
            ("minutes_uploaded", "awaiting approval"),
            ("distribution_held", "held for a second admin"),
            ("minutes_queued", "queued"),
        ):
            if kind in kinds:
                state = name
        sent = self.repo.step_ids(conference_id, [SENT])
        recipients = [
            {
                "address": address,
                "role": role.value,
                "sent": f"{MINUTES_STEP}:{_recipient_id(conference, address)}" in sent,
            }
            for address, role in self.distribution_list(conference).items()
        ]
        return {"state": state, "peer_check": self.peer_check(conference), "recipients": recipients}

    def _queue_minutes(self, conference: Conference) -> None:
        if self.repo.has_step(conference.id, MINUTES_STEP, "minutes_queued"):
            return
        now = self.rt.clock()
        self.rt.scheduler.add(Job(now, conference.id, MINUTES_STEP, MINUTES))
        self._record(conference.id, "minutes_queued", MINUTES_STEP)

    def _minutes_rule(self, conference: Conference) -> FollowUp | None:
        rules = self.rt.rules(conference)
        assert conference.meeting_format is not None
        return next(
            (
                f
                for f in rules.follow_ups
                if f.kind is FollowUpKind.MINUTES and f.applies_to(conference.meeting_format)
            ),
            None,
        )

    def distribution_list(self, conference: Conference) -> dict[str, Role]:
        """Who the approved minutes go to, by address, under the playbook's minutes rule."""
        rule = self._minutes_rule(conference)
        if rule is None:
            return {}
        return self._addresses(conference, rule.to)

    def _addresses(self, conference: Conference, audience: tuple[Role, ...]) -> dict[str, Role]:
        out: dict[str, Role] = {}
        if Role.CHAIR in audience and conference.chair:
            out[conference.chair] = Role.CHAIR
        if Role.MINUTE_TAKER in audience:
            out.update({a: Role.MINUTE_TAKER for a in self.rt.people.minute_takers})
        for person in self._people(conference, audience):
            assert person.email is not None
            out[person.email] = person.role
        return out

    @staticmethod
    def _people(conference: Conference, audience: tuple[Role, ...]) -> list[Participant]:
        return [p for p in conference.participants if p.email and in_audience(p.role, audience)]

    async def distribute_minutes(self, conference: Conference, job: Job) -> None:
        """Send the approved minutes, as approved, to the playbook's list."""
        uploaded = self._last(conference.id, "minutes_uploaded")
        if uploaded is None or not self.repo.has_step(
            conference.id, MINUTES_STEP, "minutes_approved"
        ):
            raise ActionRefused("the minutes have not been approved")
        minutes = self.minutes(conference)
        if _fingerprint(minutes) != uploaded.get("sha256"):
            # The records changed after approval: what would go is not what was approved.
            raise DistributionRefused("the minutes changed after they were approved")
        content = minutes_docx(minutes)
        roles = self.distribution_list(conference)
        sent = self.repo.step_ids(conference.id, [SENT])
        _, name = self._file_name(conference)
        subject, body = aftercare_mail.minutes_email(conference)
        async with self.rt.outbox.collecting():
            for address, role in roles.items():
                key = f"{MINUTES_STEP}:{_recipient_id(conference, address)}"
                if key in sent:
                    continue
                mail = OutgoingMail(
                    to=(address,),
                    subject=subject,
                    html_body=body,
                    attachments=(Attachment(name, DOCX, content),),
                    purpose=key,
                )
                await self.rt.outbox.send(
                    conference,
                    mail,
                    {address: role},
                    may_carry_link=False,
                    items=[DistributionItem("minutes", restricted=False)],
                    after=self.follow_ups.sent_recorder(conference.id, key, role),
                )


def _fingerprint(minutes: Minutes) -> str:
    # Of the text, not the .docx bytes: Word files carry the time they were made.
    return hashlib.sha256("\n".join(minutes.texts()).encode()).hexdigest()


def _recipient_id(conference: Conference, address: str) -> str:
    person = next((p for p in conference.participants if p.email == address), None)
    if person is not None:
        return str(person.id)
    # The chair or a minute taker: not a participant; a stable id without the address.
    return hashlib.sha256(address.lower().encode()).hexdigest()[:12]

"""Values of the in-meeting run sheet: parties, facts, prompts, answers, events and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.conference import ConferenceType, MeetingFormat, Role

DEFAULT_RETRY = timedelta(minutes=5)


class RunSheetError(ValueError):
    """An answer or command the run sheet cannot take."""


class UnknownPrompt(RunSheetError):
    """No prompt has this id."""

    def __init__(self, prompt_id: str) -> None:
        super().__init__(f"no prompt {prompt_id!r} in this run sheet")
        self.prompt_id = prompt_id


class AnswerNotAllowed(RunSheetError):
    """The prompt does not offer this answer."""

    def __init__(self, prompt_id: str, answer: str, allowed: tuple[str, ...]) -> None:
        super().__init__(
            f"prompt {prompt_id!r} takes {', '.join(allowed) or 'no answer'}, not {answer!r}"
        )
        self.prompt_id = prompt_id
        self.answer = answer


class RationaleMissing(RunSheetError):
    """A view given without the reasons the playbook requires for the minutes."""

    def __init__(self, prompt_id: str) -> None:
        super().__init__(
            "Type their reasons before choosing their view: the minutes must show why "
            "each agency holds its view."
        )
        self.prompt_id = prompt_id


class SummaryMissing(RationaleMissing):
    """An agency's summary marked as given, with nothing typed for the minutes."""

    def __init__(self, prompt_id: str) -> None:
        RunSheetError.__init__(
            self,
            'Type what they said before choosing "Summary given": the minutes record each '
            "agency's summary. If they sent a report and did not attend, choose that instead.",
        )
        self.prompt_id = prompt_id


class StepNotCurrent(RunSheetError):
    """An answer for a step the meeting has moved past, or that was never the chair's."""

    def __init__(self, prompt_id: str, step: str) -> None:
        super().__init__(
            f'The step "{step}" is no longer current, so this answer was not recorded.'
        )
        self.prompt_id = prompt_id
        self.step = step


class PromptKind(StrEnum):
    """What a prompt asks the chair to do."""

    CONSENT = "consent"  # ask one party if they agree to recording
    STOP_RECORDING = "stop_recording"  # someone objected: do not record, or stop now
    CONFIDENTIAL_SECTION = "confidential_section"
    CALLBACK = "callback"  # call a held-back parent in on their agreed number
    PHASE = "phase"  # a step of the run sheet: family views, agency summaries, decisions
    AGENCY_VIEW = "agency_view"  # the decision round: one agency's view and its reasons
    AGENCY_SUMMARY = "agency_summary"  # one agency's summary, or that it sent a report only
    FEEDBACK_CALL = "feedback_call"  # call the parent after the meeting
    PHONE_CALL = "phone_call"  # a series of calls: the chair phones one person


class Answer(StrEnum):
    """Every answer a prompt can offer the chair."""

    CONSENTED = "consented"
    OBJECTED = "objected"
    RECORDING_OFF = "recording_off"
    END_NOW = "end_now"
    PARENT_JOINED = "parent_joined"
    NO_ANSWER = "no_answer"
    DECLINED = "declined"
    OTHER_NUMBER = "other_number"
    PLAN = "plan"
    NO_PLAN = "no_plan"
    DONE = "done"
    REPORT_ONLY = "report_only"  # an agency sent its report and did not attend
    # How the family or young person took part, at the family's views step (seed 003).
    THROUGH_ADVOCATE = "through_advocate"
    THROUGH_SOCIAL_WORKER = "through_social_worker"
    WRITTEN = "written"
    DID_NOT_WANT_TO = "did_not_want_to"
    # Not a button: the chair typed "next", or the meeting moved on without an answer.
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """A button: the answer it gives and its label."""

    answer: Answer
    label: str


@dataclass(frozen=True, slots=True)
class Party:
    """Someone in the conference. ``label`` is how the chair knows them; never logged."""

    id: str  # stable and free of personal data, e.g. "parent-1" or "police"
    role: Role
    label: str
    numbers: tuple[str, ...] = ()  # agreed phone numbers, first choice first


@dataclass(frozen=True, slots=True)
class RunSheetFacts:
    """What the run sheet needs to know about one conference."""

    conference_type: ConferenceType
    meeting_format: MeetingFormat
    start: datetime  # the planned start; aware
    parties: tuple[Party, ...]
    confidential: timedelta | None = None  # no confidential section when None
    callback_retry: timedelta = DEFAULT_RETRY


@dataclass(frozen=True, slots=True)
class Prompt:
    """One thing the chair is asked to do, with the answers on offer and when it is due."""

    id: str  # stable and deterministic: the same inputs always give the same ids
    kind: PromptKind
    text: str
    answers: tuple[AnswerOption, ...]
    due: datetime
    phase_id: str | None = None
    party_id: str | None = None
    phone: str | None = None  # the parent's number to call, where relevant
    rationale_required: bool = False
    answered: Answer | None = None
    answered_at: datetime | None = None
    note: str | None = None
    takes_note: bool = False  # the chair types what was said: a summary, views, reasons
    answered_by: str | None = None  # who answered: the chair's or an admin's account

    @property
    def corrects(self) -> bool:
        """True when the chair may change the answer later: a note-taking step they answered."""
        return self.takes_note and self.answered not in (None, Answer.SKIPPED)

    @property
    def is_open(self) -> bool:
        """True until the chair answers, or the run sheet moves past it."""
        return self.answered is None

    def allows(self, answer: Answer) -> bool:
        """True when ``answer`` is one of this prompt's buttons."""
        return any(option.answer is answer for option in self.answers)

    def needs_note(self, answer: Answer) -> bool:
        """True when ``answer`` is refused without words typed for the minutes."""
        if self.kind is PromptKind.AGENCY_SUMMARY:
            return answer is Answer.DONE  # "Summary given" and nothing typed says nothing
        return self.rationale_required and answer in (Answer.PLAN, Answer.NO_PLAN)


@dataclass(frozen=True, slots=True)
class Event:
    """A line for the conference timeline; ``detail`` holds ids, never names or numbers."""

    at: datetime
    actor: str  # "chair" or "confbot"
    kind: str
    step_id: str | None = None
    detail: dict[str, str | int | bool | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, order=True)
class Job:
    """A timed wake-up the durable scheduler must hold: fire ``id`` at ``due``."""

    due: datetime
    id: str


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a typed chair command did: a reply to show and any new prompts."""

    reply: str
    prompts: tuple[Prompt, ...] = ()

"""The words of the chair's in-meeting prompts, in plain British English."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.playbook.terms import PhaseKind
from bot.core.runsheet.model import Answer, AnswerOption, Prompt, PromptKind
from bot.core.timeline.text import capitalise
from bot.core.workdays import to_london

PHASE_TITLES: dict[PhaseKind, str] = {
    PhaseKind.RECORDING_CONSENT: "Recording consent",
    PhaseKind.CONFIDENTIAL_SECTION: "Confidential section",
    PhaseKind.CALL_PARENT_IN: "Calling the parents in",
    PhaseKind.FAMILY_VIEWS: "The family's views",
    PhaseKind.AGENCY_SUMMARIES: "Agency summaries",
    PhaseKind.DECISION_ROUND: "Decision round",
    PhaseKind.DECISIONS: "Decisions",
    PhaseKind.FEEDBACK_CALL: "Feedback call",
    PhaseKind.OTHER: "Next step",
}

# The step a prompt outside any phase belongs to (a join mid-meeting, a stop on recording).
PROMPT_TITLES: dict[PromptKind, str] = {
    PromptKind.CONSENT: "Recording consent",
    PromptKind.STOP_RECORDING: "Do not record",
    PromptKind.CONFIDENTIAL_SECTION: "Confidential section",
    PromptKind.CALLBACK: "Calling the parents in",
    PromptKind.PHASE: "Next step",
    PromptKind.AGENCY_VIEW: "Decision round",
    PromptKind.AGENCY_SUMMARY: "Agency summaries",
    PromptKind.FEEDBACK_CALL: "Feedback call",
    PromptKind.PHONE_CALL: "Phone call",
}

CONSENT_ANSWERS = (
    AnswerOption(Answer.CONSENTED, "Agrees to recording"),
    AnswerOption(Answer.OBJECTED, "Does not agree"),
)
STOP_ANSWERS = (AnswerOption(Answer.RECORDING_OFF, "Recording is off"),)
END_NOW_ANSWERS = (AnswerOption(Answer.END_NOW, "End the confidential section now"),)
DONE_ANSWERS = (AnswerOption(Answer.DONE, "Done — next step"),)
FAMILY_VIEWS_ANSWERS = (
    AnswerOption(Answer.DONE, "They gave their views here"),
    AnswerOption(Answer.THROUGH_ADVOCATE, "Views through their advocate"),
    AnswerOption(Answer.THROUGH_SOCIAL_WORKER, "Views through the social worker"),
    AnswerOption(Answer.WRITTEN, "Written views"),
    AnswerOption(Answer.DID_NOT_WANT_TO, "Did not want to take part"),
)
# How the minutes say they took part, by the answer given.
TOOK_PART_WORDS: dict[Answer, str] = {
    Answer.DONE: "they gave their views in the conference",
    Answer.THROUGH_ADVOCATE: "their views were shared by their advocate",
    Answer.THROUGH_SOCIAL_WORKER: "their views were shared by the social worker",
    Answer.WRITTEN: "they sent written views",
    Answer.DID_NOT_WANT_TO: "they did not want to take part",
}
SUMMARY_ANSWERS = (
    AnswerOption(Answer.DONE, "Summary given"),
    AnswerOption(Answer.REPORT_ONLY, "Sent a report, did not attend"),
)
PLAN_ANSWERS = (
    AnswerOption(Answer.PLAN, "Child protection plan"),
    AnswerOption(Answer.NO_PLAN, "No plan"),
)
PHONE_CALL_ANSWERS = (
    AnswerOption(Answer.DONE, "Spoke to them"),
    AnswerOption(Answer.NO_ANSWER, "Not reached"),
)
FEEDBACK_ANSWERS = (
    AnswerOption(Answer.DONE, "Called"),
    AnswerOption(Answer.NO_ANSWER, "No answer"),
)

HELP_TEXT = (
    "Type one of these:\n"
    "- next: finish this step and go to the next one "
    "(in the confidential section, it ends the section now)\n"
    "- status: where the meeting is, who has agreed to recording, and what is waiting\n"
    "- help: this list\n"
    "Or press a button on a card."
)


def clock(moment: datetime) -> str:
    """A time as a council writes it, in London: 10:20."""
    return to_london(moment).strftime("%H:%M")


def consent_text(label: str, again: bool) -> str:
    """Ask one party about recording."""
    if again:
        return (
            f"{capitalise(label)} has joined. Ask them if they agree to the meeting being "
            "recorded. Pause any recording until they answer."
        )
    return f"Ask {label} if they agree to the meeting being recorded for the minute taker."


def stop_text(label: str) -> str:
    """Someone objected to recording."""
    return (
        f"{capitalise(label)} does not agree to recording. "
        "Do not record, or stop the recording now."
    )


def confidential_text(ends: datetime) -> str:
    """The confidential section has begun."""
    return (
        "Hold the confidential section now, before the parents join. Only the people who need "
        f"to hear it should be present. It is planned to end at {clock(ends)}."
    )


def callback_text(
    label: str,
    number: str | None,
    *,
    after_confidential: bool,
    retry: bool,
    other_number: bool = False,
) -> str:
    """Call a held-back parent in on their agreed number."""
    how = f"call {label} on {number}" if number else f"call {label} (no number on file)"
    if other_number:
        return f"Now {how}, their other number, and bring them into the meeting."
    if retry:
        return f"Try again: {how} and bring them into the meeting."
    if after_confidential:
        return f"Confidential section should now end — {how}."
    return f"Now {how} and bring them into the meeting."


def callback_answers(retry: str, has_other_number: bool) -> tuple[AnswerOption, ...]:
    """The buttons on a callback prompt."""
    options = [
        AnswerOption(Answer.PARENT_JOINED, "Parent joined"),
        AnswerOption(Answer.NO_ANSWER, f"No answer — try again in {retry}"),
        AnswerOption(Answer.DECLINED, "Parent declined to join"),
    ]
    if has_other_number:
        options.append(AnswerOption(Answer.OTHER_NUMBER, "Use the other number"))
    return tuple(options)


def agency_view_text(label: str, rationale: bool) -> str:
    """One agency's turn in the decision round."""
    text = f"Ask {label} for their view on the type of plan."
    if rationale:
        text += " They must give their reasons out loud, so the minutes show them."
    return text


def agency_summary_text(label: str) -> str:
    """One agency's turn at the summaries step."""
    return f"Ask {label} for their summary, and type the main points for the minutes."


def feedback_text(label: str, number: str | None) -> str:
    """The closing call to a parent."""
    where = f" on {number}" if number else ""
    return f"Call {label}{where} to ask if they have any questions, and for their feedback."


def span_words(span: timedelta) -> str:
    """A short wait in words: "5 minutes", "1 minute", "90 seconds"."""
    seconds = int(span.total_seconds())
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def note_label(prompt: Prompt) -> str:
    """What the box under a prompt asks the chair to type, for the minutes."""
    if prompt.kind is PromptKind.AGENCY_VIEW:
        need = "required" if prompt.rationale_required else "for the minutes"
        return f"Their reasons ({need})"
    if prompt.kind is PromptKind.AGENCY_SUMMARY:
        return "Their summary (for the minutes)"
    if prompt.kind in (PromptKind.FEEDBACK_CALL, PromptKind.PHONE_CALL):
        return "Notes of the call (for the minutes)"
    if prompt.answers == FAMILY_VIEWS_ANSWERS:
        return "Their views, or why they are missing (for the minutes)"
    return "What was said (for the minutes)"


def phone_call_text(label: str, number: str | None) -> str:
    """One call of a series of phone calls."""
    where = f" on {number}" if number else ""
    return f"Phone {label}{where}. Note what they tell you, for the minutes."

"""Adaptive Cards 1.5 for the chair's prompts: open with Action.Execute buttons, or answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    ExecuteAction,
    Fact,
    FactSet,
    ShowCardAction,
    TextBlock,
    TextInput,
)

from bot.core.runsheet.model import Answer, Prompt, PromptKind
from bot.core.runsheet.text import clock, note_label

ANSWER_VERB = "confbot.answer"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
NOTE_INPUT = "note"

_TITLES: dict[PromptKind, str] = {
    PromptKind.CONSENT: "Recording consent",
    PromptKind.STOP_RECORDING: "Do not record",
    PromptKind.CONFIDENTIAL_SECTION: "Confidential section",
    PromptKind.CALLBACK: "Call the parent in",
    PromptKind.PHASE: "Next step",
    PromptKind.AGENCY_VIEW: "Decision round",
    PromptKind.AGENCY_SUMMARY: "Agency summaries",
    PromptKind.FEEDBACK_CALL: "Feedback call",
    PromptKind.PHONE_CALL: "Phone call",
}


@dataclass(frozen=True, slots=True)
class CardAnswer:
    """What a button press carries back: which prompt, which answer, and any reasons typed."""

    conference_id: int
    prompt_id: str
    answer: Answer
    note: str | None = None


class CardDataError(ValueError):
    """The action data is not one of our answers."""


def prompt_card(conference_id: int, prompt: Prompt) -> dict[str, Any]:
    """The card for an open prompt: its text, the number to call, and one button per answer."""
    body: list[Any] = [
        TextBlock(text=_TITLES[prompt.kind], weight="Bolder", size="Medium", wrap=True),
        TextBlock(text=prompt.text, wrap=True),
    ]
    facts = [Fact(title="Due", value=clock(prompt.due))]
    if prompt.phone:
        facts.append(Fact(title="Number", value=prompt.phone))
    body.append(FactSet(facts=facts))
    if prompt.takes_note:
        body.append(_note_input(prompt))
    body.append(ActionSet(actions=_answer_actions(conference_id, prompt)))
    return _dump(AdaptiveCard(version="1.5", body=body))


def _note_input(prompt: Prompt, value: str | None = None) -> TextInput:
    # What is typed here goes into the minutes; reasons for a view may be required.
    required = prompt.rationale_required
    return TextInput(
        id=NOTE_INPUT,
        label=note_label(prompt),
        is_multiline=True,
        value=value,
        is_required=required or None,
        error_message="Type their reasons first." if required else None,
    )


def _answer_actions(conference_id: int, prompt: Prompt) -> list[ExecuteAction]:
    return [
        ExecuteAction(
            title=option.label,
            verb=ANSWER_VERB,
            data={
                "conference": conference_id,
                "prompt": prompt.id,
                "answer": option.answer.value,
            },
        )
        for option in prompt.answers
    ]


def answered_card(prompt: Prompt, conference_id: int | None = None) -> dict[str, Any]:
    """The card once answered: the same words and the answer given.

    With ``conference_id``, a step that took notes keeps a "Correct this answer" part: the
    words as saved, to change, and the buttons again (the run sheet records a correction).
    """
    chosen = next(
        (o.label for o in prompt.answers if o.answer is prompt.answered),
        "Moved on without an answer" if prompt.answered is Answer.SKIPPED else "Answered",
    )
    when = f" at {clock(prompt.answered_at)}" if prompt.answered_at else ""
    body: list[Any] = [
        TextBlock(text=_TITLES[prompt.kind], weight="Bolder", size="Medium", wrap=True),
        TextBlock(text=prompt.text, wrap=True, is_subtle=True),
        TextBlock(text=f"Answered{when}: {chosen}", weight="Bolder", wrap=True),
    ]
    if prompt.note:
        body.append(TextBlock(text=f"Noted for the minutes: {prompt.note}", wrap=True))
    if conference_id is not None and prompt.corrects:
        fix = AdaptiveCard(
            version="1.5",
            body=[
                _note_input(prompt, prompt.note),
                ActionSet(actions=_answer_actions(conference_id, prompt)),
            ],
        )
        body.append(ActionSet(actions=[ShowCardAction(title="Correct this answer", card=fix)]))
    return _dump(AdaptiveCard(version="1.5", body=body))


def read_answer(data: object) -> CardAnswer:
    """The answer in an Action.Execute's data, merged with any inputs; refuses anything else."""
    if not isinstance(data, dict):
        raise CardDataError("the action carries no data")
    try:
        conference_id = int(data["conference"])
        prompt_id = str(data["prompt"])
        answer = Answer(str(data["answer"]))
    except (KeyError, TypeError, ValueError) as err:
        raise CardDataError("the action data is not a confbot answer") from err
    note = data.get(NOTE_INPUT)
    return CardAnswer(conference_id, prompt_id, answer, str(note) if note else None)


def _dump(card: AdaptiveCard) -> dict[str, Any]:
    dumped: dict[str, Any] = card.model_dump(by_alias=True, exclude_none=True)
    dumped["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    return dumped

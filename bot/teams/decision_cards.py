"""Teams cards for the decision per child and for concluding the conference.

The chair types "decide" in the personal chat; the bot answers with a card per child (the
same fields as the console's form, the suggested dates filled in) and a card to conclude.
Each card's button is an Action.Execute; the card comes back answered, or the refusal is
shown in the chair's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    DateInput,
    ExecuteAction,
    TextBlock,
    TextInput,
)

from bot.core.decisions import CHILD_FIELDS, ChildDecisionView, DecisionSheet
from bot.core.minutes.children import initials_text
from bot.core.minutes.model import Decisions
from bot.core.minutes.text import long_date

DECIDE_VERB = "confbot.decide"
CONCLUDE_VERB = "confbot.conclude"
COMMANDS = frozenset({"decide", "decisions", "conclude"})
_CATEGORIES = (
    ("neglect", "Neglect"),
    ("physical_abuse", "Physical abuse"),
    ("sexual_abuse", "Sexual abuse"),
    ("emotional_abuse", "Emotional abuse"),
)


class DecisionPort(Protocol):
    """What the cards need of the runtime: the decision forms, recording, concluding."""

    async def decision_sheet(self, conference_id: int) -> DecisionSheet:
        """The decision form for each child."""

    async def record_decision(
        self, conference_id: int, child_id: int, decision: dict[str, object], by: str
    ) -> Decisions:
        """Record one child's decision."""

    async def conclude(
        self, conference_id: int, by: str, decisions: dict[str, object] | None = None
    ) -> str:
        """Conclude the conference and draft the minutes."""


@dataclass(frozen=True, slots=True)
class DecisionAction:
    """A decision or conclude button press: which conference, which child, what was entered."""

    conference_id: int
    child_id: int | None
    fields: dict[str, object]


class DecisionDataError(ValueError):
    """The action data is not a confbot decision."""


def _yes_no(made: bool | None) -> str | None:
    return None if made is None else ("yes" if made else "no")


def child_card(conference_id: int, sheet: DecisionSheet, item: ChildDecisionView) -> dict[str, Any]:
    """One child's decision card, with what is recorded or the suggested dates filled in."""
    form, suggested, made = sheet.form, sheet.suggested, item.decided
    label = initials_text(item.child)
    body: list[Any] = [
        TextBlock(text=f"Decision for {label}", weight="Bolder", size="Medium", wrap=True)
    ]
    if form.asks_plan:
        body.append(
            ChoiceSetInput(
                id="plan",
                label="Child protection plan",
                value=_yes_no(made.plan if made else None),
                choices=[
                    Choice(title="Plan needed", value="yes"),
                    Choice(title="No plan", value="no"),
                ],
            )
        )
        body.append(
            ChoiceSetInput(
                id="category",
                label="Category (if a plan)",
                value=made.category.value if made and made.category else None,
                choices=[Choice(title=t, value=v) for v, t in _CATEGORIES],
            )
        )
    if form.plan_types:
        body.append(
            ChoiceSetInput(
                id="plan_type",
                label="Type of plan",
                value=made.plan_type.value if made and made.plan_type else None,
                choices=[
                    Choice(title=k.value.capitalize(), value=k.value) for k in form.plan_types
                ],
            )
        )
    if form.asks_core_group:
        core = (made.core_group if made and made.core_group else suggested.core_group) or None
        body.append(
            DateInput(
                id="core_group",
                label="First core group meeting",
                value=core.isoformat() if core else None,
            )
        )
        body.append(TextInput(id="core_group_reason", label="Why a different date (if changed)"))
    review = (made.review if made and made.review else suggested.review) or None
    body.append(
        DateInput(
            id="review",
            label="Next review" if form.looked_after else "Review conference",
            value=review.isoformat() if review else None,
        )
    )
    if suggested.review:
        body.append(
            TextBlock(
                text=f"Suggested: {long_date(suggested.review)} ({suggested.review_basis}).",
                wrap=True,
                is_subtle=True,
            )
        )
    body.append(TextInput(id="review_reason", label="Why a different date (if changed)"))
    if form.looked_after:
        body.append(
            ChoiceSetInput(
                id="care_plan_agreed",
                label="Care plan agreed",
                value=_yes_no(made.care_plan_agreed if made else None),
                choices=[Choice(title="Yes", value="yes"), Choice(title="No", value="no")],
            )
        )
    body.append(TextInput(id="notes", label="Anything else decided", is_multiline=True))
    data = {"conference": conference_id, "child": item.child.id}
    body.append(ActionSet(actions=[ExecuteAction(title="Save", verb=DECIDE_VERB, data=data)]))
    return _dump(AdaptiveCard(version="1.5", body=body))


def conclude_card(conference_id: int) -> dict[str, Any]:
    """The card that concludes the conference and drafts the minutes."""
    body: list[Any] = [
        TextBlock(text="Conclude the conference", weight="Bolder", size="Medium", wrap=True),
        TextBlock(
            text="This drafts the minutes from what is recorded and asks for their approval.",
            wrap=True,
        ),
        ActionSet(
            actions=[
                ExecuteAction(
                    title="Conclude", verb=CONCLUDE_VERB, data={"conference": conference_id}
                )
            ]
        ),
    ]
    return _dump(AdaptiveCard(version="1.5", body=body))


def done_card(text: str) -> dict[str, Any]:
    """A card answered: what was done, and no buttons."""
    return _dump(AdaptiveCard(version="1.5", body=[TextBlock(text=text, wrap=True)]))


def read_action(data: object) -> DecisionAction:
    """The conference, child and entered fields of a decide or conclude press."""
    if not isinstance(data, dict):
        raise DecisionDataError("the action carries no data")
    try:
        conference_id = int(data["conference"])
        child = data.get("child")
        child_id = int(child) if child is not None else None
    except (KeyError, TypeError, ValueError) as err:
        raise DecisionDataError("the action data is not a confbot decision") from err
    fields: dict[str, object] = {
        name: str(data[name]).strip()
        for name in CHILD_FIELDS
        if data.get(name) not in (None, "") and str(data[name]).strip()
    }
    return DecisionAction(conference_id, child_id, fields)


def _dump(card: AdaptiveCard) -> dict[str, Any]:
    dumped: dict[str, Any] = card.model_dump(by_alias=True, exclude_none=True)
    dumped["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    return dumped

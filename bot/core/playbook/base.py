"""The base every playbook model shares: strict, frozen, and optionally scoped to formats."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.core.conference import MeetingFormat

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Loc = tuple[str | int, ...]


class Rule(BaseModel):
    """Base for every playbook model: unknown fields are errors and values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FormatScoped(Rule):
    """A rule that may apply to some formats only."""

    formats: tuple[MeetingFormat, ...] = Field(
        default=(), description="Only for these formats; leave out for every format."
    )

    def applies_to(self, meeting_format: MeetingFormat) -> bool:
        """True when this rule holds for ``meeting_format``."""
        return not self.formats or meeting_format in self.formats

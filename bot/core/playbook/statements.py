"""The statement the minutes carry about how a conference was held."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from bot.core.conference import ConferenceType, MeetingFormat

if TYPE_CHECKING:
    from bot.core.playbook.model import Playbook


def minutes_placeholders(template: str) -> set[str]:
    """The ``{names}`` a minutes statement template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def render_minutes_statement(
    playbook: Playbook, conference_type: ConferenceType, meeting_format: MeetingFormat, day: str
) -> str:
    """The statement the minutes must carry, with the conference, format and date filled in."""
    names = {
        ConferenceType.ICPC: "initial child protection conference",
        ConferenceType.RCPC: "review child protection conference",
        ConferenceType.TI: "transfer-in child protection conference",
        ConferenceType.LAC: "looked-after child review",
    }
    formats = {
        MeetingFormat.TEAMS: "a Microsoft Teams meeting",
        MeetingFormat.HYBRID: "a meeting at a venue with others joining on Microsoft Teams",
        MeetingFormat.CONFERENCE_CALL: "a conference call",
        MeetingFormat.PHONE_SERIES: "a series of phone calls",
        MeetingFormat.FACE_TO_FACE: "a face-to-face meeting",
    }
    return playbook.statement_for(conference_type).format(
        conference=names[conference_type], format=formats[meeting_format], date=day
    )

"""Where the minutes stand, as the conference and minutes pages show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.conference import TimelineEntry
from bot.core.minutes.progress import MinutesState, minutes_progress

AT = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)
URL = "https://sandbox.example/drive/minutes.docx"


def _line(i: int, kind: str, step: str = "aftercare.minutes", **detail: object) -> TimelineEntry:
    return TimelineEntry(i, 1, AT + timedelta(minutes=i), "someone", kind, step, dict(detail))


def test_minutes_not_uploaded_are_not_written_yet() -> None:
    assert minutes_progress([]).state is MinutesState.NOT_WRITTEN


def test_uploaded_minutes_are_a_draft_with_their_library_link() -> None:
    progress = minutes_progress([_line(1, "minutes_uploaded", url=URL)])
    assert (progress.state, progress.url) == (MinutesState.DRAFT, URL)


def test_sent_back_minutes_stay_sent_back_until_redrafted() -> None:
    lines = [
        _line(1, "minutes_uploaded", url=URL),
        _line(2, "minutes_sent_back", comments="The review date is wrong."),
    ]
    progress = minutes_progress(lines)
    assert progress.state is MinutesState.SENT_BACK
    assert progress.sent_back[0].comments == "The review date is wrong."
    redrafted = minutes_progress([*lines, _line(3, "minutes_uploaded", url=URL)])
    assert redrafted.state is MinutesState.DRAFT


def test_approved_minutes_are_sent_once_one_email_has_gone() -> None:
    lines = [_line(1, "minutes_uploaded", url=URL), _line(2, "minutes_approved")]
    assert minutes_progress(lines).state is MinutesState.APPROVED
    gone = _line(3, "followup_sent", step="aftercare.minutes:12")
    assert minutes_progress([*lines, gone]).state is MinutesState.SENT


def test_a_link_that_is_not_a_web_address_is_never_shown() -> None:
    progress = minutes_progress([_line(1, "minutes_uploaded", url="javascript:alert(1)")])
    assert progress.url == ""

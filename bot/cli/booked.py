"""What a playbook change would do to conferences already booked under it (for `playbook check`)."""

from __future__ import annotations

from pathlib import Path

from bot.core.conference import ConferenceState
from bot.core.playbook.loader import load_playbook_text
from bot.core.playbook.model import Playbook
from bot.core.timeline import TimelineError, compile_timeline
from bot.core.timeline.facts import conference_facts, timeline_changes

LIVE = (ConferenceState.SCHEDULED, ConferenceState.IN_MEETING)


def store_path_exists(url: str) -> bool:
    """Whether the store at ``url`` is there to read (a SQLite file that exists, or a server)."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        return path not in ("", ":memory:") and Path(path).is_file()
    return True


def booked_changes(url: str, name: str, changed: Playbook) -> list[str]:
    """One line per booked conference of playbook ``name`` whose timeline ``changed`` would alter.

    Each keeps the version it was booked with; the lines tell the council which ones a new
    booking or a reschedule would move.
    """
    from bot.store.database import Database
    from bot.store.playbooks import PlaybookVersions
    from bot.store.queries import StatusQueries

    database = Database(url)
    try:
        reads, versions = StatusQueries(database), PlaybookVersions(database)
        lines: list[str] = []
        texts: dict[str, Playbook] = {}
        for state in LIVE:
            for conference in reads.conferences(state=state, playbook=name, limit=100_000):
                facts = conference_facts(conference)
                sha = conference.playbook_version
                text = versions.text(sha) if sha else None
                if facts is None or text is None:
                    continue
                booked = texts.get(sha or "")
                if booked is None:
                    booked = texts[sha or ""] = load_playbook_text(text, f"{name} as booked")
                try:
                    differences = timeline_changes(
                        compile_timeline(booked, facts), compile_timeline(changed, facts)
                    )
                except TimelineError as err:
                    differences = [f"the changed playbook cannot plan it: {err}"]
                if differences:
                    lines.append(
                        f"warning: {conference.reference} ({conference.conference_type.value}) "
                        "keeps the version it was booked with; under this one: "
                        + "; ".join(differences)
                    )
        return lines
    finally:
        database.dispose()

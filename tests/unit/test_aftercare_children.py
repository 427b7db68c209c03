"""The drafted minutes carry the stored children and the chair's words on the young person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conference import (
    CaseReference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Role,
)
from bot.core.minutes.model import Paragraph, Table
from bot.core.runsheet.sheet import compile_run_sheet
from bot.runtime.aftercare.children import chair_participation_words
from bot.runtime.runsheet_facts import run_sheet_facts
from bot.runtime.runsheets import state_key
from bot.store.database import Database
from bot.store.repository import NewChild, NewParticipant
from playbooks import load_bundled
from tests.unit.test_aftercare_support import CHAIR, make_database, world

WORDS = "She is 14 and chose to join for the family's part, with her advocate"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = make_database(tmp_path)
    yield db
    db.dispose()


def test_the_drafted_minutes_name_the_stored_child_with_the_chairs_participation_words(
    database: Database,
) -> None:
    # Northmoor's run sheet asks the chair how the young person is taking part (seed 003).
    playbook = load_bundled("northmoor")
    w = world(database, playbook)
    start = datetime.now(UTC) - timedelta(days=1)
    created = w.repo.create_conference(
        playbook="test",
        conference_type=ConferenceType.ICPC,
        participants=[
            NewParticipant(Role.PARENT, "Wilhelmina Quarrie", relationship="mother"),
            NewParticipant(Role.YOUNG_PERSON, "Tabitha Quarrie"),
        ],
        children=[
            NewChild(
                "TQ",
                date_of_birth=date(2012, 5, 4),
                case_references=(CaseReference("Mosaic", "M-5521", primary=True),),
                advocate="Brightside Advocacy",
            )
        ],
        chair=CHAIR,
    )
    conference = w.repo.update_conference(
        created.id,
        state=ConferenceState.SCHEDULED,
        meeting_format=MeetingFormat.TEAMS,
        start_at=start,
        length=timedelta(hours=2),
    )
    sheet = compile_run_sheet(playbook, run_sheet_facts(conference))
    sheet.start(start)
    at = start
    # Agree to recording, then reach the participation step and answer it with a note.
    while "phase.young_person_participation" in {p.id for p in sheet.open_prompts()} or any(
        not p.id.startswith("phase.") for p in sheet.open_prompts()
    ):
        prompt = sheet.open_prompts()[0]
        at += timedelta(minutes=1)
        note = WORDS if prompt.id == "phase.young_person_participation" else None
        sheet.answer(prompt.id, prompt.answers[0].answer, at, note)
    w.repo.set_state(state_key(conference.id), json.dumps(sheet.journal()))

    minutes = w.aftercare.minutes(w.repo.get_conference(conference.id))
    section = minutes.section("children")
    table = section.blocks[0]
    assert isinstance(table, Table)
    assert table.rows == (("T.Q.", "Born 4 May 2012", "M-5521 (Mosaic, case system)"),)
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert texts == [
        "T.Q.'s advocate: Brightside Advocacy.",
        f"How T.Q. took part: {WORDS}.",
    ]
    assert dict(minutes.header.rows)["Child"] == "T.Q. (born 4 May 2012)"
    assert "Tabitha" not in "\n".join(minutes.texts())


def test_without_a_participation_step_the_journal_gives_no_words() -> None:
    leeds = load_bundled("leeds").rules(ConferenceType.ICPC)
    journal = json.dumps([{"call": "answer", "prompt": "phase.x", "note": "anything"}])
    assert chair_participation_words(leeds, MeetingFormat.TEAMS, journal) == ""
    northmoor = load_bundled("northmoor").rules(ConferenceType.ICPC)
    assert chair_participation_words(northmoor, MeetingFormat.TEAMS, "not json") == ""
    assert chair_participation_words(northmoor, MeetingFormat.TEAMS, None) == ""

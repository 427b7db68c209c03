"""Correcting a participant's contact, and the letters by post that follow: rules and use case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.actions import CORRECT_CONTACTS, RECORD_POSTED, Actor, PlaybookFacts, refusal
from bot.core.actions import allowed_actions as options_of
from bot.core.conference import (
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
    TimelineEntry,
)
from bot.core.contacts import (
    ContactCorrection,
    ContactInvalid,
    change_words,
    changed_fields,
    check_correction,
)
from bot.core.errors import ActionRefused, NotFound
from bot.core.post import letters_to_post, letters_to_send_again
from bot.runtime import booking, contacts
from bot.store.database import Database
from bot.store.repository import NewParticipant
from playbooks import load_bundled
from tests.unit.test_aftercare_support import CHAIR, World, make_database, world

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OLD = "sam.old@family.example.net"
NEW = "o'neill+safe@family.example.org"
ADDRESS = "7 Imaginary Lane, Testtown, TT2 2BB"
MOTHER = Participant(3, Role.PARENT, "Sam Testparent", relationship="mother", email=OLD)


# -- the checks ---------------------------------------------------------------


def test_an_email_with_an_apostrophe_or_plus_is_one_whole_address() -> None:
    checked = check_correction(ContactCorrection(emails=("o'neill@x.example.org", NEW)))
    assert checked.values["emails"] == ("o'neill@x.example.org", NEW)


@pytest.mark.parametrize(
    "bad", ["sam at family.example.net", "Sam <sam@family.example.net>", "a@b.example, c@d"]
)
def test_an_email_that_is_not_one_whole_address_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(ContactInvalid) as caught:
        check_correction(ContactCorrection(emails=(bad,)))
    assert set(caught.value.problems) == {"emails"}
    assert str(caught.value).startswith("emails:")


def test_phones_are_stored_in_e164_and_a_non_number_names_the_field() -> None:
    checked = check_correction(ContactCorrection(phones=("07700 900123", "0113 496 0456")))
    assert checked.values["phones"] == ("+447700900123", "+441134960456")
    with pytest.raises(ContactInvalid) as caught:
        check_correction(ContactCorrection(phones=("call the office",), name=""))
    assert set(caught.value.problems) == {"phones", "name"}  # every bad field at once


def test_only_the_fields_given_are_changed_and_an_unchanged_value_is_no_change() -> None:
    checked = check_correction(ContactCorrection(emails=(OLD,), postal_address=ADDRESS))
    assert changed_fields(MOTHER, checked) == ("postal_address",)


def test_the_timeline_words_name_whose_fields_and_who_never_the_values() -> None:
    words = change_words(MOTHER, ("emails", "phones"), "mts")
    assert words == "Mother's email and phone number corrected by MTS"
    assert OLD not in words and "Testparent" not in words


# -- who may, and when ----------------------------------------------------------

FACTS = PlaybookFacts(True, formats=(MeetingFormat.TEAMS,))
BASE = Conference(
    id=1,
    reference="CP-2026-00001",
    playbook="lancashire",
    conference_type=ConferenceType.ICPC,
    state=ConferenceState.SCHEDULED,
    created_at=NOW,
    updated_at=NOW,
    chair=CHAIR,
    participants=(MOTHER,),
)


def _refusal(conference: Conference, actor: Actor, name: str = CORRECT_CONTACTS) -> str | None:
    return refusal(options_of(conference, FACTS, (), NOW, actor=actor), name)


def test_the_admin_team_and_the_conferences_own_chair_may_correct_contacts() -> None:
    assert _refusal(BASE, Actor("mts@council.example", "mts")) is None
    assert _refusal(BASE, Actor(CHAIR.upper(), "chair")) is None
    assert "only the admin team" in (_refusal(BASE, Actor("other@council.example", "chair")) or "")
    assert "only the admin team" in (_refusal(BASE, Actor("m@council.example", "manager")) or "")


@pytest.mark.parametrize("state", [ConferenceState.CANCELLED, ConferenceState.CONCLUDED])
def test_a_cancelled_or_concluded_conference_refuses_contact_corrections_with_a_reason(
    state: ConferenceState,
) -> None:
    closed = Conference(**{**_fields(BASE), "state": state})
    reason = _refusal(closed, Actor("mts@council.example", "mts")) or ""
    assert "contacts are closed" in reason


def test_only_the_admin_team_records_a_letter_as_posted_and_not_once_cancelled() -> None:
    assert _refusal(BASE, Actor("mts@council.example", "mts"), RECORD_POSTED) is None
    assert _refusal(BASE, Actor(CHAIR, "chair"), RECORD_POSTED) is not None
    cancelled = Conference(**{**_fields(BASE), "state": ConferenceState.CANCELLED})
    assert _refusal(cancelled, Actor("mts@council.example", "mts"), RECORD_POSTED)


def _fields(conference: Conference) -> dict[str, object]:
    return {name: getattr(conference, name) for name in Conference.__slots__}


# -- letters to post, from the timeline -----------------------------------------


def _entry(n: int, kind: str, step_id: str | None, **detail: object) -> TimelineEntry:
    return TimelineEntry(n, 1, NOW + timedelta(minutes=n), "confbot", kind, step_id, detail)


def test_a_parent_without_email_is_a_letter_to_post_until_it_is_posted() -> None:
    father = Participant(4, Role.PARENT, "Alex Testparent", relationship="father")
    social_worker = Participant(5, Role.SOCIAL_WORKER, "Kit Worker")
    conference = Conference(**{**_fields(BASE), "participants": (MOTHER, father, social_worker)})
    opened = [_entry(1, "letter_needs_post", "letter:4"), _entry(2, "letter_needs_post", "x:5")]
    [task] = letters_to_post(conference, opened)
    assert task.person == father and task.step_id == "letter:4"
    assert letters_to_post(conference, [*opened, _entry(3, "letter_posted", "letter:4")]) == ()
    # A cancelled conference has nothing left to post.
    cancelled = Conference(**{**_fields(conference), "state": ConferenceState.CANCELLED})
    assert letters_to_post(cancelled, opened) == ()


def test_a_letter_is_offered_again_only_when_the_email_changed_after_it_went() -> None:
    sent = _entry(1, "letter_sent", "letter:3")
    corrected = _entry(2, "contact_corrected", None, participant_id=3, fields=["emails"])
    phone_only = _entry(2, "contact_corrected", None, participant_id=3, fields=["phones"])
    assert letters_to_send_again(BASE, [sent, corrected]) == {3: ("letter:3",)}
    assert letters_to_send_again(BASE, [sent, phone_only]) == {}
    again = _entry(3, "letter_sent", "letter:3", again=True)
    assert letters_to_send_again(BASE, [sent, corrected, again]) == {}


# -- the use case, over a real store -----------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = make_database(tmp_path)
    yield db
    db.dispose()


def _booked(w: World, email: str | None) -> tuple[int, int]:
    created = w.repo.create_conference(
        playbook="test",
        conference_type=ConferenceType.ICPC,
        participants=[
            NewParticipant(Role.PARENT, "Sam Testparent", email=email, relationship="mother"),
            NewParticipant(Role.SOCIAL_WORKER, "Kit Worker", "Children's Services",
                           "kit.worker@example.org"),
        ],
        chair=CHAIR,
    )  # fmt: skip
    w.repo.update_conference(
        created.id,
        state=ConferenceState.SCHEDULED,
        meeting_format=MeetingFormat.TEAMS,
        start_at=datetime.now(UTC) + timedelta(days=14),
        length=timedelta(hours=2),
        confidential_length=timedelta(minutes=20),
    )
    mother = next(p for p in created.participants if p.role is Role.PARENT)
    return created.id, mother.id


async def test_a_corrected_email_is_stored_and_recorded_without_its_value(
    database: Database,
) -> None:
    w = world(database, load_bundled("lancashire"))
    cid, pid = _booked(w, OLD)
    person = contacts.correct_contact(
        w.conferences,
        cid,
        pid,
        ContactCorrection(emails=(NEW,), phones=("07700 900321",)),
        by="mts@council.example",
        role="mts",
    )
    assert person.emails == (NEW,) and person.phones == ("+447700900321",)
    [line] = [e for e in w.repo.timeline(cid) if e.kind == "contact_corrected"]
    assert line.detail["fields"] == ["emails", "phones"]
    assert line.detail["words"] == "Mother's email and phone number corrected by MTS"
    assert line.actor == "mts@council.example"
    assert NEW not in str(line.detail) and OLD not in str(line.detail)
    assert "900321" not in str(line.detail)


async def test_a_correction_with_a_bad_field_changes_nothing(database: Database) -> None:
    w = world(database, load_bundled("lancashire"))
    cid, pid = _booked(w, OLD)
    with pytest.raises(ContactInvalid):
        contacts.correct_contact(
            w.conferences,
            cid,
            pid,
            ContactCorrection(emails=("not-an-address",), postal_address=ADDRESS),
            by="mts@council.example",
            role="mts",
        )
    mother = w.repo.get_conference(cid).participants[0]
    assert mother.emails == (OLD,) and mother.postal_address == ""
    assert not [e for e in w.repo.timeline(cid) if e.kind == "contact_corrected"]


async def test_another_conferences_participant_is_not_found(database: Database) -> None:
    w = world(database, load_bundled("lancashire"))
    cid, _ = _booked(w, OLD)
    _, other = _booked(w, OLD)
    with pytest.raises(NotFound):
        contacts.correct_contact(
            w.conferences, cid, other, ContactCorrection(name="X"), by="a", role="admin"
        )


async def test_adding_an_email_clears_the_letter_to_post_and_it_can_be_sent_by_email(
    database: Database,
) -> None:
    w = world(database, load_bundled("lancashire"))
    cid, pid = _booked(w, None)
    await booking.send_letters_due(w.conferences, cid)
    conference = w.repo.get_conference(cid)
    [task] = letters_to_post(conference, w.repo.timeline(cid))
    assert task.person.id == pid
    contacts.correct_contact(
        w.conferences, cid, pid, ContactCorrection(emails=(NEW,)), by="a", role="admin"
    )
    conference = w.repo.get_conference(cid)
    assert letters_to_post(conference, w.repo.timeline(cid)) == ()
    assert not [m for m in w.graph.mails if NEW in m.to]  # not sent by itself
    sent = await contacts.send_letters_again(w.conferences, cid, pid, by="a", role="admin")
    assert sent == 1
    assert [m.to for m in w.graph.mails if NEW in m.to] == [(NEW,)]
    with pytest.raises(ActionRefused):  # once sent, it is not offered again
        await contacts.send_letters_again(w.conferences, cid, pid, by="a", role="admin")


async def test_a_posted_letter_is_recorded_and_leaves_the_tasks(database: Database) -> None:
    w = world(database, load_bundled("lancashire"))
    cid, _ = _booked(w, None)
    await booking.send_letters_due(w.conferences, cid)
    [task] = letters_to_post(w.repo.get_conference(cid), w.repo.timeline(cid))
    with pytest.raises(ActionRefused):
        contacts.record_posted(w.conferences, cid, task.step_id, by=CHAIR, role="chair")
    contacts.record_posted(w.conferences, cid, task.step_id, by="mts@council.example", role="mts")
    assert letters_to_post(w.repo.get_conference(cid), w.repo.timeline(cid)) == ()
    with pytest.raises(ActionRefused):  # nothing left to post
        contacts.record_posted(w.conferences, cid, task.step_id, by="m", role="mts")

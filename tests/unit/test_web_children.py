"""The API's child and participant records, and the conference page's children partial."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.core.conference import (
    CaseReference,
    Child,
    Conference,
    ConferenceState,
    ConferenceType,
    Participant,
    Role,
)
from bot.web.records import child_json, participant_json
from bot.web.status import TEMPLATES

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
BORN = Child(
    id=1,
    initials="T.R.",
    date_of_birth=date(2018, 3, 2),
    case_references=(
        CaseReference("LCS", "123456", primary=True),
        CaseReference("EHM", "EH-77"),
    ),
    legal_status="child protection plan",
    own_phone="+447700900121",
    contact_permission_noted=True,
    advocate="Northshire Advocacy",
)
UNBORN = Child(id=2, initials="U.B.", unborn=True, expected_date=date(2027, 1, 20))


def _conference(*children: Child) -> Conference:
    return Conference(
        id=7,
        reference="CP-2026-00007",
        playbook="northshire",
        conference_type=ConferenceType.ICPC,
        state=ConferenceState.REQUESTED,
        created_at=NOW,
        updated_at=NOW,
        children=children,
    )


def _render(conference: Conference, show_personal: bool) -> str:
    return TEMPLATES.get_template("_children.html").render(
        conference=conference, show_personal=show_personal
    )


def test_child_json_carries_every_fact_and_marks_the_case_systems_reference() -> None:
    body = child_json(BORN)
    assert json.loads(json.dumps(body)) == body  # plain JSON, nothing left to encode
    assert body["initials"] == "T.R." and body["date_of_birth"] == "2018-03-02"
    assert body["case_reference"] == "123456"
    assert body["case_references"] == [
        {"system": "LCS", "reference": "123456", "primary": True},
        {"system": "EHM", "reference": "EH-77", "primary": False},
    ]
    assert body["own_phone"] == "+447700900121" and body["contact_permission_noted"]
    assert (body["legal_status"], body["advocate"]) == (
        "child protection plan",
        "Northshire Advocacy",
    )
    assert child_json(UNBORN)["expected_date"] == "2027-01-20"


def test_participant_json_keeps_relationship_apart_from_organisation() -> None:
    parent = Participant(
        id=3,
        role=Role.PARENT,
        name="Alex Example",
        relationship="maternal grandmother",
        postal_address="1 Example Row, Northshire",
        emails=("alex@sandbox.test", "alex.safe@sandbox.test"),
        phones=("+447700900101",),
        held_back=True,
    )
    body = participant_json(parent)
    assert body == {
        "id": 3,
        "role": "parent",
        "name": "Alex Example",
        "relationship": "maternal grandmother",
        "organisation": "",
        "email": "alex@sandbox.test",
        "phone": "+447700900101",
        "emails": ["alex@sandbox.test", "alex.safe@sandbox.test"],
        "phones": ["+447700900101"],
        "postal_address": "1 Example Row, Northshire",
        "held_back": True,
    }


def test_children_partial_shows_dates_and_marks_the_case_systems_reference() -> None:
    html = _render(_conference(BORN, UNBORN), show_personal=True)
    assert '<h2 id="children-h">Children</h2>' in html
    assert "T.R." in html and "02 Mar 2018" in html
    assert "unborn, expected 20 Jan 2027" in html
    assert '123456 (LCS) <strong class="tag">case system</strong>' in html
    assert "EH-77 (EHM)</li>" in html
    assert "+447700900121 (parent's permission noted)" in html


def test_children_partial_shows_only_initials_without_personal_access() -> None:
    html = _render(_conference(BORN), show_personal=False)
    assert "T.R." in html
    assert "2018" not in html and "123456" not in html and "+447700900121" not in html
    assert "shown to the admin team and the chair only" in html


def test_children_partial_says_when_no_child_is_recorded() -> None:
    assert "No child recorded yet." in _render(_conference(), show_personal=True)


def test_participant_with_one_address_lists_it_as_its_only_one() -> None:
    worker = Participant(id=1, role=Role.SOCIAL_WORKER, name="Sam Sample", email="s@sandbox.test")
    assert worker.emails == ("s@sandbox.test",) and worker.phones == ()
    listed = Participant(id=2, role=Role.PARENT, name="Jo", phones=("+447700900101",))
    assert listed.phone == "+447700900101"

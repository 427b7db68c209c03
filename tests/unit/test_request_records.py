"""A parsed request becomes people, children and facts for the store."""

from __future__ import annotations

from datetime import date

from bot.core.conference import CaseReference, ConferenceType, MeetingFormat, Role
from bot.core.request import Child, ConferenceRequest, Person
from bot.runtime.request_records import children_of, facts_of, participants_of


def _request(**changes: object) -> ConferenceRequest:
    fields: dict[str, object] = {
        "conference_type": ConferenceType.ICPC,
        "children": (
            Child(
                "T.R.",
                date_of_birth=date(2018, 3, 2),
                case_references=(CaseReference("", "123456", primary=True),),
            ),
            Child("U.B.", unborn=True, due_date=date(2027, 1, 20)),
        ),
        "people": (
            Person(
                Role.SOCIAL_WORKER,
                "Sam Sample",
                emails=("sam@sandbox.test",),
                phones=("+447700900111",),
            ),
            Person(Role.TEAM_MANAGER, "Terry Manager", emails=("terry@sandbox.test",)),
            Person(
                Role.PARENT,
                "Alex Example",
                "step-mother",
                phones=("+447700900101", "+447700900102"),
                emails=("alex@sandbox.test",),
            ),
            Person(
                Role.POLICE,
                "DC Example",
                organisation="Northshire Police",
                emails=("dc@sandbox.test",),
                phones=("+441110000000",),
            ),
        ),
        "strategy_discussion_date": date(2026, 11, 2),
        "preferred_format": MeetingFormat.HYBRID,
        "confidential_section_requested": True,
        "confidential_section_reason": "police disclosure",
        "access_needs": "an interpreter (Polish)",
        "previous_reference": "CP-2025-00123",
    }
    fields.update(changes)
    return ConferenceRequest(**fields)  # type: ignore[arg-type]


def test_children_keep_initials_dates_and_the_case_systems_reference() -> None:
    born, unborn = children_of(_request())
    assert (born.initials, born.date_of_birth, born.unborn) == ("T.R.", date(2018, 3, 2), False)
    assert born.case_references == (CaseReference("", "123456", primary=True),)
    assert (unborn.initials, unborn.unborn, unborn.expected_date) == (
        "U.B.",
        True,
        date(2027, 1, 20),
    )
    assert unborn.date_of_birth is None and unborn.case_references == ()


def test_a_parents_relationship_is_not_stored_as_their_organisation() -> None:
    parent = next(p for p in participants_of(_request()) if p.role is Role.PARENT)
    assert parent.relationship == "step-mother"
    assert parent.organisation == ""


def test_every_number_a_parent_gives_is_kept_in_order() -> None:
    parent = next(p for p in participants_of(_request()) if p.role is Role.PARENT)
    assert parent.every_phone() == ("+447700900101", "+447700900102")
    assert parent.every_email() == ("alex@sandbox.test",)


def test_professionals_and_agencies_keep_their_roles_and_organisations() -> None:
    people = participants_of(_request())
    assert [p.role for p in people] == [
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.PARENT,
        Role.POLICE,
    ]
    police = people[-1]
    assert (police.name, police.organisation, police.email) == (
        "DC Example",
        "Northshire Police",
        "dc@sandbox.test",
    )
    assert people[1].phone is None  # an empty number is no number


def test_facts_hold_no_children_and_keep_what_the_request_asked_for() -> None:
    facts = facts_of(_request())
    assert "children" not in facts and "other_numbers" not in facts
    assert facts == {
        "preferred_format": "hybrid",
        "preferred_format_reason": "",
        "confidential_requested": True,
        "confidential_reason": "police disclosure",
        "access_needs": "an interpreter (Polish)",
        "previous_reference": "CP-2025-00123",
    }


def test_no_full_name_of_a_child_reaches_the_store() -> None:
    # The request holds initials only; the record has no field a name could go in.
    for child in children_of(_request()):
        assert set(child.__slots__) >= {"initials"}
        assert not {"name", "full_name", "first_name", "surname"} & set(child.__slots__)

"""Migration 0005 moves the children held in conference facts into child records."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.core.conference import CaseReference, Role
from bot.store.database import Database
from bot.store.repository import Repository

BEFORE = "0004_runtime_by_use_case"
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)

_conference = sa.Table(
    "conference",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String),
    sa.Column("playbook", sa.String),
    sa.Column("conference_type", sa.String),
    sa.Column("state", sa.String),
    sa.Column("facts", sa.JSON),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)
_participant = sa.table(
    "participant",
    sa.column("conference_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("name", sa.String),
    sa.column("organisation", sa.String),
    sa.column("email", sa.String),
    sa.column("phone", sa.String),
    sa.column("held_back", sa.Boolean),
)


def _conference_at_0004(database: Database, facts: dict[str, object]) -> int:
    with database.engine.begin() as connection:
        inserted = connection.execute(
            _conference.insert().values(
                reference="CP-2026-00007",
                playbook="northshire",
                conference_type="ICPC",
                state="requested",
                facts=facts,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        conference_id = int(inserted.inserted_primary_key[0])
        people = [
            ("parent", "Alex Example", "Maternal grandmother", "alex@sandbox.test"),
            ("parent", "Jo Example", "Step-father", None),
            ("parent", "Sam Example", "Northshire Housing", None),
            ("police", "DC Example", "Northshire Police", "dc@sandbox.test"),
        ]
        for role, name, organisation, email in people:
            connection.execute(
                _participant.insert().values(
                    conference_id=conference_id,
                    role=role,
                    name=name,
                    organisation=organisation,
                    email=email,
                    phone="+447700900101",
                    held_back=False,
                )
            )
    return conference_id


def test_children_held_in_facts_become_child_records(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade(BEFORE)
    conference_id = _conference_at_0004(
        database,
        {
            "children": [
                {"case_reference": "123456", "initials": "T.R.", "unborn": False},
                {"case_reference": "", "initials": "U.B.", "unborn": True},
            ],
            "other_numbers": {"alex@sandbox.test": ["+447700900102"], "nobody": ["+4477009"]},
            "access_needs": "step-free access",
        },
    )
    database.upgrade()
    conference = Repository(database).get_conference(conference_id)
    database.dispose()
    first, second = conference.children
    assert (first.initials, first.unborn) == ("T.R.", False)
    assert first.case_references == (CaseReference("", "123456", primary=True),)
    assert (second.initials, second.unborn, second.case_references) == ("U.B.", True, ())
    assert "children" not in conference.facts
    assert conference.facts["access_needs"] == "step-free access"
    # An entry that matches no parent stays where it was rather than being lost.
    assert conference.facts["other_numbers"] == {"nobody": ["+4477009"]}


def test_parents_relationship_moves_out_of_organisation(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade(BEFORE)
    conference_id = _conference_at_0004(database, {})
    database.upgrade()
    people = Repository(database).get_conference(conference_id).participants
    database.dispose()
    by_name = {p.name: p for p in people}
    gran = by_name["Alex Example"]
    assert (gran.relationship, gran.organisation) == ("Maternal grandmother", "")
    assert by_name["Jo Example"].relationship == "Step-father"
    # Not a family word: an organisation stays an organisation.
    assert by_name["Sam Example"].organisation == "Northshire Housing"
    assert by_name["Sam Example"].relationship == ""
    police = by_name["DC Example"]
    assert (police.role, police.organisation, police.relationship) == (
        Role.POLICE,
        "Northshire Police",
        "",
    )


def test_a_parents_other_numbers_join_their_record(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade(BEFORE)
    conference_id = _conference_at_0004(
        database, {"other_numbers": {"alex@sandbox.test": ["+447700900102"]}}
    )
    database.upgrade()
    conference = Repository(database).get_conference(conference_id)
    database.dispose()
    gran = next(p for p in conference.participants if p.name == "Alex Example")
    assert gran.phones == ("+447700900101", "+447700900102")
    assert gran.phone == "+447700900101"
    assert "other_numbers" not in conference.facts


def test_downgrade_puts_children_back_in_facts(database_url: str) -> None:
    from alembic import command

    database = Database(database_url)
    database.upgrade(BEFORE)
    held = [{"case_reference": "123456", "initials": "T.R.", "unborn": False}]
    conference_id = _conference_at_0004(database, {"children": held})
    database.upgrade()
    command.downgrade(database._alembic_config(), BEFORE)
    with database.engine.connect() as connection:
        facts = connection.scalar(
            sa.select(_conference.c.facts).where(_conference.c.id == conference_id)
        )
        organisations = connection.scalars(
            sa.select(_participant.c.organisation).where(_participant.c.role == "parent")
        ).all()
    database.dispose()
    assert facts["children"] == held
    assert "Maternal grandmother" in organisations


def test_only_family_words_count_as_a_relationship() -> None:
    import importlib.util

    from bot.store.database import MIGRATIONS

    spec = importlib.util.spec_from_file_location(
        "child_record", MIGRATIONS / "versions" / "0005_child_record.py"
    )
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    family = ["Step-father", "Mum's partner", "mother-in-law", "Foster carer", "Family friend"]
    assert all(migration.is_relationship(words) for words in family)
    others = ["Northshire Housing", "Police", "St Example's Primary School", ""]
    assert not any(migration.is_relationship(words) for words in others)

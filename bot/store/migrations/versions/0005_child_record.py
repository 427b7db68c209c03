"""the child as a record: child and case-reference tables; participants' relationship, address

Moves the children held in ``conference.facts["children"]`` into rows, parents' extra phone
numbers from ``facts["other_numbers"]`` into their participant row, and a parent's
relationship ("mother") out of ``organisation``, where intake used to put it.

Revision ID: 0005_child_record
Revises: 0004_runtime_by_use_case
Create Date: 2026-12-02 17:45:00
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_child_record"
down_revision = "0004_runtime_by_use_case"
branch_labels = None
depends_on = None

# Copied, not imported: a migration must not change when the application's code does.
_NOUNS = """mother father mum mom dad mummy daddy parent parents carer carers guardian
grandmother grandfather grandparent grandparents grandma grandad granddad gran nan nana nanna
grandpa aunt auntie aunty uncle sister brother sibling stepmother stepfather stepmum stepdad
stepparent partner friend"""
_MODIFIERS = """foster kinship special birth adoptive maternal paternal great step corporate
connected family in law s of to the and"""  # "mother-in-law", "mum's partner"
_KIN_NOUNS = frozenset(_NOUNS.split())
_KIN_WORDS = _KIN_NOUNS | frozenset(_MODIFIERS.split())

_conference = sa.table("conference", sa.column("id", sa.Integer), sa.column("facts", sa.JSON))
_participant = sa.table(
    "participant",
    sa.column("id", sa.Integer),
    sa.column("conference_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("name", sa.String),
    sa.column("organisation", sa.String),
    sa.column("email", sa.String),
    sa.column("relationship", sa.String),
    sa.column("extra_phones", sa.JSON),
)
# A Table, not a lightweight table(): inserted_primary_key needs to know the key.
_child = sa.Table(
    "child",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conference_id", sa.Integer),
    sa.Column("initials", sa.String),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("unborn", sa.Boolean),
    sa.Column("expected_date", sa.Date),
)
_reference = sa.table(
    "child_case_reference",
    sa.column("child_id", sa.Integer),
    sa.column("system", sa.String),
    sa.column("reference", sa.String),
    sa.column("is_primary", sa.Boolean),
)


def is_relationship(text: str) -> bool:
    """Whether an organisation field holds a family relationship, such as "maternal gran"."""
    words = [w for w in re.split(r"[\s\-/()'’.,]+", text.lower()) if w]
    return bool(words) and set(words) <= _KIN_WORDS and bool(set(words) & _KIN_NOUNS)


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    _move_children(bind)
    _move_relationships(bind)


def _create_tables() -> None:
    op.create_table(
        "child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("initials", sa.String(length=32), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("unborn", sa.Boolean(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("legal_status", sa.String(length=128), nullable=False, server_default=""),
        sa.Column("own_email", sa.String(length=320), nullable=True),
        sa.Column("own_phone", sa.String(length=32), nullable=True),
        sa.Column(
            "contact_permission_noted", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
        sa.Column("advocate", sa.String(length=256), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_child_conference_id", "child", ["conference_id"])
    op.create_table(
        "child_case_reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_child_case_reference_child_id", "child_case_reference", ["child_id"])
    op.create_index("ix_child_case_reference_reference", "child_case_reference", ["reference"])
    with op.batch_alter_table("participant") as batch:
        batch.add_column(
            sa.Column("relationship", sa.String(length=128), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("postal_address", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("extra_emails", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("extra_phones", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _move_children(bind: sa.Connection) -> None:
    for conference_id, facts in bind.execute(sa.select(_conference.c.id, _conference.c.facts)):
        if not isinstance(facts, dict):
            continue
        kept = dict(facts)
        for held in kept.pop("children", None) or ():
            if isinstance(held, dict):
                _insert_child(bind, conference_id, held)
        numbers = kept.pop("other_numbers", None) or {}
        unmatched = _move_numbers(bind, conference_id, numbers)
        if unmatched:
            kept["other_numbers"] = unmatched
        if kept != facts:
            bind.execute(
                _conference.update().where(_conference.c.id == conference_id).values(facts=kept)
            )


def _insert_child(bind: sa.Connection, conference_id: int, held: dict[str, Any]) -> None:
    unborn = bool(held.get("unborn"))
    inserted = bind.execute(
        _child.insert().values(
            conference_id=conference_id,
            initials=str(held.get("initials") or "")[:32],
            unborn=unborn,
            date_of_birth=None if unborn else _day(held.get("date_of_birth")),
            expected_date=_day(held.get("due_date")) if unborn else None,
        )
    )
    reference = str(held.get("case_reference") or "").strip()
    if reference:
        # The request's "case ref" is the case-management system's, which it did not name.
        bind.execute(
            _reference.insert().values(
                child_id=inserted.inserted_primary_key[0],
                system="",
                reference=reference[:128],
                is_primary=True,
            )
        )


def _move_numbers(bind: sa.Connection, conference_id: int, numbers: Any) -> dict[str, Any]:
    """Put each parent's extra numbers on their row; return those that match no parent."""
    if not isinstance(numbers, dict) or not numbers:
        return {}
    parents = bind.execute(
        sa.select(_participant.c.id, _participant.c.email, _participant.c.name)
        .where(_participant.c.conference_id == conference_id)
        .where(_participant.c.role == "parent")
    ).all()
    unmatched = dict(numbers)
    for participant_id, email, name in parents:
        key = email if email in unmatched else name if name in unmatched else None
        if key is None:
            continue
        phones = [str(p) for p in unmatched.pop(key) or ()]
        bind.execute(
            _participant.update()
            .where(_participant.c.id == participant_id)
            .values(extra_phones=phones)
        )
    return unmatched


def _move_relationships(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.select(_participant.c.id, _participant.c.organisation).where(
            _participant.c.role == "parent"
        )
    ).all()
    for participant_id, organisation in rows:
        if organisation and is_relationship(organisation):
            bind.execute(
                _participant.update()
                .where(_participant.c.id == participant_id)
                .values(relationship=organisation, organisation="")
            )


def downgrade() -> None:
    # Children and relationships go back into facts; postal addresses and the extra
    # emails and phones have nowhere to go at revision 0004 and are dropped.
    bind = op.get_bind()
    _restore_facts(bind)
    op.drop_index("ix_child_case_reference_reference", table_name="child_case_reference")
    op.drop_index("ix_child_case_reference_child_id", table_name="child_case_reference")
    op.drop_table("child_case_reference")
    op.drop_index("ix_child_conference_id", table_name="child")
    op.drop_table("child")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("extra_phones")
        batch.drop_column("extra_emails")
        batch.drop_column("postal_address")
        batch.drop_column("relationship")


def _restore_facts(bind: sa.Connection) -> None:
    """Put children and parents' relationships back where revision 0004 kept them."""
    children: dict[int, list[dict[str, Any]]] = {}
    for child_id, conference_id, initials, unborn in bind.execute(
        sa.select(_child.c.id, _child.c.conference_id, _child.c.initials, _child.c.unborn).order_by(
            _child.c.id
        )
    ):
        reference = bind.scalar(
            sa.select(_reference.c.reference)
            .where(_reference.c.child_id == child_id)
            .order_by(_reference.c.is_primary.desc())
            .limit(1)
        )
        children.setdefault(conference_id, []).append(
            {"case_reference": reference or "", "initials": initials, "unborn": bool(unborn)}
        )
    for conference_id, held in children.items():
        facts = bind.scalar(sa.select(_conference.c.facts).where(_conference.c.id == conference_id))
        restored = {**(facts if isinstance(facts, dict) else {}), "children": held}
        bind.execute(
            _conference.update().where(_conference.c.id == conference_id).values(facts=restored)
        )
    bind.execute(
        _participant.update()
        .where(_participant.c.role == "parent")
        .where(_participant.c.organisation == "")
        .where(_participant.c.relationship != "")
        .values(organisation=_participant.c.relationship)
    )

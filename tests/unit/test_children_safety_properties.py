"""Children's safety as a property, over every bundled playbook: only initials are ever written.

Children have no full-name field, so a leak can only come from somewhere else: a family
member's name in the children's section, or the young person's own contact details. The
generated initials use letters no template holds, dotted ("X.J.Z."), so finding them shows
the letter took the child's initials from the record and not from anywhere else.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.conference import (
    CaseReference,
    Child,
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
)
from bot.core.minutes.assembly import MinutesChild, MinutesParticipant, assemble_minutes
from bot.core.minutes.children import initials_text
from bot.core.minutes.model import Decisions, Paragraph
from bot.runtime import letters
from bot.runtime.aftercare import mail
from bot.runtime.aftercare.word import minutes_docx
from tests.unit.test_minutes_children import children_section_text
from tests.unit.test_minutes_support import PLAYBOOKS, records

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)
OWN_EMAIL = "young.own.7q@example.net"
OWN_PHONE = "07700 900987"


@st.composite
def playbook_cases(draw: st.DrawFn) -> tuple[str, ConferenceType, MeetingFormat]:
    name = draw(st.sampled_from(sorted(PLAYBOOKS)))
    kind = draw(st.sampled_from(sorted(PLAYBOOKS[name].conferences)))
    fmt = draw(st.sampled_from(PLAYBOOKS[name].rules(kind).formats.offered))
    return name, kind, fmt


@st.composite
def children(draw: st.DrawFn) -> tuple[Child, ...]:
    # Letters no template or test name uses together, so each dotted set is unmistakable.
    codes = draw(
        st.lists(st.text("JQXZ", min_size=3, max_size=3), min_size=1, max_size=3, unique=True)
    )
    out = []
    for i, code in enumerate(codes, start=1):
        unborn = draw(st.booleans())
        day = draw(st.dates(date(2005, 1, 1), date(2027, 12, 31)))
        out.append(
            Child(
                i,
                code,
                date_of_birth=None if unborn else day,
                unborn=unborn,
                expected_date=day if unborn else None,
                case_references=(CaseReference("LCS", f"{800000 + i}", primary=True),),
                legal_status=draw(st.sampled_from(["", "child protection plan", "section 20"])),
                own_email=OWN_EMAIL,
                own_phone=OWN_PHONE,
                contact_permission_noted=draw(st.booleans()),
            )
        )
    return tuple(out)


# Made-up family names, each with a tag so a hit cannot be a coincidence.
family_names = st.lists(
    st.sampled_from(["Ysolde", "Kenrick", "Marisol", "Thaddeus", "Oriel"]).map(
        lambda first: f"{first} Famtag"
    ),
    min_size=1,
    max_size=3,
    unique=True,
)


def stored(
    kind: ConferenceType, fmt: MeetingFormat, kids: tuple[Child, ...], family: list[str]
) -> Conference:
    parents = [
        Participant(i, Role.PARENT, name, relationship="mother", email=f"p{i}@example.net")
        for i, name in enumerate(family, start=1)
    ]
    people = (*parents, Participant(99, Role.YOUNG_PERSON, "Ysolde Youngtag"))
    return Conference(
        id=5,
        reference="CP-2026-00005",
        playbook="leeds",
        conference_type=kind,
        state=ConferenceState.SCHEDULED,
        created_at=START - timedelta(days=10),
        updated_at=START,
        chair="chair@example.org",
        meeting_format=fmt,
        start_at=START,
        participants=people,
        children=kids,
    )


# Written to the parent alone: an unborn baby is "your unborn baby", without initials.
TO_PARENT = frozenset({"parent letter", "parent pack"})


def bodies(conference: Conference) -> dict[str, str]:
    """Every email body confbot writes about a conference, by what it is."""
    decisions = Decisions(plan=True)
    return {
        "acknowledgement": letters.acknowledgement(conference)[1],
        "parent letter": letters.parent_letter(conference, "Leaflet.", held_back=True)[1],
        "reminder": letters.reminder(conference, "Send your report.", START)[1],
        "parent pack": letters.pack_body(conference, 2, parent_pack=True),
        "agency pack": letters.pack_body(conference, 2, parent_pack=False),
        "call sheet": letters.call_sheet(conference)[1],
        "approval": mail.approval_request(conference, "https://x.example.org/m")[1],
        "decision": mail.decision_email(conference, decisions)[1],
        "outline plan": mail.plan_email(conference, decisions, outline=True)[1],
        "plan": mail.plan_email(conference, decisions, outline=False)[1],
        "minutes": mail.minutes_email(conference)[1],
    }


@PROPERTY
@given(playbook_cases(), children(), family_names)
def test_every_email_names_each_child_by_initials_only_and_never_their_own_contact(
    case: tuple[str, ConferenceType, MeetingFormat], kids: tuple[Child, ...], family: list[str]
) -> None:
    _, kind, fmt = case
    conference = stored(kind, fmt, kids, family)
    for what, body in bodies(conference).items():
        for child in kids:
            shown = initials_text(child)
            if child.unborn and what in TO_PARENT:
                assert "your unborn baby" in body, what
            else:
                assert shown in body, what
        assert OWN_EMAIL not in body and OWN_PHONE not in body, what
        if what != "call sheet":  # the chair's list of whom to ring names the people
            assert "Famtag" not in body and "Youngtag" not in body, what


@PROPERTY
@given(playbook_cases(), children(), family_names)
def test_the_minutes_name_children_by_initials_and_no_family_member_in_their_section(
    case: tuple[str, ConferenceType, MeetingFormat], kids: tuple[Child, ...], family: list[str]
) -> None:
    name, kind, fmt = case
    playbook = PLAYBOOKS[name]
    base = records(playbook, kind, fmt)
    relatives = tuple(
        MinutesParticipant(f"family-{i}", Role.PARENT, person, "grandmother")
        for i, person in enumerate(family)
    )
    data = replace(
        base,
        participants=base.participants + relatives,
        children=tuple(MinutesChild.of(c, advocate="Advocacy Service") for c in kids),
    )
    minutes = assemble_minutes(playbook, data)
    section = minutes.section("children")
    section_text = "\n".join(
        b.text if isinstance(b, Paragraph) else "\n".join(c for r in b.rows for c in r)
        for b in section.blocks
    )
    word = minutes_docx(minutes)
    word_section = children_section_text(word)
    everything = "\n".join(minutes.texts())
    for child in kids:
        assert initials_text(child) in section_text
        assert initials_text(child) in word_section
    for person in (p.name for p in data.participants):
        assert person not in section_text
        assert person not in word_section
    document = docx.Document(BytesIO(word))
    word_all = "\n".join(p.text for p in document.paragraphs)
    for text in (everything, word_all):
        assert OWN_EMAIL not in text and OWN_PHONE not in text

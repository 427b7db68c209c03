"""The minutes name which children the conference is about: initials, birth, case references."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.core.conference import (
    CaseReference,
    Child,
    Conference,
    ConferenceState,
    ConferenceType,
    MeetingFormat,
    Participant,
    Role,
    TimelineEntry,
)
from bot.core.minutes.assembly import MinutesChild, Paragraph, Table, assemble_minutes
from bot.core.minutes.children import case_reference_words, initials_text
from bot.core.timeline import compile_timeline
from bot.core.timeline.facts import conference_facts
from bot.core.timeline.model import ConferenceFacts
from bot.runtime.aftercare.records import minutes_input, participant_key
from bot.runtime.aftercare.word import minutes_docx
from tests.unit.test_minutes_support import PARENT, PLAYBOOKS, records

TQ = MinutesChild(
    "TQ",
    date_of_birth=date(2019, 5, 4),
    case_references=(
        CaseReference("Mosaic", "M-5521"),
        CaseReference("LCS", "804417", primary=True),
    ),
    legal_status="child protection plan",
    advocate="Juniper Okonkwo-Hale (Brightside Advocacy)",
    participation="She joined the meeting for the family's part",
)
UNBORN = MinutesChild("UQ", unborn=True, expected_date=date(2027, 3, 3))


def children_section_text(data: bytes) -> str:
    """The text of the Word minutes' children's section, its table included, in order."""
    document = docx.Document(BytesIO(data))
    texts: list[str] = []
    inside = False
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            paragraph = DocxParagraph(element, document)
            if paragraph.style is not None and paragraph.style.name == "Heading 2":
                inside = paragraph.text.startswith("The child")
                if inside:
                    texts.append(paragraph.text)
            elif inside:
                texts.append(paragraph.text)
        elif element.tag.endswith("}tbl") and inside:
            table = DocxTable(element, document)
            texts += [c.text for r in table.rows for c in r.cells]
    return "\n".join(texts)


def test_word_minutes_name_each_child_by_initials_birth_and_case_reference() -> None:
    playbook = PLAYBOOKS["leeds"]
    minutes = assemble_minutes(playbook, records(playbook, children=(TQ, UNBORN)))
    text = children_section_text(minutes_docx(minutes))
    assert text.startswith("The children this conference is about")
    for expected in ("T.Q.", "Born 4 May 2019", "804417", "U.Q.", "Unborn, expected 3 March 2027"):
        assert expected in text
    assert "child protection plan" in text  # the legal status, as recorded
    assert "T.Q.'s advocate: Juniper Okonkwo-Hale (Brightside Advocacy)." in text
    assert "How T.Q. took part: She joined the meeting for the family's part." in text
    # Nobody's name is in the children's section: not the family's, not the professionals'.
    for person in records(playbook).participants:
        assert person.name not in text


def test_the_case_systems_reference_comes_first_and_is_marked() -> None:
    assert case_reference_words(TQ.case_references) == (
        "804417 (LCS, case system), M-5521 (Mosaic)"
    )


def test_the_header_names_the_child_by_initials_and_date_of_birth() -> None:
    playbook = PLAYBOOKS["northmoor"]
    one = dict(assemble_minutes(playbook, records(playbook, children=(TQ,))).header.rows)
    assert one["Child"] == "T.Q. (born 4 May 2019)"
    two = dict(assemble_minutes(playbook, records(playbook, children=(TQ, UNBORN))).header.rows)
    assert two["Children"] == ("T.Q. (born 4 May 2019) and the unborn baby U.Q., due 3 March 2027")


def test_legal_status_is_a_column_only_where_one_is_known() -> None:
    playbook = PLAYBOOKS["leeds"]
    without = assemble_minutes(playbook, records(playbook, children=(UNBORN,)))
    table = without.section("children").blocks[0]
    assert isinstance(table, Table)
    assert table.header == ("Initials", "Date of birth", "Case reference")


def test_a_missing_date_of_birth_or_case_reference_is_on_the_minute_takers_list() -> None:
    playbook = PLAYBOOKS["leeds"]
    minutes = assemble_minutes(playbook, records(playbook, children=(MinutesChild("RB"),)))
    assert "R.B.'s date of birth." in minutes.missing
    assert "R.B.'s case reference." in minutes.missing
    table = minutes.section("children").blocks[0]
    assert isinstance(table, Table)
    assert table.rows == (("R.B.", "Not recorded", "Not recorded"),)


def test_minutes_without_a_child_say_so_and_ask_the_minute_taker() -> None:
    playbook = PLAYBOOKS["leeds"]
    minutes = assemble_minutes(playbook, records(playbook))
    assert minutes.section("children").blocks == (
        Paragraph("No child has been recorded for this conference yet."),
    )
    assert "Which child or children the conference is about." in minutes.missing


def test_a_name_where_initials_belong_is_cut_to_initials() -> None:
    assert initials_text(MinutesChild("Tamsin Vellacott")) == "T.V."
    assert initials_text(MinutesChild("T.V.")) == "T.V."
    assert initials_text(MinutesChild("TV")) == "T.V."


# -- from the stored records ------------------------------------------------------------------

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def stored(children: tuple[Child, ...], participants: tuple[Participant, ...]) -> Conference:
    return Conference(
        id=7,
        reference="CP-2026-00007",
        playbook="leeds",
        conference_type=ConferenceType.ICPC,
        state=ConferenceState.CONCLUDED,
        created_at=START - timedelta(days=10),
        updated_at=START,
        chair="chair@example.org",
        meeting_format=MeetingFormat.TEAMS,
        start_at=START,
        length=timedelta(hours=2),
        participants=participants,
        children=children,
    )


FAMILY = (
    Participant(1, Role.PARENT, "Wilhelmina Quarrie", relationship="mother"),
    Participant(2, Role.YOUNG_PERSON, "Tabitha Quarrie"),
    Participant(3, Role.ADVOCATE, "Juniper Okonkwo-Hale", organisation="Brightside Advocacy"),
)
CHILD = Child(
    1,
    "TQ",
    date_of_birth=date(2012, 5, 4),
    case_references=(CaseReference("LCS", "804417", primary=True),),
    own_email="tabitha.own@example.net",
    own_phone="07700 900123",
)


def facts(conference: Conference) -> ConferenceFacts:
    found = conference_facts(conference)
    assert found is not None
    return found


def read(conference: Conference, entries: tuple[TimelineEntry, ...] = ()) -> MinutesChild:
    plan = compile_timeline(PLAYBOOKS["leeds"], facts(conference))
    return minutes_input(conference, entries, plan).children[0]


def test_the_records_give_a_sole_childs_participation_and_advocate() -> None:
    joined = TimelineEntry(
        1, 7, START, "confbot", "runsheet.party_joined", None, {"party": "young_person-2"}
    )
    child = read(stored((CHILD,), FAMILY), (joined,))
    assert child.initials == "TQ"
    assert child.case_references == CHILD.case_references
    assert child.participation == "They joined the meeting"
    assert child.advocate == "Juniper Okonkwo-Hale (Brightside Advocacy)"
    assert read(stored((CHILD,), FAMILY)).participation == "They were invited but did not take part"


def test_with_two_children_nobody_is_credited_to_the_wrong_child() -> None:
    sibling = Child(2, "RQ", date_of_birth=date(2015, 1, 9))
    child = read(stored((CHILD, sibling), FAMILY))
    assert child.participation == ""
    assert child.advocate == ""


def test_the_young_persons_own_contact_never_reaches_the_minutes() -> None:
    conference = stored((CHILD,), FAMILY)
    plan = compile_timeline(PLAYBOOKS["leeds"], facts(conference))
    data = minutes_input(conference, (), plan)
    text = "\n".join(assemble_minutes(PLAYBOOKS["leeds"], data).texts())
    assert "tabitha.own@example.net" not in text
    assert "07700 900123" not in text


def test_the_young_person_is_shown_by_initials_and_family_by_relationship() -> None:
    conference = stored((CHILD,), FAMILY)
    plan = compile_timeline(PLAYBOOKS["leeds"], facts(conference))
    people = {p.key: p for p in minutes_input(conference, (), plan).participants}
    assert people[participant_key(FAMILY[1])].name == "T.Q."
    assert people[participant_key(FAMILY[0])].organisation == "mother"
    assert "Tabitha" not in "\n".join(
        assemble_minutes(PLAYBOOKS["leeds"], minutes_input(conference, (), plan)).texts()
    )


def test_parent_names_from_the_support_records_never_reach_the_childrens_section() -> None:
    playbook = PLAYBOOKS["leeds"]
    minutes = assemble_minutes(playbook, records(playbook, children=(TQ,)))
    assert PARENT.name not in "\n".join(
        b.text if isinstance(b, Paragraph) else " ".join(c for r in b.rows for c in r)
        for b in minutes.section("children").blocks
    )

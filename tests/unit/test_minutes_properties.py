"""Minutes safety as a property: restricted content never reaches the minutes, model or Word."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import timedelta
from io import BytesIO

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.conference import ConferenceType, MeetingFormat
from bot.core.minutes.assembly import (
    AgencyContribution,
    ConfidentialSection,
    PlanView,
    assemble_minutes,
)
from bot.runtime.aftercare.word import minutes_docx
from tests.unit.test_minutes_support import PLAYBOOKS, START, has_confidential_phase, records

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A marker no real minutes contain, so a hit can only be a leak, never a coincidence.
MARKER = "RESTRICTED-7Q"

restricted_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60).map(
    lambda text: f"{MARKER}{text}{MARKER}"
)


@st.composite
def conferences(draw: st.DrawFn) -> tuple[str, ConferenceType, MeetingFormat]:
    name = draw(st.sampled_from(sorted(PLAYBOOKS)))
    kind = draw(st.sampled_from(sorted(PLAYBOOKS[name].conferences)))
    fmt = draw(st.sampled_from(PLAYBOOKS[name].rules(kind).formats.offered))
    return name, kind, fmt


def word_text(data: bytes) -> str:
    document = docx.Document(BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    texts.append(document.core_properties.title or "")
    return "\n".join(texts)


def word_xml(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


@PROPERTY
@given(conferences(), restricted_text, restricted_text, restricted_text, st.booleans())
def test_restricted_content_never_appears_in_the_minutes_model_or_word(
    conference: tuple[str, ConferenceType, MeetingFormat],
    record: str,
    summary: str,
    rationale: str,
    view_given: bool,
) -> None:
    name, kind, fmt = conference
    playbook = PLAYBOOKS[name]
    held = has_confidential_phase(playbook, kind, fmt)
    section = ConfidentialSection(
        held=held,
        start=START if held else None,
        end=START + timedelta(minutes=15) if held else None,
        present=("chair", "police", "social-worker") if held else (),
        restricted_record=record,
    )
    data = records(playbook, kind, fmt, confidential=section)
    told_in_confidence = AgencyContribution(
        "police",
        summary=summary,
        view=PlanView.PLAN if view_given else None,
        rationale=rationale,
        confidential=True,
    )
    data = replace(data, contributions=(*data.contributions, told_in_confidence))

    minutes = assemble_minutes(playbook, data)
    model_text = "\n".join(minutes.texts()) + repr(minutes)
    word = minutes_docx(minutes)

    assert MARKER not in model_text
    assert MARKER not in word_text(word)
    assert MARKER not in word_xml(word)
    if held:
        # Who was there is still recorded: the police officer is named as present.
        present = minutes.section("confidential").blocks[1]
        assert "Sunniva Haldane" in repr(present)
